# The command line's contract: bad input exits 2 with a precise message and
# creates nothing; --dry-run creates nothing; --json output is JSON.
source "$(dirname "$0")/lib.sh"

bad=$(topo tbad <<'EOF2'
{ "name": "tbad",
  "nodes": { "a": { "interfaces": { "eth0": { "network": "lan", "adresses": ["10.0.0.1"] } } } } }
EOF2
)
check_exit "up of a bad file exits 2, naming the file, the JSON path and a suggestion" 2 \
	'tbad.json:2:65: nodes.a.interfaces.eth0.adresses: unknown key "adresses" \(did you mean "addresses"\?\)' cbx up "$bad"
check_ok "a bad file creates nothing" '^$' leftovers tbad

syntax=$(topo tsyntax <<'EOF2'
{ "name": "tsyntax",
  "nodes": { "a": { } ,, }
}
EOF2
)
check_exit "validate exits 2 on a syntax error, with its line and column" 2 'tsyntax.json:2:24: syntax error' \
	cbx validate "$syntax"
for f in "$TOP"/topologies/*.json; do
	[ "$(basename "$f")" = schema.json ] && continue
	check_ok "validate accepts $(basename "$f")" 'is valid' cbx validate "$f"
done
check_exit "a missing file is an input error (exit 2)" 2 'open .*/no-such.json: No such file or directory' \
	cbx validate "$TMP/no-such.json"

check_ok "up --dry-run prints the plan with each step's undo" 'undo: kill node h1' \
	cbx up --dry-run "$TOP/topologies/lan.json"
check_ok "--dry-run creates nothing" '^$' leftovers lan

f=$(topo tjson <<'EOF2'
{ "name": "tjson", "networks": { "n": { "subnet": "10.85.0.0/24" } },
  "nodes": { "a": { "interfaces": { "eth0": { "network": "n" } } } } }
EOF2
)
_labs+=(tjson)
check_ok "up --json reports the nodes and their PIDs" '"pid": [1-9]' cbx up --json "$f"
check "status --json is JSON with nodes, PIDs, state, addresses, memory" bash -c "
	$CBOXLAB status tjson --json | python3 -c '
