/* Unpacking one layer into the cache (cache.h), safely.
 *
 * libarchive writes the entries relative to our working directory, set to
 * a fresh folder of the cache's tmp/ for the while, with its checks on
 * (ARCHIVE_EXTRACT_SECURE_*: no "..", no absolute paths, no extraction
 * through a symlink, which ARCHIVE_EXTRACT_UNLINK replaces instead). Before
 * it, each entry's path is cleaned and checked here too, hard links must
 * point at an entry already in the layer, device nodes are dropped (the
 * nodes' /dev has its own; an overlay is nodev anyway), and xattrs other
 * than user.* and security.capability are dropped (trusted.overlay.* would
 * steer overlayfs). The OCI whiteouts become overlayfs's: ".wh.NAME" a
 * 0/0 character device NAME, ".wh..wh..opq" the folder's
 * trusted.overlay.opaque=y, made through descriptors opened with
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "image/archive_dl.h"
#include "image/cache.h"
#include "image/layer_path.h"

#define READ_BLOCK (128 << 10)

struct hashing_reader {
	cbx_blob_read_fn read;
	void *arg;
	struct cbx_sha256 sha;
	char buf[READ_BLOCK];
	int read_errno;
};

static la_ssize_t hashing_read(struct archive *a, void *arg, const void **out)
{
	struct hashing_reader *r = arg;
	long n = r->read(r->arg, r->buf, sizeof(r->buf));

	(void)a;
	if (n < 0) {
		r->read_errno = errno ? errno : EIO;
		return -1;
	}
	cbx_sha256_update(&r->sha, r->buf, (size_t)n);
	*out = r->buf;
	return n;
}

static int openat_beneath(int dir, const char *path, int flags)
{
	struct open_how how = { .flags = (uint64_t)flags | O_CLOEXEC,
				.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
					   RESOLVE_NO_MAGICLINKS };

	return (int)syscall(SYS_openat2, dir, path, &how, sizeof(how));
}

/* The folder `path` (len bytes of it; 0: the top) in the layer, made when
 * missing, never through a symlink. */
static int layer_dir(int top, const char *path, size_t len)
{
	char buf[4096];
	int fd;

	if (len == 0)
		return fcntl(top, F_DUPFD_CLOEXEC, 0);
	if (len >= sizeof(buf))
		return errno = ENAMETOOLONG, -1;
	memcpy(buf, path, len);
	buf[len] = '\0';
	fd = openat_beneath(top, buf, O_PATH | O_DIRECTORY);
	if (fd >= 0 || errno != ENOENT)
		return fd;
	for (char *p = buf;; p++) {
		if (*p != '/' && *p)
			continue;
		char c = *p;
		*p = '\0';
		if (mkdirat(top, buf, 0755) < 0 && errno != EEXIST)
			return -1;
		/* What mkdirat found (EEXIST) may be a symlink: checked below. */
		*p = c;
		if (!c)
			break;
	}
	return openat_beneath(top, buf, O_PATH | O_DIRECTORY);
}

static int whiteout(int top, const char *path, const struct cbx_entry_path *ep)
{
	cleanup_close int dir = layer_dir(top, path, ep->dir_len);

	if (dir < 0)
		return -1;
	if (unlinkat(dir, ep->name, 0) < 0 && errno != ENOENT &&
	    (errno != EISDIR || unlinkat(dir, ep->name, AT_REMOVEDIR) < 0))
		return -1;
	return mknodat(dir, ep->name, S_IFCHR | 0, makedev(0, 0));
}

