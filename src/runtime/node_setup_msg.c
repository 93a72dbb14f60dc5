/* The node setup message: "key=value\0" strings (see node_setup.h). */
#include "runtime/node_setup.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct writer {
	char *buf;
	size_t size, len;
	bool overflow;
};

static void put(struct writer *w, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void put(struct writer *w, const char *key, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (w->overflow)
		return;
	n = snprintf(w->buf + w->len, w->size - w->len, "%s=", key);
	if (n < 0 || (size_t)n >= w->size - w->len) {
		w->overflow = true;
		return;
	}
	w->len += (size_t)n;
	va_start(ap, fmt);
	n = vsnprintf(w->buf + w->len, w->size - w->len, fmt, ap);
	va_end(ap);
	/* vsnprintf's terminating NUL is the entry's separator. */
	if (n < 0 || (size_t)n + 1 > w->size - w->len) {
		w->overflow = true;
		return;
	}
	w->len += (size_t)n + 1;
}

/* The paths the node's setup builds on: short enough for its buffers. */
static bool path_fits(const char *path)
{
	return !path || strlen(path) < CBX_NODE_PATH_MAX;
}

const char *node_setup_long_path(const struct node_setup *s)
{
	const struct rootfs_spec *r = &s->rootfs;
	const char *const paths[] = { r->node_dir,  r->hosts_file, r->host_mask,
				      r->layer_dir, s->seccomp,    r->overlay };

	if (r->lower && strlen(r->lower) >= CBX_NODE_LOWERS_MAX)
		return r->lower;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (!path_fits(paths[i]))
			return paths[i];
	for (size_t i = 0; i < r->n_binds; i++)
		if (!path_fits(r->binds[i].src) || !path_fits(r->binds[i].dst))
			return path_fits(r->binds[i].src) ? r->binds[i].dst : r->binds[i].src;
	for (size_t i = 0; i < r->n_files; i++)
		if (!path_fits(r->files[i].src) || !path_fits(r->files[i].dst))
			return path_fits(r->files[i].src) ? r->files[i].dst : r->files[i].src;
	return NULL;
}

long node_setup_encode(const struct node_setup *s, char *buf, size_t size)
{
	struct writer w = { buf, size, 0, false };
	const struct rootfs_spec *r = &s->rootfs;

	if (node_setup_long_path(s))
		return -1;
	put(&w, "name", "%s", s->name);
	put(&w, "base", "%d", (int)r->base);
	if (r->lower)
		put(&w, "lower", "%s", r->lower);
	put(&w, "dir", "%s", r->node_dir);
	put(&w, "hosts", "%s", r->hosts_file);
	if (r->host_mask)
		put(&w, "hostmask", "%s", r->host_mask);
	if (r->layer_dir)
		put(&w, "layers", "%s", r->layer_dir);
	put(&w, "hostname", "%s", r->hostname);
	if (r->unmasked)
		put(&w, "unmasked", "1");
	if (r->userns.count)
		put(&w, "userns", "%u:%u", r->userns.start, r->userns.count);
	if (r->overlay)
		put(&w, "overlay", "%s", r->overlay);
	if (r->n_binds > CBX_NODE_BINDS_MAX || r->n_files > CBX_NODE_FILES_MAX)
		return -1;
	/* Paths hold no control bytes (the topology refuses them): a tab
	 * separates the fields. */
	for (size_t i = 0; i < r->n_binds; i++)
		put(&w, "bind", "%s\t%s\t%s", r->binds[i].rw ? "rw" : "ro", r->binds[i].src,
		    r->binds[i].dst);
	for (size_t i = 0; i < r->n_files; i++)
		put(&w, "file", "%04o\t%s\t%s", r->files[i].mode, r->files[i].src, r->files[i].dst);
	put(&w, "netns", "%d", s->join_netns);
	put(&w, "nice", "%d", s->nice);
	if (s->clock_offset_us)
		put(&w, "clock", "%" PRId64, s->clock_offset_us);
	put(&w, "caps", "%" PRIx64, s->caps);
	if (s->seccomp)
		put(&w, "seccomp", "%s", s->seccomp);
	put(&w, "nofile", "%" PRIu64 ":%" PRIu64, (uint64_t)s->nofile.rlim_cur,
	    (uint64_t)s->nofile.rlim_max);
	if (s->join_cgroups) {
		put(&w, "cgroup", "%s", s->cg.v2 ? "v2" : "v1");
		for (size_t i = 0; i < s->cg.n_hier; i++)
			put(&w, "hier", "%s", s->cg.hier[i]);
		if (s->cg.lab_only)
			put(&w, "lab_only", "%x", s->cg.lab_only);
		put(&w, "lab", "%s", s->lab);
	}
	return w.overflow ? -1 : (long)w.len;
}

/* A whole unsigned number in [0, max], in `base`. */
static int parse_num(const char *v, int base, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(v, &end, base);
	if (errno || end == v || *end || *v == '-' || n > max)
		return -1;
	*out = n;
	return 0;
}

/* "A:B", two decimal numbers each at most max (userns' start:count,
 * nofile's soft:hard). */
static int parse_pair(const char *v, uint64_t max, uint64_t *a, uint64_t *b)
{
	const char *colon = strchr(v, ':');
	char first[32];

	if (!colon || (size_t)(colon - v) >= sizeof(first))
		return -1;
	memcpy(first, v, (size_t)(colon - v));
	first[colon - v] = '\0';
	return parse_num(first, 10, max, a) < 0 || parse_num(colon + 1, 10, max, b) < 0 ? -1 : 0;
}

static int bad(struct cbx_error *err, const char *key, const char *value)
{
	return cbx_error_set(err, CBX_ERR_SYSTEM, "node setup message: bad %s \"%s\"", key, value);
}

/* The decoded binds and files: static, so that a node without any touches
 * none of it (see CBX_NODE_SETUP_MSG_MAX). One message per process. */
static struct rootfs_put decoded_binds[CBX_NODE_BINDS_MAX], decoded_files[CBX_NODE_FILES_MAX];

/* "FLAG\tSRC\tDST", split in place. */
static int decode_put(char *v, struct rootfs_put *out, bool is_file)
{
	char *src = strchr(v, '\t'), *dst;
	uint64_t mode;

	if (!src || !(dst = strchr(src + 1, '\t')) || strchr(dst + 1, '\t'))
		return -1;
	*src++ = '\0';
	*dst++ = '\0';
	if (!*src || dst[0] != '/' || !path_fits(src) || !path_fits(dst))
		return -1;
	*out = (struct rootfs_put){ .src = src, .dst = dst };
	if (is_file) {
		if (parse_num(v, 8, 0777, &mode) < 0)
			return -1;
		out->mode = (uint32_t)mode;
	} else if (!strcmp(v, "rw") || !strcmp(v, "ro")) {
		out->rw = v[1] == 'w';
	} else {
		return -1;
	}
	return 0;
}

static int decode_entry(struct node_setup *s, const char *key, char *v, struct cbx_error *err)
{
	uint64_t n, m;

	if (!strcmp(key, "name")) {
		s->name = v;
	} else if (!strcmp(key, "base")) {
		if (parse_num(v, 10, CBX_BASE_MAX - 1, &n) < 0)
			return bad(err, key, v);
		s->rootfs.base = (enum cbx_base_kind)n;
	} else if (!strcmp(key, "lower") && strlen(v) < CBX_NODE_LOWERS_MAX) {
		s->rootfs.lower = v;
	} else if (!strcmp(key, "dir") && path_fits(v)) {
		s->rootfs.node_dir = v;
	} else if (!strcmp(key, "hosts") && path_fits(v)) {
		s->rootfs.hosts_file = v;
	} else if (!strcmp(key, "seccomp") && path_fits(v)) {
		s->seccomp = v;
	} else if (!strcmp(key, "hostmask") && path_fits(v)) {
		s->rootfs.host_mask = v;
	} else if (!strcmp(key, "layers") && path_fits(v)) {
		s->rootfs.layer_dir = v;
	} else if (!strcmp(key, "lower") || !strcmp(key, "dir") || !strcmp(key, "hosts") ||
		   !strcmp(key, "seccomp") || !strcmp(key, "hostmask") || !strcmp(key, "layers")) {
		return bad(err, key, v);
	} else if (!strcmp(key, "overlay")) {
		if (!path_fits(v) || v[0] != '/')
			return bad(err, key, v);
		s->rootfs.overlay = v;
	} else if (!strcmp(key, "bind")) {
		if (s->rootfs.n_binds >= CBX_NODE_BINDS_MAX ||
		    decode_put(v, &decoded_binds[s->rootfs.n_binds], false) < 0)
			return bad(err, key, v);
		s->rootfs.binds = decoded_binds;
		s->rootfs.n_binds++;
	} else if (!strcmp(key, "file")) {
		if (s->rootfs.n_files >= CBX_NODE_FILES_MAX ||
		    decode_put(v, &decoded_files[s->rootfs.n_files], true) < 0)
			return bad(err, key, v);
		s->rootfs.files = decoded_files;
		s->rootfs.n_files++;
	} else if (!strcmp(key, "hostname")) {
		s->rootfs.hostname = v;
	} else if (!strcmp(key, "userns")) {
		if (parse_pair(v, UINT32_MAX, &n, &m) < 0 || m == 0 || n == 0 || n + m > UINT32_MAX)
			return bad(err, key, v);
		s->rootfs.userns = (struct userns_map){ (uint32_t)n, (uint32_t)m };
	} else if (!strcmp(key, "unmasked")) {
		if (strcmp(v, "1"))
			return bad(err, key, v);
		s->rootfs.unmasked = true;
	} else if (!strcmp(key, "netns")) {
		if (parse_num(v, 10, 1, &n) < 0)
			return bad(err, key, v);
		s->join_netns = n;
	} else if (!strcmp(key, "nice")) {
		char *end;
		long v_nice;
		errno = 0;
		v_nice = strtol(v, &end, 10);
		if (errno || end == v || *end || v_nice < -20 || v_nice > 19)
			return bad(err, key, v);
		s->nice = (int)v_nice;
	} else if (!strcmp(key, "clock")) {
		char *end;
		long long us;
		errno = 0;
		us = strtoll(v, &end, 10);
		if (errno || end == v || *end)
			return bad(err, key, v);
		s->clock_offset_us = us;
	} else if (!strcmp(key, "caps")) {
		if (parse_num(v, 16, UINT64_MAX, &s->caps) < 0)
			return bad(err, key, v);
	} else if (!strcmp(key, "nofile")) {
		if (parse_pair(v, UINT64_MAX, &n, &m) < 0)
			return bad(err, key, v);
		s->nofile.rlim_cur = (rlim_t)n;
		s->nofile.rlim_max = (rlim_t)m;
	} else if (!strcmp(key, "cgroup")) {
		if (strcmp(v, "v1") && strcmp(v, "v2"))
			return bad(err, key, v);
		s->join_cgroups = true;
		s->cg.v2 = v[1] == '2';
		s->cg.ops = s->cg.v2 ? &cbx_cgroup_v2_ops : &cbx_cgroup_v1_ops;
	} else if (!strcmp(key, "hier")) {
		if (s->cg.n_hier >= CBX_CGROUP_MAX_HIER || strlen(v) >= sizeof(s->cg.hier[0]))
			return bad(err, key, v);
		memcpy(s->cg.hier[s->cg.n_hier++], v, strlen(v) + 1);
	} else if (!strcmp(key, "lab_only")) {
		if (parse_num(v, 16, (1u << CBX_CGROUP_MAX_HIER) - 1, &n) < 0)
			return bad(err, key, v);
		s->cg.lab_only = (unsigned)n;
	} else if (!strcmp(key, "lab")) {
		s->lab = v;
	} else {
		return cbx_error_set(err, CBX_ERR_SYSTEM, "node setup message: unknown key \"%s\"",
				     key);
	}
	return 0;
}

int node_setup_decode(char *buf, size_t len, struct node_setup *s, struct cbx_error *err)
{
	size_t off = 0;

	memset(s, 0, sizeof(*s));
	s->rootfs.proc_fd = -1;
	s->rootfs.mqueue_fd = -1;
	s->rootfs.userns_fd = -1;
	if (len == 0 || buf[len - 1] != '\0')
		return cbx_error_set(err, CBX_ERR_SYSTEM, "node setup message: not NUL-terminated");
	while (off < len) {
		char *entry = buf + off, *eq = strchr(entry, '=');

		off += strlen(entry) + 1;
		if (!eq)
			return cbx_error_set(err, CBX_ERR_SYSTEM,
					     "node setup message: \"%s\" has no '='", entry);
		*eq = '\0';
		if (decode_entry(s, entry, eq + 1, err) < 0)
			return -1;
	}
	if (!s->name || !s->rootfs.node_dir || !s->rootfs.hosts_file || !s->rootfs.hostname ||
	    (cbx_base_kinds[s->rootfs.base].lower != CBX_LOWER_NONE && !s->rootfs.lower) ||
	    (cbx_base_kinds[s->rootfs.base].root == CBX_ROOT_HOST && !s->rootfs.host_mask) ||
	    (s->join_cgroups && !s->lab))
		return cbx_error_set(err, CBX_ERR_SYSTEM, "node setup message: incomplete");
	return 0;
}
