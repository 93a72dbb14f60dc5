/* Files in nodes, once the lab's addresses are known: each file's content
 * with its variables replaced for its node, the overlay folder named for
 * it, and (when the caller asks) what they name on the host checked.
 *
 * Variables: ${node}, ${lab}, ${IFACE.ipv4} and ${IFACE.ipv6} (the
 * interface's first address of that family, without its prefix length);
 * "$${" is a literal "${". One entry in "defaults" then serves every router
 * (router-id, hostname, addresses). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "topo/parser.h"

struct out {
	char *buf;
	size_t len, cap;
};

static bool put(struct out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		size_t cap = (o->len + n + 1) * 2;
		char *grown = realloc(o->buf, cap);
		if (!grown)
			return false;
		o->buf = grown;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
	return true;
}

/* The value of variable `name` for node n, or NULL with the reason in
 * *why (in the arena). */
static const char *variable(struct parser *p, const struct cbx_node *n, const char *name, char *buf,
			    size_t size, const char **why)
{
	const char *dot = strrchr(name, '.');
	char ifname[CBX_IFNAMSIZ];
	const struct cbx_iface *ifc;
	int family;

	if (!strcmp(name, "node"))
		return n->name;
	if (!strcmp(name, "lab"))
		return p->t->name;
	if (!dot || (strcmp(dot, ".ipv4") && strcmp(dot, ".ipv6"))) {
		*why = cbx_arena_printf(p->a,
					"unknown variable ${%s} (known: ${node}, ${lab}, ${IFACE.ipv4}, ${IFACE.ipv6}; $${ writes ${)",
					name);
		return NULL;
	}
	family = dot[4] == '4' ? AF_INET : AF_INET6;
	if ((size_t)(dot - name) >= sizeof(ifname)) {
		*why = cbx_arena_printf(p->a, "${%s}: node %s has no such interface", name,
					n->name);
		return NULL;
	}
	memcpy(ifname, name, (size_t)(dot - name));
	ifname[dot - name] = '\0';
	ifc = cbx_node_iface(n, ifname);
	if (!ifc) {
		*why = cbx_arena_printf(p->a, "${%s}: node %s has no interface \"%s\"", name,
					n->name, ifname);
		return NULL;
	}
	for (unsigned i = 0; i < ifc->n_addrs; i++)
		if (ifc->addrs[i].ip.family == family)
			return cbx_ip_str(&ifc->addrs[i].ip, buf, size);
	*why = cbx_arena_printf(p->a, "${%s}: interface %s of node %s has no IPv%c address", name,
				ifname, n->name, dot[4]);
	return NULL;
}

/* tmpl with its variables replaced for node n, in the arena. */
static int render(struct parser *p, const struct cbx_node *n, const char *tmpl, const char *path,
		  char **out)
{
	struct out o = { 0 };
	const char *c = tmpl;

	if (!put(&o, "", 0))
		return topo_oom(p);
	while (*c) {
		const char *dollar = strstr(c, "${"), *end, *value, *why = "";
		char name[128], buf[CBX_PREFIX_STRLEN];

		if (!dollar) {
			if (!put(&o, c, strlen(c)))
				goto oom;
			break;
		}
		/* "$${": a literal "${". */
		if (dollar > c && dollar[-1] == '$') {
			if (!put(&o, c, (size_t)(dollar - c) - 1) || !put(&o, "${", 2))
				goto oom;
			c = dollar + 2;
			continue;
		}
		if (!put(&o, c, (size_t)(dollar - c)))
			goto oom;
		end = strchr(dollar + 2, '}');
		if (!end || (size_t)(end - dollar - 2) >= sizeof(name)) {
			free(o.buf);
			return topo_fail(p, path,
					 "\"${\" without its \"}\" (write $${ for a literal ${)");
		}
		memcpy(name, dollar + 2, (size_t)(end - dollar - 2));
		name[end - dollar - 2] = '\0';
		value = variable(p, n, name, buf, sizeof(buf), &why);
		if (!value) {
			free(o.buf);
			return topo_fail(p, path, "for node %s: %s", n->name, why ? why : "");
		}
		if (!put(&o, value, strlen(value)))
			goto oom;
		c = end + 1;
	}
	*out = cbx_arena_strdup(p->a, o.buf);
	free(o.buf);
	return *out ? 0 : topo_oom(p);
oom:
	free(o.buf);
	return topo_oom(p);
}

