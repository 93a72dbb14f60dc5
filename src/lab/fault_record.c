#include "lab/fault_record.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/fsutil.h"

struct fault_record {
	json_t *json;
	bool dirty;
};

static char *iface_key(const struct cbx_iface *ifc, char *buf, size_t size)
{
	snprintf(buf, size, "%s:%s", ifc->node->name, ifc->name);
	return buf;
}

struct fault_record *fault_record_load(const char *path)
{
	struct fault_record *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->json = json_load_file(path, 0, NULL);
	if (!json_is_object(r->json)) {
		json_decref(r->json);
		r->json = json_object();
	}
	if (!r->json) {
		free(r);
		return NULL;
	}
	return r;
}

int fault_record_save(struct fault_record *r, const char *path, struct cbx_error *err)
{
	char tmp[PATH_MAX];

	if (!r->dirty)
		return 0;
	if (cbx_path(tmp, sizeof(tmp), err, "%s.tmp", path) < 0)
		return -1;
	if (json_dump_file(r->json, tmp, JSON_INDENT(2) | JSON_SORT_KEYS) < 0)
		return cbx_error_sys(err, errno ? errno : EIO, "write %s", tmp);
	if (rename(tmp, path) < 0)
		return cbx_error_sys(err, errno, "rename %s", tmp);
	r->dirty = false;
	return 0;
}

void fault_record_free(struct fault_record *r)
{
	if (!r)
		return;
	json_decref(r->json);
	free(r);
}

/* The record's object under `key`, made when missing. */
static json_t *object_at(struct fault_record *r, const char *key)
{
	json_t *o = json_object_get(r->json, key);

	if (!json_is_object(o)) {
		o = json_object();
		json_object_set_new(r->json, key, o);
	}
	return o;
}

/* A saved "k=v k=v" string, each pair handed to set(obj, key, value); the
 * record wrote it from settings that were valid, so none is refused. */
static void each_setting(json_t *v, void (*set)(void *obj, const char *key, const char *value),
			 void *obj)
{
	cleanup_free char *text = NULL;
	char *save = NULL;

	if (!json_is_string(v) || !(text = strdup(json_string_value(v))))
		return;
	for (char *kv = strtok_r(text, " ", &save); kv; kv = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(kv, '=');
		if (eq) {
			*eq = '\0';
			set(obj, kv, eq + 1);
		}
	}
}

static void set_impair(void *im, const char *key, const char *value)
{
	const char *why;

	cbx_impair_set(im, key, value, &why);
}

static void set_io_max(void *io, const char *key, const char *value)
{
	const char *why;

	lab_io_max_set(io, key, value, &why);
}

void fault_record_impair_get(const struct fault_record *r, const struct cbx_iface *ifc,
			     struct cbx_impair *im)
{
	char key[96];

	memset(im, 0, sizeof(*im));
	each_setting(json_object_get(json_object_get(r->json, "impairments"),
				     iface_key(ifc, key, sizeof(key))),
		     set_impair, im);
}

void fault_record_impair_set(struct fault_record *r, const struct cbx_iface *ifc,
			     const struct cbx_impair *im)
{
	json_t *all = object_at(r, "impairments");
	char key[96], text[256];

	iface_key(ifc, key, sizeof(key));
	if (!cbx_impair_is_set(im)) {
		json_object_del(all, key);
	} else {
		cbx_impair_format(im, text, sizeof(text));
		json_object_set_new(all, key, json_string(text));
	}
	r->dirty = true;
}

int fault_record_impairments(const struct fault_record *r, struct lab_impairment **out, size_t *n,
			     struct cbx_error *err)
{
	json_t *all = json_object_get(r->json, "impairments"), *v;
	const char *key;

	*n = 0;
	*out = calloc(json_object_size(all) + 1, sizeof(**out));
	if (!*out)
		return cbx_error_sys(err, ENOMEM, "impairments");
	json_object_foreach (all, key, v) {
		struct lab_impairment *one = &(*out)[(*n)++];
		snprintf(one->iface, sizeof(one->iface), "%s", key);
		snprintf(one->text, sizeof(one->text), "%s", json_string_value(v));
	}
	return 0;
}

/* The index of ifc in the links_down list; its size when it is not there. */
static size_t link_index(json_t *down, const char *key)
{
	size_t i;
	json_t *v;

	json_array_foreach (down, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), key))
			break;
	return i;
}

