#!/usr/bin/python3
"""mininet_star.py N -- Mininet's star (hosts h1..hN on one switch s1) timed
through its Python API, as a reference point for cboxlab's benchmark.

Linux bridge switch (LinuxBridge, `--switch lxbr`), no controller. Up is
Mininet(...) building the network plus net.start(); down is net.stop() plus
waiting until every host shell has exited and s1 and its s1-eth* ports are
gone. Prints: n=N up_s=... down_s=... pss_kb_per_node=...

Runs with Debian's /usr/bin/python3 (the `mininet` package lives there).
Exit status 3 means "skipped" (with the reason on stderr).

Safety: never `mn -c` (it cleans up by name, including what is not ours).
Mininet's own init (fixLimits) rewrites host-wide sysctls (tcp_rmem,
neighbour table sizes, pid_max, ...), so it is bypassed: only this process's
file limit is raised. After net.stop() no interface named s1 or s1-eth* may be
left; the script fails loudly otherwise.
"""
import os
import re
import resource
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pss import pss_kb  # noqa: E402 (one reader of smaps_rollup for the bench)

SKIP = 3
OURS = re.compile(r"^s1(-eth\d+)?$")


def host_links():
    out = subprocess.run(["ip", "-o", "link", "show"], check=True,
                         capture_output=True, text=True).stdout
    # "12: s1-eth1@if2: <...>" -> "s1-eth1"
    return [line.split(": ")[1].split("@")[0] for line in out.splitlines()]


def main():
    if len(sys.argv) != 2 or not sys.argv[1].isdigit() or int(sys.argv[1]) < 1:
        print("usage: mininet_star.py N", file=sys.stderr)
        return 2
    n = int(sys.argv[1])
    if os.geteuid() != 0:
        print("mininet_star.py: needs root", file=sys.stderr)
        return SKIP
    try:
        from mininet.log import setLogLevel
        from mininet.net import Mininet
        from mininet.nodelib import LinuxBridge
        from mininet.topo import SingleSwitchTopo
    except ImportError as e:
        print("mininet_star.py: mininet not importable: %s" % e, file=sys.stderr)
        return SKIP
    taken = [name for name in host_links() if OURS.match(name)]
    if taken:
        # LinuxBridge.start() begins with `brctl delbr s1`: never touch one
        # that someone else made.
        print("mininet_star.py: %s already exist(s); not running" % " ".join(taken),
              file=sys.stderr)
        return SKIP

    setLogLevel("warning")
    Mininet.inited = True  # skip Mininet.init(): fixLimits() changes host sysctls
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    # A SIGTERM (from run.sh's trap) must still reach net.stop() below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    net = None
    try:
        t0 = time.monotonic()
        # build=False, then build(): `net` exists before anything is made, so
        # an interrupted build is still undone by net.stop() below.
        net = Mininet(topo=SingleSwitchTopo(k=n), switch=LinuxBridge,
                      controller=None, build=False)
        net.build()
        net.start()
        t1 = time.monotonic()

        pss = sum(pss_kb(h.pid) for h in net.hosts)
        shells = [node.shell for node in net.hosts + net.switches]

        t2 = time.monotonic()
        stopping, net = net, None
        stopping.stop()
        for shell in shells:
            shell.wait()  # the host's netns goes when its shell is gone
        while any(OURS.match(name) for name in host_links()):
            if time.monotonic() - t2 > 120:
                raise RuntimeError("s1 interfaces still present 120 s after net.stop()")
            time.sleep(0.001)
        t3 = time.monotonic()
    finally:
        if net is not None:
            net.stop()

    left = [name for name in host_links() if OURS.match(name)]
    if left:
        print("mininet_star.py: LEFT BEHIND after net.stop(): %s" % " ".join(left),
              file=sys.stderr)
        return 1
    print("n=%d up_s=%.4f down_s=%.4f pss_kb_per_node=%.1f"
          % (n, t1 - t0, t3 - t2, pss / n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
