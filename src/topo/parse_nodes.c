/* Nodes: names, lab-wide defaults merged with each node's own settings
 * (base, limits, env, sysctls, startup command) and declared interfaces. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/cap_names.h"
#include "topo/parser.h"

/* clang-format off */
static const char *const defaults_keys[] = {
	"base", "kind", "limits", "env", "sysctls", "cmd", "privileged", "cap_add", "cap_drop", "seccomp",
	"userns", "binds", "files", "volumes", "overlay", "restart", "ready", "storage",
	"storage_size", "clock_offset", "clock_skew", NULL,
};
/* clang-format on */
/* clang-format off */
static const char *const node_keys[] = {
	"base", "kind", "interfaces", "gateway", "gateway6", "routes", "sysctls", "env", "cmd",
	"limits", "publish", "privileged", "cap_add", "cap_drop", "seccomp", "userns",
	"binds", "files", "volumes", "overlay", "restart", "ready", "storage", "storage_size",
	"clock_offset", "clock_skew", "host", "description", NULL,
};
/* clang-format on */
static const char *const userns_keys[] = { "start", "count", NULL };
/* clang-format off */
static const char *const iface_keys[] = {
	"network", "addresses", "mac", "mtu", "impair", "vlan", "vlans", "description", NULL,
};
/* clang-format on */
static const char *const limits_keys[] = { "memory", "cpus", "pids", NULL };

int topo_check_ifname(struct parser *p, const char *name, const char *path)
{
	size_t len = strlen(name);

	if (len == 0)
		return topo_fail(p, path, "an interface name cannot be empty");
	if (len >= CBX_IFNAMSIZ)
		return topo_fail(p, path,
				 "interface name \"%s\" is %zu bytes long; the kernel allows at most %d",
				 topo_shown(p, name), len, CBX_IFNAMSIZ - 1);
	/* "all" and "default" are the names of the per-protocol sysctl
	 * directories (net.ipv4.conf.all), which the kernel will not shadow. */
	if (!strcmp(name, ".") || !strcmp(name, "..") || !strcmp(name, "lo") ||
	    !strcmp(name, "all") || !strcmp(name, "default"))
		return topo_fail(p, path, "\"%s\" cannot be used as an interface name", name);
	for (const char *c = name; *c; c++)
		/* '%' makes the kernel pick a number for it ("eth%d"). */
		if (*c == '/' || *c == ':' || *c == '%' || isspace((unsigned char)*c) ||
		    !isprint((unsigned char)*c))
			return topo_fail(p, path,
					 "interface name \"%s\" contains %s, which the kernel does not allow",
					 topo_shown(p, name), topo_shown_char(p, *c));
	return 0;
}

static int check_node_name(struct parser *p, const char *name, const char *path)
{
	size_t len = strlen(name);

	if (len == 0 || len > CBX_NODE_NAME_MAX)
		return topo_fail(p, path,
				 "a node name must be 1 to %d characters (it is the hostname)",
				 CBX_NODE_NAME_MAX);
	if (!isalnum((unsigned char)name[0]))
		return topo_fail(p, path, "node name \"%s\" must start with a letter or digit",
				 topo_shown(p, name));
	for (const char *c = name; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '-')
			return topo_fail(p, path,
					 "node name \"%s\" may only contain letters, digits and '-' (it is the hostname)",
					 topo_shown(p, name));
	return 0;
}