bool fault_record_link_down(const struct fault_record *r, const struct cbx_iface *ifc)
{
	json_t *down = json_object_get(r->json, "links_down");
	char key[96];

	return json_is_array(down) &&
	       link_index(down, iface_key(ifc, key, sizeof(key))) < json_array_size(down);
}

void fault_record_link_set(struct fault_record *r, const struct cbx_iface *ifc, bool down)
{
	json_t *list = json_object_get(r->json, "links_down");
	char key[96];
	size_t i;

	if (!json_is_array(list)) {
		list = json_array();
		json_object_set_new(r->json, "links_down", list);
	}
	i = link_index(list, iface_key(ifc, key, sizeof(key)));
	if (!down && i < json_array_size(list))
		json_array_remove(list, i);
	else if (down && i == json_array_size(list))
		json_array_append_new(list, json_string(key));
	r->dirty = true;
}

/* The index of `key` in a list of names; its size when it is not there. */
static size_t name_index(json_t *list, const char *key)
{
	size_t i;
	json_t *v;

	json_array_foreach (list, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), key))
			break;
	return i;
}

/* "node" for its storage, "node:/dst" for its volume at /dst. */
static void disk_key(const struct cbx_node *n, const char *path, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s", n->name, path ? ":" : "", path ? path : "");
}

bool fault_record_disk_full(const struct fault_record *r, const struct cbx_node *n,
			    const char *path)
{
	json_t *full = json_object_get(r->json, "disks_full");
	char key[CBX_NODE_NAME_MAX + CBX_NODE_PATH_MAX + 2];

	disk_key(n, path, key, sizeof(key));
	return json_is_array(full) && name_index(full, key) < json_array_size(full);
}

void fault_record_disk_full_set(struct fault_record *r, const struct cbx_node *n, const char *path,
				bool full)
{
	json_t *list = json_object_get(r->json, "disks_full");
	char key[CBX_NODE_NAME_MAX + CBX_NODE_PATH_MAX + 2];
	size_t i;

	if (!json_is_array(list)) {
		list = json_array();
		json_object_set_new(r->json, "disks_full", list);
	}
	disk_key(n, path, key, sizeof(key));
	i = name_index(list, key);
	if (!full && i < json_array_size(list))
		json_array_remove(list, i);
	else if (full && i == json_array_size(list))
		json_array_append_new(list, json_string(key));
	r->dirty = true;
}

bool fault_record_clock_skew(const struct fault_record *r, const struct cbx_node *n,
			     int64_t *skew_us)
{
	json_t *v = json_object_get(json_object_get(r->json, "clock_skew"), n->name);

	if (!json_is_integer(v))
		return false;
	*skew_us = json_integer_value(v);
	return true;
}

void fault_record_clock_skew_set(struct fault_record *r, const struct cbx_node *n, int64_t skew_us)
{
	json_t *all = object_at(r, "clock_skew");

	if (skew_us == n->clock_skew_us)
		json_object_del(all, n->name);
	else
		json_object_set_new(all, n->name, json_integer(skew_us));
	r->dirty = true;
}

void fault_record_disk_slow_get(const struct fault_record *r, const struct cbx_node *n,
				struct lab_io_max *io)
{
	memset(io, 0, sizeof(*io));
	each_setting(json_object_get(json_object_get(r->json, "disks_slow"), n->name), set_io_max,
		     io);
}

void fault_record_disk_slow_set(struct fault_record *r, const struct cbx_node *n,
				const struct lab_io_max *io)
{
	json_t *all = object_at(r, "disks_slow");
	char text[256];

	if (!lab_io_max_is_set(io)) {
		json_object_del(all, n->name);
	} else {
		lab_io_max_format(io, text, sizeof(text));
		json_object_set_new(all, n->name, json_string(text));
	}
	r->dirty = true;
}

/* "+300s", "-1.5s" */
static void skew_text(int64_t us, char *buf, size_t size)
{
	uint64_t mag = us < 0 ? (uint64_t)-us : (uint64_t)us;

	if (mag % 1000000 == 0)
		snprintf(buf, size, "%c%" PRIu64 "s", us < 0 ? '-' : '+', mag / 1000000);
	else
		snprintf(buf, size, "%c%" PRIu64 "us", us < 0 ? '-' : '+', mag);
}

