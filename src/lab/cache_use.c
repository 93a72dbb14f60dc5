/* `cboxlab images` and `images prune`: the image cache (image/cache.h)
 * beside the labs that use it, which each record the layers they use in
 * their state (lab/images.c: "<hex> <image>" lines). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "image/cache.h"
#include "lab/cboxlab.h"
#include "lab/lab_ctx.h"

static int add_unique(char ***arr, size_t *n, const char *s)
{
	char **grown;

	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*arr)[i], s))
			return 0;
	grown = realloc(*arr, (*n + 1) * sizeof(char *));
	if (!grown)
		return -1;
	*arr = grown;
	if (!(grown[*n] = strdup(s)))
		return -1;
	(*n)++;
	return 0;
}

void lab_cache_list_free(struct lab_cached_layer *l, size_t n)
{
	for (size_t i = 0; l && i < n; i++) {
		for (size_t j = 0; j < l[i].n_labs; j++)
			free(l[i].labs[j]);
		for (size_t j = 0; j < l[i].n_images; j++)
			free(l[i].images[j]);
		free(l[i].labs);
		free(l[i].images);
	}
	free(l);
}

/* Every lab's record of its layers, into the matching entries of l. */
static int mark_users(const struct cbx_ctx *cbx, struct lab_cached_layer *l, size_t n,
		      struct cbx_error *err)
{
	char **labs;
	size_t n_labs;

	if (lab_list(cbx, &labs, &n_labs, err) < 0)
		return -1;
	for (size_t i = 0; i < n_labs; i++) {
		cleanup_free char *text = NULL;
		struct cbx_error none;
		char path[512];
		size_t len;
		if (lab_state_path(cbx, labs[i], "images", path, sizeof(path)) < 0 ||
		    cbx_read_file(path, &text, &len, &none) < 0)
			continue;
		for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
			char *image = strchr(line, ' ');
			if (image)
				*image++ = '\0';
			for (size_t k = 0; k < n; k++)
				if (!strcmp(l[k].digest + 7, line) &&
				    (add_unique(&l[k].labs, &l[k].n_labs, labs[i]) < 0 ||
				     (image &&
				      add_unique(&l[k].images, &l[k].n_images, image) < 0))) {
					lab_list_free(labs, n_labs);
					return cbx_error_sys(err, ENOMEM, "image cache");
				}
		}
	}
	lab_list_free(labs, n_labs);
	return 0;
}

static int cmp_layers(const void *a, const void *b)
{
	return strcmp(((const struct lab_cached_layer *)a)->digest,
		      ((const struct lab_cached_layer *)b)->digest);
}

int lab_cache_list(const struct cbx_ctx *cbx, struct lab_cached_layer **out, size_t *n,
		   struct cbx_error *err)
{
	char path[512];
	cleanup_closedir DIR *dir = NULL;
	struct lab_cached_layer *l = NULL;
	struct dirent *de;

	*out = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/layers", cbx->cache_root);
	if (!(dir = opendir(path)))
		return errno == ENOENT ? 0 : cbx_error_sys(err, errno, "open %s", path);
	while ((de = readdir(dir))) {
		cleanup_free char *size = NULL;
		struct cbx_error none;
		struct lab_cached_layer *grown;
		size_t len;
		if (strlen(de->d_name) != CBX_SHA256_HEX_LEN)
			continue;
		grown = realloc(l, (*n + 1) * sizeof(*l));
		if (!grown) {
			lab_cache_list_free(l, *n);
			return cbx_error_sys(err, ENOMEM, "image cache");
		}
		l = grown;
		memset(&l[*n], 0, sizeof(l[*n]));
		snprintf(l[*n].digest, sizeof(l[*n].digest), "sha256:%s", de->d_name);
		snprintf(path, sizeof(path), "%s/info/%s", cbx->cache_root, de->d_name);
		if (cbx_read_file(path, &size, &len, &none) == 0)
			l[*n].bytes = strtoull(size, NULL, 10);
		(*n)++;
	}
	if (*n)
		qsort(l, *n, sizeof(*l), cmp_layers);
	if (mark_users(cbx, l, *n, err) < 0) {
		lab_cache_list_free(l, *n);
		*n = 0;
		return -1;
	}
	*out = l;
	return 0;
}

/* What is in dir (tmp/, files/) goes when keep says no. */
static int sweep(const char *root, const char *sub,
		 bool (*keep)(const char *root, const char *name), struct cbx_error *err)
{
	char path[512];
	cleanup_closedir DIR *dir = NULL;
	struct dirent *de;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/%s", root, sub);
	if (!(dir = opendir(path)))
		return errno == ENOENT ? 0 : cbx_error_sys(err, errno, "open %s", path);
	while ((de = readdir(dir))) {
		struct cbx_error one;
		if (de->d_name[0] == '.' || (keep && keep(root, de->d_name)))
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s", root, sub, de->d_name);
		rc = cbx_error_keep_first(rc, err, cbx_rm_rf(path, &one), &one);
	}
	return rc;
}

/* A tarball's memo stays while the layer it names does. */
static bool memo_useful(const char *root, const char *name)
{
	cleanup_free char *hex = NULL;
	struct cbx_error none;
	char path[512];
	struct stat st;
	size_t len;

	snprintf(path, sizeof(path), "%s/files/%s", root, name);
	if (cbx_read_file(path, &hex, &len, &none) < 0 || len != CBX_SHA256_HEX_LEN)
		return false;
	snprintf(path, sizeof(path), "%s/layers/%s", root, hex);
	return stat(path, &st) == 0;
}

static bool info_useful(const char *root, const char *name)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/layers/%s", root, name);
	return stat(path, &st) == 0;
}

int lab_cache_prune(const struct cbx_ctx *cbx, size_t *removed, uint64_t *bytes, size_t *kept,
		    struct cbx_error *err)
{
	struct cbx_image_cache c = { .lock_fd = -1 };
	struct cbx_error one;
	struct lab_cached_layer *l;
	struct stat st;
	size_t n;
	int rc = 0;

	*removed = *kept = 0;
	*bytes = 0;
	if (stat(cbx->cache_root, &st) < 0)
		return errno == ENOENT ? 0 : cbx_error_sys(err, errno, "%s", cbx->cache_root);
	/* Exclusive: an `up` holds the lock until it has recorded its use. */
	if (cbx_cache_open(&c, cbx->cache_root, true, err) < 0)
		return -1;
	if (lab_cache_list(cbx, &l, &n, err) < 0) {
		cbx_cache_close(&c);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		char path[512];
		if (l[i].n_labs) {
			(*kept)++;
			continue;
		}
		/* The layer goes first: an info without its layer is ignored. */
		snprintf(path, sizeof(path), "%s/layers/%s", c.root, l[i].digest + 7);
		if (cbx_rm_rf(path, &one) < 0) {
			rc = cbx_error_keep_first(rc, err, -1, &one);
			continue;
		}
		snprintf(path, sizeof(path), "%s/info/%s", c.root, l[i].digest + 7);
		unlink(path);
		(*removed)++;
		*bytes += l[i].bytes;
	}
	lab_cache_list_free(l, n);
	rc = cbx_error_keep_first(rc, err, sweep(c.root, "tmp", NULL, &one), &one);
	rc = cbx_error_keep_first(rc, err, sweep(c.root, "files", memo_useful, &one), &one);
	rc = cbx_error_keep_first(rc, err, sweep(c.root, "info", info_useful, &one), &one);
	cbx_cache_close(&c);
	return rc;
}
