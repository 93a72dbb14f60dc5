/* An image as a node's base: its layers, unpacked into the cache, and the
 * defaults its config gives the node. */
#ifndef CBX_IMAGE_H
#define CBX_IMAGE_H

#include <stddef.h>

#include "common/arena.h"
#include "common/error.h"
#include "image/cache.h"
#include "topo/topo.h"

struct cbx_image {
	char (*layers)[CBX_SHA256_HEX_LEN + 1]; /* in the cache, the bottom one first */
	size_t n_layers;
	char **env; /* "KEY=VALUE", n_env of them */
	size_t n_env;
	char **cmd;    /* Entrypoint then Cmd, NULL-terminated; NULL: none */
	char *workdir; /* NULL: none */
	char *user;    /* "uid[:gid]" or names; NULL: none */
};

/* Read the image `path` (and tag) of `kind` names, check it against its
 * digests and unpack the layers the cache lacks (the cache opened
 * exclusive). In errors: the image, the file, the layer. */
int cbx_image_load(struct cbx_image_cache *c, enum cbx_base_kind kind, const char *path,
		   const char *tag, struct cbx_arena *a, struct cbx_image *out,
		   struct cbx_error *err);

#endif
