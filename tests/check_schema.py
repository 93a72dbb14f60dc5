#!/usr/bin/env python3
"""topologies/schema.json and the C parser agree: every example validates
against the schema and `cboxlab validate`, and files the schema can judge
wrong are rejected by both. Prints TAP."""
import glob
import json
import os
import subprocess
import sys
import tempfile

top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
cboxlab = os.environ.get("CBOXLAB", os.path.join(top, "build", "cboxlab"))
n = 0
failed = 0


def result(good, name, diag=""):
    global n, failed
    n += 1
    print(("ok" if good else "not ok") + f" {n} - {name}")
    if not good:
        failed += 1
        for line in diag.splitlines():
            print(f"#   {line}")


try:
    import jsonschema
except ImportError:
    print("ok 1 - schema checks # SKIP python3-jsonschema is not installed")
    print("1..1")
    sys.exit(0)

schema = json.load(open(os.path.join(top, "topologies", "schema.json")))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
result(True, "schema.json is a valid JSON Schema (2020-12)")


def parser_accepts(doc):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(doc, f)
    try:
        p = subprocess.run([cboxlab, "validate", f.name], capture_output=True, text=True)
        return p.returncode == 0, p.stdout + p.stderr, p.returncode
    finally:
        os.unlink(f.name)


for path in sorted(glob.glob(os.path.join(top, "topologies", "*.json"))):
    if path.endswith("schema.json"):
        continue
    doc = json.load(open(path))
    errors = [e.message for e in validator.iter_errors(doc)]
    result(not errors, f"{os.path.basename(path)} validates against the schema", "\n".join(errors))
    good, out, _ = parser_accepts(doc)
    result(good, f"{os.path.basename(path)} passes cboxlab validate", out)

base = {"name": "lab", "networks": {"n": {"subnet": "10.0.0.0/24", "gateway": True}},
        "nodes": {"a": {"interfaces": {"eth0": {"network": "n"}}}}}
bad = {
    "unknown top-level key": {"nodez": {}},
    "unknown node key": {"nodes": {"a": {"adresses": []}}},
    "lab name with a dash": {"name": "my-lab"},
    "pids as a string": {"defaults": {"limits": {"pids": "many"}}},
    "bad size string": {"defaults": {"limits": {"memory": "64X"}}},
    "bad port mapping": {"nodes": {"a": {"interfaces": {"eth0": {"network": "n"}}, "publish": ["80-90"]}}},
    "interface name too long": {"nodes": {"a": {"interfaces": {"averylonginterface0": {"network": "n"}}}}},
    "link with three endpoints": {"links": [{"endpoints": ["a:e1", "a:e2", "a:e3"]}]},
    "loss without %": {"links": [{"endpoints": ["a:e1", "b:e1"], "impair": {"loss": "2"}}],
                       "nodes": {"a": {}, "b": {}}},
    "route without via or dev": {"nodes": {"a": {"interfaces": {"eth0": {"network": "n"}},
                                                "routes": [{"to": "10.9.0.0/16"}]}}},
    "non-network sysctl": {"nodes": {"a": {"interfaces": {"eth0": {"network": "n"}},
                                          "sysctls": {"kernel.panic": 1}}}},
    "base directory path of 512 bytes": {"nodes": {"a": {"interfaces": {"eth0": {"network": "n"}},
                                                            "base": "/" + "d" * 511}}},
}
for name, change in bad.items():
    doc = json.loads(json.dumps(base))
    doc.update(change)
    schema_rejects = any(True for _ in validator.iter_errors(doc))
    good, out, rc = parser_accepts(doc)
    result(schema_rejects, f"the schema rejects: {name}")
    result(not good and rc == 2, f"cboxlab validate rejects (exit 2): {name}", out)

print(f"1..{n}")
sys.exit(1 if failed else 0)
