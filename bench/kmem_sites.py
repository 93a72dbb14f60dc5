#!/usr/bin/env python3
"""kmem_sites.py PERF_SCRIPT_TEXT COMMS N [TOP] -- which kernel objects a lab
holds, by the kernel function that allocated them.

Record the slab and per-CPU allocations of the whole machine while a lab
comes up and settles, then print them (as root):

  EV="-e kmem:kmalloc -e kmem:kfree -e kmem:kmem_cache_alloc \\
      -e kmem:kmem_cache_free -e percpu:percpu_alloc_percpu \\
      -e percpu:percpu_free_percpu"
  perf record -m 16384 -a $EV -o cbx.data -- sh -c 'build/cboxlab up L.json; sleep 1'
  perf script -i cbx.data > cbx.txt
  bench/kmem_sites.py cbx.txt cboxlab,cboxlab-init 50

(and for the floor: `... -- sh -c '(sleep 3; echo) | build/bench/floor up
50 --hold & sleep 2'`, COMMS `floor`). `perf report --stats` must show no
LOST_SAMPLES (hence -m): a lost free counts its object as held.

An allocation counts when a process whose command name is one of COMMS
made it (by PID: a node cloned before its exec has none yet) and nothing
freed it before the recording ended, whoever freed it (RCU callbacks free
in other tasks). Prints the total and the TOP (40) call sites, in KiB and
objects per node (divided by N). Stdlib only.
"""
import collections
import re
import sys

LINE = re.compile(r"\s*(\S.*?)\s+(\d+)\s+\[\d+\]\s+[\d.]+:\s+(\S+):\s*(.*)")
KV = re.compile(r"(\w+)=(\S+)")


def held(path, comms):
    pids = set()
    with open(path, errors="replace") as f:
        for line in f:
            m = LINE.match(line)
            if m and any(m.group(1).startswith(c) for c in comms):
                pids.add(m.group(2))
    live = {}
    with open(path, errors="replace") as f:
        for line in f:
            m = LINE.match(line)
            if not m:
                continue
            _, pid, ev, rest = m.groups()
            kv = dict(KV.findall(rest))
            if ev in ("kmem:kmalloc", "kmem:kmem_cache_alloc", "percpu:percpu_alloc_percpu"):
                if pid not in pids:
                    continue
                site = re.sub(r"\+0x[0-9a-f]+(/0x[0-9a-f]+)?$", "", kv.get("call_site", "?"))
                if ev == "kmem:kmem_cache_alloc":
                    name = kv.get("name", "?")
                elif ev == "kmem:kmalloc":
                    name = "kmalloc-%s" % kv.get("bytes_alloc")
                else:
                    name = "percpu"
                key = ("pcpu" if name == "percpu" else "") + kv.get("ptr", "?")
                live[key] = (site, name, int(kv.get("bytes_alloc", 0)))
            elif ev in ("kmem:kfree", "kmem:kmem_cache_free"):
                live.pop(kv.get("ptr"), None)
            elif ev == "percpu:percpu_free_percpu":
                live.pop("pcpu" + kv.get("ptr", "?"), None)
    return live


def main(argv):
    if len(argv) not in (4, 5):
        sys.stderr.write(__doc__)
        return 2
    n, top = int(argv[3]), int(argv[4]) if len(argv) == 5 else 40
    agg = collections.defaultdict(lambda: [0, 0])
    for site, name, size in held(argv[1], argv[2].split(",")).values():
        agg[(site, name)][0] += size
        agg[(site, name)][1] += 1
    print("total held: %.1f KiB/node" % (sum(v[0] for v in agg.values()) / 1024 / n))
    for (site, name), (size, count) in sorted(agg.items(), key=lambda x: -x[1][0])[:top]:
        print("%7.2f KiB/node %6.1f obj/node  %-24s %s" % (size / 1024 / n, count / n, name, site))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
