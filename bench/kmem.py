#!/usr/bin/env python3
"""kmem.py -- the kernel memory a lab's idle nodes hold, from two snapshots.

  kmem.py snap FILE               /proc/meminfo and /proc/slabinfo into FILE (root)
  kmem.py diff BEFORE AFTER N [--top K]
                                  per-node deltas as one key=value line, then
                                  (with --top) the K slab caches that grew most

The diff line (KiB per node, rounded to 0.1):
  memavail_kb_per_node  MemAvailable before - after: what the lab took from
                        everyone else, whatever kind of memory it is
  slab_kb_per_node      Slab growth (reclaimable and not)
  sunreclaim_kb_per_node, kernelstack_kb_per_node, pagetables_kb_per_node,
  percpu_kb_per_node    the matching /proc/meminfo lines (Percpu: the per-CPU
                        counters of memory cgroups and network namespaces)
The top list gives each cache's growth in KiB per node (pages of its slabs,
so a cache's half-empty slabs count) and in objects per node. Caches of
the same size may be merged by the kernel (SLUB) and then show under one
name, usually a kmalloc-* one.

The host is shared: other processes' memory moves MemAvailable too. Take
every figure twice, and read a delta of a few KiB per node as noise.
Stdlib only.
"""
import sys

FIELDS = [
    ("memavail", "MemAvailable", -1),
    ("slab", "Slab", 1),
    ("sunreclaim", "SUnreclaim", 1),
    ("kernelstack", "KernelStack", 1),
    ("pagetables", "PageTables", 1),
    ("percpu", "Percpu", 1),
]


def snap(path):
    with open("/proc/meminfo") as f:
        mem = f.read()
    with open("/proc/slabinfo") as f:
        slab = f.read()
    with open(path, "w") as out:
        out.write(mem)
        out.write("--slabinfo--\n")
        out.write(slab)


def load(path):
    mem, slab = {}, {}
    part = "mem"
    with open(path) as f:
        for line in f:
            if line.startswith("--slabinfo--"):
                part = "slab"
                continue
            if part == "mem":
                key, _, rest = line.partition(":")
                if rest.split():
                    mem[key] = int(rest.split()[0])
            elif not line.startswith(("slabinfo", "#")):
                w = line.split()
                # name active num objsize objperslab pagesperslab : tunables
                # ... : slabdata active_slabs num_slabs sharedavail
                name, num_objs, pages_per = w[0], int(w[2]), int(w[5])
                num_slabs = int(w[w.index("slabdata") + 2])
                kb = num_slabs * pages_per * 4
                old = slab.get(name, (0, 0))
                slab[name] = (old[0] + kb, old[1] + num_objs)
    return mem, slab


def diff(before, after, n, top):
    m0, s0 = load(before)
    m1, s1 = load(after)
    out = []
    for key, name, sign in FIELDS:
        if name in m0 and name in m1:
            out.append("%s_kb_per_node=%.1f" % (key, sign * (m1[name] - m0[name]) / n))
    print(" ".join(out))
    if top:
        rows = []
        for name in set(s0) | set(s1):
            kb0, o0 = s0.get(name, (0, 0))
            kb1, o1 = s1.get(name, (0, 0))
            rows.append(((kb1 - kb0) / n, (o1 - o0) / n, name))
        rows.sort(reverse=True)
        for kb, objs, name in rows[:top]:
            print("  %-28s %7.1f KiB/node %7.1f objects/node" % (name, kb, objs))


def main(argv):
    if len(argv) == 3 and argv[1] == "snap":
        snap(argv[2])
    elif len(argv) in (5, 7) and argv[1] == "diff":
        top = int(argv[6]) if len(argv) == 7 and argv[5] == "--top" else 0
        diff(argv[2], argv[3], int(argv[4]), top)
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
