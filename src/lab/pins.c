#include "lab/pins.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/strmap.h"
#include "runtime/netns.h"

/* One line per node: "<node> <major>:<minor> <inode>", appended: each kind
 * of node records its own (lab/steps_node.c). */
int lab_pins_record(struct lab_ctx *ctx, const struct cbx_node *const *nodes, size_t n,
		    struct cbx_error *err)
{
	size_t cap = n * (CBX_NODE_NAME_MAX + 48) + 1, len = 0;
	cleanup_free char *text = malloc(cap);
	char path[512];
	int rc;

	if (!text)
		return cbx_error_sys(err, ENOMEM, "record the netns pins");
	for (size_t i = 0; i < n; i++) {
		const struct node_rt *rt = &ctx->nodes[nodes[i]->index];
		char ns[64];
		struct stat st;

		snprintf(ns, sizeof(ns), rt->proc.pid > 0 ? "/proc/%d/ns/net" : "/proc/self/fd/%d",
			 rt->proc.pid > 0 ? (int)rt->proc.pid : rt->netns_fd);
		if (stat(ns, &st) < 0)
			return cbx_error_sys(err, errno, "node %s: stat its netns %s",
					     nodes[i]->name, ns);
		len += (size_t)snprintf(text + len, cap - len, "%s %u:%u %llu\n", nodes[i]->name,
					major(st.st_dev), minor(st.st_dev),
					(unsigned long long)st.st_ino);
	}
	snprintf(path, sizeof(path), "%s/pins", ctx->state_dir);
	/* The first kind's record of this `up` replaces any before. */
	rc = cbx_append_file(path, 0644, text, len, !ctx->pins_begun, err);
	ctx->pins_begun = rc == 0;
	return rc;
}

/* The record, read once per `down`, and indexed by node: looking each node
 * up by a walk of the whole text made a `down` quadratic (a second of CPU
 * at 5000 nodes). Each line is cut in place into its name and the rest. */
static const char *record(struct lab_ctx *ctx)
{
	char path[512];
	struct cbx_error err;

	if (!ctx->pins_loaded) {
		ctx->pins_loaded = true;
		cbx_strmap_init(&ctx->pins);
		snprintf(path, sizeof(path), "%s/pins", ctx->state_dir);
		if (cbx_read_file(path, &ctx->pins_text, NULL, &err) < 0)
			ctx->pins_text = NULL;
		for (char *line = ctx->pins_text, *next; line && *line; line = next) {
			char *sp;

			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			/* The first line of a name wins, as the walk did. */
			if ((sp = strchr(line, ' '))) {
				*sp = '\0';
				cbx_strmap_put(&ctx->pins, line, sp + 1, NULL);
			}
			if (!next)
				break;
		}
	}
	return ctx->pins_text;
}

bool lab_pins_recorded(struct lab_ctx *ctx)
{
	return record(ctx) != NULL;
}

bool lab_pin_is_ours(struct lab_ctx *ctx, const struct cbx_node *node, const char *pin)
{
	const char *ids;
	unsigned maj, min;
	unsigned long long ino;
	struct stat st, dir;

	if (!record(ctx) || !(ids = cbx_strmap_get(&ctx->pins, node->name)))
		return false;
	if (sscanf(ids, "%u:%u %llu", &maj, &min, &ino) != 3 || lstat(pin, &st) < 0)
		return false;
	/* The node's namespace, pinned. */
	if (st.st_dev == makedev(maj, min) && st.st_ino == ino)
		return true;
	/* Or the empty file that was to be its pin, not mounted yet. */
	return S_ISREG(st.st_mode) && st.st_size == 0 && stat(CBX_NETNS_DIR, &dir) == 0 &&
	       st.st_dev == dir.st_dev;
}

bool lab_pin_to_remove(struct lab_ctx *ctx, const struct cbx_node *node, const char *pin)
{
	return ctx->nodes[node->index].pinned || (ctx->teardown && lab_pin_is_ours(ctx, node, pin));
}