static int opaque(int top, const char *path, const struct cbx_entry_path *ep)
{
	cleanup_close int dir = layer_dir(top, path, ep->dir_len);
	cleanup_close int fd = -1;

	if (dir < 0)
		return -1;
	/* O_PATH descriptors take no xattrs: reopen it for reading. */
	fd = openat_beneath(dir, ".", O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return -1;
	return fsetxattr(fd, "trusted.overlay.opaque", "y", 1, 0);
}

/* Keep user.* and security.capability (ping's cap_net_raw) only. */
static void filter_xattrs(const struct cbx_archive_lib *ar, struct archive_entry *e)
{
	struct {
		char *name;
		void *value;
		size_t size;
	} keep[16];
	size_t n = 0;
	const char *name;
	const void *value;
	size_t size;

	if (ar->archive_entry_xattr_reset(e) == 0)
		return;
	while (ar->archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK && n < 16) {
		if (strncmp(name, "user.", 5) && strcmp(name, "security.capability"))
			continue;
		keep[n].name = strdup(name);
		keep[n].value = malloc(size ? size : 1);
		if (!keep[n].name || !keep[n].value) {
			free(keep[n].name);
			free(keep[n].value);
			break;
		}
		memcpy(keep[n].value, value, size);
		keep[n++].size = size;
	}
	ar->archive_entry_xattr_clear(e);
	for (size_t i = 0; i < n; i++) {
		ar->archive_entry_xattr_add_entry(e, keep[i].name, keep[i].value, keep[i].size);
		free(keep[i].name);
		free(keep[i].value);
	}
}

struct unpack {
	const struct cbx_archive_lib *ar;
	struct cbx_image_cache *c;
	struct archive *in, *disk;
	int top;
	uint64_t bytes, entries;
	const char *what;
};

static int entry_fail(struct unpack *u, struct cbx_error *err, const char *path, const char *why)
{
	return cbx_error_set(err, CBX_ERR_INPUT, "%s: entry \"%.200s\": %s", u->what, path, why);
}

/* One entry of the layer; 0, or -1 refusing the whole layer. */
static int unpack_entry(struct unpack *u, struct archive_entry *e, struct cbx_error *err)
{
	const struct cbx_archive_lib *ar = u->ar;
	cleanup_free char *path = NULL, *link = NULL;
	struct cbx_entry_path ep, lp;
	const char *why;
	mode_t type = ar->archive_entry_filetype(e);
	int64_t size = ar->archive_entry_size(e);

	path = strdup(ar->archive_entry_pathname(e) ? ar->archive_entry_pathname(e) : "");
	if (!path)
		return cbx_error_sys(err, ENOMEM, "%s", u->what);
	if (cbx_entry_path_parse(path, &ep, &why) < 0)
		return entry_fail(u, err, ar->archive_entry_pathname(e), why);
	if (++u->entries > CBX_LAYER_MAX_ENTRIES)
		return cbx_error_set(err, CBX_ERR_INPUT, "%s: more than %d entries", u->what,
				     CBX_LAYER_MAX_ENTRIES);
	if (size > 0 && (u->bytes += (uint64_t)size) > u->c->layer_max)
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "%s: unpacks to more than %llu bytes (CBOXLAB_LAYER_MAX)",
				     u->what, (unsigned long long)u->c->layer_max);
	switch (ep.kind) {
	case CBX_ENTRY_SKIP:
		return 0;
	case CBX_ENTRY_WHITEOUT:
		if (whiteout(u->top, path, &ep) < 0)
			return cbx_error_sys(err, errno, "%s: whiteout %s", u->what, path);
		return 0;
	case CBX_ENTRY_OPAQUE:
		if (opaque(u->top, path, &ep) < 0)
			return cbx_error_sys(err, errno, "%s: opaque folder %s", u->what, path);
		return 0;
	case CBX_ENTRY_PLAIN:
		break;
	}
	/* The nodes' /dev has the devices they may use; none from images. */
	if (type == AE_IFCHR || type == AE_IFBLK || type == AE_IFSOCK)
		return 0;
	if (ar->archive_entry_hardlink(e)) {
		cleanup_close int fd = -1;
		link = strdup(ar->archive_entry_hardlink(e));
		if (!link)
			return cbx_error_sys(err, ENOMEM, "%s", u->what);
		if (cbx_entry_path_parse(link, &lp, &why) < 0)
			return cbx_error_set(err, CBX_ERR_INPUT,
					     "%s: entry \"%.200s\": a hard link to \"%.200s\": %s",
					     u->what, path, ar->archive_entry_hardlink(e), why);
		fd = openat_beneath(u->top, link, O_PATH | O_NOFOLLOW);
		if (fd < 0)
			return entry_fail(u, err, path,
					  "a hard link to what is not a file of the layer");
		ar->archive_entry_set_hardlink(e, link);
	}
	ar->archive_entry_set_pathname(e, path);
	filter_xattrs(ar, e);
	if (ar->archive_read_extract2(u->in, e, u->disk) < ARCHIVE_WARN) {
		/* The archive's error (a truncated stream), else the disk's. */
		const char *in = ar->archive_error_string(u->in);
		const char *out = ar->archive_error_string(u->disk);
		if (in)
			return cbx_error_set(err, CBX_ERR_INPUT,
					     "%s: corrupt archive at entry \"%.200s\": %s", u->what,
					     path, in);
		return entry_fail(u, err, path, out ? out : "cannot be unpacked");
	}
	return 0;
}