import json, sys
lab = json.load(sys.stdin)
n = lab[\"nodes\"][0]
assert lab[\"name\"] == \"tjson\" and lab[\"state\"] == \"up\", lab
assert n[\"name\"] == \"a\" and n[\"pid\"] > 0 and n[\"state\"] == \"running\", n
assert n[\"interfaces\"][0][\"addresses\"] == [\"10.85.0.1/24\"], n
assert n[\"memory_bytes\"] is None or n[\"memory_bytes\"] > 0, n'"
check_ok "status without a lab lists every lab" 'lab tjson: up' cbx status
check_ok "ls lists the lab" '^tjson +up +1$' cbx ls
check_exit "status of an unknown lab says so (exit 1)" 1 'lab "tnone" is not up' cbx status tnone
check_exit "logs refuses a lab name that is a path (exit 2)" 2 '"\.\./\.\." is not a lab name' cbx logs ../.. x
check_exit "exec refuses a lab name that is a path (exit 2)" 2 '"\.\./x" is not a lab name' cbx exec ../x a -- true
# Without root a command saw too little and lied: status showed the
# running node stopped, PID 0, exit 0. Commands that need root say so.
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$CBOXLAB" "$@"; }
for c in "status tjson" "status" "ls" "exec tjson a -- true" "logs tjson a" "stop tjson a" \
	"partition tjson a a" "chaos tjson --nemesis isolate-one --interval 1s --duration 1s" "down tjson"; do
	# shellcheck disable=SC2086
	check_exit "as non-root, ${c%% *} says it needs root and exits 1" 1 "^cboxlab: ${c%% *} needs root" nobody $c
done
check_ok "status as root still shows the node running" 'a +running' cbx status tjson
check_ok "--opt=value works as --opt value" '^nemesis pause-random, seed 3$' \
	cbx chaos tjson --nemesis=pause-random --interval=1s --duration=2s --seed=3 --dry-run
check_ok "exec's options end at LAB: what follows NODE is the command's" '^--help$' \
	cbx exec tjson a echo --help
check_ok "validate needs no root" 'is valid' nobody validate "$TOP/topologies/lan.json"
check_ok "nor up --dry-run" 'undo: kill node h1' nobody up --dry-run "$TOP/topologies/lan.json"
check_exit "up without --dry-run needs root" 1 '^cboxlab: up needs root' nobody up "$TOP/topologies/lan.json"

check_ok "down of a lab by its file works" 'is down' cbx down "$f"
check_ok_without "ls no longer lists it" '^tjson ' cbx ls
check_ok "down leaves nothing" '^$' leftovers tjson
# One rule for lab names, in validate, up and every command that takes a
# LAB: a name validate accepted could not be brought down before.
long33=t$(printf 'n%.0s' $(seq 32))
long64=t$(printf 'n%.0s' $(seq 63))
long255=t$(printf 'n%.0s' $(seq 254))
for name in "$long33" "$long64" "$long255"; do
	printf '{ "name": "%s", "nodes": { "a": {} } }\n' "$name" >"$TMP/tname${#name}.json"
done
check_exit "validate refuses a 33-character lab name, naming the rule" 2 \
	'tname33.json:1:3: name: "tn+" is not a lab name: a lab name is at most 32 characters' \
	cbx validate "$TMP/tname33.json"
check_exit "down FILE of a 64-character lab name gives the same reason" 2 \
	'is not a lab name: a lab name is at most 32 characters' cbx down "$TMP/tname64.json"
check_ok "and makes no lock or state for a cut name" '^$' bash -c "ls -A /run/cboxlab 2>/dev/null | grep '^tnnnn'; exit 0"
check_exit "up of a 255-character lab name says why, not ENAMETOOLONG" 2 \
	'is not a lab name: a lab name is at most 32 characters' cbx up "$TMP/tname255.json"
check_exit "status of a 33-character name gives the same reason" 2 \
	'"tn+" is not a lab name: a lab name is at most 32 characters' cbx status "$long33"
check_exit "stop of a 33-character name too" 2 'is not a lab name: a lab name is at most 32' \
	cbx stop "$long33" a
check_ok "down FILE names the lab, not the file" '^lab tjson was not up; nothing left of it$' \
	cbx down "$f"

# A topology (or an argument) cannot write into the terminal through an
# error message: control bytes are shown quoted.
printf '{ "name": "tesc", "nodes": { "a": { "base": "\\u001b]2;pwned\\u0007\\u001b[2J" } } }\n' >"$TMP/tesc.json"
check_exit "validate quotes the escape sequences of a bad value" 2 'base "\\x1b\]2;pwned\\x07\\x1b\[2J" is not' \
	cbx validate "$TMP/tesc.json"
check_ok "and no control byte reaches the terminal" '^clean$' bash -c \
	"'$CBOXLAB' validate '$TMP/tesc.json' 2>&1 | grep -q \$'[\\x01-\\x09\\x0b-\\x1f\\x7f]' || echo clean"
check_ok "nor through a command's argument" '^clean$' bash -c \
	"'$CBOXLAB' status \$'t\\x1b[2J' 2>&1 | grep -q \$'\\x1b' || echo clean"

check_ok "help shows percentages as typed (loss=2%)" ' loss=2% ' cbx help
# One parser for every command: its own help and options, an option that
# is not its own reported as such, --opt=value as well as --opt value.
check_exit "up --help shows up's usage and options, not every command's" 0 \
	'^usage: cboxlab up \[--dry-run\] \[--json\] \[--timings\] \[-q\] \[--host NAME\] FILE' cbx up --help
check_ok "help stop shows stop's options" '--timeout S +seconds between SIGTERM and SIGKILL' \
	cbx help stop
check_ok "exec -h is exec's help" '^usage: cboxlab exec \[-i\] \[-t\] LAB NODE' cbx exec -h
check_exit "an unknown option is reported as one" 2 '^cboxlab up: unknown option --jsn$' \
	cbx up --jsn "$TOP/topologies/lan.json"
check_exit "so is a flag given a value" 2 'option --json takes no value' cbx status --json=yes
check_exit "help of a command there is not" 2 'unknown command "nosuch"' cbx help nosuch

# --- conventions: -V, --quiet, --json on every command that reports -------
version=$(sed -n 's/^#define CBOXLAB_VERSION "\(.*\)"/\1/p' "$TOP/src/cli/version.h")
check_ok "-V prints one line, cboxlab and the version of src/cli/version.h" "^cboxlab $version\$" cbx -V
check_ok "--version too" "^cboxlab $version\$" cbx --version
check_exit "an option before the command that is not -q, -V or -h is refused" 2 \
	'unknown option --bogus' cbx --bogus status
check_exit "up --bogus FILE says the option is unknown, not that FILE is missing" 2 \
	'^cboxlab up: unknown option --bogus$' cbx up --bogus "$TOP/topologies/lan.json"
# Every command's --help: its usage line, exit 0.
for c in $(cbx help | sed -n 's/^  \([a-z]\+\) .*/\1/p; s/^  \([a-z]\+\)$/\1/p' | sort -u); do
	check_ok "$c --help shows $c's usage" "^usage: cboxlab $c( |\$)" cbx "$c" --help
done
json_ok() { # python-expression-on-d: reads JSON on stdin, asserts
	python3 -c "import json, sys
d = json.load(sys.stdin)
assert $1, d"
}
export -f json_ok
check "up --dry-run --json prints the plan as JSON: each step with its undo" bash -c \
	"'$CBOXLAB' up --dry-run --json '$TOP/topologies/lan.json' | json_ok 'd[\"name\"] == \"lan\" and d[\"state\"] == \"planned\" and all(set(s) == {\"step\", \"do\", \"undo\"} for s in d[\"steps\"]) and \"kill node h1\" in str(d[\"steps\"])'"
check "validate --json reports the lab's counts" bash -c \
	"'$CBOXLAB' validate --json '$TOP/topologies/lan.json' | json_ok 'd[\"valid\"] is True and d[\"name\"] == \"lan\" and d[\"nodes\"] == 6'"
check_ok "validate --quiet says nothing when the file is valid" '^$' cbx validate --quiet "$TOP/topologies/lan.json"
check_ok "nor does cboxlab -q validate" '^$' cbx -q validate "$TOP/topologies/lan.json"
# With --json an error is one JSON object on stderr, stdout empty, the exit
# status as without.
json_error() { # status wanted-kind cmd...: stdout empty, stderr one JSON object
	local want=$1 kind=$2 out rc
	shift 2
	out=$("$@" 2>"$TMP/err")
	rc=$?
	[ -z "$out" ] || { echo "stdout: $out"; return 1; }
	[ "$rc" = "$want" ] || { echo "exit $rc, not $want"; cat "$TMP/err"; return 1; }
	python3 -c "import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
e = json.loads(lines[0])
assert e['kind'] == sys.argv[2] and e['exit_status'] == int(sys.argv[3]) and e['error'], e
print(e['error'])" "$TMP/err" "$kind" "$want"
}
check_ok "status --json of a lab not up: the error as JSON on stderr, exit 1" 'lab "tnone" is not up' \
	json_error 1 state cbx status --json tnone
check_ok "up --json with an unknown option: a usage error as JSON, exit 2" 'unknown option --bogus' \
	json_error 2 usage cbx up --json --bogus "$TOP/topologies/lan.json"
check_ok "validate --json of a missing file: an input error as JSON, exit 2" 'No such file' \
	json_error 2 input cbx validate --json "$TMP/no-such.json"
check_ok "ls --json as non-root: the root error as JSON, exit 1" 'ls needs root' \
	json_error 1 root nobody ls --json

out=$(topo tcliout <<'EOF2'
{ "name": "tcliout", "networks": { "n": { "subnet": "10.117.0.0/24", "gateway": true } },
  "nodes": { "a": { "interfaces": { "eth0": { "network": "n" } }, "publish": [ "38517:80" ] },
             "b": { "interfaces": { "eth0": { "network": "n" } } } } }
EOF2
)
_labs+=(tcliout)
cbx up --json "$out" >"$TMP/up.json" 2>"$TMP/up.err"
check_ok "up --json prints JSON, nothing on stderr" '^$' cat "$TMP/up.err"
cbx status --json tcliout >"$TMP/status.json"
cbx status --json >"$TMP/all.json"
# One shape: up --json is status --json LAB's object (and what only up
# knows), status --json's "labs" hold the same objects.
check "up --json, status --json LAB and status --json give one lab shape, published ports in it" \
	python3 -c '
import json, sys
up, st, all_ = (json.load(open(f)) for f in sys.argv[1:4])
one = next(l for l in all_["labs"] if l["name"] == "tcliout")
lab_keys = {"name", "state", "nodes", "published", "faults", "faults_in_force"}
for o in (up, st, one):
    assert lab_keys <= set(o), (lab_keys - set(o), o)
    assert o["name"] == "tcliout" and o["state"] == "up", o
    assert o["published"] == [{"host_port": 38517, "proto": "tcp", "node": "a", "node_port": 80}], o["published"]
    node_keys = [set(n) for n in o["nodes"]]
    assert all(k == {"name", "pid", "state", "interfaces", "memory_bytes", "command", "kind"} for k in node_keys), node_keys
    assert all(n["kind"] == "container" for n in o["nodes"]), o["nodes"]
    assert [n["name"] for n in o["nodes"]] == ["a", "b"] and all(n["pid"] > 0 for n in o["nodes"]), o
assert set(up) - set(st) == {"lab", "seconds", "warnings"}, set(up) ^ set(st)
assert up["lab"] == "tcliout" and up["seconds"] > 0 and up["warnings"] == [], up
assert [n["pid"] for n in up["nodes"]] == [n["pid"] for n in st["nodes"]]
' "$TMP/up.json" "$TMP/status.json" "$TMP/all.json"
check "check --json: every pair probed, as objects (a reaches b, b reaches a)" bash -c \
	"'$CBOXLAB' check --json tcliout | json_ok 'd[\"lab\"] == \"tcliout\" and d[\"failed\"] == 0 and set(d) == {\"lab\", \"result\", \"seconds\", \"failed\", \"pairs\", \"checks\"} and d[\"result\"] == \"pass\" and {(p[\"from\"], p[\"to\"], p[\"reached\"]) for p in d[\"pairs\"]} == {(\"a\", \"b\", True), (\"b\", \"a\", True)} and all(set(p) == {\"from\", \"to\", \"address\", \"expected\", \"reached\", \"rtt_ms\"} for p in d[\"pairs\"])'"
check_ok "status shows the published ports too, as up does" '^  published: host port 38517/tcp -> a:80$' \
	cbx status tcliout
check_ok "stop --timeout=3 LAB NODE works (the option's value joined by =)" '^node b stopped$' \
	cbx stop --timeout=3 tcliout b
check "start --json reports what it did and the faults in force" bash -c \
	"'$CBOXLAB' start --json tcliout b | json_ok 'd[\"lab\"] == \"tcliout\" and d[\"command\"] == \"start\" and d[\"lines\"] == [\"node b started\"] and d[\"faults_in_force\"] == []'"
check "partition --json: the partition among the faults in force, as objects" bash -c \
	"'$CBOXLAB' partition --json tcliout a b | json_ok 'd[\"lines\"][0].startswith(\"partition: \") and {\"kind\": \"partition\", \"node\": \"a\", \"drops\": [\"b\"]} in d[\"faults_in_force\"]'"
check_ok "heal --quiet says nothing" '^$' cbx heal --quiet tcliout
check_ok "cboxlab -q pause says nothing" '^$' cbx -q pause tcliout b
check "impair --json" bash -c \
	"'$CBOXLAB' impair --json tcliout a:eth0 loss=5% | json_ok 'd[\"lines\"] == [\"a:eth0: loss=5%\"] and {\"kind\": \"paused\", \"node\": \"b\"} in d[\"faults_in_force\"] and {\"kind\": \"impair\", \"node\": \"a\", \"iface\": \"eth0\", \"settings\": {\"loss\": \"5%\"}} in d[\"faults_in_force\"]'"
check "link --json" bash -c \
	"'$CBOXLAB' link --json tcliout down a:eth0 | json_ok 'd[\"lines\"] == [\"link a:eth0 is down\"] and {\"kind\": \"link-down\", \"node\": \"a\", \"iface\": \"eth0\"} in d[\"faults_in_force\"]'"
check_ok "a fault command's error with --json is JSON on stderr, exit 2" 'no node "nosuch"' \
	json_error 2 input cbx stop --json tcliout nosuch
check "down --json" bash -c \
	"'$CBOXLAB' down --json tcliout | json_ok 'd == {\"name\": \"tcliout\", \"state\": \"down\", \"was_up\": True}'"
check_ok "down leaves nothing of tcliout" '^$' leftovers tcliout
check_ok "down --quiet of a lab not up says nothing" '^$' cbx down --quiet tcliout

# The progress line: on a terminal only (script(1) gives one), and not with
# --json. A node whose ready check takes 0.4 s makes up slow enough to show it.
prog=$(topo tprog <<'EOF2'
{ "name": "tprog", "nodes": { "a": { "ready": { "cmd": "sleep 0.4" } } } }
EOF2
)
_labs+=(tprog)
script -qefc "'$CBOXLAB' up '$prog'" /dev/null >"$TMP/tty.out" 2>&1
check_ok "on a terminal, up shows a progress line rewritten with \\r, then erases it" '^found$' bash -c \
	"grep -Eq 'up: start 0/1 \(step [0-9]+/[0-9]+\)' '$TMP/tty.out' && grep -q \$'\\r\\e\\\\[Kup: start' '$TMP/tty.out' && grep -q \$'\\r\\e\\\\[Klab tprog is up' '$TMP/tty.out' && echo found"
cbx down tprog >/dev/null
script -qefc "'$CBOXLAB' up --json '$prog'" /dev/null >"$TMP/tty.out" 2>&1
check_ok "with --json, no progress line even on a terminal" '^none$' bash -c \
	"grep -q '\"pid\"' '$TMP/tty.out' && ! grep -q -e 'up: ' -e \$'\\e' '$TMP/tty.out' && echo none"
cbx down tprog >/dev/null
cbx up "$prog" >"$TMP/pipe.out" 2>&1
check_ok "piped, no progress line" '^none$' bash -c \
	"grep -q 'lab tprog is up' '$TMP/pipe.out' && ! grep -q -e \$'\\r' -e \$'\\e' '$TMP/pipe.out' && echo none"
check_ok "and tprog goes down" 'is down' cbx down tprog
check_ok "down leaves nothing of tprog" '^$' leftovers tprog

# timeline: a history and a chaos log merged by CLOCK_MONOTONIC; a line that
# is neither, named by file and line.
cat >"$TMP/history.jsonl" <<'EOF2'
{"type": "invoke", "f": "write", "value": 1, "process": 0, "time": 5000000000}
{"type": "ok", "f": "write", "value": 1, "process": 0, "time": 7500000000}
EOF2
cat >"$TMP/chaos.jsonl" <<'EOF2'
{"event": "start", "lab": "l", "seed": 3, "mono": 0, "monotonic_ns": 6000000000}
{"event": "apply", "fault": "pause", "what": "pause b", "mono": 1, "monotonic_ns": 7000000000}
EOF2
want="  +0.000000  $TMP/history.jsonl  p0 invoke write 1
  +1.000000  $TMP/chaos.jsonl    fault start: lab l, seed 3
  +2.000000  $TMP/chaos.jsonl    fault apply: pause b
  +2.500000  $TMP/history.jsonl  p0 ok write 1"
out=$(cbx timeline "$TMP/history.jsonl" "$TMP/chaos.jsonl" 2>&1)
rc=$?
[ "$out" = "$want" ] && out+=$'\n(as wanted)'
check_ok "timeline merges a history and a chaos log in time order" '^\(as wanted\)$' replay "$out" $rc
echo '{"what": "no event"}' >>"$TMP/chaos.jsonl"
check_exit "timeline names the line that is neither an event nor an operation" 2 \
	"chaos.jsonl: line 3: neither a chaos event" cbx timeline "$TMP/history.jsonl" "$TMP/chaos.jsonl"
finish
