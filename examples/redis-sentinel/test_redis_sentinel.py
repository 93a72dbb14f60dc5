"""Redis Sentinel loses acknowledged writes when a partition isolates its
master with a minority (docs/testing-with-cboxlab.md walks through it).

Three Redis 7 servers (r1 the master, r2 and r3 its replicas) and a
sentinel beside each (quorum 2). Two clients add numbers to a set, each
through the master its own node's sentinel names, as Sentinel-aware clients
do: one in r1, one in r3. The seeded nemesis isolates r1: the sentinels of
r2 and r3 promote a replica, while r1's sentinel, cut off, still names r1,
and r1 goes on acknowledging its client's writes (replication is
asynchronous, and nothing makes a master stop accepting writes when its
replicas are gone: min-replicas-to-write is 0 by default). After the heal,
the sentinels turn r1 into a replica of the new master, and r1 drops its own
data to copy the new master's: the writes it acknowledged are gone.

Reproducible from the seed: SEED makes isolate-one isolate r1, the master
(checked below with --dry-run); another seed that isolates a replica loses
nothing. The history (lab.record) and the fault log are merged by
`cboxlab timeline` into the test's tmp_path (timeline.jsonl) for a reader."""
import json
import os
import shutil
import subprocess
import sys
import threading
import time

import pytest

try:
    from cboxlab import Lab
except ImportError:  # this checkout's package, not installed
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
    from cboxlab import Lab

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 1  # isolate-one over r1,r2,r3: isolates r1
# How much slower than a laptop the machine is (5 under qemu's emulator,
# where an exec takes seconds): the partition lasts that much longer, so
# that the isolated master still acknowledges writes while it lasts.
SCALE = int(os.environ.get("CBX_TIME_SCALE", "1"))
INTERVAL = f"{8 * SCALE}s"
DURATION = f"{16 * SCALE}s"
NODES = ["r1", "r2", "r3"]

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root (a real lab)"),
    pytest.mark.skipif(not shutil.which("redis-server") or not shutil.which("redis-sentinel"),
                       reason="needs Debian's redis-server and redis-sentinel (make deps)"),
    # Seen in the stock-kernel VM: an exec there takes seconds, so r1's
    # client got 5 writes acknowledged in all, none while it was cut off.
    # What the example shows is Redis's, not the kernel's: the host's run
    # of the suite holds it.
    pytest.mark.skipif(SCALE > 2, reason=f"CBX_TIME_SCALE={SCALE} (an emulator): too few writes "
                       "per second to show the anomaly; it runs on the host"),
]

# A write through the master the node's own sentinel names; 1 s at most to
# reach it (a partition makes a connection hang).
WRITE = ("m=$(redis-cli -p 26379 --raw sentinel get-master-addr-by-name mymaster | head -n1) && "
         "timeout 1 redis-cli -h \"$m\" --raw sadd acked {v}")


