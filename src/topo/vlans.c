/* 802.1Q VLANs: access ports ("vlan": 10) and trunks ("vlans": [10, 20])
 * on networks, and the VLAN sub-interfaces ("eth0.10") a node makes on a
 * trunk. Then every interface must lead somewhere: a network, a link, or a
 * trunk's VLAN. */
#include <stdlib.h>
#include <string.h>

#include "topo/parser.h"

/* A VLAN id: an integer, 1 to 4094. */
static int parse_vid(struct parser *p, json_t *v, const char *path, uint16_t *out)
{
	json_int_t id;

	if (!json_is_integer(v))
		return topo_fail(p, path, "a VLAN id is an integer, 1 to 4094");
	id = json_integer_value(v);
	if (id < CBX_VLAN_MIN || id > CBX_VLAN_MAX)
		return topo_fail(p, path, "VLAN %lld is out of range: VLAN ids are %d to %d",
				 (long long)id, CBX_VLAN_MIN, CBX_VLAN_MAX);
	*out = (uint16_t)id;
	return 0;
}

static int cmp_vid(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* "vlans": [10, 20]: sorted, each once, not the default VLAN. */
static int parse_trunk(struct parser *p, struct cbx_iface *ifc, json_t *list, const char *path)
{
	uint16_t *vids;
	size_t n = json_array_size(list);

	if (topo_expect_array(p, list, path) < 0)
		return -1;
	if (n == 0)
		return topo_fail(p, path,
				 "a trunk carries at least one VLAN (an interface in the default VLAN needs no \"vlans\")");
	vids = cbx_arena_array(p->a, n, sizeof(*vids));
	if (!vids)
		return topo_oom(p);
	for (size_t i = 0; i < n; i++) {
		const char *ipath = topo_path_index(p, path, i);
		if (parse_vid(p, json_array_get(list, i), ipath, &vids[i]) < 0)
			return -1;
		if (vids[i] == 1)
			return topo_fail(p, ipath,
					 "VLAN 1 is the default VLAN, which every port carries untagged: a trunk lists the others");
	}
	qsort(vids, n, sizeof(*vids), cmp_vid);
	for (size_t i = 1; i < n; i++)
		if (vids[i] == vids[i - 1])
			return topo_fail(p, path, "VLAN %u is listed twice", vids[i]);
	ifc->vlans = vids;
	ifc->n_vlans = n;
	return 0;
}

/* An interface's own "vlan" or "vlans". */
static int parse_port(struct parser *p, struct cbx_iface *ifc)
{
	const struct iface_input *in = &p->iface_in[ifc->index];
	const char *key = in->vlan ? "vlan" : "vlans";
	const char *path = topo_path_key(p, ifc->path, key);

	if (!in->vlan && !in->vlans)
		return 0;
	if (in->vlan && in->vlans)
		return topo_fail(p, path,
				 "an interface is an access port (\"vlan\") or a trunk (\"vlans\"), not both");
	if (!ifc->network)
		return topo_fail(p, path, "\"%s\" is for an interface on a network%s", key,
				 ifc->link
					 ? " (a link has no VLANs)"
					 : " (a VLAN sub-interface is named for its trunk and VLAN, as eth0.10)");
	if (in->vlan)
		return parse_vid(p, in->vlan, path, &ifc->vlan);
	return parse_trunk(p, ifc, in->vlans, path);
}

static bool carries(const struct cbx_iface *trunk, uint16_t vid)
{
	return bsearch(&vid, trunk->vlans, trunk->n_vlans, sizeof(vid), cmp_vid) != NULL;
}

/* "PARENT.VID" with VID written plainly (no sign, no leading zero): its
 * parent's name into parent (IFNAMSIZ) and VID; false for any other name. */
static bool split_sub_name(const char *name, char *parent, uint16_t *vid)
{
	const char *dot = strrchr(name, '.');
	unsigned long v = 0;

	if (!dot || dot == name || !dot[1] || dot[1] == '0' || strlen(dot + 1) > 4)
		return false;
	for (const char *c = dot + 1; *c; c++) {
		if (*c < '0' || *c > '9')
			return false;
		v = v * 10 + (unsigned long)(*c - '0');
	}
	if (v < CBX_VLAN_MIN || v > CBX_VLAN_MAX)
		return false;
	memcpy(parent, name, (size_t)(dot - name));
	parent[dot - name] = '\0';
	*vid = (uint16_t)v;
	return true;
}

static int dangling(struct parser *p, const struct cbx_iface *ifc)
{
	return topo_fail(p, ifc->path,
			 "interface %s of node %s is on no network and in no link (give it a \"network\" or add a link with endpoint \"%s:%s\")",
			 ifc->name, ifc->node->name, ifc->node->name, ifc->name);
}

/* An interface on no network and in no link: a VLAN sub-interface of a
 * trunk of its node, or a mistake. */
static int resolve_sub(struct parser *p, struct cbx_iface *ifc)
{
	char parent_name[CBX_IFNAMSIZ];
	struct cbx_iface *parent;
	uint16_t vid;
	char list[64] = "";
	size_t len = 0;

	if (!split_sub_name(ifc->name, parent_name, &vid) ||
	    !(parent = cbx_node_iface(ifc->node, parent_name)))
		return dangling(p, ifc);
	if (!parent->n_vlans) {
		if (!parent->network && !parent->link)
			return topo_fail(p, ifc->path,
					 "%s would be a VLAN sub-interface of %s, itself one: VLANs in VLANs (QinQ) are not supported",
					 ifc->name, parent->name);
		return topo_fail(p, ifc->path,
				 "%s is a VLAN sub-interface of %s, which is not a trunk: give %s \"vlans\": [%u] (and a \"network\")",
				 ifc->name, parent->name, parent->name, vid);
	}
	if (!carries(parent, vid)) {
		for (size_t i = 0; i < parent->n_vlans && len + 8 < sizeof(list); i++)
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%u",
						i ? ", " : "", parent->vlans[i]);
		return topo_fail(p, ifc->path,
				 "%s is VLAN %u of %s, which does not carry it (its \"vlans\": [%s])",
				 ifc->name, vid, parent->name, list);
	}
	if (p->iface_in[ifc->index].impair)
		return topo_fail(p, topo_path_key(p, ifc->path, "impair"),
				 "a VLAN sub-interface has no impairments of its own: impair its trunk %s",
				 parent->name);
	ifc->parent = parent;
	ifc->vlan = vid;
	return 0;
}

