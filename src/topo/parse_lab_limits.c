/* The top level's "limits": what the whole lab may take, all its nodes
 * together, where a node's own "limits" (or those of "defaults") bound
 * each node alone. Today the number of processes: without it, a fork bomb
 * in one node takes every PID the host has, and the host's own shells and
 * daemons can no longer start anything (up bounds a lab without the key at
 * cbx_lab_pids_default's). */
#include "topo/parser.h"

static const char *const lab_limits_keys[] = { "memory", "cpus", "pids", NULL };

int topo_parse_lab_limits(struct parser *p)
{
	json_t *v = json_object_get(p->root, "limits"), *x;
	size_t containers = cbx_topo_nodes_with_processes(p->t);
	uint64_t pids;

	if (!v)
		return 0;
	if (topo_expect_object(p, v, "limits") < 0 ||
	    topo_check_keys(p, v, "limits", lab_limits_keys) < 0)
		return -1;
	/* Known words a user may mean for each node: say where they go. */
	if (json_object_get(v, "memory") || json_object_get(v, "cpus"))
		return topo_fail(p, json_object_get(v, "memory") ? "limits.memory" : "limits.cpus",
				 "the lab's own limits bound only its processes (\"pids\"); each node's memory and CPUs go in its \"limits\", or in defaults.limits for every node");
	if (!(x = json_object_get(v, "pids")))
		return 0;
	if (topo_expect_uint(p, x, "limits.pids", 2, 4194304, &pids) < 0)
		return -1;
	if (!containers)
		return topo_fail(p, "limits.pids",
				 "the lab has no container nodes: a netns node's processes are the host's, and no bound of the lab's reaches them (docs/topology.md, Netns nodes)");
	if (pids < containers)
		return topo_fail(p, "limits.pids",
				 "%llu processes are fewer than the lab's %zu container nodes, each of which runs an init",
				 (unsigned long long)pids, containers);
	p->t->lab_pids = (uint32_t)pids;
	return 0;
}