struct cbx_iface *topo_add_iface(struct parser *p, struct cbx_node *n, const char *name,
				 const char *path)
{
	struct cbx_topo *t = p->t;
	struct cbx_iface *ifc;
	bool oom = false;

	if (t->n_ifaces == p->ifaces_cap)
		return NULL;
	/* The node's pointer array grows by doubling; the arena keeps the old
	 * copies, which is fine for the few interfaces a node has. */
	if ((n->n_ifaces & (n->n_ifaces - 1)) == 0) {
		size_t cap = n->n_ifaces ? n->n_ifaces * 2 : 4;
		struct cbx_iface **grown = cbx_arena_array(p->a, cap, sizeof(*grown));
		if (!grown)
			return NULL;
		if (n->n_ifaces)
			memcpy(grown, n->ifaces, n->n_ifaces * sizeof(*grown));
		n->ifaces = grown;
	}
	ifc = &t->ifaces[t->n_ifaces];
	ifc->index = t->n_ifaces++;
	snprintf(ifc->name, sizeof(ifc->name), "%s", name);
	ifc->node = n;
	ifc->path = (char *)path;
	if (!cbx_strmap_put(&n->iface_by_name, ifc->name, ifc, &oom) && oom)
		return NULL; /* (a name is never there twice: the callers look first) */
	n->ifaces[n->n_ifaces++] = ifc;
	return ifc;
}

