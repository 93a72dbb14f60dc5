#!/usr/bin/env python3
"""gen_topo.py SHAPE N [-o FILE] -- cboxlab topologies for the benchmark.

Shapes (every node: the default rootfs, lab-wide memory and pids limits):

  star   n1..nN on one L2 network "lan" (10.0.0.0/16, addresses allocated
         by cboxlab).                                             lab "bstar"
  chain  routers r1..rN in a line, r_i:eth1 -- r_{i+1}:eth0, each link its
         own /30; static routes so that every router reaches every other,
         O(log N) routes per router (see chain()).                lab "bchain"
  mesh   n1..nN (N <= 30), every pair joined by its own /30 link;
         n_i's interface towards n_j is "eth<j>".                 lab "bmesh"
  pair   a and b on one network, "base": "host" (so iperf3 from the host is
         there), no limits: the throughput test.                   lab "biperf"

Stdlib only. The output is deterministic: the same arguments give the same file.
"""
import argparse
import ipaddress
import json
import sys

LIMITS = {"memory": "32M", "pids": 64}
DEFAULTS = {"limits": LIMITS}
LINK_BASE = ipaddress.IPv4Address("10.0.0.0")  # /30 number k is LINK_BASE + 4k
MESH_MAX = 30


def p2p_subnet(k):
    """The /30 of link number k (0-based). In a link with a subnet, cboxlab
    gives the first endpoint host 1 and the second host 2."""
    net = ipaddress.IPv4Network((int(LINK_BASE) + 4 * k, 30))
    if not net.subnet_of(ipaddress.IPv4Network("10.0.0.0/8")):
        raise SystemExit("gen_topo.py: too many links for 10.0.0.0/8")
    return net


def first_host(net):
    return str(net.network_address + 1)


def second_host(net):
    return str(net.network_address + 2)


def star(n):
    if n > 65000:
        raise SystemExit("gen_topo.py: star supports at most 65000 nodes in a /16")
    return {
        "name": "bstar",
        "defaults": DEFAULTS,
        "networks": {"lan": {"subnet": "10.0.0.0/16"}},
        "nodes": {"n%d" % i: {"interfaces": {"eth0": {"network": "lan"}}}
                  for i in range(1, n + 1)},
    }


def chain(n, default_style="route"):
    """Link k (0-based) joins r_{k+1}:eth1 (host 1 of its /30) and
    r_{k+2}:eth0 (host 2). The /30s are numbered in link order, so the links
    to the right of router i, k = i .. n-2, are one contiguous address range:
    i's routes cover it with the few CIDR prefixes summarize_address_range
    gives, via the right neighbour. Everything else is to the left: a default
    route via the left neighbour. Links i-1 and i are i's own (connected)."""
    links = []
    for k in range(n - 1):
        links.append({"endpoints": ["r%d:eth1" % (k + 1), "r%d:eth0" % (k + 2)],
                      "subnet": str(p2p_subnet(k))})
    nodes = {}
    for i in range(1, n + 1):
        node = {"interfaces": {}, "sysctls": {"net.ipv4.ip_forward": "1"}}
        routes = []
        right_link, left_link = i - 1, i - 2  # link numbers (0-based)
        if right_link + 1 <= n - 2:  # links beyond the one to the right neighbour
            via = second_host(p2p_subnet(right_link))
            first = p2p_subnet(right_link + 1).network_address
            last = p2p_subnet(n - 2).broadcast_address
            for net in ipaddress.summarize_address_range(first, last):
                routes.append({"to": str(net), "via": via})
        if left_link >= 0:
            via = first_host(p2p_subnet(left_link))
            if default_style == "gateway":
                node["gateway"] = via
            else:
                routes.append({"to": "default", "via": via})
        if routes:
            node["routes"] = routes
        nodes["r%d" % i] = node
    return {"name": "bchain", "defaults": DEFAULTS, "nodes": nodes, "links": links}


def mesh(n):
    if n > MESH_MAX:
        raise SystemExit("gen_topo.py: mesh is for N <= %d" % MESH_MAX)
    links = []
    for i in range(1, n + 1):
        for j in range(i + 1, n + 1):
            links.append({"endpoints": ["n%d:eth%d" % (i, j), "n%d:eth%d" % (j, i)],
                          "subnet": str(p2p_subnet(len(links)))})
    nodes = {"n%d" % i: {"interfaces": {}} for i in range(1, n + 1)}
    return {"name": "bmesh", "defaults": DEFAULTS, "nodes": nodes, "links": links}


def pair(_n=2):
    return {
        "name": "biperf",
        "networks": {"lan": {"subnet": "10.0.0.0/24"}},
        "nodes": {name: {"base": "host", "interfaces": {"eth0": {"network": "lan"}}}
                  for name in ("a", "b")},
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("shape", choices=["star", "chain", "mesh", "pair"])
    ap.add_argument("n", type=int, nargs="?", default=2, help="number of nodes")
    ap.add_argument("-o", "--output", help="file to write (default: stdout)")
    ap.add_argument("--name", help="the lab's name (default: bstar, bchain, bmesh, biperf)")
    ap.add_argument("--kind", choices=["container", "netns"], default="container",
                    help='netns: every node "kind": "netns" (a network namespace only; no limits)')
    ap.add_argument("--default-style", choices=["route", "gateway"], default="route",
                    help='chain: default route as {"to": "default"} or a node "gateway"')
    a = ap.parse_args()
    if a.n < 1:
        ap.error("N must be at least 1")
    if a.shape == "chain":
        topo = chain(a.n, a.default_style)
    else:
        topo = {"star": star, "mesh": mesh, "pair": pair}[a.shape](a.n)
    if a.name:
        topo["name"] = a.name
    if a.kind == "netns":
        topo["defaults"] = {"kind": "netns"}
    text = json.dumps(topo, indent=1) + "\n"
    if a.output:
        with open(a.output, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
