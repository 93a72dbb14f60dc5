#include "runtime/host_mask.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fsutil.h"

/* Relative to the host's root. A trailing '/' marks a directory that is
 * emptied (its entries hidden, the directory kept); the others are hidden
 * whole. "ssh/ssh_host_*_key" is the one pattern: every SSH host private
 * key (the .pub halves stay). */
/* clang-format off */
static const char *const hidden[] = {
	/* Password hashes kept by backups and PAM. */
	"etc/shadow-", "etc/gshadow-", "etc/security/opasswd",
	/* Private keys and shared secrets. */
	"etc/ssh/ssh_host_*_key", "etc/ssl/private/", "etc/krb5.keytab", "etc/ipsec.secrets",
	"etc/ipsec.d/private/", "etc/ppp/chap-secrets", "etc/ppp/pap-secrets",
	"etc/wireguard/", "etc/NetworkManager/system-connections/", "etc/letsencrypt/",
	"etc/openvpn/",
	/* Copies of the above, other people's mail and jobs, login records. */
	"var/backups/", "var/mail/", "var/spool/mail/", "var/spool/cron/", "var/log/auth.log",
	"var/log/btmp", "var/log/secure", "var/log/journal/",
	/* cboxlab's own state and image cache, other runtimes', directory
	 * services' caches, and the data of database servers. */
	"var/lib/cboxlab", "var/lib/docker", "var/lib/containers/", "var/lib/sss/",
	"var/lib/postgresql/", "var/lib/mysql/", "var/lib/redis/", "var/lib/mongodb/",
	"var/lib/private/",
};
/* clang-format on */

/* The files rewritten rather than hidden. */
static const char *const locked[] = { "etc/shadow", "etc/gshadow" };

char *host_mask_lock_passwords(const char *text, size_t len, size_t *out_len)
{
	/* Each line grows by at most the two bytes of "!*". */
	size_t lines = 1;
	char *out, *o;

	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	out = malloc(len + 2 * lines + 1);
	if (!out)
		return NULL;
	o = out;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) : len;
		const char *colon = memchr(text + i, ':', end - i);

		if (!colon) { /* not an entry: as it is */
			memcpy(o, text + i, end - i);
			o += end - i;
		} else {
			const char *rest = memchr(colon + 1, ':', (size_t)(text + end - colon - 1));
			size_t name = (size_t)(colon - (text + i)) + 1;

			memcpy(o, text + i, name);
			o += name;
			memcpy(o, "!*", 2);
			o += 2;
			if (rest) {
				memcpy(o, rest, (size_t)(text + end - rest));
				o += text + end - rest;
			}
		}
		if (nl)
			*o++ = '\n';
		i = end + (nl != NULL);
	}
	*o = '\0';
	*out_len = (size_t)(o - out);
	return out;
}

/* The layer's copy of the host's directory `rel` (and its parents): same
 * mode and owner, since overlayfs shows the upper layer's for a directory
 * both have. */
static int mirror_dirs(const char *host_root, const char *dir, const char *rel,
		       struct cbx_error *err)
{
	char sub[PATH_MAX], host[PATH_MAX], path[PATH_MAX];
	struct stat st;

	snprintf(sub, sizeof(sub), "%s", rel);
	for (char *p = sub;; p++) {
		char c = *p;
		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (cbx_path(host, sizeof(host), err, "%s/%s", host_root, sub) < 0 ||
		    cbx_path(path, sizeof(path), err, "%s/%s", dir, sub) < 0)
			return -1;
		if (stat(host, &st) < 0 || !S_ISDIR(st.st_mode))
			return cbx_error_sys(err, ENOTDIR, "%s", host);
		if (mkdir(path, st.st_mode & 07777) < 0 && errno != EEXIST)
			return cbx_error_sys(err, errno, "create %s", path);
		if (chown(path, st.st_uid, st.st_gid) < 0 || chmod(path, st.st_mode & 07777) < 0)
			return cbx_error_sys(err, errno, "set the owner of %s", path);
		if (c == '\0')
			return 0;
		*p = c;
	}
}

/* Hide host path `rel` in the layer: a whiteout (a 0:0 character device)
 * for a file, an opaque empty copy for a directory to be emptied. */
static int hide(const char *host_root, const char *dir, const char *rel, bool empty_dir,
		struct cbx_error *err)
{
	char host[PATH_MAX], path[PATH_MAX], parent[PATH_MAX];
	char *slash;
	struct stat st;

