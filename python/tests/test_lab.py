"""Every method of Lab against a real lab, and what the context manager
leaves behind (nothing) after an exception, Ctrl-C or SIGTERM."""
import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from conftest import leftovers, needs_root, topo, HERE
from cboxlab import CboxlabError, ExecError, Lab

pytestmark = needs_root


class Boom(Exception):
    pass


def test_context_manager_downs_the_lab_after_an_exception():
    pids = []
    with pytest.raises(Boom):
        with Lab.up(topo("tpcm")) as lab:
            pids = [n.pid for n in lab.nodes.values()]
            assert pids and all(pids)
            assert os.path.exists("/run/netns/tpcm-a")
            raise Boom()
    assert leftovers("tpcm", pids) == []


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_context_manager_downs_the_lab_on_a_signal(sig):
    name = {signal.SIGINT: "tpsigint", signal.SIGTERM: "tpsigterm"}[sig]
    # As on a terminal: a test run in the background (bash ignores SIGINT
    # for background jobs, and the child inherits that) would otherwise
    # never see the Ctrl-C.
    script = f"""
import signal, sys, time
signal.signal(signal.SIGINT, signal.default_int_handler)
sys.path.insert(0, {os.path.dirname(HERE)!r})
from cboxlab import Lab
with Lab.up({json.dumps(topo(name))}) as lab:
    print(" ".join(str(n.pid) for n in lab.nodes.values()), flush=True)
    time.sleep(60)
"""
    p = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        pids = p.stdout.readline().split()
        assert pids, "the lab came up"
        p.send_signal(sig)
        rc = p.wait(timeout=20)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
            subprocess.run([os.environ["CBOXLAB"], "down", name])
    assert rc != 0
    assert leftovers(name, pids) == []


def test_up_failure_is_an_exception_with_the_message():
    bad = topo("tpbad")
    bad["nodes"]["a"]["interfaces"]["eth0"]["network"] = "nowhere"
    with pytest.raises(CboxlabError) as e:
        Lab.up(bad)
    assert e.value.returncode == 2
    assert "nowhere" in e.value.message
    assert leftovers("tpbad") == []


@pytest.fixture(scope="module")
def lab():
    with Lab.up(topo("tpmeth", nodes=("a", "b", "c"), link=True)) as lab:
        yield lab


def reach(lab, src, dst):
    addr = lab.nodes[dst].interfaces[0].addresses[0].split("/")[0]
    return lab.exec(src, f"ping -c1 -W1 {addr}", check=False).ok


def test_nodes(lab):
    nodes = lab.nodes
    assert list(nodes) == ["a", "b", "c"]
    assert nodes["a"].state == "running" and nodes["a"].pid > 0
    assert nodes["a"].interfaces[0].addresses == ["10.252.0.1/24"]
    assert [i.name for i in nodes["a"].interfaces] == ["eth0", "eth1"]
    assert nodes["a"].interfaces[1].peer == "b:eth1"


def test_exec(lab):
    r = lab.exec("a", "hostname; echo err >&2")
    assert (r.returncode, r.stdout, r.stderr) == (0, "a\n", "err\n")
    r = lab.exec("b", ["cat"], input="hello")
    assert r.stdout == "hello"
    r = lab.exec("a", "exit 3", check=False)
    assert r.returncode == 3 and not r.ok
    with pytest.raises(ExecError) as e:
        lab.exec("a", "echo no such thing >&2; exit 4")
    assert e.value.returncode == 4 and e.value.message == "no such thing"
    with pytest.raises(CboxlabError) as e:
        lab.exec("nosuch", "true")
    assert "nosuch" in e.value.message and e.value.returncode == 2
    t0 = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        lab.exec("a", "sleep 30", timeout=0.5)
    assert time.monotonic() - t0 < 5


