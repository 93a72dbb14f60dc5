/* Link impairments declared in the file: on an interface (its egress) or on
 * a link (both ends' egress, unless an end declares its own). */
#include "topo/parser.h"

/* clang-format off */
static const char *const impair_keys[] = {
	"delay", "jitter", "loss", "duplicate", "corrupt", "reorder", "rate", NULL,
};
/* clang-format on */

static int parse_impair(struct parser *p, json_t *obj, const char *path, struct cbx_impair *im)
{
	const char *key, *why, *problem;
	json_t *v;

	if (topo_check_keys(p, obj, path, impair_keys) < 0)
		return -1;
	json_object_foreach (obj, key, v) {
		const char *kpath = topo_path_key(p, path, key);
		if (topo_expect_string(p, v, kpath) < 0)
			return -1;
		if (!cbx_impair_set(im, key, json_string_value(v), &why))
			return topo_fail(p, kpath, "bad %s \"%s\": %s", key,
					 topo_shown(p, json_string_value(v)), why);
	}
	if ((problem = cbx_impair_problem(im)))
		return topo_fail(p, path, "%s", problem);
	return 0;
}

int topo_resolve_impairments(struct parser *p)
{
	for (size_t i = 0; i < p->t->n_ifaces; i++) {
		struct cbx_iface *ifc = &p->t->ifaces[i];
		json_t *obj = p->iface_in[i].impair;
		if (obj && parse_impair(p, obj, p->iface_in[i].impair_path, &ifc->impair) < 0)
			return -1;
	}
	return 0;
}
