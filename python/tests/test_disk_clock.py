"""Disk and clock faults from Python: lab.disk_full and lab.disk_heal (a
node with "storage_size" refused writes with ENOSPC, then writing again),
lab.clock_skew (the wall clock `date` reads in the node), and both in a
chaos plan, healed at its end."""
import time

import pytest

from conftest import needs_root, topo
from cboxlab import CboxlabError, Lab

pytestmark = needs_root


def write(lab, node, path):
    return lab.exec(node, f"dd if=/dev/zero of={path} bs=4k count=1", check=False)


def skew(lab, node):
    return int(lab.exec(node, "date +%s").stdout) - int(time.time())


def in_force(lab):
    return [(f.kind, f.node) for f in lab.status().faults]


def test_disk_full_and_clock_skew():
    t = topo("tpdisk", nodes=("a", "b", "h"), subnet="10.252.24.0/24")
    t["nodes"]["a"]["storage_size"] = "4M"
    t["nodes"]["h"]["base"] = "host"
    with Lab.up(t) as lab:
        lab.disk_full("a")
        r = write(lab, "a", "/x")
        assert r.returncode != 0 and "No space left on device" in r.stderr + r.stdout, r
        assert write(lab, "b", "/x").returncode == 0, "another node still writes"
        assert ("disk-full", "a") in in_force(lab)
        lab.disk_heal("a")
        assert write(lab, "a", "/x").returncode == 0
        assert ("disk-full", "a") not in in_force(lab)
        with pytest.raises(CboxlabError) as e:
            lab.disk_full("b")
        assert "no storage of its own" in e.value.message
        with pytest.raises(CboxlabError) as e:
            lab.throttle("b", wbps="1M")
        assert "keeps its files in memory" in e.value.message

        assert abs(skew(lab, "h")) <= 3
        lab.clock_skew("h", "+600s", timeout=0)
        assert 597 <= skew(lab, "h") <= 603
        assert ("clock-skew", "h") in in_force(lab)
        assert lab.status().faults[0].skew == "+600s"
        lab.clock_skew("h", "0s", timeout=0)
        assert abs(skew(lab, "h")) <= 3
        assert in_force(lab) == []

        events = lab.chaos({"steps": [
            {"at": "0s", "do": "fill", "node": "a"},
            {"at": "0s", "do": "clock-skew", "node": "h", "skew": "-100s"},
            {"at": "0.3s", "do": "end"}]})
        applied = [(e.fault, e.nodes) for e in events if e.event == "apply"]
        assert applied == [("fill", ["a"]), ("clock-skew", ["h"])], applied
        assert in_force(lab) == [], "a run ends healed"
        assert write(lab, "a", "/y").returncode == 0
        assert abs(skew(lab, "h")) <= 3


def test_volume_fill_and_heal_all():
    t = topo("tpvol", nodes=("a", "b"), subnet="10.252.48.0/24")
    t["nodes"]["a"]["volumes"] = ["/data:2M"]
    with Lab.up(t) as lab:
        assert write(lab, "a", "/data/x").returncode == 0
        lab.fill("a", path="/data")
        r = write(lab, "a", "/data/y")
        assert r.returncode != 0 and "No space left on device" in r.stderr + r.stdout, r
        assert write(lab, "a", "/root/y").returncode == 0, "the rest of the node still writes"
        full = [f for f in lab.status().faults if f.kind == "disk-full"]
        assert [(f.node, f.path) for f in full] == [("a", "/data")], full
        lab.unfill("a", path="/data")
        assert write(lab, "a", "/data/y").returncode == 0
        with pytest.raises(CboxlabError) as e:
            lab.fill("a", path="/nope")
        assert "no volume at /nope; its volumes: /data" in e.value.message

        lab.partition(["a"], ["b"])
        lab.impair("a:eth0", loss="30%")
        lab.fill("a", path="/data")
        lab.pause("b")
        assert {f.kind for f in lab.status().faults} == {"partition", "impair", "disk-full", "paused"}
        lab.heal(all=True)
        assert lab.status().faults == []
        assert lab.exec("a", "ping -c1 -W2 10.252.48.2", check=False).returncode == 0
        assert write(lab, "a", "/data/z").returncode == 0
