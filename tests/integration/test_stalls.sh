# Commands take as long as their work, not a timeout: stopping a node that
# exits at once, killing nodes and bringing the lab down, `down` after a
# killed `up`, and a chaos timeline whose steps each run at their time (and
# whose log says so when a step takes longer than the gap to the next).
source "$(dirname "$0")/lib.sh"

# check_faster NAME MAX_MS CMD...: CMD succeeds within MAX_MS milliseconds.
check_faster() {
	local name=$1 max=$2 out rc t0 ms
	shift 2
	t0=$(date +%s%N)
	out=$("$@" 2>&1)
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	if [ $rc = 0 ] && [ $ms -lt "$max" ]; then
		ok "$name (${ms} ms)"
	else
		not_ok "$name" "command: $*" "wanted: exit 0 within $max ms" "got: exit $rc after $ms ms: ${out:0:2000}"
	fi
}

f=$(topo tstall <<'EOF2'
{ "name": "tstall",
  "networks": { "n": { "subnet": "10.89.0.0/24" } },
  "nodes": { "a": { "interfaces": { "eth0": { "network": "n" } } },
             "b": { "interfaces": { "eth0": { "network": "n" } } },
             "c": { "interfaces": { "eth0": { "network": "n" } } } } }
EOF2
)
lab_up "$f" >/dev/null
# A node without a command: its init exits on SIGTERM at once. (Bounds
# scaled on slow machines; 0.8 s leaves room for a loaded one, and is still
# under the 1 s a wait for the grace period would take.)
check_faster "stop --timeout 1 of a node that exits at once takes well under 1 s" "$(scaled 800)" \
	cbx stop --timeout 1 tstall a
check_faster "start of the stopped node" "$(scaled 2000)" cbx start tstall a
check_faster "restart --timeout 1 of a node that exits at once takes well under 1 s" "$(scaled 800)" \
	cbx restart --timeout 1 tstall a
check_faster "kill of every node takes well under 1 s" "$(scaled 800)" cbx kill tstall a b c
pids=$(cbx status tstall --json | python3 -c 'import json,sys; print(" ".join(str(n["pid"]) for n in json.load(sys.stdin)["nodes"] if n["pid"]))')
check_faster "down of a lab with killed nodes takes well under 1 s" "$(scaled 1000)" cbx down tstall
# shellcheck disable=SC2086
check_ok "and leaves nothing" '^$' leftovers tstall $pids

# With its default wait, `down` returns once the host's init has reaped the
# node inits it killed, and the one killed before: no zombie is left.
freap=$(topo treap <<'EOF2'
{ "name": "treap", "nodes": { "a": {}, "b": {}, "c": {} } }
EOF2
)
lab_up "$freap" >/dev/null
pids=$(cbx status treap --json | python3 -c 'import json,sys; print(" ".join(str(n["pid"]) for n in json.load(sys.stdin)["nodes"] if n["pid"]))')
cbx kill treap a >/dev/null
check_faster "down waits for the reaping of its nodes' inits, within its 3 s bound" "$(scaled 4000)" \
	env -u CBOXLAB_REAP_WAIT_MS "$CBOXLAB" down treap
# shellcheck disable=SC2086
check_ok_without "no init of the lab is left, not even as a zombie" . \
	bash -c 'for p in "$@"; do [ -e /proc/$p ] && echo "$p: $(grep State /proc/$p/status)"; done; true' _ $pids
check_fails_with "a wait that is not a number of milliseconds is refused, naming the variable" \
	'CBOXLAB_REAP_WAIT_MS: "soon" is not a number of milliseconds' \
	env CBOXLAB_REAP_WAIT_MS=soon "$CBOXLAB" down treap