	if (cbx_path(host, sizeof(host), err, "%s/%s", host_root, rel) < 0 ||
	    cbx_path(path, sizeof(path), err, "%s/%s", dir, rel) < 0)
		return -1;
	if (lstat(host, &st) < 0)
		return 0; /* the host has none */
	snprintf(parent, sizeof(parent), "%s", rel);
	slash = strrchr(parent, '/');
	if (slash) {
		*slash = '\0';
		if (mirror_dirs(host_root, dir, parent, err) < 0)
			return -1;
	}
	if (empty_dir && S_ISDIR(st.st_mode)) {
		if (mirror_dirs(host_root, dir, rel, err) < 0)
			return -1;
		if (setxattr(path, "trusted.overlay.opaque", "y", 1, 0) == 0)
			return 0;
		/* No trusted xattrs here: hide the directory whole. */
		if (rmdir(path) < 0)
			return cbx_error_sys(err, errno, "remove %s", path);
	}
	if (mknod(path, S_IFCHR | 0000, makedev(0, 0)) < 0 && errno != EEXIST)
		return cbx_error_sys(err, errno, "hide %s (whiteout %s)", host, path);
	return 0;
}

/* "etc/ssh/ssh_host_*_key": every match in the host's directory. */
static int hide_matching(const char *host_root, const char *dir, const char *pattern,
			 struct cbx_error *err)
{
	const char *star = strchr(pattern, '*'), *slash = strrchr(pattern, '/');
	size_t head = (size_t)(star - slash - 1), tail = strlen(star + 1);
	char host_dir[PATH_MAX], rel[PATH_MAX];
	cleanup_closedir DIR *d = NULL;
	struct dirent *de;
	int rc = 0;

	if (cbx_path(host_dir, sizeof(host_dir), err, "%s/%.*s", host_root, (int)(slash - pattern),
		     pattern) < 0)
		return -1;
	if (!(d = opendir(host_dir)))
		return 0;
	while (rc == 0 && (de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (len < head + tail || strncmp(de->d_name, slash + 1, head) ||
		    strcmp(de->d_name + len - tail, star + 1))
			continue;
		rc = cbx_path(rel, sizeof(rel), err, "%.*s/%s", (int)(slash - pattern), pattern,
			      de->d_name);
		if (rc == 0)
			rc = hide(host_root, dir, rel, false, err);
	}
	return rc;
}

static int lock_file(const char *host_root, const char *dir, const char *rel, struct cbx_error *err)
{
	char host[PATH_MAX], path[PATH_MAX], parent[PATH_MAX];
	cleanup_free char *text = NULL;
	cleanup_free char *out = NULL;
	size_t len, out_len;
	struct stat st;

	if (cbx_path(host, sizeof(host), err, "%s/%s", host_root, rel) < 0 ||
	    cbx_path(path, sizeof(path), err, "%s/%s", dir, rel) < 0)
		return -1;
	if (stat(host, &st) < 0)
		return 0;
	if (cbx_read_file(host, &text, &len, err) < 0)
		return -1;
	if (!(out = host_mask_lock_passwords(text, len, &out_len)))
		return cbx_error_sys(err, ENOMEM, "lock the passwords of %s", host);
	snprintf(parent, sizeof(parent), "%s", rel);
	*strrchr(parent, '/') = '\0';
	if (mirror_dirs(host_root, dir, parent, err) < 0 ||
	    cbx_create_file(path, st.st_mode & 07777, out, out_len, err) < 0)
		return -1;
	if (chown(path, st.st_uid, st.st_gid) < 0 || chmod(path, st.st_mode & 07777) < 0)
		return cbx_error_sys(err, errno, "set the owner of %s", path);
	return 0;
}

int host_mask_make(const char *host_root, const char *dir, struct cbx_error *err)
{
	/* Both lower directories exist, whatever is hidden in them. */
	if (cbx_mkdir(dir, 0755, err) < 0 || mirror_dirs(host_root, dir, "etc", err) < 0 ||
	    mirror_dirs(host_root, dir, "var", err) < 0)
		return -1;
	for (size_t i = 0; i < CBX_ARRAY_SIZE(locked); i++)
		if (lock_file(host_root, dir, locked[i], err) < 0)
			return -1;
	for (size_t i = 0; i < CBX_ARRAY_SIZE(hidden); i++) {
		char rel[PATH_MAX];
		size_t len = strlen(hidden[i]);
		bool empty_dir = hidden[i][len - 1] == '/';
		int rc;

		snprintf(rel, sizeof(rel), "%.*s", (int)(len - empty_dir), hidden[i]);
		rc = strchr(rel, '*') ? hide_matching(host_root, dir, rel, err)
				      : hide(host_root, dir, rel, empty_dir, err);
		if (rc < 0)
			return -1;
	}
	return 0;
}
