#!/usr/bin/env python3
"""topologies/schema.json and the C parser agree: every example validates
against the schema and `cboxlab validate`, and files the schema can judge
wrong are rejected by both, `validate` naming the JSON path and the reason.
Without python3-jsonschema the schema's checks skip and the parser's run.
Prints TAP."""
import glob
import json
import os
import re
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
    jsonschema = None
NO_SCHEMA = "python3-jsonschema is not installed"


def skip(name, why):
    global n
    n += 1
    print(f"ok {n} - {name} # SKIP {why}")


validator = None
if jsonschema:
    schema = json.load(open(os.path.join(top, "topologies", "schema.json")))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    result(True, "schema.json is a valid JSON Schema (2020-12)")
else:
    skip("schema.json is a valid JSON Schema (2020-12)", NO_SCHEMA)


def parser_says(doc, folder=None):
    """cboxlab validate on doc (in folder: the paths it names are relative
    to it): its exit status and its output, with the temporary file's name
    and the line and column after it written as FILE."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, dir=folder) as f:
        json.dump(doc, f)
    try:
        p = subprocess.run([cboxlab, "validate", f.name], capture_output=True, text=True)
        out = (p.stdout + p.stderr).replace(f.name, "FILE")
        return p.returncode, re.sub(r"FILE:[0-9]+:[0-9]+:", "FILE:", out)
    finally:
        os.unlink(f.name)


# Examples are files, or lab folders (a topology.json with the files it names).
for path in sorted(glob.glob(os.path.join(top, "topologies", "*.json")) +
                   glob.glob(os.path.join(top, "topologies", "*", "topology.json")) +
                   glob.glob(os.path.join(top, "topologies", "course", "*", "topology.json"))):
    if path.endswith("schema.json"):
        continue
    doc = json.load(open(path))
    name = os.path.relpath(path, os.path.join(top, "topologies"))
    if validator:
        errors = [e.message for e in validator.iter_errors(doc)]
        result(not errors, f"{name} validates against the schema", "\n".join(errors))
    else:
        skip(f"{name} validates against the schema", NO_SCHEMA)
    rc, out = parser_says(doc, os.path.dirname(path))
    result(rc == 0 and "is valid" in out, f"{name} passes cboxlab validate", f"exit {rc}: {out}")

# Each wrong file, the change that makes it wrong, and what `cboxlab validate`
# must say: the JSON path of the value at fault and why (exit 2). The schema
# must reject each too, when jsonschema is there to ask.
base = {"name": "lab", "networks": {"n": {"subnet": "10.0.0.0/24", "gateway": True}},
        "nodes": {"a": {"interfaces": {"eth0": {"network": "n"}}}}}
bad = {
    "unknown top-level key": ({"nodez": {}}, 'nodez: unknown key "nodez" (did you mean "nodes"?)'),
    "unknown node key": ({"nodes": {"a": {"adresses": []}}}, 'nodes.a.adresses: unknown key "adresses"'),
    "lab name with a dash": ({"name": "my-lab"}, 'name: "my-lab" is not a lab name: a lab name has only lowercase letters'),
    "pids as a string": ({"defaults": {"limits": {"pids": "many"}}},
                         "defaults.limits.pids: expected an integer, got a string"),
    "bad size string": ({"defaults": {"limits": {"memory": "64X"}}},
                        'defaults.limits.memory: bad size "64X"'),
    "bad port mapping": ({"nodes": {"a": {"interfaces": {"eth0": {"network": "n"}}, "publish": ["80-90"]}}},
                         'nodes.a.publish[0]: "80-90" is not a port mapping'),
    "interface name too long": ({"nodes": {"a": {"interfaces": {"averylonginterface0": {"network": "n"}}}}},
                                'nodes.a.interfaces.averylonginterface0: interface name "averylonginterface0" '
                                "is 19 bytes long; the kernel allows at most 15"),
    "VLAN id out of range": ({"nodes": {"a": {"interfaces": {"eth0": {"network": "n", "vlan": 4095}}}}},
                             "nodes.a.interfaces.eth0.vlan: VLAN 4095 is out of range: VLAN ids are 1 to 4094"),
    "vlan and vlans together": ({"nodes": {"a": {"interfaces": {"eth0": {"network": "n", "vlan": 10, "vlans": [20]}}}}},
                                'nodes.a.interfaces.eth0.vlan: an interface is an access port ("vlan") or a trunk ("vlans"), not both'),
    "link with three endpoints": ({"links": [{"endpoints": ["a:e1", "a:e2", "a:e3"]}]},
                                  "links[0].endpoints: a link has exactly 2 endpoints, not 3"),
    # The path is where the value is: the link's "impair", not an endpoint's.
    "loss without %": ({"links": [{"endpoints": ["a:e1", "b:e1"], "impair": {"loss": "2"}}],
                        "nodes": {"a": {}, "b": {}}},
                       'links[0].impair.loss: bad loss "2": expected a percentage such as "2%"'),
    "route without via or dev": ({"nodes": {"a": {"interfaces": {"eth0": {"network": "n"}},
                                                 "routes": [{"to": "10.9.0.0/16"}]}}},
                                 'nodes.a.routes[0]: a route needs "via" (a gateway) or "dev"'),
    "non-network sysctl": ({"nodes": {"a": {"interfaces": {"eth0": {"network": "n"}},
                                           "sysctls": {"kernel.panic": 1}}}},
                           'nodes.a.sysctls["kernel.panic"]: sysctl "kernel.panic" is not a network sysctl'),
    "base directory path of 512 bytes": ({"nodes": {"a": {"interfaces": {"eth0": {"network": "n"}},
                                                             "base": "/" + "d" * 511}}},
                                         "nodes.a.base: base directory path is 512 bytes long; at most 511"),
    "bind DST under /proc": ({"defaults": {"binds": ["/etc:/proc/sys"]}},
                             'defaults.binds[0]: "/proc/sys" is under /proc'),
    "volume DST under /dev": ({"nodes": {"a": {"volumes": ["/dev/shm:8M"]}}},
                              'nodes.a.volumes[0]: "/dev/shm" is under /dev'),
    "volume DST with ..": ({"defaults": {"volumes": ["/var/../etc:8M"]}},
                           'defaults.volumes[0]: "/var/../etc" contains ".."'),
    "volume with a bad size": ({"nodes": {"a": {"volumes": ["/data:lots"]}}},
                               'nodes.a.volumes[0]: volume /data: bad size "lots"'),
    "volume at the root": ({"nodes": {"a": {"volumes": ["/:8M"]}}},
                           'nodes.a.volumes[0]: "/" is the node\'s root folder'),
    "file DST with ..": ({"nodes": {"a": {"files": {"/etc/../x": {"content": "x"}}}}},
                         'nodes.a.files["/etc/../x"]: "/etc/../x" contains ".."'),
    "file with content and source": ({"nodes": {"a": {"files": {"/x": {"content": "x", "source": "/etc/hostname"}}}}},
                                     'nodes.a.files["/x"]: a file needs either "content" or "source"'),
    "overlay folder with a comma": ({"defaults": {"overlay": "/srv/a,b"}},
                                    'defaults.overlay: overlay folder "/srv/a,b" contains \',\''),
    "unknown restart policy": ({"nodes": {"a": {"cmd": "x", "restart": "sometimes"}}},
                               'nodes.a.restart: unknown restart policy "sometimes"'),
    "ready that is neither tcp:PORT nor a check": ({"nodes": {"a": {"ready": "udp:53"}}},
                                                  'nodes.a.ready: expected "tcp:PORT"'),
    "ready with both cmd and tcp": ({"nodes": {"a": {"ready": {"cmd": "true", "tcp": 80}}}},
                                    'nodes.a.ready: a ready check has a "cmd" or a "tcp" port (one of them)'),
    "ready tcp port out of range": ({"nodes": {"a": {"ready": {"tcp": 70000}}}}, "nodes.a.ready.tcp"),
    "unknown storage": ({"nodes": {"a": {"storage": "ssd"}}}, 'nodes.a.storage: unknown storage "ssd"'),
    "ready with an unknown key": ({"defaults": {"ready": {"cmd": "true", "tiemout": "1s"}}},
                                  'defaults.ready.tiemout: unknown key "tiemout"'),
    "a host without an address": ({"hosts": {"h1": {"dev": "eth1"}}},
                                  'hosts.h1: host "h1" has no "address"'),
    "a host with an unknown key": ({"hosts": {"h1": {"address": "192.0.2.1", "mtu": 9000, "port": 1}}},
                                   'hosts.h1.port: unknown key "port"'),
    "a host's MTU below 1350": ({"hosts": {"h1": {"address": "192.0.2.1", "mtu": 1300}}},
                                "hosts.h1.mtu: 1300 is out of range (1350 to 65535)"),
    "an unknown node kind": ({"defaults": {"kind": "vm"}},
                             'defaults.kind: kind "vm" is not "container" or "netns"'),
}
for name, (change, why) in bad.items():
    doc = json.loads(json.dumps(base))
    doc.update(change)
    if validator:
        result(any(True for _ in validator.iter_errors(doc)), f"the schema rejects: {name}")
    else:
        skip(f"the schema rejects: {name}", NO_SCHEMA)
    rc, out = parser_says(doc)
    result(rc == 2 and f"FILE: {why}" in out, f"cboxlab validate rejects (exit 2), saying where and why: {name}",
           f"exit {rc}: {out}\nwanted exit 2 and: FILE: {why}")

print(f"1..{n}")
sys.exit(1 if failed else 0)
