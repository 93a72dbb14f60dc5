#!/usr/bin/env python3
"""report.py RAW_DIR RESULTS_DIR -- turn bench/run.sh's raw records into
RESULTS_DIR/results.md and RESULTS_DIR/up_time.png (with gnuplot, if present).

RAW_DIR/records.txt has one line of key=value per measured run (tool, shape,
n, rep, status, up_s, down_s, rss_kb, pss_kb_per_node, bps, ...). Medians are
over the runs; a ratio to the floor is computed per round (the same shape, n
and rep) and its median reported, with its quartiles. Stdlib only.
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
from collections import defaultdict

TOOL_ORDER = ["floor", "floor-ipv6ll", "iproute2", "mininet", "cboxlab"]
TOOL_LABEL = {
    "floor": "floor (C, libmnl)",
    "floor-ipv6ll": "floor, IPv6 link-local on",
    "iproute2": "iproute2 script",
    "mininet": "Mininet 2.3 (lxbr)",
    "cboxlab": "cboxlab",
}


def read_records(path):
    recs = []
    with open(path) as f:
        for line in f:
            kv = dict(item.split("=", 1) for item in line.split() if "=" in item)
            if "tool" in kv:
                kv["n"] = int(kv.get("n", 0))
                kv["rep"] = int(kv.get("rep", 0))
                recs.append(kv)
    return recs


def num(rec, key):
    try:
        return float(rec[key])
    except (KeyError, ValueError):
        return None


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, spec="%.3f", none="–"):
    return none if v is None else spec % v


def round_ratios(runs, floor_by_round, key):
    """Per-round ratios to the floor of the same shape (star tools: the star floor)."""
    ratios = []
    for r in runs:
        f = floor_by_round.get((r["shape"], r["n"], r["rep"]))
        a, b = num(r, key), (num(f, key) if f else None)
        if a is not None and b:
            ratios.append(a / b)
    return ratios


def ratio_cell(ratios):
    """The median per-round ratio, and its quartiles when there are enough
    rounds for them to mean something: how reliably a target is met."""
    if not ratios:
        return "–"
    if len(ratios) < 4 or max(ratios) - min(ratios) < 1e-9:
        return "%.2f" % med(ratios)
    q1, _, q3 = statistics.quantiles(ratios, n=4, method="inclusive")
    return "%.2f (%.2f–%.2f)" % (med(ratios), q1, q3)


def first_section(md):
    return next(i for i, line in enumerate(md) if line.startswith("## "))


def table(rows):
    return "\n".join([
        "| N | tool | runs | up s | down s | up ms/node | up × floor | down × floor "
        "| peak RSS MiB | PSS/node KiB | kernel KiB/node | kernel × floor | slab KiB/node "
        "| slab × floor |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"] + rows)


def row(n, label, runs, floor_by_round):
    ok = [r for r in runs if r.get("status") == "ok"]
    if not ok:
        why = sorted({r.get("status", "?") for r in runs}) or ["no run"]
        return "| %d | %s | 0/%d | %s | | | | | | | | | | |" % (n, label, len(runs),
                                                            ", ".join(why))
    up = med([num(r, "up_s") for r in ok])
    down = med([num(r, "down_s") for r in ok])
    rss = med([num(r, "rss_kb") for r in ok])
    pss = med([num(r, "pss_kb_per_node") for r in ok])
    kmem = med([num(r, "memavail_kb_per_node") for r in ok])
    slab = med([num(r, "slab_kb_per_node") for r in ok])
    return "| %d | %s | %d/%d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
        n, label, len(ok), len(runs), fmt(up), fmt(down),
        fmt(up * 1e3 / n if up is not None else None, "%.2f"),
        ratio_cell(round_ratios(ok, floor_by_round, "up_s")),
        ratio_cell(round_ratios(ok, floor_by_round, "down_s")),
        fmt(rss / 1024 if rss is not None else None, "%.1f"),
        fmt(pss, "%.0f"), fmt(kmem, "%.0f", ""),
        ratio_cell(round_ratios(ok, floor_by_round, "memavail_kb_per_node")) if kmem else "",
        fmt(slab, "%.0f", ""),
        ratio_cell(round_ratios(ok, floor_by_round, "slab_kb_per_node")) if slab else "")


def main():
    if len(sys.argv) != 3:
        print("usage: report.py RAW_DIR RESULTS_DIR", file=sys.stderr)
        return 2
    raw, results = os.path.realpath(sys.argv[1]), sys.argv[2]
    os.makedirs(results, exist_ok=True)
    recs = read_records(os.path.join(raw, "records.txt"))
    by = defaultdict(list)  # (tool, shape, n) -> runs
    for r in recs:
        by[(r["tool"], r["shape"], r["n"])].append(r)
    floor_by_round = {(r["shape"], r["n"], r["rep"]): r for r in recs
                      if r["tool"] == "floor" and r.get("status") == "ok"}

    def read(name):
        p = os.path.join(raw, name)
        return open(p).read().strip() if os.path.exists(p) else ""

    machine = read("machine.txt")
    notes = read("notes.txt")
    def knob(name, default):
        """A number from the invocation line run.sh wrote into machine.txt."""
        m = re.search(r"\b%s=(\d+)" % name, machine)
        return m.group(1) if m else default

    runs, small_runs = knob("BENCH_RUNS", "5"), knob("BENCH_RUNS_SMALL", "15")
    small_n = knob("BENCH_SMALL_N", "10")
    md = ["# cboxlab benchmark", "",
          "Generated by `bench/run.sh` (raw numbers and logs: `bench/results/raw/%s/`)."
          % os.path.basename(os.path.normpath(raw)), "",
          "Times are wall-clock seconds, medians over the runs. *× floor* is the median "
          "of per-round ratios to the floor program of the same shape at the same N, with "
          "the quartiles of those ratios in brackets (in each round the floor "
          "and cboxlab of one shape run back to back, the floor first in odd rounds and "
          "second in even ones, so a ratio compares two numbers taken a second apart and "
          "survives a noisy machine better than the absolute times; the iproute2 script "
          "and Mininet run after the round's pairs, so their ratios compare numbers "
          "further apart; labs of up to %s nodes, a few milliseconds each, get %s rounds "
          "of the floor and cboxlab, the others and the peers %s): "
          "the star floor makes one veth pair per node "
          "onto a bridge, the chain and mesh floors the same point-to-point links as the "
          "lab (no routes). The floor and cboxlab are both timed as whole commands by "
          "`bench/timeit` (from the spawn to the exit, or for the floor, which stays up, "
          "to the line it prints once up), so both include starting their process; the "
          "floor's own timer, which starts after its setup, is in the notes under each "
          "table. Peak RSS: `ru_maxrss` from wait4() of the tool's process "
          "(for scripts: their largest process). PSS/node: `Pss` from "
          "`/proc/PID/smaps_rollup` summed over the nodes' processes, divided by N. "
          "*down × floor*: per-round ratios of down's time to the floor's own down timer "
          "(from killing its nodes to the last of its interfaces gone)."
          % (small_n, small_runs, runs), "",
          "*kernel KiB/node*: what MemAvailable lost while the lab stood idle (%s s after "
          "`up`), divided by N; *slab*: what `Slab` in /proc/meminfo gained "
          "(`bench/kmem.py`; measured in the first %s rounds of labs of at least %s nodes: "
          "the floor is held up with `--hold` meanwhile). MemAvailable counts everything "
          "the lab holds, the nodes' processes too; other processes on a shared host move "
          "it as well."
          % (knob("BENCH_KMEM_SETTLE", "2"), knob("BENCH_KMEM_RUNS", "2"),
             knob("BENCH_KMEM_MIN_N", "100")), "",
          "*down* ends when the tool returns; for cboxlab and the star floor, that is when "
          "every host-side object is gone. The kernel frees the nodes' network namespaces "
          "(and the links between nodes inside them) asynchronously after that; the "
          "harness waits for the machine to go quiet after every run so that this work is "
          "not billed to the next one.", "",
          "The floor, the iproute2 script and cboxlab turn IPv6 address generation off on "
          "node interfaces that have no IPv6 address (`addrgenmode none`); Mininet keeps "
          "the kernel's default. With it on, every node's link-local "
          "autoconfiguration (DAD, router and MLD solicitations) is multicast that the "
          "bridge floods to every other node: O(N²) packets, which dominate star labs of "
          "hundreds of nodes (`BENCH_TOOLS=\"floor floor-ipv6ll ...\"` shows the "
          "difference).", ""]

    ns = sorted({r["n"] for r in recs if r["tool"] != "iperf3"})
    for shape in ("star", "chain", "mesh", "nstar"):
        rows = []
        for n in ns:
            tools = TOOL_ORDER if shape == "star" else ["cboxlab"]
            if not by.get(("cboxlab", shape, n)) and shape != "star":
                continue
            if shape != "star":
                label = "floor (bare netns)" if shape == "nstar" else "floor (same links)"
                rows.append(row(n, label, by.get(("floor", shape, n), []), floor_by_round))
            for tool in tools:
                runs = by.get((tool, shape, n))
                if runs:
                    rows.append(row(n, TOOL_LABEL[tool], runs, floor_by_round))
        title = {"star": "star: N nodes on one L2 network",
                 "chain": "chain: N routers in a line, static routes",
                 "mesh": "mesh: every pair of N nodes linked",
                 "nstar": "nstar: N netns nodes (`\"kind\": \"netns\"`) on one L2 network, "
                          "beside the floor of bare network namespaces"}[shape]
        if shape == "nstar" and not rows:
            continue
        md += ["## %s" % title, ""]
        md += [table(rows) if rows else "No cboxlab measurements for this shape (see Notes).", ""]
        inner = []
        for n in ns:
            ok = [r for r in by.get(("floor", shape, n), []) if r.get("status") == "ok"]
            v = med([num(r, "inner_up_s") for r in ok])
            if v is not None:
                inner.append("N = %d: %.4f s" % (n, v))
        if rows and inner:
            md += ["The floor's own up timer (after its setup): " + ", ".join(inner) + ".", ""]

    bare = [r for r in by.get(("iperf3", "bare", 2), []) if r.get("status") == "ok"]
    cbx = [r for r in by.get(("iperf3", "cboxlab", 2), []) if r.get("status") == "ok"]
    md += ["## iperf3: TCP throughput between two nodes on one network", ""]
    if bare or cbx:
        bare_by_rep = {r["rep"]: num(r, "bps") for r in bare}
        ratios = [num(r, "bps") / bare_by_rep[r["rep"]] for r in cbx
                  if bare_by_rep.get(r["rep"])]
        md += ["| pair | runs | Gbit/s (median) |", "|---|---:|---:|",
               "| two bare netns on a bridge (cbxbp-) | %d | %s |"
               % (len(bare), fmt(med([num(r, "bps") for r in bare]) / 1e9
                                 if bare else None, "%.2f")),
               "| two cboxlab nodes (base host) | %d | %s |"
               % (len(cbx), fmt(med([num(r, "bps") for r in cbx]) / 1e9
                                if cbx else None, "%.2f")),
               "", "cboxlab / bare: **%s** (median of per-round ratios)"
               % fmt(med(ratios), "%.3f"), ""]
    else:
        md += ["Not measured (see Notes).", ""]

    loads = [num(r, "load1") for r in recs if num(r, "load1") is not None]
    if loads:
        machine += "\nload average (1 min) after each run: %.2f .. %.2f (median %.2f)" % (
            min(loads), max(loads), statistics.median(loads))
    md += ["## Machine", "", "```", machine, "```", "",
           "## Commands", "",
           "- floor: `echo | build/bench/timeit --until-line build/bench/floor up N --shape "
           "star|chain|mesh --hold` (nstar: `--shape star --netns-only`) (from "
           "`bench/floor.c` and `bench/timeit.c`, built by "
           "`bench/Makefile`: gcc -O2 -Wall -Wextra -Werror, libmnl): up is timeit's, down "
           "the floor's own timer; floor-ipv6ll: the same with `--ipv6ll`",
           "- iproute2: `bench/iproute2.sh up N` (`ip -batch`, `ip -n NS -batch` with "
           "addrgenmode none, address, up; `ip netns exec NS unshare ... sleep`); "
           "its own up/down timers",
           "- Mininet: `/usr/bin/python3 bench/mininet_star.py N` (Mininet(SingleSwitchTopo(N), "
           "switch=LinuxBridge, controller=None); net.start() / net.stop()); its own timers",
           "- cboxlab: `python3 bench/gen_topo.py SHAPE N -o topo.json` (nstar: "
           "`--kind netns star N`), then "
           "`$CBOXLAB up topo.json`, `$CBOXLAB status --json LAB` (PIDs for PSS, via "
           "`bench/pss.py`), `$CBOXLAB down LAB`; up and down each timed as a whole command "
           "by `build/bench/timeit`",
           "- iperf3: `ip netns exec cbxbp-a iperf3 -s -1` / `ip netns exec cbxbp-b iperf3 -c "
           "10.0.0.1 -t T -J`, and `$CBOXLAB exec biperf a -- iperf3 -s -1` / "
           "`$CBOXLAB exec biperf b -- iperf3 -c ADDR -t T -J`", ""]
    md += ["## Notes", ""]
    md += ["- " + line for line in notes.splitlines()] if notes else ["None."]
    md.append("")

    # The plot: median up time against N, one line per tool (and cboxlab shape).
    series = []
    for tool in TOOL_ORDER:
        for shape in (("star", "chain", "mesh", "nstar") if tool in ("floor", "cboxlab") else ("star",)):
            pts = []
            for n in ns:
                ok = [r for r in by.get((tool, shape, n), []) if r.get("status") == "ok"]
                up = med([num(r, "up_s") for r in ok])
                if up:
                    pts.append((n, up))
            if pts:
                label = TOOL_LABEL[tool] + (" " + shape if tool in ("floor", "cboxlab") else "")
                series.append((label, pts))
    png = os.path.join(results, "up_time.png")
    if series and shutil.which("gnuplot"):
        dat = os.path.join(raw, "up_time.dat")
        with open(dat, "w") as f:
            for label, pts in series:
                f.write("# %s\n" % label)
                f.writelines("%d %.6f\n" % p for p in pts)
                f.write("\n\n")
        plots = ", ".join("'%s' index %d using 1:2 with linespoints lw 2 title '%s'"
                          % (dat, i, label) for i, (label, _) in enumerate(series))
        gp = "\n".join([
            "set terminal pngcairo size 960,640 font 'sans,11'",
            "set output '%s'" % png,
            "set title 'lab up time against node count (median of runs)'",
            "set logscale xy", "set xlabel 'nodes (N)'", "set ylabel 'up time (s)'",
            "set grid", "set key top left", "plot " + plots, ""])
        with open(os.path.join(raw, "up_time.gp"), "w") as f:
            f.write(gp)
        r = subprocess.run(["gnuplot", os.path.join(raw, "up_time.gp")])
        md.insert(first_section(md), "![up time against N](up_time.png)\n" if r.returncode == 0
                  else "(gnuplot failed: no plot)\n")
    else:
        md.insert(first_section(md), "(no plot: gnuplot missing or nothing measured)\n")

    with open(os.path.join(results, "results.md"), "w") as f:
        f.write("\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main())
