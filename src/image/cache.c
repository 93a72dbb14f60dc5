#include "image/cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "topo/topo.h"

static void sweep_tmp(const struct cbx_image_cache *c)
{
	char path[sizeof(c->root) + 300];
	struct cbx_error none;
	struct dirent *de;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/tmp", c->root);
	if (!(dir = opendir(path)))
		return;
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.' || (de->d_name[1] && strcmp(de->d_name, "..")))
			if (snprintf(path, sizeof(path), "%s/tmp/%s", c->root, de->d_name) <
			    (int)sizeof(path))
				cbx_rm_rf(path, &none);
	closedir(dir);
}

int cbx_cache_open(struct cbx_image_cache *c, const char *root, bool exclusive,
		   struct cbx_error *err)
{
	static const char *const dirs[] = { "layers", "info", "files", "tmp" };
	const char *max = getenv("CBOXLAB_LAYER_MAX"), *why;
	char path[sizeof(c->root) + 16];

	c->lock_fd = -1;
	c->layer_max = CBX_LAYER_MAX_BYTES;
	if (max && *max && !cbx_parse_size(max, &c->layer_max, &why))
		return cbx_error_set(err, CBX_ERR_INPUT, "CBOXLAB_LAYER_MAX \"%.32s\": %s", max,
				     why);
	if (cbx_path(c->root, sizeof(c->root), err, "%s", root) < 0)
		return cbx_error_wrap(err, "image cache");
	if (cbx_mkdir_p(root, 0700, err) < 0)
		return cbx_error_wrap(err, "image cache");
	/* mkdir -p honours the umask, and an existing root may be anyone's. */
	if (chmod(root, 0700) < 0)
		return cbx_error_sys(err, errno, "image cache: chmod %s", root);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
		if (cbx_mkdir(path, 0700, err) < 0)
			return cbx_error_wrap(err, "image cache");
	}
	snprintf(path, sizeof(path), "%s/lock", root);
	c->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (c->lock_fd < 0)
		return cbx_error_sys(err, errno, "image cache: open %s", path);
	while (flock(c->lock_fd, exclusive ? LOCK_EX : LOCK_SH) < 0)
		if (errno != EINTR) {
			int e = errno;
			close(c->lock_fd);
			c->lock_fd = -1;
			return cbx_error_sys(err, e, "image cache: lock %s", path);
		}
	/* Alone in the cache: what tmp/ holds, an unpacking that crashed
	 * (was killed) left. */
	if (exclusive)
		sweep_tmp(c);
	return 0;
}

void cbx_cache_share(struct cbx_image_cache *c)
{
	if (c->lock_fd >= 0)
		flock(c->lock_fd, LOCK_SH);
}

void cbx_cache_close(struct cbx_image_cache *c)
{
	if (c->lock_fd >= 0)
		close(c->lock_fd);
	c->lock_fd = -1;
}

int cbx_cache_layer_path(const struct cbx_image_cache *c, const char *hex, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/layers/%s", c->root, hex);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

bool cbx_cache_has_layer(const struct cbx_image_cache *c, const char *hex)
{
	char path[512];
	struct stat st;

	return cbx_cache_layer_path(c, hex, path, sizeof(path)) == 0 && stat(path, &st) == 0 &&
	       S_ISDIR(st.st_mode);
}
