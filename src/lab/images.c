/* Image nodes' bases at `up` (lab_ctx.h): loaded once per distinct image,
 * before anything of the lab is made, and recorded in the lab's state for
 * `cboxlab images` and `images prune`. A lab without images never gets
 * here past one look at its nodes' kinds. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/fsutil.h"
#include "lab/lab_ctx.h"

/* The file in a lab's state that lists the layers it uses, a line each:
 * "<hex> <image>". */
#define LAB_IMAGES_FILE "images"

static bool same_base(const struct cbx_node *a, const struct cbx_node *b)
{
	return a->base == b->base && !strcmp(a->base_dir, b->base_dir) &&
	       !strcmp(a->image_tag ? a->image_tag : "", b->image_tag ? b->image_tag : "");
}

static int make_lowers(struct lab_ctx *ctx, struct lab_node_image *ni, struct cbx_error *err)
{
	char *p;
	size_t len = 0, room = CBX_NODE_LOWERS_MAX;

	ni->lowers = p = cbx_arena_alloc(ctx->arena, room);
	if (!p)
		return cbx_error_sys(err, ENOMEM, "%s", ni->shown);
	/* overlayfs takes the top layer first. */
	for (size_t i = ni->img.n_layers; i-- > 0;) {
		char path[512];
		if (cbx_cache_layer_path(&ctx->cache, ni->img.layers[i], path, sizeof(path)) < 0 ||
		    len + strlen(path) + 2 > room)
			return cbx_error_set(err, CBX_ERR_INPUT,
					     "%s: its %zu layers' paths in the cache (%s) do not fit the overlay's options (%d bytes)",
					     ni->shown, ni->img.n_layers, ctx->cache.root,
					     CBX_NODE_LOWERS_MAX);
		len += (size_t)snprintf(p + len, room - len, "%s%s", len ? ":" : "", path);
	}
	return 0;
}

static int prepare_node(struct lab_ctx *ctx, size_t i, struct cbx_error *err)
{
	const struct cbx_node *n = &ctx->t->nodes[i];
	struct lab_node_image *ni;

	for (size_t j = 0; j < i; j++)
		if (ctx->images[j] && same_base(&ctx->t->nodes[j], n)) {
			ctx->images[i] = ctx->images[j];
			return 0;
		}
	ni = cbx_arena_alloc(ctx->arena, sizeof(*ni));
	if (!ni)
		return cbx_error_sys(err, ENOMEM, "node %s", n->name);
	ni->shown = cbx_arena_printf(ctx->arena, "%s%s%s%s",
				     cbx_base_kinds[n->base].prefix ? cbx_base_kinds[n->base].prefix
								    : "",
				     n->base_dir, n->image_tag ? ":" : "",
				     n->image_tag ? n->image_tag : "");
	if (cbx_image_load(&ctx->cache, n->base, n->base_dir, n->image_tag, ctx->arena, &ni->img,
			   err) < 0 ||
	    make_lowers(ctx, ni, err) < 0)
		return cbx_error_wrap(err, "%s.base", n->path);
	ctx->images[i] = ni;
	return 0;
}

int lab_images_prepare(struct lab_ctx *ctx, struct cbx_error *err)
{
	const struct cbx_topo *t = ctx->t;
	size_t i;

	if (ctx->images)
		return 0;
	for (i = 0; i < t->n_nodes; i++)
		if (cbx_base_kinds[t->nodes[i].base].lower == CBX_LOWER_IMAGE &&
		    cbx_node_here(t, &t->nodes[i]))
			break;
	if (i == t->n_nodes)
		return 0;
	if (cbx_cache_open(&ctx->cache, ctx->cbx->cache_root, true, err) < 0)
		return -1;
	ctx->images = cbx_arena_array(ctx->arena, t->n_nodes, sizeof(*ctx->images));
	if (!ctx->images)
		return cbx_error_sys(err, ENOMEM, "lab %s", t->name);
	for (; i < t->n_nodes; i++)
		if (cbx_base_kinds[t->nodes[i].base].lower == CBX_LOWER_IMAGE &&
		    cbx_node_here(t, &t->nodes[i]) && prepare_node(ctx, i, err) < 0) {
			ctx->images = NULL;
			return -1;
		}
	/* Unpacked: from here on `images prune` only has to wait for this
	 * `up` to record what it uses, and other `up`s may read the cache. */
	cbx_cache_share(&ctx->cache);
	return 0;
}

int lab_images_record(struct lab_ctx *ctx, struct cbx_error *err)
{
	char path[512], *text;
	size_t len = 0, cap = 1;

	if (!ctx->images)
		return 0;
	for (size_t i = 0; i < ctx->t->n_nodes; i++)
		if (ctx->images[i])
			cap += ctx->images[i]->img.n_layers *
			       (CBX_SHA256_HEX_LEN + strlen(ctx->images[i]->shown) + 2);
	text = cbx_arena_alloc(ctx->arena, cap);
	if (!text)
		return cbx_error_sys(err, ENOMEM, "lab %s", ctx->t->name);
	for (size_t i = 0; i < ctx->t->n_nodes; i++) {
		const struct lab_node_image *ni = ctx->images[i];
		bool seen = false;
		for (size_t j = 0; ni && j < i; j++)
			seen |= ctx->images[j] == ni;
		for (size_t k = 0; ni && !seen && k < ni->img.n_layers; k++)
			len += (size_t)snprintf(text + len, cap - len, "%s %s\n", ni->img.layers[k],
						ni->shown);
	}
	snprintf(path, sizeof(path), "%s/" LAB_IMAGES_FILE, ctx->state_dir);
	return cbx_create_file(path, 0600, text, len, err);
}

const struct cbx_image *lab_node_image(const struct lab_ctx *ctx, const struct cbx_node *n)
{
	return ctx->images && ctx->images[n->index] ? &ctx->images[n->index]->img : NULL;
}