# `down` after a SIGKILLed `up`: the nodes it had started died with it.
nodes=$(python3 -c 'import json; print(json.dumps({f"n{i}": {"interfaces": {"eth0": {"network": "n"}}} for i in range(16)}))')
cat >"$TMP/tstall16.json" <<EOF2
{ "name": "tstall", "networks": { "n": { "subnet": "10.89.0.0/24" } }, "nodes": $nodes }
EOF2
for delay in 0.005 0.01 0.02; do
	"$CBOXLAB" up "$TMP/tstall16.json" >/dev/null 2>&1 &
	upid=$!
	sleep "$delay"
	kill -9 $upid 2>/dev/null
	wait $upid 2>/dev/null
	check_faster "down after up was SIGKILLed at ${delay}s takes well under 1 s" "$(scaled 1000)" cbx down tstall
	check_ok "and leaves nothing" '^$' leftovers tstall
done

# A timeline: each step at its time. A stop that took 10 s (the wait above)
# made every later step run at once, so the pause lasted 0 ms.
lab_up "$f" >/dev/null
# Its times scaled on a slow machine, so that no step outgrows its gap.
python3 - "$TIME_SCALE" >"$TMP/timeline.json" <<'EOF2'
import json, sys
k = float(sys.argv[1])
steps = [(0, "stop", "a"), (0.6, "start", "a"), (1.4, "pause", "b"), (2.0, "resume", "b"), (2.1, "end", None)]
print(json.dumps({"steps": [dict({"at": "%gs" % (t * k), "do": d}, **({"node": n} if n else {}))
                            for t, d, n in steps]}))
EOF2
# (A node's start is given 0.8 s before the next step: under load it took
# more than the 0.3 s it once had.)
check_faster "a 2.1 s timeline with a stop, a start, a pause and a resume takes under 3.5 s" "$(scaled 3500)" \
	cbx chaos tstall "$TMP/timeline.json" --log "$TMP/timeline.jsonl"
check_ok "every step begins within 0.2 s of its time and is done within 0.5 s, none overruns, and the pause lasts 0.6 s" '^ok$' python3 -c '
import json, sys
k = float(sys.argv[2])
ev = [json.loads(l) for l in open(sys.argv[1])]
steps = [e for e in ev if e["event"] in ("apply", "remove")and "at" in e]
assert len(steps) == 5, ev
for e in steps:
    assert 0 <= e["mono"] - e["at"] < 0.5 * k, e
# None overran its gap; a step may say it began a little late (the log
# says so past 20 ms), never by more than 0.2 s.
assert not [e for e in ev if e["event"] == "overrun"], ev
assert all(e.get("late", 0) < 0.2 * k for e in steps), ev
pause = [e["mono"] for e in steps if e["fault"] in ("pause", "resume")]
assert 0.5 * k < pause[1] - pause[0] < 0.8 * k, pause
print("ok")' "$TMP/timeline.jsonl" "$TIME_SCALE"

# A step that takes longer than the gap to the next: a stop of a node whose
# command ignores SIGTERM waits the run's grace period (5 s) before SIGKILL.
cbx down tstall >/dev/null
f2=$(topo tstall2 <<'EOF2'
{ "name": "tstall",
  "nodes": { "c": { "cmd": "trap '' TERM; while :; do sleep 1; done" } } }
EOF2
)
lab_up "$f2" >/dev/null
# The start's own gap to the end (0.1 s) grows on a slow machine (0.5 s
# under qemu's emulator), so that only the stop overruns.
cat >"$TMP/overrun.json" <<EOF2
{ "steps": [ { "at": "0s", "do": "stop", "node": "c" },
             { "at": "1s", "do": "start", "node": "c" },
             { "at": "1.${TIME_SCALE}s", "do": "end" } ] }
EOF2
cbx chaos tstall "$TMP/overrun.json" --log "$TMP/overrun.jsonl" >/dev/null 2>&1
check_ok "the log says the stop took longer than the 1 s gap, and by how much the start was late" '^ok$' python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
over = [e for e in ev if e["event"] == "overrun"]
assert len(over) == 1, ev
o = over[0]
assert o["step"] == 1 and o["fault"] == "stop" and o["delays"] == 2, o
k = float(sys.argv[2])
assert o["took"] > 4.5 and o["gap"] == 1 and 3.5 < o["late"] < 4 + k, o
start = [e for e in ev if e.get("fault") == "start"][0]
assert 3.5 < start["late"] < 4 + k and ev.index(o) < ev.index(start), start
print("ok")' "$TMP/overrun.jsonl" "$TIME_SCALE"
check_down_clean "down leaves nothing" tstall

