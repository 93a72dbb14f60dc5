/* How a node runs a daemon: "restart" (what init does when its startup
 * command ends), "ready" (when `up` may return) and "storage" (where its
 * writable layer lives). From "defaults" or the node itself, like the other
 * node settings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topo/parser.h"

static const char *const ready_keys[] = { "cmd", "tcp", "timeout", NULL };

const char *const cbx_restart_names[CBX_RESTART_MAX] = {
	[CBX_RESTART_NO] = "no",
	[CBX_RESTART_ON_FAILURE] = "on-failure",
	[CBX_RESTART_ALWAYS] = "always",
};

static int parse_restart(struct parser *p, struct cbx_node *n, json_t *v, const char *path)
{
	if (topo_expect_string(p, v, path) < 0)
		return -1;
	for (int i = 0; i < CBX_RESTART_MAX; i++)
		if (!strcmp(json_string_value(v), cbx_restart_names[i])) {
			n->restart = (enum cbx_restart)i;
			return 0;
		}
	return topo_fail(p, path,
			 "unknown restart policy \"%s\" (\"no\", \"on-failure\" or \"always\")",
			 topo_shown(p, json_string_value(v)));
}

/* "tcp:PORT" */
static int parse_ready_tcp(struct parser *p, struct cbx_ready *r, const char *s, const char *path)
{
	const char *why;

	if (strncmp(s, "tcp:", 4))
		return topo_fail(p, path,
				 "expected \"tcp:PORT\" or {\"cmd\": \"...\", \"timeout\": \"30s\"}, got \"%s\"",
				 topo_shown(p, s));
	if (!cbx_parse_port(s + 4, &r->port, &why))
		return topo_fail(p, path, "\"%s\": %s", topo_shown(p, s), why);
	r->kind = CBX_READY_TCP;
	return 0;
}

static int parse_ready_timeout(struct parser *p, struct cbx_ready *r, json_t *v, const char *path)
{
	const char *text, *why = "";
	uint64_t us = 0;

	if (topo_expect_string(p, v, path) < 0)
		return -1;
	text = json_string_value(v);
	if (!cbx_parse_duration_us(text, &us, &why) || us < 1000 ||
	    us > (uint64_t)CBX_READY_TIMEOUT_MAX_MS * 1000)
		return topo_fail(p, path, "\"%s\": %s", topo_shown(p, text),
				 *why ? why : "a timeout is from 1ms to an hour (\"3600s\")");
	r->timeout_ms = us / 1000;
	return 0;
}

/* "ready": {"cmd": "...", "timeout": "30s"} or {"tcp": PORT, "timeout": ...}. */
static int parse_ready_object(struct parser *p, struct cbx_ready *r, json_t *v, const char *path)
{
	json_t *cmd = json_object_get(v, "cmd"), *tcp = json_object_get(v, "tcp");
	uint64_t port;

	if (topo_check_keys(p, v, path, ready_keys) < 0)
		return -1;
	if (!cmd == !tcp)
		return topo_fail(p, path,
				 "a ready check has a \"cmd\" or a \"tcp\" port (one of them)");
	if (tcp) {
		if (topo_expect_uint(p, tcp, topo_path_key(p, path, "tcp"), 1, 65535, &port) < 0)
			return -1;
		r->kind = CBX_READY_TCP;
		r->port = (uint16_t)port;
		return 0;
	}
	if (topo_expect_string(p, cmd, topo_path_key(p, path, "cmd")) < 0)
		return -1;
	if (!*json_string_value(cmd))
		return topo_fail(p, topo_path_key(p, path, "cmd"), "the command is empty");
	if (strlen(json_string_value(cmd)) + 1 > CBX_EXEC_STRING_MAX)
		return topo_fail(p, topo_path_key(p, path, "cmd"),
				 "the command is %zu bytes; the kernel takes at most %u (128 KiB) per argument",
				 strlen(json_string_value(cmd)), CBX_EXEC_STRING_MAX - 1);
	r->kind = CBX_READY_CMD;
	r->cmd = cbx_arena_strdup(p->a, json_string_value(cmd));
	return r->cmd ? 0 : topo_oom(p);
}

