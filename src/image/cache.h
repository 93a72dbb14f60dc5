/* The image cache: every layer cboxlab has unpacked, once, by digest.
 *
 *   <root>/layers/<hex>   a layer, ready to be an overlay lower layer
 *   <root>/info/<hex>     its size in bytes (for `cboxlab images`)
 *   <root>/files/<key>    the digest of a rootfs tarball, by its path and
 *                         stat (so that an `up` does not read it whole)
 *   <root>/tmp/           layers being unpacked: renamed into layers/ once
 *                         whole and checked, so a crash or a bad archive
 *                         leaves nothing half-unpacked where `up` looks
 *   <root>/lock           flock: exclusive to unpack or prune, shared by an
 *                         `up` between unpacking and recording its use
 *
 * The root is root's alone (0700): a layer keeps its setuid files, which
 * no other user of the host may reach. Layers are never written once in
 * place; the nodes' overlays only read them. */
#ifndef CBX_IMAGE_CACHE_H
#define CBX_IMAGE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "image/sha256.h"

/* An unpacked layer larger than this, or with more entries, is refused as
 * a bomb ($CBOXLAB_LAYER_MAX overrides the size: "500M"). */
#define CBX_LAYER_MAX_BYTES (32ull << 30)
#define CBX_LAYER_MAX_ENTRIES 2000000

struct cbx_image_cache {
	char root[256];
	int lock_fd;
	uint64_t layer_max; /* bytes */
};

/* Make the cache's folders when missing and take its lock. */
int cbx_cache_open(struct cbx_image_cache *c, const char *root, bool exclusive,
		   struct cbx_error *err);
/* Exclusive to shared: unpacking is done, the layers must stay. */
void cbx_cache_share(struct cbx_image_cache *c);
void cbx_cache_close(struct cbx_image_cache *c);

/* <root>/layers/<hex>; -1 when it does not fit. */
int cbx_cache_layer_path(const struct cbx_image_cache *c, const char *hex, char *buf, size_t size);
bool cbx_cache_has_layer(const struct cbx_image_cache *c, const char *hex);

/* Where a layer's bytes come from: a file, or a member of an archive. */
typedef long (*cbx_blob_read_fn)(void *arg, void *buf, size_t size);

/* Unpack the layer tar (compressed or not) that `read` gives into the
 * cache, unless there already. `hex`: the sha256 its bytes must have;
 * NULL: named by the sha256 they have, which goes to got_hex. `what`
 * names the layer in errors ("oci:/x layer 2 (sha256:...)"). Refused,
 * with nothing left: a digest mismatch, a corrupt archive, an entry that
 * would land outside the layer, a layer past the bounds. */
int cbx_layer_unpack(struct cbx_image_cache *c, cbx_blob_read_fn read, void *arg, const char *hex,
		     const char *what, char got_hex[CBX_SHA256_HEX_LEN + 1], struct cbx_error *err);

#endif
