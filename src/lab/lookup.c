/* Nodes, interfaces and links as users name them on the command line
 * ("node", "node:iface", two nodes), each a message that says what is
 * wrong when there is no such thing (CBX_ERR_INPUT). What the user typed is
 * shown escaped and cut (common/text.h): an argument may hold terminal
 * escapes. */
#include <string.h>

#include "lab/cboxlab.h"

#define SHOWN_MAX (4 * CBX_EXCERPT_MAX + 32)

int lab_find_node(const struct cbx_topo *t, const char *name, const struct cbx_node **out,
		  struct cbx_error *err)
{
	char shown[SHOWN_MAX];

	*out = cbx_topo_node(t, name);
	if (!*out)
		return cbx_error_set(err, CBX_ERR_INPUT, "lab %s has no node \"%s\"", t->name,
				     cbx_text_excerpt(shown, sizeof(shown), name, CBX_EXCERPT_MAX));
	return 0;
}

int lab_find_iface(const struct cbx_topo *t, const char *spec, const struct cbx_iface **out,
		   struct cbx_error *err)
{
	char node[CBX_NODE_NAME_MAX + 2], shown[SHOWN_MAX];
	const char *colon = strchr(spec, ':');
	const struct cbx_node *n;

	if (!colon || (size_t)(colon - spec) >= sizeof(node))
		return cbx_error_set(err, CBX_ERR_INPUT, "\"%s\" is not NODE:INTERFACE",
				     cbx_text_excerpt(shown, sizeof(shown), spec, CBX_EXCERPT_MAX));
	memcpy(node, spec, (size_t)(colon - spec));
	node[colon - spec] = '\0';
	if (lab_find_node(t, node, &n, err) < 0)
		return -1;
	*out = cbx_node_iface(n, colon + 1);
	if (!*out)
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "node %s has no interface \"%s\" in lab %s", node,
				     cbx_text_excerpt(shown, sizeof(shown), colon + 1,
						      CBX_EXCERPT_MAX),
				     t->name);
	return 0;
}

int lab_find_link_between(const struct cbx_topo *t, const struct cbx_node *a,
			  const struct cbx_node *b, const struct cbx_iface **out,
			  struct cbx_error *err)
{
	for (size_t i = 0; i < a->n_ifaces; i++) {
		const struct cbx_link *l = a->ifaces[i]->link;
		if (l && (l->a->node == b || l->b->node == b)) {
			*out = a->ifaces[i];
			return 0;
		}
	}
	for (size_t i = 0; i < a->n_ifaces; i++)
		for (size_t k = 0; a->ifaces[i]->network && k < b->n_ifaces; k++)
			if (b->ifaces[k]->network == a->ifaces[i]->network)
				return cbx_error_set(err, CBX_ERR_INPUT,
						     "%s and %s share network \"%s\", not a link: take one interface down instead (e.g. %s:%s)",
						     a->name, b->name, a->ifaces[i]->network->name,
						     a->name, a->ifaces[i]->name);
	return cbx_error_set(err, CBX_ERR_INPUT,
			     "nodes %s and %s of lab %s have no link between them", a->name,
			     b->name, t->name);
}
