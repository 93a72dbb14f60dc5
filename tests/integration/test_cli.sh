# The command line's contract: bad input exits 2 with a precise message and
# creates nothing; --dry-run creates nothing; --json output is JSON.
source "$(dirname "$0")/lib.sh"

bad=$(topo tbad <<'EOF2'
{ "name": "tbad",
  "nodes": { "a": { "interfaces": { "eth0": { "network": "lan", "adresses": ["10.0.0.1"] } } } } }
EOF2
)
check_exit "up of a bad file exits 2, naming the file, the JSON path and a suggestion" 2 \
	'tbad.json: nodes.a.interfaces.eth0.adresses: unknown key "adresses" \(did you mean "addresses"\?\)' cbx up "$bad"
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
check_ok "down of a lab by its file works" 'is down' cbx down "$f"
check_ok_without "ls no longer lists it" '^tjson ' cbx ls
check_ok "down leaves nothing" '^$' leftovers tjson
check_ok "help shows percentages as typed (loss=2%)" ' loss=2% ' cbx help
for c in up impair status chaos; do
	check_ok "$c --help prints the usage" '^usage: cboxlab COMMAND' cbx "$c" --help
done
finish
