# Every example the README and docs/ show runs: each topology, JSON or
# YAML (a block with top-level nodes), comes up (as a test lab of its own name) with every node running and
# comes down leaving nothing; a chaos plan is accepted by `chaos --dry-run` on a lab
# with the nodes it names; a fragment ("routes": [...]) is valid JSON.
# The README's "topology, in short" validated but failed at `up`.
source "$(dirname "$0")/lib.sh"

python3 - "$TOP" "$TMP" <<'EOF2' >"$TMP/examples"
import glob, json, os, re, sys
top, tmp = sys.argv[1], sys.argv[2]
n = 0
for doc in ["README.md"] + sorted(glob.glob(os.path.join(top, "docs", "*.md"))):
    path = os.path.join(top, doc)
    text = open(path).read()
    for m in re.finditer(r"^```yaml\n(.*?)^```", text, re.S | re.M):
        # A topology has nodes; other YAML (an Ansible playbook) is not one.
        if not re.search(r"^nodes:", m.group(1), re.M):
            continue
        n += 1
        where = "%s:%d" % (os.path.relpath(path, top), text[:m.start()].count("\n") + 1)
        # A YAML topology runs as one of its own name, like a JSON one.
        name = "tdoc%d" % n
        f = os.path.join(tmp, name + ".yaml")
        open(f, "w").write(re.sub(r"^name: .*$", "name: " + name, m.group(1), 1, re.M))
        print("topology", where, f)
    for m in re.finditer(r"^```json\n(.*?)^```", text, re.S | re.M):
        n += 1
        where = "%s:%d" % (os.path.relpath(path, top), text[:m.start()].count("\n") + 1)
        block = m.group(1)
        try:
            v = json.loads(block)
        except ValueError:
            try:
                json.loads("{" + block + "}")
                print("fragment", where, "-")
            except ValueError as e:
                print("bad", where, str(e).replace(" ", "_"))
            continue
        if isinstance(v, dict) and "nodes" in v and "name" in v:
            name = "tdoc%d" % n
            v["name"] = name
            f = os.path.join(tmp, name + ".json")
            json.dump(v, open(f, "w"))
            # A lab over hosts comes up a host at a time, on its host
            # (test_multihost.sh): here its first host's plan.
            print("hosts" if "hosts" in v else "topology", where, f)
        elif isinstance(v, dict) and "steps" in v:
            nodes, ifaces = set(), set()
            def walk(x):
                if isinstance(x, dict):
                    for k, y in x.items():
                        if k == "node":
                            nodes.add(y)
                        elif k == "iface":
                            ifaces.add(y)
                        elif k == "groups":
                            for g in y:
                                nodes.update(g)
                        else:
                            walk(y)
                elif isinstance(x, list):
                    for y in x:
                        walk(y)
            walk(v)
            lab = {"name": "tdocp", "nodes": {}, "links": []}
            for i, spec in enumerate(sorted(ifaces)):
                node, ifname = spec.split(":")
                nodes.add(node)
                lab["nodes"]["peer%d" % i] = {}
                lab["links"].append({"endpoints": [spec, "peer%d:eth0" % i]})
            for node in sorted(nodes):
                lab["nodes"].setdefault(node, {})
            json.dump(lab, open(os.path.join(tmp, "tdocp.json"), "w"))
            f = os.path.join(tmp, "plan%d.json" % n)
            json.dump(v, open(f, "w"))
            print("plan", where, f)
        else:
            print("other", where, "-")
EOF2

while read -r kind where file; do
	case $kind in
	topology)
		lab=$(basename "$file")
		lab=${lab%.*}
		_labs+=("$lab")
		check_ok "$where: the example validates" 'is valid' cbx validate "$file"
		check_ok "$where: it comes up" "lab $lab is up" cbx up "$file"
		check_ok "$where: every node runs" '^all running$' bash -c "
			'$CBOXLAB' status $lab --json | python3 -c '
import json, sys
nodes = json.load(sys.stdin)[\"nodes\"]
bad = [n[\"name\"] for n in nodes if n[\"state\"] != \"running\"]
print(\"all running\" if nodes and not bad else \"not running: %s\" % bad)'"
		check_down_clean "$where: down leaves nothing" "$lab"
		;;
	plan)
		_labs+=(tdocp)
		"$CBOXLAB" up "$TMP/tdocp.json" >/dev/null 2>&1
		check_ok "$where: the chaos plan is accepted (--dry-run)" 'end' cbx chaos tdocp "$file" --dry-run
		check_down_clean "$where: down leaves nothing" tdocp
		;;
	hosts)
		check_ok "$where: the example validates" 'is valid' cbx validate "$file"
		host=$(python3 -c 'import json,sys; print(next(iter(json.load(open(sys.argv[1]))["hosts"])))' "$file")
		check_ok "$where: its first host's part has a plan" "plan for lab tdoc[0-9]+" \
			cbx up --dry-run "$file" --host "$host"
		;;
	fragment) ok "$where: the fragment is valid JSON" ;;
	bad) not_ok "$where: a JSON example that does not parse" "$file" ;;
	other) ok "$where: valid JSON" ;;
	esac
done <"$TMP/examples"
check_ok "the docs show examples at all" 'topology .*README.md' cat "$TMP/examples"
finish