/* "ready": "tcp:PORT", or an object (parse_ready_object). */
static int parse_ready(struct parser *p, struct cbx_node *n, json_t *v, const char *path)
{
	struct cbx_ready r = { .timeout_ms = CBX_READY_TIMEOUT_DEFAULT_MS };
	json_t *x;

	if (json_is_string(v)) {
		if (parse_ready_tcp(p, &r, json_string_value(v), path) < 0)
			return -1;
		n->ready = r;
		return 0;
	}
	if (!json_is_object(v))
		return topo_fail(p, path,
				 "expected \"tcp:PORT\" or {\"cmd\": \"...\", \"timeout\": \"30s\"}");
	if (parse_ready_object(p, &r, v, path) < 0)
		return -1;
	if ((x = json_object_get(v, "timeout")) &&
	    parse_ready_timeout(p, &r, x, topo_path_key(p, path, "timeout")) < 0)
		return -1;
	n->ready = r;
	return 0;
}

/* "storage": "memory" (the lab's tmpfs) or "disk". */
static int parse_storage(struct parser *p, struct cbx_node *n, json_t *v, const char *path)
{
	if (topo_expect_string(p, v, path) < 0)
		return -1;
	if (!strcmp(json_string_value(v), "memory"))
		n->storage = CBX_STORAGE_MEMORY;
	else if (!strcmp(json_string_value(v), "disk"))
		n->storage = CBX_STORAGE_DISK;
	else
		return topo_fail(p, path, "unknown storage \"%s\" (\"memory\" or \"disk\")",
				 topo_shown(p, json_string_value(v)));
	return 0;
}

/* "storage_size": the node's writable layers in a tmpfs of their own of this
 * size, which `fill` can make full (lab/fault_disk.c). */
static int parse_storage_size(struct parser *p, struct cbx_node *n, json_t *v, const char *path)
{
	const char *why;

	if (topo_expect_string(p, v, path) < 0)
		return -1;
	if (!cbx_parse_size(json_string_value(v), &n->storage_size, &why))
		return topo_fail(p, path, "%s", why);
	if (n->storage_size < CBX_STORAGE_SIZE_MIN)
		return topo_fail(p, path, "a node's storage needs at least 1MiB");
	return 0;
}

int topo_parse_daemon_settings(struct parser *p, struct cbx_node *n, json_t *obj, const char *path)
{
	json_t *x;

	if ((x = json_object_get(obj, "storage")) &&
	    parse_storage(p, n, x, topo_path_key(p, path, "storage")) < 0)
		return -1;
	if ((x = json_object_get(obj, "storage_size")) &&
	    parse_storage_size(p, n, x, topo_path_key(p, path, "storage_size")) < 0)
		return -1;
	if ((x = json_object_get(obj, "restart")) &&
	    parse_restart(p, n, x, topo_path_key(p, path, "restart")) < 0)
		return -1;
	if ((x = json_object_get(obj, "ready")) &&
	    parse_ready(p, n, x, topo_path_key(p, path, "ready")) < 0)
		return -1;
	return 0;
}

int topo_check_daemon(struct parser *p, const struct cbx_node *n)
{
	if (n->restart != CBX_RESTART_NO && !n->cmd)
		return topo_fail(p, topo_path_key(p, n->path, "restart"),
				 "restart \"%s\" needs a startup command (\"cmd\") to restart",
				 cbx_restart_names[n->restart]);
	/* On disk, a filesystem of a fixed size would need a loop device
	 * (a global kernel object) or project quotas on the host's
	 * filesystem; a tmpfs would quietly make "disk" memory. */
	if (n->storage_size && n->storage == CBX_STORAGE_DISK)
		return topo_fail(p, topo_path_key(p, n->path, "storage_size"),
				 "storage_size is for \"storage\": \"memory\" (a tmpfs of that size); a disk of a fixed size would need a loop device, which cboxlab does not make");
	return 0;
}