def test_popen(lab):
    server = lab.popen("b", "nc -l -p 7000", stdout=subprocess.PIPE, text=True)
    try:
        # Listening: port 7000 (1B58) in state LISTEN (0A) in b's netns, on
        # a dual-stack socket (tcp6) or not; a fixed sleep lost the race on
        # a slow machine.
        deadline = time.monotonic() + 10
        while not re.search(r":1B58 0+:0000 0A",
                            lab.exec("b", "cat /proc/net/tcp /proc/net/tcp6").stdout):
            assert time.monotonic() < deadline, "nc never listened"
            time.sleep(0.05)
        lab.exec("a", "echo over-tcp | nc -w 2 10.252.0.2 7000")
        out, _ = server.communicate(timeout=5)
        assert out == "over-tcp\n"
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    client = lab.popen("a", ["cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    out, _ = client.communicate("piped\n", timeout=5)
    assert out == "piped\n" and client.returncode == 0


def test_partition_and_heal(lab):
    assert reach(lab, "a", "c")
    lab.partition(["a", "b"], ["c"])
    try:
        assert not reach(lab, "a", "c") and reach(lab, "a", "b")
        faults = lab.status().faults
        assert {(f.kind, f.node, tuple(f.drops)) for f in faults} == {
            ("partition", "a", ("c",)), ("partition", "b", ("c",)),
            ("partition", "c", ("a", "b"))}
    finally:
        lab.heal()
    assert reach(lab, "a", "c") and lab.status().faults == []
    lab.partition(grudge={"c": ["a"]})
    try:
        assert [(f.kind, f.node, f.drops) for f in lab.status().faults] == [
            ("partition", "c", ["a"])]
        assert not reach(lab, "a", "c")
    finally:
        lab.heal()
    lab.partition(["a"], ["c"], oneway=True)
    try:
        assert [f.kind for f in lab.status().faults] == ["partition"]
    finally:
        lab.heal()


def test_impair(lab):
    lab.impair("a:eth0", loss="100%")
    try:
        assert [(f.kind, f.node, f.iface, f.settings) for f in lab.status().faults] == [
            ("impair", "a", "eth0", {"loss": "100%"})]
        assert not reach(lab, "a", "c")
    finally:
        lab.impair("a:eth0", clear=True)
    assert lab.status().faults == [] and reach(lab, "a", "c")
    with pytest.raises(CboxlabError) as e:
        lab.impair("a:eth0", loss="lots")
    assert e.value.returncode == 2 and "loss" in e.value.message


def test_link_down_up(lab):
    assert lab.exec("a", "ping -c1 -W1 10.252.250.2", check=False).ok
    lab.link_down("a", "b")
    try:
        assert [(f.kind, f.node, f.iface) for f in lab.status().faults] == [
            ("link-down", "a", "eth1")]
        assert not lab.exec("a", "ping -c1 -W1 10.252.250.2", check=False).ok
    finally:
        lab.link_up("a:eth1")
    assert lab.status().faults == []
    assert lab.exec("a", "ping -c1 -W2 10.252.250.2", check=False).ok


def test_node_faults(lab):
    pid = lab.nodes["c"].pid
    lab.pause("c")
    assert lab.nodes["c"].state == "paused"
    assert [(f.kind, f.node) for f in lab.status().faults] == [("paused", "c")]
    lab.resume("c")
    assert lab.nodes["c"].state == "running"
    lab.stop("c", timeout=1)
    assert lab.nodes["c"].state == "stopped" and lab.nodes["c"].pid == 0
    assert [(f.kind, f.node) for f in lab.status().faults] == [("stopped", "c")]
    lab.start("c")
    assert lab.nodes["c"].state == "running" and lab.nodes["c"].pid not in (0, pid)
    lab.kill("c")
    assert lab.nodes["c"].state == "stopped"
    lab.start("c")
    lab.restart("c", timeout=0)
    assert lab.nodes["c"].state == "running" and reach(lab, "a", "c")
    with pytest.raises(CboxlabError) as e:
        lab.pause("nosuch")
    assert "nosuch" in e.value.message


def test_chaos_plan_and_nemesis(lab):
    events = lab.chaos({"steps": [
        {"at": "0s", "do": "partition", "groups": [["a"], ["b", "c"]]},
        {"at": "0.3s", "do": "heal"},
        {"at": "0.4s", "do": "end"}]})
    # A slow machine (the CI's emulated VM) may log an "overrun" too.
    events = [e for e in events if e.event != "overrun"]
    assert [(e.event, e.fault) for e in events] == [
        ("start", None), ("apply", "partition"), ("remove", "heal"), ("remove", "end"),
        ("remove", "heal-all"), ("end", None)]
    assert events[1].nodes == ["a", "b", "c"] and events[1].what.startswith("partition: a drops")
    assert all(e.monotonic_ns for e in events)
    steps = [e for e in events if e.step]
    assert steps and all(events[0].monotonic_ns < e.began_monotonic_ns <= e.monotonic_ns
                         for e in steps)
    first = lab.chaos(nemesis="isolate-one", interval="0.2s", duration="0.4s", seed=5)
    again = lab.chaos(nemesis="isolate-one", interval="0.2s", duration="0.4s", seed=5)
    assert first[0].raw["seed"] == 5
    assert ([e.what for e in first if e.event != "overrun"] ==
            [e.what for e in again if e.event != "overrun"])
    assert len(lab.event_logs) == 3
    assert lab.status().faults == []
    with pytest.raises(ValueError):
        lab.chaos()
    with pytest.raises(CboxlabError) as e:
        lab.chaos(nemesis="nosuch", interval="1s", duration="2s")
    assert e.value.returncode == 2 and "nosuch" in e.value.message


def test_status_and_logs(lab):
    st = lab.status()
    assert st.name == "tpmeth" and st.state == "up"
    assert st.node("b").interfaces[0].network == "n"
    # Two nodes' inits at least, under the lab's bound (the host's PIDs'
    # three quarters).
    assert st.processes_max and 2 <= st.processes <= st.processes_max
    assert isinstance(lab.logs("a"), str)


def test_record_and_timeline(lab):
    """Client operations recorded around a chaos run come out of `cboxlab
    timeline` interleaved with the faults, in the order they happened."""
    lab.record("invoke", 0, "write", 1)
    lab.record("ok", 0, "write", 1)
    events = lab.chaos({"steps": [{"at": "0s", "do": "pause", "node": "c"},
                                  {"at": "0.2s", "do": "resume", "node": "c"},
                                  {"at": "0.2s", "do": "end"}]})
    lab.record("invoke", 1, "read")
    lab.record("info", 1, "read", None, error="timeout")
    merged = lab.timeline(lab.history.path, lab.event_logs[-1])
    # A slow machine (the CI's emulated VM) may log an "overrun": a step that
    # began after its time says so. It is not one of the operations asked for.
    merged = [m for m in merged if m.get("event") != "overrun"]
    kinds = [m.get("type") or m["event"] for m in merged]
    assert kinds == ["invoke", "ok", "start", "apply", "remove", "remove", "remove", "end",
                     "invoke", "info"]
    assert [m["time"] for m in merged] == sorted(m["time"] for m in merged)
    assert merged[2]["time"] == events[0].monotonic_ns
    assert merged[-1]["error"] == "timeout" and merged[-1]["source"] == lab.history.path
