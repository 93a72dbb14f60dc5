"""A node's clock offset ("clock_offset", restart --clock-offset): its
CLOCK_MONOTONIC and CLOCK_BOOTTIME, as /proc/uptime shows them, ahead of the
host's (or behind), for its startup command and for what exec runs."""
import pytest

from conftest import needs_root, topo
from cboxlab import CboxlabError, Lab

pytestmark = needs_root


def host_uptime():
    with open("/proc/uptime") as f:
        return float(f.read().split()[0])


def uptime(lab, node):
    return float(lab.exec(node, "cat /proc/uptime").stdout.split()[0])


def ahead(lab, node):
    """How far the node's uptime is ahead of the host's, read between two of
    the host's: the offset lies between the two (the wider, the slower the
    exec, as under qemu's emulator)."""
    before = host_uptime()
    theirs = uptime(lab, node)
    after = host_uptime()
    return theirs - after, theirs - before


def assert_ahead(lab, node, offset, what=""):
    low, high = ahead(lab, node)
    # /proc/uptime has centiseconds: a reading may round either way.
    assert low - 0.02 <= offset <= high + 0.02, (what, offset, low, high)
    assert high - low < 30, ("an exec took over 30 s", low, high)


def test_clock_offset():
    t = topo("tpclock", nodes=("a", "b", "u"), subnet="10.252.16.0/24")
    t["nodes"]["a"]["clock_offset"] = "+1000s"
    t["nodes"]["a"]["cmd"] = "cat /proc/uptime"
    t["nodes"]["u"]["clock_offset"] = "-2.5s"
    t["nodes"]["u"]["userns"] = True
    with Lab.up(t) as lab:
        assert_ahead(lab, "a", 1000)
        # The startup command, a child of the node's init, too.
        console = float(lab.logs("a").split()[0])
        assert console > host_uptime() + 990, lab.logs("a")
        assert_ahead(lab, "b", 0, "a node without an offset has the host's clocks")
        assert_ahead(lab, "u", -2.5, "behind, in a user namespace")

        lab.restart("a", timeout=0, clock_offset="+5000s")
        assert_ahead(lab, "a", 5000)
        lab.restart("b", timeout=0, clock_offset="-1s")
        assert_ahead(lab, "b", -1)
        # A start without one goes back to the topology's.
        lab.restart("a", timeout=0)
        assert_ahead(lab, "a", 1000, "a start without one goes back to the topology's")

        with pytest.raises(CboxlabError) as e:
            lab.restart("b", timeout=0, clock_offset=f"-{int(host_uptime()) + 100000}s")
        assert "the node's clocks would be negative" in e.value.message
        assert lab.nodes["b"].state == "stopped"
        lab.start("b")
        assert -1 <= ahead(lab, "b")[0]
        with pytest.raises(CboxlabError) as e:
            lab.restart("b", clock_offset="soon")
        assert e.value.returncode == 2 and "expected an offset" in e.value.message