def wait_until(what, check, timeout=60.0 * SCALE, every=0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(every)
    raise AssertionError(f"timed out waiting until {what}")


def sentinel_master(lab, node):
    """What the node's sentinel says of mymaster, as a dict."""
    out = lab.exec(node, "redis-cli -p 26379 --raw sentinel master mymaster", check=False).stdout
    words = out.split()
    return dict(zip(words[::2], words[1::2]))


def role(lab, node):
    out = lab.exec(node, "redis-cli info replication", check=False).stdout
    return dict(l.strip().split(":", 1) for l in out.splitlines() if ":" in l)


def client(lab, node, stop):
    """Add numbers until stop, recording each operation in the history."""
    base = 1 + NODES.index(node)
    for i in range(1_000_000):
        if stop.is_set():
            return
        v = base * 1_000_000 + i
        lab.record("invoke", node, "add", v)
        try:
            r = lab.exec(node, WRITE.format(v=v), check=False, timeout=5 * SCALE)
        except subprocess.TimeoutExpired:
            lab.record("info", node, "add", v, error="timed out")
            continue
        if r.stdout.strip() == "1":
            lab.record("ok", node, "add", v)
        elif "READONLY" in r.stdout or "NOREPLICAS" in r.stdout:
            lab.record("fail", node, "add", v, error=r.stdout.strip())
        else:  # a timeout or a refused connection: it may or may not have happened
            lab.record("info", node, "add", v, error=(r.stdout + r.stderr).strip()[:200])
        time.sleep(0.02)


def test_acknowledged_writes_lost_after_heal(tmp_path):
    with open(os.path.join(HERE, "redis.json")) as f:
        t = json.load(f)
    t["name"] = "tpredis"
    with Lab.up(t) as lab:
        # Failover needs the sentinels to know each other and the replicas.
        wait_until("every sentinel knows the others and both replicas", lambda: all(
            sentinel_master(lab, n).get("num-other-sentinels") == "2" and
            sentinel_master(lab, n).get("num-slaves") == "2" for n in NODES))

        nemesis = dict(nemesis="isolate-one", nodes=NODES, interval=INTERVAL, duration=DURATION)
        plan = subprocess.run(
            [lab.cboxlab, "chaos", lab.name, "--nemesis", "isolate-one", "--nodes", ",".join(NODES),
             "--interval", INTERVAL, "--duration", DURATION, "--seed", str(SEED), "--dry-run"],
            capture_output=True, text=True, check=True).stdout
        assert "partition: r1 drops r2,r3; r2 drops r1; r3 drops r1" in plan, plan

        stop = threading.Event()
        clients = [threading.Thread(target=client, args=(lab, n, stop)) for n in ("r1", "r3")]
        for c in clients:
            c.start()
        try:
            time.sleep(1)  # writes before the partition: replicated, kept
            events = lab.chaos(**nemesis, seed=SEED, timeout=120 * SCALE)
            # The sentinels turn r1 into a replica some seconds after the
            # heal (8 s with no news of a newer master, then their next look).
            wait_until("r1 is a replica of the new master again", lambda: (
                role(lab, "r1").get("role") == "slave" and
                role(lab, "r1").get("master_link_status") == "up"), timeout=90 * SCALE)
            time.sleep(1)
        finally:
            stop.set()
            for c in clients:
                c.join()

        master = sentinel_master(lab, "r2")["ip"]
        assert master != "10.77.0.1", "a replica was promoted"
        final = lab.exec("r2", f"redis-cli -h {master} --raw smembers acked").stdout.split()
        final = {int(v) for v in final}

        history = [json.loads(l) for l in open(lab.history.path)]
        acked = {op["value"]: op for op in history if op["type"] == "ok"}
        lost = sorted(v for v in acked if v not in final)
        # The partition took effect between its step's beginning and its
        # event (every node's table replaced, some milliseconds): a write
        # acknowledged before the beginning came before it. (Compared
        # with the event's own time instead, r1's writes acknowledged in
        # those milliseconds counted as before the cut, and were lost.)
        cut = next(e for e in events if e.event == "apply").began_monotonic_ns
        healed = next(e for e in events if e.event == "remove").began_monotonic_ns

        # Kept by pytest (its tmp_path) for reading: the history, and the
        # history and fault log merged in time order.
        shutil.copy(lab.history.path, tmp_path / "history.jsonl")
        with open(tmp_path / "timeline.jsonl", "w") as f:
            for e in lab.timeline():
                f.write(json.dumps(e, sort_keys=True) + "\n")
        print(f"{len(acked)} writes acknowledged, {len(lost)} of them lost: {lost[:10]}...")

        # The anomaly: writes Redis acknowledged are not in the final state.
        assert lost, "no acknowledged write was lost"
        # All of them r1's, acknowledged by the isolated old master after
        # the partition began; none from before it, none of r3's.
        assert all(acked[v]["process"] == "r1" for v in lost), \
            f"lost writes not r1's: {[v for v in lost if acked[v]['process'] != 'r1']}"
        assert all(acked[v]["time"] > cut for v in lost), \
            f"lost writes acknowledged before the partition began: {[v for v in lost if acked[v]['time'] <= cut]}"
        assert any(acked[v]["time"] < healed for v in lost), "lost while the partition lasted"
        before = [v for v, op in acked.items() if op["time"] < cut and v not in final]
        assert not before, f"writes acknowledged before the partition began, lost: {before}"