/* "02:00:5e:00:00:01": six hex bytes, unicast, not all zero. */
static int parse_mac(struct parser *p, json_t *v, const char *path, uint8_t mac[6])
{
	unsigned b[6];
	char tail;

	if (topo_expect_string(p, v, path) < 0)
		return -1;
	if (sscanf(json_string_value(v), "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &tail) != 6 ||
	    strlen(json_string_value(v)) != 17)
		return topo_fail(p, path, "\"%s\" is not a MAC address like 02:00:00:00:00:01",
				 topo_shown(p, json_string_value(v)));
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	if (mac[0] & 1)
		return topo_fail(p, path,
				 "%s is a multicast MAC address; an interface needs a unicast one",
				 json_string_value(v));
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return topo_fail(p, path, "the all-zero MAC address cannot be used");
	return 0;
}

int topo_parse_mtu(struct parser *p, json_t *v, const char *path, uint32_t *mtu)
{
	uint64_t m;

	if (topo_expect_uint(p, v, path, 68, 65535, &m) < 0)
		return -1;
	*mtu = (uint32_t)m;
	return 0;
}

static int parse_declared_iface(struct parser *p, struct cbx_node *n, const char *name, json_t *v,
				const char *path)
{
	struct cbx_iface *ifc;
	json_t *net, *x;

	if (topo_check_ifname(p, name, path) < 0 || topo_expect_object(p, v, path) < 0 ||
	    topo_check_keys(p, v, path, iface_keys) < 0)
		return -1;
	ifc = topo_add_iface(p, n, name, path);
	if (!ifc)
		return topo_oom(p);
	net = json_object_get(v, "network");
	if (net) {
		const char *npath = topo_path_key(p, path, "network");
		if (topo_expect_string(p, net, npath) < 0)
			return -1;
		ifc->network = cbx_strmap_get(&p->t->network_by_name, json_string_value(net));
		if (!ifc->network)
			return topo_fail(p, npath, "unknown network \"%s\"",
					 topo_shown(p, json_string_value(net)));
	}
	if ((x = json_object_get(v, "addresses"))) {
		if (topo_expect_array(p, x, topo_path_key(p, path, "addresses")) < 0)
			return -1;
		p->iface_in[ifc->index].addresses = x;
	}
	if ((x = json_object_get(v, "mac")) &&
	    parse_mac(p, x, topo_path_key(p, path, "mac"), ifc->mac) < 0)
		return -1;
	if ((x = json_object_get(v, "mtu")) &&
	    topo_parse_mtu(p, x, topo_path_key(p, path, "mtu"), &ifc->mtu) < 0)
		return -1;
	if ((x = json_object_get(v, "impair"))) {
		const char *ipath = topo_path_key(p, path, "impair");
		if (topo_expect_object(p, x, ipath) < 0)
			return -1;
		p->iface_in[ifc->index].impair = x;
		p->iface_in[ifc->index].impair_path = ipath;
	}
	p->iface_in[ifc->index].vlan = json_object_get(v, "vlan");
	p->iface_in[ifc->index].vlans = json_object_get(v, "vlans");
	return 0;
}

/* An absolute path as a base: the overlay's lower directory. */
static int parse_base_path(struct parser *p, struct cbx_node *n, const char *s, const char *path)
{
	if (strlen(s) >= CBX_NODE_PATH_MAX)
		return topo_fail(p, path, "base directory path is %zu bytes long; at most %d",
				 strlen(s), CBX_NODE_PATH_MAX - 1);
	/* The overlay's options are "lowerdir=BASE,upperdir=...": a ','
	 * ends the option, a ':' starts another layer, '\\' escapes. */
	if (strpbrk(s, ",:\\"))
		return topo_fail(p, path,
				 "base directory path \"%s\" contains %s, which overlayfs options cannot hold",
				 topo_shown(p, s), topo_shown_char(p, *strpbrk(s, ",:\\")));
	n->base_dir = cbx_arena_strdup(p->a, s);
	return n->base_dir ? 0 : topo_oom(p);
}

/* An image: where it is, and its tag. */
static int parse_base_image(struct parser *p, struct cbx_node *n, enum cbx_base_kind kind,
			    const char *file, size_t len, const char *tag, const char *path)
{
	if (len >= CBX_NODE_PATH_MAX)
		return topo_fail(p, path, "image path is %zu bytes long; at most %d", len,
				 CBX_NODE_PATH_MAX - 1);
	n->base = kind;
	n->base_dir = cbx_arena_printf(p->a, "%.*s", (int)len, file);
	n->image_tag = tag ? cbx_arena_strdup(p->a, tag) : NULL;
	return n->base_dir && (!tag || n->image_tag) ? 0 : topo_oom(p);
}

/* A kind's word ("busybox"), or an absolute path for the kind that has
 * none (cbx_base_kinds). */
static int parse_base(struct parser *p, struct cbx_node *n, json_t *v, const char *path)
{
	char words[128] = "";
	size_t len = 0, path_len;
	const char *s, *file, *tag, *why;
	enum cbx_base_kind kind;

	if (topo_expect_string(p, v, path) < 0)
		return -1;
	s = json_string_value(v);
	switch (cbx_image_ref_parse(s, &kind, &file, &path_len, &tag, &why)) {
	case -1:
		return topo_fail(p, path, "base \"%s\": %s", topo_shown(p, s), why);
	case 1:
		return parse_base_image(p, n, kind, file, path_len, tag, path);
	}
	for (int k = 0; k < CBX_BASE_MAX; k++) {
		const struct cbx_base_info *b = &cbx_base_kinds[k];
		if (b->lower == CBX_LOWER_IMAGE || (b->word ? strcmp(s, b->word) : s[0] != '/'))
			continue;
		n->base = (enum cbx_base_kind)k;
		n->base_dir = NULL;
		n->image_tag = NULL;
		return b->lower == CBX_LOWER_PATH ? parse_base_path(p, n, s, path) : 0;
	}
	for (int k = 0; k < CBX_BASE_MAX && len < sizeof(words); k++)
		if (cbx_base_kinds[k].word)
			len += (size_t)snprintf(words + len, sizeof(words) - len, "\"%s\", ",
						cbx_base_kinds[k].word);
	if (len >= 2 && len < sizeof(words))
		words[len - 2] = '\0';
	return topo_fail(p, path,
			 "base \"%s\" is not %s, an image (oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE, /FILE.tar[.gz|.xz|.zst]) or an absolute path to a root directory",
			 topo_shown(p, s), words);
}

static int parse_limits(struct parser *p, struct cbx_limits *l, json_t *v, const char *path)
{
	const char *text, *why;
	json_t *x;

	if (topo_expect_object(p, v, path) < 0 || topo_check_keys(p, v, path, limits_keys) < 0)
		return -1;
	if ((x = json_object_get(v, "memory"))) {
		const char *xpath = topo_path_key(p, path, "memory");
		if (topo_expect_scalar_text(p, x, xpath, &text) < 0)
			return -1;
		if (!cbx_parse_size(text, &l->memory, &why))
			return topo_fail(p, xpath, "bad size \"%s\": %s", topo_shown(p, text), why);
		if (l->memory < CBX_MIN_MEMORY)
			return topo_fail(p, xpath,
					 "memory limit \"%s\" is below the 4MiB a node needs to start",
					 text);
	}
	if ((x = json_object_get(v, "cpus"))) {
		const char *xpath = topo_path_key(p, path, "cpus");
		if (topo_expect_scalar_text(p, x, xpath, &text) < 0)
			return -1;
		if (!cbx_parse_cpus(text, &l->cpu_milli, &why))
			return topo_fail(p, xpath, "bad CPU count \"%s\": %s", topo_shown(p, text),
					 why);
	}
	if ((x = json_object_get(v, "pids"))) {
		uint64_t pids;
		/* One of them is the node's init. */
		if (topo_expect_uint(p, x, topo_path_key(p, path, "pids"), 2, 4194304, &pids) < 0)
			return -1;
		l->pids = (uint32_t)pids;
	}
	return 0;
}

static bool valid_env_name(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

/* A sysctl of the node's own network namespace: "net." and a plain path. */
static int check_sysctl_key(struct parser *p, const char *key, const char *path)
{
	if (strncmp(key, "net.", 4))
		return topo_fail(p, path,
				 "sysctl \"%s\" is not a network sysctl (net.*); only those are per node",
				 topo_shown(p, key));
	for (const char *c = key; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '_' && *c != '.' && *c != '-')
			return topo_fail(p, path, "sysctl name \"%s\" contains %s",
					 topo_shown(p, key), topo_shown_char(p, *c));
	if (strstr(key, "..") || key[strlen(key) - 1] == '.')
		return topo_fail(p, path, "sysctl name \"%s\" is malformed", topo_shown(p, key));
	return 0;
}

/* Merge a JSON object of key → value into a kv array (later wins). */
static int merge_kv(struct parser *p, struct cbx_kv **arr, size_t *n, json_t *obj, const char *path,
		    bool sysctl)
{
	const char *key;
	json_t *v;

	if (topo_expect_object(p, obj, path) < 0)
		return -1;
	{
		size_t cap = *n + json_object_size(obj);
		struct cbx_kv *grown = cbx_arena_array(p->a, cap ? cap : 1, sizeof(*grown));
		if (!grown)
			return topo_oom(p);
		if (*n)
			memcpy(grown, *arr, *n * sizeof(*grown));
		*arr = grown;
	}
	json_object_foreach (obj, key, v) {
		const char *kpath = topo_path_key(p, path, key);
		const char *text;
		size_t i;

		if (sysctl) {
			if (check_sysctl_key(p, key, kpath) < 0 ||
			    topo_expect_scalar_text(p, v, kpath, &text) < 0)
				return -1;
		} else {
			if (!valid_env_name(key))
				return topo_fail(p, kpath,
						 "\"%s\" is not a valid environment variable name",
						 topo_shown(p, key));
			if (topo_expect_string(p, v, kpath) < 0)
				return -1;
			text = json_string_value(v);
		}
		if (strchr(text, '\n'))
			return topo_fail(p, kpath, "the value may not contain a newline");
		for (i = 0; i < *n; i++)
			if (!strcmp((*arr)[i].key, key))
				break;
		if (i == *n)
			(*n)++;
		(*arr)[i].key = cbx_arena_strdup(p->a, key);
		(*arr)[i].value = cbx_arena_strdup(p->a, text);
		if (!(*arr)[i].key || !(*arr)[i].value)
			return topo_oom(p);
	}
	return 0;
}

/* "cmd": "shell command" runs with /bin/sh -c; an array is the argv itself. */
static int parse_cmd(struct parser *p, struct cbx_node *n, json_t *v, const char *path)
{
	if (json_is_string(v)) {
		if (!*json_string_value(v))
			return topo_fail(p, path, "the command is empty");
		n->cmd = cbx_arena_array(p->a, 4, sizeof(char *));
		if (!n->cmd)
			return topo_oom(p);
		n->cmd[0] = "/bin/sh";
		n->cmd[1] = "-c";
		n->cmd[2] = cbx_arena_strdup(p->a, json_string_value(v));
		return n->cmd[2] ? 0 : topo_oom(p);
	}
	if (!json_is_array(v))
		return topo_fail(p, path, "expected a string or an array of strings");
	if (json_array_size(v) == 0)
		return topo_fail(p, path, "the command is empty");
	n->cmd = cbx_arena_array(p->a, json_array_size(v) + 1, sizeof(char *));
	if (!n->cmd)
		return topo_oom(p);
	for (size_t i = 0; i < json_array_size(v); i++) {
		json_t *arg = json_array_get(v, i);
		if (topo_expect_string(p, arg, topo_path_index(p, path, i)) < 0)
			return -1;
		n->cmd[i] = cbx_arena_strdup(p->a, json_string_value(arg));
		if (!n->cmd[i])
			return topo_oom(p);
	}
	return 0;
}

/* "cap_add": ["NET_ADMIN", "CAP_SYS_TIME"]: capabilities(7) names, with or
 * without CAP_, in any case. */
static int parse_caps(struct parser *p, json_t *v, const char *path, uint64_t *mask)
{
	*mask = 0;
	if (topo_expect_array(p, v, path) < 0)
		return -1;
	for (size_t i = 0; i < json_array_size(v); i++) {
		const char *ipath = topo_path_index(p, path, i);
		int cap;

		if (topo_expect_string(p, json_array_get(v, i), ipath) < 0)
			return -1;
		cap = cbx_cap_from_name(json_string_value(json_array_get(v, i)));
		if (cap < 0)
			return topo_fail(p, ipath,
					 "unknown capability \"%s\" (the names of capabilities(7), such as NET_ADMIN or SYS_ADMIN)",
					 json_string_value(json_array_get(v, i)));
		*mask |= (UINT64_C(1) << cap);
	}
	return 0;
}

/* "userns": true (the default range), false, or {"start": N, "count": M}. */
static int parse_userns(struct parser *p, struct cbx_node *n, json_t *v, const char *path)
{
	uint64_t start = CBX_USERNS_DEFAULT_START, count = CBX_USERNS_DEFAULT_COUNT;
	json_t *x;

	if (json_is_boolean(v)) {
		n->userns_start = json_is_true(v) ? (uint32_t)start : 0;
		n->userns_count = json_is_true(v) ? (uint32_t)count : 0;
		return 0;
	}
	if (!json_is_object(v))
		return topo_fail(p, path, "expected true, false or {\"start\": N, \"count\": M}");
	if (topo_check_keys(p, v, path, userns_keys) < 0)
		return -1;
	/* The node's root is never the host's root, nor any id below 1000
	 * (the host's system users). */
	if ((x = json_object_get(v, "start")) &&
	    topo_expect_uint(p, x, topo_path_key(p, path, "start"), 1000, UINT32_MAX - 1, &start) <
		    0)
		return -1;
	if ((x = json_object_get(v, "count")) &&
	    topo_expect_uint(p, x, topo_path_key(p, path, "count"), 1, UINT32_MAX, &count) < 0)
		return -1;
	if (start + count > UINT32_MAX)
		return topo_fail(p, path,
				 "the range %" PRIu64 "+%" PRIu64
				 " goes past the last uid (4294967294)",
				 start, count);
	n->userns_start = (uint32_t)start;
	n->userns_count = (uint32_t)count;
	return 0;
}

/* "clock_offset" and "clock_skew": "+30s", "-1h"... */
static int parse_clock_us(struct parser *p, json_t *x, const char *path, int64_t *us)
{
	const char *why;

	if (topo_expect_string(p, x, path) < 0)
		return -1;
	if (!cbx_parse_clock_offset_us(json_string_value(x), us, &why))
		return topo_fail(p, path, "%s", why);
	return 0;
}

/* "kind": "container" (the default) or "netns" (cbx_node_kinds). */
static int parse_kind(struct parser *p, struct cbx_node *n, json_t *v, const char *path)
{
	char words[64] = "";
	size_t len = 0;

	if (topo_expect_string(p, v, path) < 0)
		return -1;
	for (int k = 0; k < CBX_NODE_KIND_MAX; k++) {
		if (!strcmp(json_string_value(v), cbx_node_kinds[k].word)) {
			n->kind = (enum cbx_node_kind)k;
			return 0;
		}
		len += (size_t)snprintf(words + len, sizeof(words) - len, "%s\"%s\"",
					k ? " or " : "", cbx_node_kinds[k].word);
	}
	return topo_fail(p, path, "kind \"%s\" is not %s", topo_shown(p, json_string_value(v)),
			 words);
}

/* A kind without processes of its own takes none of the keys about them,
 * from the node or from "defaults": said, never ignored. */
static int check_kind_keys(struct parser *p, const struct cbx_node *n, json_t *v)
{
	const struct cbx_node_kind_info *k = &cbx_node_kinds[n->kind];

	if (k->processes)
		return 0;
	for (const char *const *key = cbx_process_node_keys; *key; key++) {
		const char *where = json_object_get(v, *key)                            ? n->path
				    : p->defaults && json_object_get(p->defaults, *key) ? "defaults"
											: NULL;
		if (where == n->path || (where && !p->defaults_kind_failed)) {
			p->defaults_kind_failed |= where != n->path;
			return topo_fail(p, topo_path_key(p, where, *key),
					 "node %s is \"kind\": \"%s\", which has no processes, root filesystem or isolation of its own (a command in it runs as root on the host's filesystem): \"%s\" cannot apply to it; remove it or make the node \"kind\": \"%s\"",
					 n->name, k->word, *key,
					 cbx_node_kinds[CBX_NODE_CONTAINER].word);
		}
		if (where)
			return -1; /* said at the first node */
	}
	return 0;
}

static int parse_flag(struct parser *p, json_t *x, const char *path, bool *out)
{
	if (topo_expect_bool(p, x, path) < 0)
		return -1;
	*out = json_is_true(x);
	return 0;
}

/* Settings that may come from "defaults" or from the node itself; the node's
 * own win (limits field by field, env and sysctls key by key). Each is
 * checked whatever became of the others, when every error is listed. */
static int parse_node_settings(struct parser *p, struct cbx_node *n, json_t *obj, const char *path)
{
	size_t before = p->n_failed;
	bool seccomp = !n->seccomp_off;
	json_t *x;

#define SETTING(key, parse) \
	if ((x = json_object_get(obj, key)) && (parse) < 0 && !topo_keep_going(p)) \
		return -1;
#define AT(key) topo_path_key(p, path, key)
	SETTING("kind", parse_kind(p, n, x, AT("kind")));
	SETTING("base", parse_base(p, n, x, AT("base")));
	SETTING("limits", parse_limits(p, &n->limits, x, AT("limits")));
	SETTING("env", merge_kv(p, &n->env, &n->n_env, x, AT("env"), false));
	SETTING("sysctls", merge_kv(p, &n->sysctls, &n->n_sysctls, x, AT("sysctls"), true));
	SETTING("cmd", parse_cmd(p, n, x, AT("cmd")));
	SETTING("privileged", parse_flag(p, x, AT("privileged"), &n->privileged));
	SETTING("cap_add", parse_caps(p, x, AT("cap_add"), &n->cap_add));
	SETTING("cap_drop", parse_caps(p, x, AT("cap_drop"), &n->cap_drop));
	SETTING("userns", parse_userns(p, n, x, AT("userns")));
	SETTING("seccomp", parse_flag(p, x, AT("seccomp"), &seccomp));
	n->seccomp_off = !seccomp;
	if (topo_parse_node_files(p, n, obj, path, n == &p->defaults_tmpl) < 0 &&
	    !topo_keep_going(p))
		return -1;
	SETTING("clock_offset", parse_clock_us(p, x, AT("clock_offset"), &n->clock_offset_us));
	SETTING("clock_skew", parse_clock_us(p, x, AT("clock_skew"), &n->clock_skew_us));
#undef SETTING
#undef AT
	if (topo_parse_daemon_settings(p, n, obj, path) < 0 && !topo_keep_going(p))
		return -1;
	return p->n_failed > before ? -1 : 0;
}

/* Start node n from the lab-wide defaults, parsed on the first call: every
 * field parse_node_settings sets (keep the two in step). */
static int apply_defaults(struct parser *p, struct cbx_node *n)
{
	const struct cbx_node *d = &p->defaults_tmpl;

	if (!p->defaults)
		return 0;
	if (!p->defaults_parsed) {
		if (parse_node_settings(p, &p->defaults_tmpl, p->defaults, "defaults") < 0)
			return -1;
		p->defaults_parsed = true;
	}
	n->kind = d->kind;
	n->base = d->base;
	n->base_dir = d->base_dir;
	n->image_tag = d->image_tag;
	n->limits = d->limits;
	n->env = d->env;
	n->n_env = d->n_env;
	n->sysctls = d->sysctls;
	n->n_sysctls = d->n_sysctls;
	n->cmd = d->cmd;
	n->privileged = d->privileged;
	n->cap_add = d->cap_add;
	n->cap_drop = d->cap_drop;
	n->seccomp_off = d->seccomp_off;
	n->userns_start = d->userns_start;
	n->userns_count = d->userns_count;
	n->binds = d->binds;
	n->n_binds = d->n_binds;
	n->files = d->files;
	n->n_files = d->n_files;
	n->volumes = d->volumes;
	n->n_volumes = d->n_volumes;
	n->overlay = d->overlay;
	n->overlay_optional = d->overlay_optional;
	n->restart = d->restart;
	n->ready = d->ready;
	n->storage = d->storage;
	n->storage_size = d->storage_size;
	n->clock_offset_us = d->clock_offset_us;
	n->clock_skew_us = d->clock_skew_us;
	return 0;
}

/* What execve would refuse with E2BIG, said before anything is made. */
static int check_exec_size(struct parser *p, const struct cbx_node *n)
{
	size_t total = 0;

	for (size_t i = 0; n->cmd && n->cmd[i]; i++) {
		size_t len = strlen(n->cmd[i]) + 1;
		if (len > CBX_EXEC_STRING_MAX)
			return topo_fail(p, topo_path_key(p, n->path, "cmd"),
					 "an argument of the command is %zu bytes; the kernel takes at most %u (128 KiB) per argument",
					 len - 1, CBX_EXEC_STRING_MAX - 1);
		total += len + sizeof(char *);
	}
	for (size_t i = 0; i < n->n_env; i++) {
		size_t len = strlen(n->env[i].key) + strlen(n->env[i].value) + 2;
		if (len > CBX_EXEC_STRING_MAX)
			return topo_fail(p,
					 topo_path_key(p, topo_path_key(p, n->path, "env"),
						       n->env[i].key),
					 "%s=VALUE is %zu bytes; the kernel takes at most %u (128 KiB) per variable",
					 n->env[i].key, len - 1, CBX_EXEC_STRING_MAX - 1);
		total += len + sizeof(char *);
	}
	if (total > CBX_EXEC_TOTAL_MAX)
		return topo_fail(p, n->path,
				 "the command and environment are %zu bytes together; at most %u (1 MiB)",
				 total, CBX_EXEC_TOTAL_MAX);
	return 0;
}

static int parse_node_ifaces(struct parser *p, struct cbx_node *n, json_t *ifaces)
{
	const char *ipath = topo_path_key(p, n->path, "interfaces");
	size_t before = p->n_failed;
	const char *name;
	json_t *x;

	if (topo_expect_object(p, ifaces, ipath) < 0)
		return -1;
	json_object_foreach (ifaces, name, x) {
		if (parse_declared_iface(p, n, name, x, topo_path_key(p, ipath, name)) < 0 &&
		    !topo_keep_going(p))
			return -1;
	}
	return p->n_failed > before ? -1 : 0;
}

/* Its keys, its settings and its interfaces are each checked whatever
 * became of the others, when every error is listed. */
static int parse_node(struct parser *p, struct cbx_node *n, json_t *v)
{
	size_t before = p->n_failed;
	json_t *ifaces;

	if (topo_expect_object(p, v, n->path) < 0)
		return -1;
	if (topo_check_keys(p, v, n->path, node_keys) < 0 && !topo_keep_going(p))
		return -1;
	if (apply_defaults(p, n) < 0 || topo_parse_node_host(p, n, v) < 0)
		return -1;
	if ((parse_node_settings(p, n, v, n->path) < 0 || check_kind_keys(p, n, v) < 0 ||
	     check_exec_size(p, n) < 0 || topo_check_daemon(p, n) < 0) &&
	    !topo_keep_going(p))
		return -1;
	ifaces = json_object_get(v, "interfaces");
	if (ifaces && parse_node_ifaces(p, n, ifaces) < 0 && !topo_keep_going(p))
		return -1;
	if (p->n_failed > before)
		return -1;
	p->node_in[n->index].json = v;
	p->node_in[n->index].gateway[0] = json_object_get(v, "gateway");
	p->node_in[n->index].gateway[1] = json_object_get(v, "gateway6");
	return 0;
}

static int add_node(struct parser *p, const char *name, json_t *v)
{
	struct cbx_topo *t = p->t;
	struct cbx_node *n = &t->nodes[t->n_nodes];
	bool oom = false;

	n->index = t->n_nodes++;
	n->path = topo_path_key(p, "nodes", name);
	n->name = cbx_arena_strdup(p->a, name);
	if (!n->path || !n->name)
		return topo_oom(p);
	if (check_node_name(p, name, n->path) < 0)
		return -1;
	if (!cbx_strmap_put(&t->node_by_name, n->name, n, &oom))
		return oom ? topo_oom(p) : topo_fail(p, n->path, "duplicate node \"%s\"", name);
	return parse_node(p, n, v);
}

int topo_parse_nodes(struct parser *p)
{
	json_t *nodes = json_object_get(p->root, "nodes");
	struct cbx_topo *t = p->t;
	size_t before = p->n_failed;
	const char *name;
	json_t *v;

	if (!nodes)
		return topo_fail(p, "", "the lab has no \"nodes\"");
	if (topo_expect_object(p, nodes, "nodes") < 0)
		return -1;
	if (json_object_size(nodes) == 0)
		return topo_fail(p, "nodes", "the lab has no nodes");
	if (p->defaults) {
		if (topo_expect_object(p, p->defaults, "defaults") < 0)
			return -1;
		if (topo_check_keys(p, p->defaults, "defaults", defaults_keys) < 0 &&
		    !topo_keep_going(p))
			return -1;
	}
	t->nodes = cbx_arena_array(p->a, json_object_size(nodes), sizeof(*t->nodes));
	p->node_in = cbx_arena_array(p->a, json_object_size(nodes), sizeof(*p->node_in));
	if (!t->nodes || !p->node_in)
		return topo_oom(p);
	json_object_foreach (nodes, name, v) {
		if (add_node(p, name, v) < 0 && !topo_keep_going(p))
			return -1;
	}
	return p->n_failed > before ? -1 : 0;
}