# A partition replaces a table in every node: in a lab of 200 it took 2.9 s,
# each node's nftables socket closed in turn, and each close waiting for a
# grace period after its transaction (lab_nft_park).
nodes=$(python3 -c 'import json; print(json.dumps({f"n{i}": {"kind": "netns", "interfaces": {"eth0": {"network": "n", "addresses": [f"10.89.0.{i + 1}/24"]}}} for i in range(200)}))')
cat >"$TMP/tstall200.json" <<EOF2
{ "name": "tstall", "networks": { "n": { "subnet": "10.89.0.0/24" } }, "nodes": $nodes }
EOF2
lab_up "$TMP/tstall200.json" >/dev/null
check_faster "partition of 5 nodes in a lab of 200 takes well under 1 s" "$(scaled 1000)" \
	cbx partition tstall n1,n2,n3 n4,n5
check_fails_with "and is in force: n1 cannot reach n4" '100% packet loss' \
	in_node tstall n1 ping -c1 -W1 10.89.0.5
check_faster "heal of it takes well under 1 s" "$(scaled 1000)" cbx heal tstall
check_ok "and n1 reaches n4 again" ' 0% packet loss' in_node tstall n1 ping -c1 -W2 10.89.0.5
# flaky-links here impairs 64 interfaces every 0.1 s, each one a step at
# that time: each step took 8-16 ms, closing the host's nftables socket it
# had used, and the last were done most of a second late (cboxlab.h,
# lab_fault_conns). A step takes 0.2-0.6 ms now. (Not "no step late": 64
# steps due at once add up, more so on a slow machine.)
gap=$(python3 -c "print(0.1 * $TIME_SCALE)")
cbx chaos tstall --nemesis flaky-links --interval "${gap}s" --duration "$(python3 -c "print(4 * $gap)")s" \
	--seed 3 --log "$TMP/flaky.jsonl" >/dev/null 2>&1
check_ok "a flaky-links run over 200 nodes: a step takes under 5 ms (median)" '^ok$' python3 -c '
import json, statistics, sys
bound = 0.005 * float(sys.argv[2])
ev = [json.loads(l) for l in open(sys.argv[1])]
steps = [e for e in ev if e["event"] in ("apply", "remove") and "step" in e]
assert len(steps) > 100, len(steps)
took = statistics.median((e["monotonic_ns"] - e["began_monotonic_ns"]) / 1e9 for e in steps)
assert took < bound, f"a step took {took * 1000:.1f} ms (median), more than {bound * 1000:.0f} ms"
print("ok")' "$TMP/flaky.jsonl" "$TIME_SCALE"
check_ok "and leaves no impairment" '^$' bash -c "$CBOXLAB status tstall --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"faults\"] or \"\")'"
check_down_clean "down of the 200 leaves nothing" tstall

# `down` while a chaos run partitions the lab: the run's sockets in the
# nodes' namespaces are closed once each step is done, not kept for the
# run (kept, they held the namespaces, and `down` waited 3 s for the veths).
lab_up "$f" >/dev/null
cbx chaos tstall --nemesis random-halves --interval "$(scaled 1)s" --duration "$(scaled 8)s" --seed 1 \
	>/dev/null 2>"$TMP/chaos-down.err" &
run=$!
sleep "$(python3 -c "print(1.5 * $TIME_SCALE)")"
check_faster "down during a chaos run takes well under 1 s" "$(scaled 1000)" cbx down tstall
wait $run
check_ok "and the run ends, saying the lab is gone" 'lab "tstall" is not up' cat "$TMP/chaos-down.err"
check_ok "and leaves nothing" '^$' leftovers tstall
finish
