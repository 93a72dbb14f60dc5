/* The pure part of reading an image: digests as manifests write them, and
 * what a layer's entry is once its path is cleaned (a file, or one of the
 * OCI whiteouts overlayfs has its own form for). */
#ifndef CBX_LAYER_PATH_H
#define CBX_LAYER_PATH_H

#include <stddef.h>

#include "image/sha256.h"

/* "sha256:<64 lowercase hex digits>" into hex; 0, or -1 with why. Other
 * algorithms are refused by name (cboxlab checks sha256 only). */
int cbx_digest_parse(const char *s, char hex[CBX_SHA256_HEX_LEN + 1], const char **why);

enum cbx_entry_kind {
	CBX_ENTRY_PLAIN,    /* unpacked as it is */
	CBX_ENTRY_WHITEOUT, /* ".wh.NAME": NAME of a lower layer is deleted */
	CBX_ENTRY_OPAQUE,   /* ".wh..wh..opq": the folder hides the lower layers' */
	CBX_ENTRY_SKIP,     /* the other ".wh..wh." names: the layer tool's own */
};

struct cbx_entry_path {
	enum cbx_entry_kind kind;
	size_t dir_len;   /* the parent folder's part of path ("" at the top: 0) */
	const char *name; /* WHITEOUT: the deleted entry's name, in path */
};

/* Clean an entry's path in place ("./a//b/" -> "a/b"; the top is ".") and
 * say what the entry is. Refused (-1, why): an absolute path, a ".."
 * component, an empty one, a whiteout of nothing ("." or ".."). */
int cbx_entry_path_parse(char *path, struct cbx_entry_path *out, const char **why);

#endif