static int unpack_all(struct unpack *u, struct cbx_error *err)
{
	const struct cbx_archive_lib *ar = u->ar;
	struct archive_entry *e;
	int r;

	while ((r = ar->archive_read_next_header(u->in, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN)
		if (unpack_entry(u, e, err) < 0)
			return -1;
	if (r != ARCHIVE_EOF)
		return cbx_error_set(err, CBX_ERR_INPUT, "%s: corrupt archive: %s", u->what,
				     ar->archive_error_string(u->in));
	/* Folders' modes and times, deferred by libarchive to the end. */
	if (ar->archive_write_close(u->disk) != ARCHIVE_OK)
		return cbx_error_set(err, CBX_ERR_INPUT, "%s: %s", u->what,
				     ar->archive_error_string(u->disk));
	return 0;
}

/* What the tar's end left unread still counts in the digest. */
static int drain(struct hashing_reader *r, const char *what, struct cbx_error *err)
{
	long n;

	while ((n = r->read(r->arg, r->buf, sizeof(r->buf))) > 0)
		cbx_sha256_update(&r->sha, r->buf, (size_t)n);
	return n < 0 ? cbx_error_sys(err, errno ? errno : EIO, "%s: read", what) : 0;
}

static int unpack_in(struct unpack *u, struct hashing_reader *r, const char *tmp,
		     struct cbx_error *err)
{
	const struct cbx_archive_lib *ar = u->ar;
	cleanup_close int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int rc;

	u->top = open(tmp, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cwd < 0 || u->top < 0 || fchdir(u->top) < 0)
		return cbx_error_sys(err, errno, "%s: enter %s", u->what, tmp);
	u->in = ar->archive_read_new();
	u->disk = ar->archive_write_disk_new();
	if (!u->in || !u->disk) {
		rc = cbx_error_sys(err, ENOMEM, "%s", u->what);
		goto out;
	}
	ar->archive_read_support_filter_all(u->in);
	ar->archive_read_support_format_tar(u->in);
	ar->archive_write_disk_set_options(u->disk, ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM |
							    ARCHIVE_EXTRACT_TIME |
							    ARCHIVE_EXTRACT_XATTR |
							    ARCHIVE_EXTRACT_UNLINK |
							    ARCHIVE_EXTRACT_SECURE_SYMLINKS |
							    ARCHIVE_EXTRACT_SECURE_NODOTDOT |
							    ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
	if (ar->archive_read_open(u->in, r, NULL, hashing_read, NULL) != ARCHIVE_OK) {
		rc = cbx_error_set(err, CBX_ERR_INPUT, "%s: not an archive: %s", u->what,
				   ar->archive_error_string(u->in));
		goto out;
	}
	rc = unpack_all(u, err);
	if (rc == 0 && r->read_errno)
		rc = cbx_error_sys(err, r->read_errno, "%s: read", u->what);
	if (rc == 0)
		rc = drain(r, u->what, err);
out:
	if (u->in)
		ar->archive_read_free(u->in);
	if (u->disk)
		ar->archive_write_free(u->disk);
	if (fchdir(cwd) < 0 && rc == 0)
		rc = cbx_error_sys(err, errno, "return to the working directory");
	close(u->top);
	return rc;
}

static int write_info(struct cbx_image_cache *c, const char *hex, uint64_t bytes,
		      struct cbx_error *err)
{
	char path[512], text[32];

	snprintf(path, sizeof(path), "%s/info/%s", c->root, hex);
	snprintf(text, sizeof(text), "%llu\n", (unsigned long long)bytes);
	return cbx_create_file(path, 0600, text, strlen(text), err);
}

int cbx_layer_unpack(struct cbx_image_cache *c, cbx_blob_read_fn read, void *arg, const char *hex,
		     const char *what, char got_hex[CBX_SHA256_HEX_LEN + 1], struct cbx_error *err)
{
	struct unpack u = { .c = c, .what = what, .top = -1 };
	cleanup_free struct hashing_reader *r = NULL;
	char tmp[512], dst[512];
	struct cbx_error ignored;
	int rc;

	if (hex && cbx_cache_has_layer(c, hex)) {
		if (got_hex)
			memcpy(got_hex, hex, CBX_SHA256_HEX_LEN + 1);
		return 0;
	}
	if (!(u.ar = cbx_archive_lib(err)))
		return -1;
	r = calloc(1, sizeof(*r));
	if (!r)
		return cbx_error_sys(err, ENOMEM, "%s", what);
	r->read = read;
	r->arg = arg;
	cbx_sha256_init(&r->sha);
	if (cbx_path(tmp, sizeof(tmp), err, "%s/tmp/layer.XXXXXX", c->root) < 0)
		return -1;
	if (!mkdtemp(tmp))
		return cbx_error_sys(err, errno, "%s: mkdtemp %s", what, tmp);
	/* The layer's top is the node's /: 0755 unless its "./" says. */
	rc = chmod(tmp, 0755) < 0 ? cbx_error_sys(err, errno, "chmod %s", tmp)
				  : unpack_in(&u, r, tmp, err);
	if (rc == 0) {
		char sum[CBX_SHA256_HEX_LEN + 1];
		cbx_sha256_hex(&r->sha, sum);
		if (hex && strcmp(sum, hex))
			rc = cbx_error_set(err, CBX_ERR_INPUT,
					   "%s: digest mismatch: its content is sha256:%s", what,
					   sum);
		else if (cbx_cache_layer_path(c, sum, dst, sizeof(dst)) < 0)
			rc = cbx_error_sys(err, ENAMETOOLONG, "%s", what);
		else if (cbx_cache_has_layer(c, sum))
			rc = 1; /* a tarball already unpacked under another name */
		else if (write_info(c, sum, u.bytes, err) < 0 || rename(tmp, dst) < 0)
			rc = cbx_error_sys(err, errno, "%s: rename %s to %s", what, tmp, dst);
		if (rc >= 0 && got_hex)
			memcpy(got_hex, sum, sizeof(sum));
	}
	if (rc != 0)
		cbx_rm_rf(tmp, &ignored);
	return rc < 0 ? -1 : 0;
}