/* Every VLAN but the default its interfaces use: what a tree's uplinks
 * carry, and whether the network filters by VLAN at all. */
static int collect_network_vlans(struct parser *p, struct cbx_network *net)
{
	size_t n = 0, m = 0;
	uint16_t *all;

	for (size_t i = 0; i < net->n_members; i++)
		n += net->members[i]->n_vlans + 1;
	all = cbx_arena_array(p->a, n + 1, sizeof(*all));
	if (!all)
		return topo_oom(p);
	for (size_t i = 0; i < net->n_members; i++) {
		const struct cbx_iface *ifc = net->members[i];
		if (ifc->vlan > 1)
			all[m++] = ifc->vlan;
		for (size_t k = 0; k < ifc->n_vlans; k++)
			all[m++] = ifc->vlans[k];
		net->has_trunk |= ifc->n_vlans > 0;
	}
	qsort(all, m, sizeof(*all), cmp_vid);
	net->n_vlans = 0;
	for (size_t i = 0; i < m; i++)
		if (!net->n_vlans || all[net->n_vlans - 1] != all[i])
			all[net->n_vlans++] = all[i];
	net->vlans = all;
	return 0;
}

/* A network's members, in file order (addressing.c sets them up again for
 * addresses; here only the count and the pointers are needed). */
static int count_members(struct parser *p)
{
	struct cbx_topo *t = p->t;
	size_t *n = cbx_arena_array(p->a, t->n_networks + 1, sizeof(*n));

	if (!n)
		return topo_oom(p);
	for (size_t i = 0; i < t->n_ifaces; i++)
		if (t->ifaces[i].network)
			n[t->ifaces[i].network->index]++;
	for (size_t i = 0; i < t->n_networks; i++) {
		t->networks[i].members =
			cbx_arena_array(p->a, n[i] + 1, sizeof(*t->networks[i].members));
		if (!t->networks[i].members)
			return topo_oom(p);
		t->networks[i].n_members = 0;
	}
	for (size_t i = 0; i < t->n_ifaces; i++) {
		struct cbx_network *net = t->ifaces[i].network;
		if (net)
			net->members[net->n_members++] = &t->ifaces[i];
	}
	return 0;
}

int topo_resolve_vlans(struct parser *p)
{
	struct cbx_topo *t = p->t;

	for (size_t i = 0; i < t->n_ifaces; i++)
		if (parse_port(p, &t->ifaces[i]) < 0)
			return -1;
	/* Every trunk is known before its sub-interfaces are checked. */
	for (size_t i = 0; i < t->n_ifaces; i++) {
		struct cbx_iface *ifc = &t->ifaces[i];
		if (!ifc->network && !ifc->link && resolve_sub(p, ifc) < 0)
			return -1;
	}
	if (count_members(p) < 0)
		return -1;
	for (size_t i = 0; i < t->n_networks; i++)
		if (collect_network_vlans(p, &t->networks[i]) < 0)
			return -1;
	return 0;
}
