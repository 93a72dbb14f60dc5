# YAML topologies as a user meets them: every example written as YAML by
# `fmt --yaml` gives the plan and the drawing of its JSON; a YAML lab comes
# up from standard input and its nodes ping; validate lists every error of a
# file with its line and column; fmt's own refusals.
source "$(dirname "$0")/lib.sh"

# The plan and the drawing of two files, compared: "same", or the diff.
same_lab() { # a b
	local plan
	plan=$(diff <("$CBOXLAB" up --dry-run "$1" 2>&1) <("$CBOXLAB" up --dry-run "$2" 2>&1)) &&
		diff <("$CBOXLAB" graph "$1" 2>&1) <("$CBOXLAB" graph "$2" 2>&1) && echo same ||
		echo "$plan"
}

# --- every example, in both forms --------------------------------------------
# A copy, so that each YAML form sits beside its JSON (relative paths).
cp -a "$TOP/topologies" "$TMP/ex"
for f in "$TMP"/ex/*.json "$TMP"/ex/ospf/topology.json; do
	[ "$(basename "$f")" = schema.json ] && continue
	y=${f%.json}.fmt.yaml
	name=${f#"$TMP"/ex/}
	"$CBOXLAB" fmt --yaml "$f" >"$y"
	check_ok "$name as YAML: the same plan and drawing" '^same$' same_lab "$f" "$y"
done
check_ok "topologies/lan.yaml, written by hand: lan.json's plan and drawing" '^same$' \
	same_lab "$TOP/topologies/lan.json" "$TOP/topologies/lan.yaml"
check_ok "a generated topology from standard input, as YAML" '^  - endpoints:$' \
	bash -c '"$1" gen ring 3 | "$1" fmt --yaml -' _ "$CBOXLAB"

# --- a YAML lab comes up ------------------------------------------------------
cat >"$TMP/tyaml.yaml" <<'EOF2'
# Two nodes on a network, in YAML, read from standard input (by its content).
name: tyaml
networks:
  n: {subnet: 10.87.0.0/24}
nodes:
  a:
    interfaces:
      eth0: {network: n, addresses: [10.87.0.2]}
  b:
    interfaces: {eth0: {network: n}}
    env: {PORTS: 80:8080}
EOF2
_labs+=(tyaml)
check_ok "a YAML lab comes up from standard input" 'lab tyaml is up' \
	bash -c '"$1" up - <"$2"' _ "$CBOXLAB" "$TMP/tyaml.yaml"
check "tyaml: b pings a by name" in_node tyaml b ping -c1 -W2 a
check_ok "tyaml: a has the file's address" '10\.87\.0\.2/24' in_node tyaml a ip -4 addr show eth0
check_ok "tyaml: 80:8080 reached the node as written" '^80:8080$' in_node tyaml b sh -c 'echo $PORTS'
check_ok "tyaml: status reads the lab's saved state" '"name": "b"' cbx status --json tyaml
check_down_clean "tyaml: down leaves nothing" tyaml
check_ok "a YAML lab comes up from its file" 'lab tyaml is up' cbx up "$TMP/tyaml.yaml"
check_ok "down FILE.yaml takes the lab's name from the file" '^lab tyaml is down$' \
	bash -c 'cd "$1" && "$2" down tyaml.yaml' _ "$TMP" "$CBOXLAB"
check_ok "and leaves nothing" '^$' leftovers tyaml

# --- every error, with its line and column -----------------------------------
# "LINE:COL PATH" of each error validate prints, on one line; its status.
errors_of() { # file
	local out rc
	out=$("$CBOXLAB" validate "$1" 2>&1)
	rc=$?
	sed -nE 's/^cboxlab: [^:]+:([0-9]+:[0-9]+): ([^:]+): .*/\1 \2/p' <<<"$out" | paste -sd' '
	return $rc
}
cat >"$TMP/tyamlbad.yaml" <<'EOF2'
name: tyamlbad
bogus: 1
networks:
  n: {subnet: 10.87.1.1/24}
nodes:
  a:
    limits: {pids: many}
    privileged: 1
EOF2
check_exit "validate lists every error of a YAML file, each with its line and column" 2 \
	'^2:1 bogus 4:7 networks\.n\.subnet 7:14 nodes\.a\.limits\.pids 8:5 nodes\.a\.privileged$' \
	errors_of "$TMP/tyamlbad.yaml"
"$CBOXLAB" fmt --json "$TMP/tyamlbad.yaml" >"$TMP/tyamlbad.json"
check_exit "and of its JSON form, at the JSON's own lines" 2 \
	'^3:3 bogus 6:7 networks\.n\.subnet 12:9 nodes\.a\.limits\.pids 14:7 nodes\.a\.privileged$' \
	errors_of "$TMP/tyamlbad.json"
printf 'name: tyamlbad\nnodes:\n  a: {}\n  a: {}\n' >"$TMP/tyamldup.yaml"
check_exit "a duplicate key in YAML is an error at its line" 2 \
	'tyamldup\.yaml:4:3: duplicate key "a" \(first at line 3\)' cbx validate "$TMP/tyamldup.yaml"

# --- fmt's refusals -----------------------------------------------------------
check_exit "fmt needs --json or --yaml" 2 'say which form to write: --json or --yaml' \
	cbx fmt "$TMP/tyaml.yaml"
printf 'name: x\nnodes: [a\n' >"$TMP/tyamlsyn.yaml"
check_exit "fmt of a broken YAML file says where" 2 'tyamlsyn\.yaml:3:1: syntax error' \
	cbx fmt --json "$TMP/tyamlsyn.yaml"
check_ok "fmt --help gives its usage" '^usage: cboxlab fmt --json\|--yaml FILE$' cbx fmt --help

finish
