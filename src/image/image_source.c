#include "image/image_source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "image/layer_path.h"

#define SMALL_MAX (4u << 20)

void cbx_src_close(struct image_source *s)
{
	if (s->a)
		s->ar->archive_read_free(s->a);
	s->a = NULL;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

/* The archive from its start, to the member `name`. */
static int archive_seek(struct image_source *s, const char *name, struct cbx_error *err)
{
	const struct cbx_archive_lib *ar = s->ar;
	struct archive_entry *e;
	int r;

	s->fd = open(s->path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0)
		return cbx_error_errno(err, CBX_ERR_INPUT, errno, "%s: open %s", s->shown, s->path);
	s->a = ar->archive_read_new();
	if (!s->a)
		return cbx_error_sys(err, ENOMEM, "%s", s->shown);
	ar->archive_read_support_filter_all(s->a);
	ar->archive_read_support_format_tar(s->a);
	if (ar->archive_read_open_fd(s->a, s->fd, 64 << 10) != ARCHIVE_OK)
		return cbx_error_set(err, CBX_ERR_INPUT, "%s: %s is not an archive: %s", s->shown,
				     s->path, ar->archive_error_string(s->a));
	while ((r = ar->archive_read_next_header(s->a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		const char *p = ar->archive_entry_pathname(e), *why;
		cleanup_free char *clean = strdup(p ? p : "");
		struct cbx_entry_path ep;
		if (!clean)
			return cbx_error_sys(err, ENOMEM, "%s", s->shown);
		if (cbx_entry_path_parse(clean, &ep, &why) == 0 && !strcmp(clean, name) &&
		    ar->archive_entry_filetype(e) == AE_IFREG)
			return 0;
	}
	if (r != ARCHIVE_EOF)
		return cbx_error_set(err, CBX_ERR_INPUT, "%s: corrupt archive %s: %s", s->shown,
				     s->path, ar->archive_error_string(s->a));
	return cbx_error_set(err, CBX_ERR_INPUT, "%s: %s has no %s", s->shown, s->path, name);
}

int cbx_src_open(struct image_source *s, const char *name, struct cbx_error *err)
{
	char path[4096];

	cbx_src_close(s);
	if (s->archive) {
		if (archive_seek(s, name, err) < 0) {
			cbx_src_close(s);
			return -1;
		}
		return 0;
	}
	if (cbx_path(path, sizeof(path), err, "%s/%s", s->path, name) < 0)
		return -1;
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0)
		return cbx_error_errno(err, CBX_ERR_INPUT, errno, "%s: open %s", s->shown, path);
	return 0;
}

long cbx_src_read(void *arg, void *buf, size_t size)
{
	struct image_source *s = arg;
	ssize_t n;

	if (s->archive)
		return (long)s->ar->archive_read_data(s->a, buf, size);
	do
		n = read(s->fd, buf, size);
	while (n < 0 && errno == EINTR);
	return (long)n;
}

int cbx_src_read_small(struct image_source *s, const char *name, const char *hex, char **out,
		       size_t *len, struct cbx_error *err)
{
	cleanup_free char *buf = malloc(SMALL_MAX + 1);
	struct cbx_sha256 sha;
	char sum[CBX_SHA256_HEX_LEN + 1];
	size_t n = 0;
	long r = 0;

	if (!buf)
		return cbx_error_sys(err, ENOMEM, "%s", s->shown);
	if (cbx_src_open(s, name, err) < 0)
		return -1;
	while (n <= SMALL_MAX && (r = cbx_src_read(s, buf + n, SMALL_MAX + 1 - n)) > 0)
		n += (size_t)r;
	cbx_src_close(s);
	if (r < 0)
		return cbx_error_set(err, CBX_ERR_INPUT, "%s: read %s: %s", s->shown, name,
				     s->archive ? "corrupt archive" : strerror(errno));
	if (n > SMALL_MAX)
		return cbx_error_set(err, CBX_ERR_INPUT, "%s: %s is larger than %u bytes", s->shown,
				     name, SMALL_MAX);
	if (hex) {
		cbx_sha256_init(&sha);
		cbx_sha256_update(&sha, buf, n);
		cbx_sha256_hex(&sha, sum);
		if (strcmp(sum, hex))
			return cbx_error_set(err, CBX_ERR_INPUT,
					     "%s: %s: digest mismatch: its content is sha256:%s",
					     s->shown, name, sum);
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
	return 0;
}
