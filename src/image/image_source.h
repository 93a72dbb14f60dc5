/* Where an image's files are: a folder (an OCI layout) or an archive of
 * one (oci-archive, docker-archive). Internal to src/image. */
#ifndef CBX_IMAGE_SOURCE_H
#define CBX_IMAGE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "image/archive_dl.h"
#include "image/sha256.h"

struct image_source {
	const char *path;  /* the folder or the archive */
	const char *shown; /* "oci:/x:tag": how errors name the image */
	bool archive;
	const struct cbx_archive_lib *ar;
	struct archive *a; /* the archive, at the member being read */
	int fd;            /* the folder's file, or the archive, being read */
};

/* Open member `name` ("index.json", "blobs/sha256/<hex>") for cbx_src_read. */
int cbx_src_open(struct image_source *s, const char *name, struct cbx_error *err);
long cbx_src_read(void *s, void *buf, size_t size);
void cbx_src_close(struct image_source *s);
/* A small member whole (a manifest, a config: at most 4 MiB), checked
 * against hex when given; NUL-terminated, malloc'd. */
int cbx_src_read_small(struct image_source *s, const char *name, const char *hex, char **out,
		       size_t *len, struct cbx_error *err);

#endif