/* Is `path` (resolved) inside `dir` (resolved), or `dir` itself? */
static bool inside(const char *path, const char *dir)
{
	size_t len = strlen(dir);

	if (len == 1) /* "/" */
		return true;
	return !strncmp(path, dir, len) && (path[len] == '\0' || path[len] == '/');
}

/* A host source a node is given: it exists (of the right kind), and is not
 * in cboxlab's own state (another lab's nodes, their netns pins, the
 * locks): a node given that could reach into every lab. */
static int check_source(struct parser *p, const char *src, const char *path, const char *what,
			bool want_file, bool want_dir)
{
	const char *root = p->opts ? p->opts->state_root : NULL;
	char real[PATH_MAX], real_root[PATH_MAX];
	struct stat st;

	if (stat(src, &st) < 0)
		return topo_fail(p, path, "the %s %s does not exist", what, src);
	if (want_file && !S_ISREG(st.st_mode))
		return topo_fail(p, path, "the %s %s is not a regular file", what, src);
	if (want_dir && !S_ISDIR(st.st_mode))
		return topo_fail(p, path, "the %s %s is not a folder", what, src);
	if (!root || !realpath(src, real))
		return 0;
	if (!realpath(root, real_root))
		snprintf(real_root, sizeof(real_root), "%s", root);
	if (inside(real, real_root) || inside(real_root, real))
		return topo_fail(p, path,
				 "the %s %s holds or is inside cboxlab's state (%s); a node may not see it",
				 what, src, root);
	return 0;
}

static int resolve_node(struct parser *p, struct cbx_node *n)
{
	bool check = p->opts && p->opts->check_host;
	struct cbx_file *own;

	if (n->n_files) {
		/* The array may be shared with "defaults": the node's own. */
		own = cbx_arena_array(p->a, n->n_files, sizeof(*own));
		if (!own)
			return topo_oom(p);
		memcpy(own, n->files, n->n_files * sizeof(*own));
		n->files = own;
	}
	for (size_t i = 0; i < n->n_files; i++) {
		struct cbx_file *f = &n->files[i];
		if (f->content &&
		    render(p, n, f->content, topo_path_key(p, f->path, "content"), &f->content) < 0)
			return -1;
		if (check && f->source &&
		    check_source(p, f->source, topo_path_key(p, f->path, "source"), "file's source",
				 true, false) < 0)
			return -1;
	}
	for (size_t i = 0; check && i < n->n_binds; i++)
		if (check_source(p, n->binds[i].src, n->binds[i].path, "bind's source", false,
				 false) < 0)
			return -1;
	if (n->overlay) {
		const char *opath =
			topo_path_key(p, n->overlay_optional ? "defaults" : n->path, "overlay");
		struct stat st;
		if (render(p, n, n->overlay, opath, &n->overlay) < 0)
			return -1;
		if (strlen(n->overlay) >= CBX_NODE_PATH_MAX)
			return topo_fail(p, opath, "the overlay folder %s is too long; at most %d",
					 n->overlay, CBX_NODE_PATH_MAX - 1);
		if (strpbrk(n->overlay, ",:\\"))
			return topo_fail(p, opath,
					 "overlay folder \"%s\" contains %s, which overlayfs options cannot hold",
					 topo_shown(p, n->overlay),
					 topo_shown_char(p, *strpbrk(n->overlay, ",:\\")));
		/* From "defaults", a folder per node that some nodes lack. */
		if (check && n->overlay_optional && stat(n->overlay, &st) < 0)
			n->overlay = NULL;
		else if (check &&
			 check_source(p, n->overlay, opath, "overlay folder", false, true) < 0)
			return -1;
	}
	return 0;
}

int topo_resolve_files(struct parser *p)
{
	for (size_t i = 0; i < p->t->n_nodes; i++)
		if (resolve_node(p, &p->t->nodes[i]) < 0)
			return -1;
	return 0;
}
