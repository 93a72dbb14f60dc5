/* Grudges (cboxlab.h): who drops whose packets, made from groups of nodes
 * or node by node. Pure: names are looked up in the topology, nothing on
 * the host is read or changed (fault_partition.c applies one). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "lab/cboxlab.h"

int lab_grudge_init(struct lab_grudge *g, size_t n_nodes, struct cbx_error *err)
{
	g->n = n_nodes;
	g->drops = calloc(n_nodes * n_nodes + 1, sizeof(bool));
	return g->drops ? 0 : cbx_error_sys(err, ENOMEM, "partition");
}

void lab_grudge_free(struct lab_grudge *g)
{
	free(g->drops);
	g->drops = NULL;
}

bool lab_grudge_empty(const struct lab_grudge *g)
{
	for (size_t i = 0; i < g->n * g->n; i++)
		if (g->drops[i])
			return false;
	return true;
}

void lab_grudge_from_groups(struct lab_grudge *g, const int *group_of, bool oneway)
{
	for (size_t i = 0; i < g->n; i++)
		for (size_t j = 0; j < g->n; j++)
			g->drops[i * g->n + j] = oneway ? group_of[i] == 1 && group_of[j] == 0
							: group_of[i] >= 0 && group_of[j] >= 0 &&
								  group_of[i] != group_of[j];
}

int lab_grudge_groups_start(struct lab_grudge_groups *gs, const struct cbx_topo *t, size_t n,
			    bool oneway, struct cbx_error *err)
{
	*gs = (struct lab_grudge_groups){ .t = t, .oneway = oneway };
	if (n < 2 || (oneway && n != 2))
		return cbx_error_set(err, CBX_ERR_INPUT,
				     oneway ? "a one-way partition has two groups: FROM TO"
					    : "a partition needs at least two groups");
	gs->group_of = malloc((t->n_nodes ? t->n_nodes : 1) * sizeof(int));
	if (!gs->group_of)
		return cbx_error_sys(err, ENOMEM, "partition");
	for (size_t i = 0; i < t->n_nodes; i++)
		gs->group_of[i] = -1;
	return 0;
}

int lab_grudge_groups_add(struct lab_grudge_groups *gs, const char *name, size_t k,
			  struct cbx_error *err)
{
	const struct cbx_node *node;

	if (lab_find_node(gs->t, name, &node, err) < 0)
		return -1;
	if (gs->group_of[node->index] >= 0)
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "node %s is in two groups (%zu and %zu): groups must not overlap",
				     name, (size_t)gs->group_of[node->index] + 1, k + 1);
	gs->group_of[node->index] = (int)k;
	return 0;
}

int lab_grudge_groups_finish(struct lab_grudge_groups *gs, struct lab_grudge *g, int rc)
{
	if (rc == 0)
		lab_grudge_from_groups(g, gs->group_of, gs->oneway);
	free(gs->group_of);
	gs->group_of = NULL;
	return rc;
}

int lab_grudge_parse_groups(struct lab_grudge *g, const struct cbx_topo *t, char *const *groups,
			    size_t n, bool oneway, struct cbx_error *err)
{
	struct lab_grudge_groups gs;
	int rc;

	if (lab_grudge_groups_start(&gs, t, n, oneway, err) < 0)
		return -1;
	rc = 0;
	for (size_t k = 0; k < n && rc == 0; k++) {
		cleanup_free char *copy = strdup(groups[k]);
		char *save = NULL;

		if (!copy) {
			rc = cbx_error_sys(err, ENOMEM, "partition");
			break;
		}
		for (char *name = strtok_r(copy, ",", &save); name && rc == 0;
		     name = strtok_r(NULL, ",", &save))
			rc = lab_grudge_groups_add(&gs, name, k, err);
	}
	return lab_grudge_groups_finish(&gs, g, rc);
}

void lab_grudge_describe(const struct lab_grudge *g, const struct cbx_topo *t, char *buf,
			 size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < g->n && len < size; i++) {
		bool first = true;
		for (size_t j = 0; j < g->n && len < size; j++) {
			if (!g->drops[i * g->n + j])
				continue;
			len += (size_t)snprintf(buf + len, size - len, "%s%s%s",
						first ? (len ? "; " : "") : ",",
						first ? t->nodes[i].name : "",
						first ? " drops " : "");
			if (len < size)
				len += (size_t)snprintf(buf + len, size - len, "%s",
							t->nodes[j].name);
			first = false;
		}
	}
}