void fault_record_partition_set(struct fault_record *r, const struct cbx_topo *t,
				const struct lab_grudge *g)
{
	json_t *rec = json_object();

	for (size_t i = 0; i < t->n_nodes; i++) {
		json_t *list = json_array();
		for (size_t j = 0; j < t->n_nodes; j++)
			if (g->drops[i * g->n + j])
				json_array_append_new(list, json_string(t->nodes[j].name));
		if (json_array_size(list))
			json_object_set_new(rec, t->nodes[i].name, list);
		else
			json_decref(list);
	}
	if (json_object_size(rec)) {
		json_object_set_new(r->json, "partition", rec);
	} else {
		json_decref(rec);
		json_object_del(r->json, "partition");
	}
	r->dirty = true;
}

void fault_record_partition_get(const struct fault_record *r, const struct cbx_topo *t,
				struct lab_grudge *g)
{
	json_t *p = json_object_get(r->json, "partition"), *list, *v;
	const char *key;
	size_t k;

	json_object_foreach (p, key, list) {
		const struct cbx_node *a = cbx_topo_node(t, key), *b;
		json_array_foreach (list, k, v) {
			if (a && json_is_string(v) && (b = cbx_topo_node(t, json_string_value(v))))
				g->drops[a->index * g->n + b->index] = true;
		}
	}
}

/* "c drops a,b; a drops c", cut to the buffer. */
static void partition_text(json_t *p, char *buf, size_t size)
{
	const char *key;
	size_t len = 0;
	json_t *v;

	buf[0] = '\0';
	json_object_foreach (p, key, v) {
		json_t *x;
		size_t k;
		if (len < size)
			len += (size_t)snprintf(buf + len, size - len, "%s%s drops ",
						len ? "; " : "", key);
		json_array_foreach (v, k, x)
			if (len < size)
				len += (size_t)snprintf(buf + len, size - len, "%s%s", k ? "," : "",
							json_string_value(x));
	}
}

int fault_record_summary(const struct fault_record *r, struct cbx_lines *out, struct cbx_error *err)
{
	json_t *p = json_object_get(r->json, "partition"), *v;
	const char *key;
	size_t i;
	int rc = 0;

	json_object_foreach (json_object_get(r->json, "impairments"), key, v)
		rc |= cbx_lines_add(out, "impair %s: %s", key, json_string_value(v));
	if (json_is_object(p) && json_object_size(p)) {
		char buf[2048];
		partition_text(p, buf, sizeof(buf));
		rc |= cbx_lines_add(out, "partition: %s", buf);
	}
	json_array_foreach (json_object_get(r->json, "links_down"), i, v)
		rc |= cbx_lines_add(out, "link down: %s", json_string_value(v));
	json_array_foreach (json_object_get(r->json, "disks_full"), i, v)
		rc |= cbx_lines_add(out, "disk full: %s", json_string_value(v));
	json_object_foreach (json_object_get(r->json, "clock_skew"), key, v) {
		char text[32];
		skew_text(json_integer_value(v), text, sizeof(text));
		rc |= cbx_lines_add(out, "clock skew: %s %s", key, text);
	}
	json_object_foreach (json_object_get(r->json, "disks_slow"), key, v)
		rc |= cbx_lines_add(out, "disk slow: %s: %s", key, json_string_value(v));
	return rc < 0 ? cbx_error_sys(err, ENOMEM, "faults in force") : 0;
}

struct lab_in_force *fault_in_force_add(struct lab_in_force_list *l, enum lab_in_force_kind kind,
					const char *node, const char *iface)
{
	struct lab_in_force *grown = realloc(l->v, (l->n + 1) * sizeof(*l->v)), *e;

	if (!grown)
		return NULL;
	l->v = grown;
	e = &l->v[l->n];
	*e = (struct lab_in_force){ .kind = kind, .node = strdup(node) };
	if (iface)
		e->iface = strdup(iface);
	if (!e->node || (iface && !e->iface)) {
		free(e->node);
		free(e->iface);
		return NULL;
	}
	l->n++;
	return e;
}

void fault_in_force_free(struct lab_in_force_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].node);
		free(l->v[i].iface);
		cbx_lines_free(&l->v[i].items);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* "node:iface" as its two names; false when it is not that. */
static bool split_iface_key(const char *key, char *node, size_t size, const char **iface)
{
	const char *colon = strchr(key, ':');

	if (!colon || (size_t)(colon - key) >= size)
		return false;
	memcpy(node, key, (size_t)(colon - key));
	node[colon - key] = '\0';
	*iface = colon + 1;
	return true;
}

