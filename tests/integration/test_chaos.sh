# Fault timelines: steps applied at their times and logged as JSON lines,
# the same seed giving the same faults, a plan checked whole before it runs,
# and a run that always heals at the end, also when interrupted.
source "$(dirname "$0")/lib.sh"

f=$(topo tchaos <<'EOF2'
{ "name": "tchaos",
  "networks": { "n": { "subnet": "10.88.0.0/24" } },
  "nodes": { "n1": { "interfaces": { "eth0": { "network": "n" } } },
             "n2": { "interfaces": { "eth0": { "network": "n" } } },
             "n3": { "interfaces": { "eth0": { "network": "n" } } },
             "n4": { "interfaces": { "eth0": { "network": "n" } } },
             "n5": { "interfaces": { "eth0": { "network": "n" } } } } }
EOF2
)
lab_up "$f" >/dev/null
reach() { in_node tchaos "$1" ping -c1 -W1 "$2" >/dev/null 2>&1; }
no_faults() { ! "$CBOXLAB" status tchaos | grep -q 'fault:'; }

cat >"$TMP/plan.json" <<'EOF2'
{ "steps": [
    { "at": "0.3s", "do": "partition", "groups": [["n1", "n2"], ["n3", "n4", "n5"]] },
    { "at": "3.0s", "do": "heal" },
    { "at": "3.1s", "do": "impair", "iface": "n2:eth0", "loss": "30%" },
    { "at": "3.2s", "do": "pause", "node": "n3" },
    { "at": "3.3s", "do": "resume", "node": "n3" },
    { "at": "3.4s", "do": "kill", "node": "n4" },
    { "at": "3.5s", "do": "end" } ] }
EOF2
"$CBOXLAB" chaos tchaos "$TMP/plan.json" --log "$TMP/run.jsonl" &
run=$!
sleep 0.8
# Both checks fall between the partition (0.3 s) and the heal (3 s).
if reach n1 n2; then ok "during the run, n1 still reaches n2 (same side)"
else not_ok "during the run, n1 still reaches n2 (same side)"; fi
if reach n1 n3; then not_ok "during the run, the partition is in force (n1 cannot reach n3)"
else ok "during the run, the partition is in force (n1 cannot reach n3)"; fi
wait $run
rc=$?
if [ $rc = 0 ]; then ok "the run ends with status 0"; else not_ok "the run ends with status 0" "exit $rc"; fi
check_output "the log has every step in order, then the healing" \
	'^start partition:apply heal:remove impair:apply pause:apply resume:remove kill:apply end:remove heal-all:remove end$' \
	python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
print(" ".join(e["event"] if e["event"] in ("start", "end") else e["fault"] + ":" + e["event"] for e in ev))' "$TMP/run.jsonl"
check "every event has monotonic and wall-clock times, in order; applied ones name their nodes" python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
mono = [e["mono"] for e in ev]
assert mono == sorted(mono), mono
assert all("wall" in e and e["wall"].endswith("Z") for e in ev)
part = [e for e in ev if e.get("fault") == "partition"][0]
assert sorted(part["nodes"]) == ["n1", "n2", "n3", "n4", "n5"], part
assert part["mono"] >= 0.3, part' "$TMP/run.jsonl"
if no_faults && reach n1 n3 && reach n1 n4; then ok "after the run every fault is gone (healed, killed node started again)"
else not_ok "after the run every fault is gone (healed, killed node started again)" "$("$CBOXLAB" status tchaos)"; fi

# The same seed, the same faults: two generated runs, logs equal but for time.
for i in 1 2; do
	"$CBOXLAB" chaos tchaos --nemesis random-halves --interval 0.2s --duration 0.8s --seed 42 \
		--log "$TMP/seed$i.jsonl" || not_ok "nemesis run $i"
done
strip() { python3 -c '
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    e.pop("mono"); e.pop("wall")
    print(json.dumps(e, sort_keys=True))' "$1"; }
if [ "$(strip "$TMP/seed1.jsonl")" = "$(strip "$TMP/seed2.jsonl")" ] && grep -q partition "$TMP/seed1.jsonl"; then
	ok "the same seed gives an identical event log (but for timestamps)"
else
	not_ok "the same seed gives an identical event log (but for timestamps)" "$(diff <(strip "$TMP/seed1.jsonl") <(strip "$TMP/seed2.jsonl"))"
fi
check_output "--dry-run shows the schedule a seed gives" 'partition: ' \
	cbx chaos tchaos --nemesis majorities-ring --interval 1s --duration 4s --seed 7 --dry-run
if [ "$(cbx chaos tchaos --nemesis bridge --interval 1s --duration 8s --seed 3 --dry-run)" = \
	"$(cbx chaos tchaos --nemesis bridge --interval 1s --duration 8s --seed 3 --dry-run)" ]; then
	ok "--dry-run schedules are reproducible"
else
	not_ok "--dry-run schedules are reproducible"
fi
check "every nemesis generates a schedule" bash -c "
	for n in random-halves isolate-one majorities-ring bridge flaky-links pause-random kill-random; do
		$CBOXLAB chaos tchaos --nemesis \$n --interval 1s --duration 2s --seed 1 --dry-run | grep -q end || exit 1
	done"

# Interrupted: SIGTERM in the middle still heals.
cat >"$TMP/long.json" <<'EOF2'
{ "steps": [ { "at": "0.1s", "do": "partition", "groups": [["n1"], ["n2"]] },
             { "at": "0.2s", "do": "pause", "node": "n5" },
             { "at": "60s", "do": "heal" } ] }
EOF2
"$CBOXLAB" chaos tchaos "$TMP/long.json" --log "$TMP/int.jsonl" &
run=$!
sleep 0.8
kill -TERM $run
wait $run
rc=$?
if [ $rc = 130 ]; then ok "an interrupted run exits 130"; else not_ok "an interrupted run exits 130" "exit $rc"; fi
check_output "the log says it was interrupted, then healed" 'interrupted.*heal-all' \
	bash -c "tr '\n' ' ' < $TMP/int.jsonl"
if no_faults && reach n1 n2; then ok "an interrupted run heals everything (partition gone, n5 resumed)"
else not_ok "an interrupted run heals everything" "$("$CBOXLAB" status tchaos)"; fi

# A plan is checked whole first: bad plans exit 2 and change nothing.
cat >"$TMP/past.json" <<'EOF2'
{ "steps": [ { "at": "5s", "do": "pause", "node": "n1" }, { "at": "2s", "do": "resume", "node": "n1" } ] }
EOF2
check_output "a step before the one above it is refused" 'steps\[1\]: "at" is 2s, before the step above it \(5s\)' \
	cbx chaos tchaos "$TMP/past.json"
cat >"$TMP/ghost.json" <<'EOF2'
{ "steps": [ { "at": "0s", "do": "partition", "groups": [["n1"], ["ghost"]] } ] }
EOF2
cbx chaos tchaos "$TMP/ghost.json" >"$TMP/out" 2>&1
rc=$?
if [ $rc = 2 ] && grep -q 'no node "ghost"' "$TMP/out" && no_faults; then ok "a plan naming an unknown node exits 2 and changes nothing"
else not_ok "a plan naming an unknown node exits 2 and changes nothing" "exit $rc: $(cat "$TMP/out")"; fi
check_output "an unknown nemesis is refused" 'unknown nemesis "split-brain"' \
	cbx chaos tchaos --nemesis split-brain --interval 1s --duration 2s
check_down_clean "down leaves nothing" tchaos
finish
