"""The package's tests: run as root against real labs (tests/integration/
test_python.sh runs them under the suite, with $CBOXLAB set to the build's
CLI). Labs are named "tp*", unique across the project's tests."""
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
TOP = os.path.dirname(os.path.dirname(HERE))

import cboxlab.pytest_plugin  # noqa: E402  (this checkout's, before any installed one)

pytest_plugins = ["pytester"]

if not os.environ.get("CBOXLAB"):
    os.environ["CBOXLAB"] = os.path.join(TOP, "build", "cboxlab")


def pytest_configure(config):
    # An installed package's plugin comes by its entry point ("cboxlab");
    # tests/integration/test_python.sh blocks it (-p no:cboxlab) so that
    # this checkout's is the one tested, registered here.
    if not config.pluginmanager.is_registered(cboxlab.pytest_plugin):
        config.pluginmanager.register(cboxlab.pytest_plugin, "cboxlab-checkout")


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (real labs)")


def state_root():
    return os.environ.get("CBOXLAB_STATE_ROOT") or "/run/cboxlab"


def leftovers(lab, pids=()):
    """What a lab left on the host, as in tests/integration/lib.sh: an empty
    list when nothing."""
    left = []
    root = state_root()
    for p in (f"{root}/{lab}", f"{root}/{lab}.lock"):
        if os.path.exists(p):
            left.append(f"state:{p}")
    if os.path.isdir("/run/netns"):
        left += [f"netns:{n}" for n in os.listdir("/run/netns") if n.startswith(f"{lab}-")]
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
    for line in links.splitlines():
        name = line.split(": ")[1].split("@")[0]
        if name.startswith(f"{lab}-"):
            left.append(f"link:{name}")
    tables = subprocess.run(["nft", "list", "tables"], capture_output=True, text=True).stdout
    if any(l.endswith(f"cboxlab-{lab}") for l in tables.splitlines()):
        left.append(f"nft:cboxlab-{lab}")
    for dirpath, dirnames, _ in os.walk("/sys/fs/cgroup"):
        if dirpath.count("/") > 6:
            dirnames[:] = []
            continue
        if os.path.basename(dirpath) == f"cboxlab-{lab}":
            left.append(f"cgroup:{dirpath}")
    with open("/proc/mounts") as f:
        if any(f"{root}/{lab}/" in l or f"/run/netns/{lab}-" in l for l in f):
            left.append("mounts")
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                if not any(l.startswith("State:") and "Z" in l for l in f):
                    left.append(f"process:{pid}")
        except OSError:
            pass
    return left


def topo(name, nodes=("a", "b"), link=False, subnet="10.252.0.0/24"):
    """A small lab: nodes on one network (and a link between the first two)."""
    t = {"name": name, "networks": {"n": {"subnet": subnet}},
         "nodes": {n: {"interfaces": {"eth0": {"network": "n"}}} for n in nodes}}
    if link:
        a, b = nodes[0], nodes[1]
        t["links"] = [{"endpoints": [f"{a}:eth1", f"{b}:eth1"], "subnet": "10.252.250.0/30"}]
    return t