int fault_record_in_force(const struct fault_record *r, struct lab_in_force_list *out,
			  struct cbx_error *err)
{
	json_t *v, *x;
	const char *key, *iface;
	char node[96];
	size_t i, k;
	int rc = 0;

	json_object_foreach (json_object_get(r->json, "impairments"), key, v) {
		cleanup_free char *text = json_is_string(v) ? strdup(json_string_value(v)) : NULL;
		struct lab_in_force *e;
		char *save = NULL;
		if (!text || !split_iface_key(key, node, sizeof(node), &iface))
			continue;
		if (!(e = fault_in_force_add(out, LAB_IN_FORCE_IMPAIR, node, iface)))
			goto oom;
		for (char *kv = strtok_r(text, " ", &save); kv; kv = strtok_r(NULL, " ", &save))
			rc |= cbx_lines_add(&e->items, "%s", kv);
	}
	json_object_foreach (json_object_get(r->json, "partition"), key, v) {
		struct lab_in_force *e = fault_in_force_add(out, LAB_IN_FORCE_PARTITION, key, NULL);
		if (!e)
			goto oom;
		json_array_foreach (v, k, x)
			if (json_is_string(x))
				rc |= cbx_lines_add(&e->items, "%s", json_string_value(x));
	}
	json_array_foreach (json_object_get(r->json, "links_down"), i, v) {
		if (!json_is_string(v) ||
		    !split_iface_key(json_string_value(v), node, sizeof(node), &iface))
			continue;
		if (!fault_in_force_add(out, LAB_IN_FORCE_LINK_DOWN, node, iface))
			goto oom;
	}
	json_array_foreach (json_object_get(r->json, "disks_full"), i, v) {
		/* "node", or "node:/dst" for a volume (node names hold no ':'). */
		const char *disk = json_is_string(v) ? json_string_value(v) : NULL;
		const char *colon = disk ? strchr(disk, ':') : NULL;
		struct lab_in_force *e;
		if (!disk || (size_t)(colon ? colon - disk : 0) >= sizeof(node))
			continue;
		if (colon)
			snprintf(node, sizeof(node), "%.*s", (int)(colon - disk), disk);
		if (!(e = fault_in_force_add(out, LAB_IN_FORCE_DISK_FULL, colon ? node : disk,
					     NULL)))
			goto oom;
		if (colon)
			rc |= cbx_lines_add(&e->items, "%s", colon + 1);
	}
	json_object_foreach (json_object_get(r->json, "clock_skew"), key, v) {
		struct lab_in_force *e =
			fault_in_force_add(out, LAB_IN_FORCE_CLOCK_SKEW, key, NULL);
		char text[32];
		if (!e)
			goto oom;
		skew_text(json_integer_value(v), text, sizeof(text));
		rc |= cbx_lines_add(&e->items, "%s", text);
	}
	json_object_foreach (json_object_get(r->json, "disks_slow"), key, v) {
		cleanup_free char *text = json_is_string(v) ? strdup(json_string_value(v)) : NULL;
		struct lab_in_force *e;
		char *save = NULL;
		if (!text)
			continue;
		if (!(e = fault_in_force_add(out, LAB_IN_FORCE_DISK_SLOW, key, NULL)))
			goto oom;
		for (char *kv = strtok_r(text, " ", &save); kv; kv = strtok_r(NULL, " ", &save))
			rc |= cbx_lines_add(&e->items, "%s", kv);
	}
	if (rc == 0)
		return 0;
oom:
	return cbx_error_sys(err, ENOMEM, "faults in force");
}

int fault_record_initial(const struct lab_ctx *ctx, struct cbx_error *err)
{
	struct fault_record r = { .json = json_object(), .dirty = true };
	char path[PATH_MAX];
	int rc;

	if (!r.json)
		return cbx_error_sys(err, ENOMEM, "the fault record");
	/* An empty "impairments" all the same: `impair show` reads it. */
	object_at(&r, "impairments");
	for (size_t i = 0; i < ctx->t->n_ifaces; i++)
		if (cbx_impair_is_set(&ctx->t->ifaces[i].impair))
			fault_record_impair_set(&r, &ctx->t->ifaces[i], &ctx->t->ifaces[i].impair);
	rc = cbx_path(path, sizeof(path), err, "%s/faults.json", ctx->state_dir);
	if (rc == 0)
		rc = fault_record_save(&r, path, err);
	json_decref(r.json);
	return rc;
}
