#!/usr/bin/env python3
"""pss.py N_NODES < status.json -- memory of a running cboxlab lab's nodes.

Reads `cboxlab status --json LAB` on stdin, takes each node's PIDs from it
(node_pids below), adds every descendant of those PIDs, and sums `Pss:` from
/proc/PID/smaps_rollup over all of them (each PID once). Prints
  nodes=N pids=M pss_kb_total=T pss_kb_per_node=T/N_NODES
N_NODES is the lab's node count (what the total is divided by); nodes= is how
many nodes the JSON named. Stdlib only.
"""
import json
import os
import sys


def node_pids(status):
    """{node name: [its PID 1 as the host sees it]} from `cboxlab status
    --json LAB` ({"nodes": [{"name": ..., "pid": ...}, ...]}, pid 0 for a
    stopped node). Descendants are added by the caller."""
    return {n["name"]: [n["pid"]] if n.get("pid", 0) > 0 else [] for n in status["nodes"]}


def descendants(pid):
    """pid and every process below it (via /proc/PID/task/TID/children)."""
    seen, todo = [], [pid]
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.append(p)
        try:
            for tid in os.listdir("/proc/%d/task" % p):
                with open("/proc/%d/task/%s/children" % (p, tid)) as f:
                    todo += [int(c) for c in f.read().split()]
        except OSError:
            pass  # gone meanwhile
    return seen


def pss_kb(pid):
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main():
    if len(sys.argv) != 2 or not sys.argv[1].isdigit() or int(sys.argv[1]) < 1:
        print("usage: pss.py N_NODES < status.json", file=sys.stderr)
        return 2
    n_nodes = int(sys.argv[1])
    per_node = node_pids(json.load(sys.stdin))
    pids = set()
    for roots in per_node.values():
        for root in roots:
            pids.update(descendants(root))
    if not pids:
        print("pss.py: no PIDs found in the status JSON", file=sys.stderr)
        return 1
    total = sum(pss_kb(p) for p in pids)
    print("nodes=%d pids=%d pss_kb_total=%d pss_kb_per_node=%.1f"
          % (len(per_node), len(pids), total, total / n_nodes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
