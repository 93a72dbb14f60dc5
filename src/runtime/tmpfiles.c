#include "runtime/tmpfiles.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fsutil.h"

/* The next whitespace-separated field of *s into buf; false when none or
 * too long. */
static bool field(const char **s, char *buf, size_t size)
{
	const char *p = *s;
	size_t n = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p || *p == '\n')
		return false;
	while (p[n] && p[n] != ' ' && p[n] != '\t' && p[n] != '\n')
		n++;
	if (n >= size)
		return false;
	memcpy(buf, p, n);
	buf[n] = '\0';
	*s = p + n;
	return true;
}

/* No ".", ".." or empty component, only the characters of a file name. */
static bool plain_path(const char *path)
{
	for (const char *c = path; *c; c++)
		if ((unsigned char)*c < 0x21 || *c == 0x7f || *c == '\\')
			return false;
	return !strstr(path, "//") && !strstr(path, "/./") && !strstr(path, "/../") &&
	       strcmp(path + strlen(path) - 2, "/.") && strcmp(path + strlen(path) - 3, "/..");
}

bool cbx_tmpfiles_parse_line(const char *line, struct cbx_tmpfiles_dir *out)
{
	char type[8], path[CBX_TMPFILES_PATH_MAX], mode[16];
	const char *rest, *s = line;
	char *end;
	unsigned long m;

	if (!field(&s, type, sizeof(type)) || (type[0] != 'd' && type[0] != 'D') ||
	    strspn(type + 1, "!-") != strlen(type + 1) || !field(&s, path, sizeof(path)))
		return false;
	if (!strncmp(path, "%t/", 3))
		rest = path + 2;
	else if (!strncmp(path, "/var/run/", 9))
		rest = path + 8;
	else if (!strncmp(path, "/run/", 5))
		rest = path + 4;
	else
		return false;
	while (strlen(rest) > 1 && rest[strlen(rest) - 1] == '/')
		path[strlen(path) - 1] = '\0';
	if (strchr(rest, '%') || !plain_path(rest) || !strcmp(rest, "/") ||
	    snprintf(out->path, sizeof(out->path), "/run%s", rest) >= (int)sizeof(out->path))
		return false;
	out->mode = 0755;
	out->user[0] = out->group[0] = '\0';
	if (!field(&s, mode, sizeof(mode)))
		return true;
	if (strcmp(mode, "-")) {
		const char *digits = mode + (mode[0] == '~' || mode[0] == ':');
		m = strtoul(digits, &end, 8);
		if (!*digits || *end || m > 07777)
			return false;
		out->mode = (mode_t)m;
	}
	if (!field(&s, out->user, sizeof(out->user)))
		return true;
	if (!strcmp(out->user, "-"))
		out->user[0] = '\0';
	if (!field(&s, out->group, sizeof(out->group)))
		return true;
	if (!strcmp(out->group, "-"))
		out->group[0] = '\0';
	return true;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .conf files of host_root's usr/lib/tmpfiles.d and etc/tmpfiles.d, by
 * name; a name in etc wins. Each "DIR/NAME" malloc'd into *files. */
static size_t list_confs(const char *host_root, char ***files)
{
	static const char *const dirs[] = { "etc/tmpfiles.d", "usr/lib/tmpfiles.d" };
	size_t n = 0, cap = 0;

	*files = NULL;
	for (size_t d = 0; d < 2; d++) {
		char dir[512];
		DIR *dp;
		struct dirent *e;

		snprintf(dir, sizeof(dir), "%s/%s", host_root, dirs[d]);
		if (!(dp = opendir(dir)))
			continue;
		while ((e = readdir(dp))) {
			size_t len = strlen(e->d_name);
			bool seen = false;
			char **grown;

			if (len < 6 || strcmp(e->d_name + len - 5, ".conf"))
				continue;
			for (size_t i = 0; i < n && !seen; i++)
				seen = !strcmp(strrchr((*files)[i], '/') + 1, e->d_name);
			if (seen)
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 32;
				if (!(grown = realloc(*files, cap * sizeof(**files))))
					break;
				*files = grown;
			}
			if (asprintf(&(*files)[n], "%s/%s", dir, e->d_name) < 0)
				break;
			n++;
		}
		closedir(dp);
	}
	/* By name, as tmpfiles reads them; /etc's file in its namesake's turn. */
	qsort(*files, n, sizeof(**files), by_name);
	return n;
}

static bool lookup_ids(const struct cbx_tmpfiles_dir *d, uid_t *uid, gid_t *gid)
{
	*uid = 0;
	*gid = 0;
	if (d->user[0]) {
		struct passwd *pw = getpwnam(d->user);
		if (!pw)
			return false;
		*uid = pw->pw_uid;
	}
	if (d->group[0]) {
		struct group *gr = getgrnam(d->group);
		if (!gr)
			return false;
		*gid = gr->gr_gid;
	}
	return true;
}

int cbx_tmpfiles_collect(const char *host_root, const char *list, struct cbx_error *err)
{
	char **files = NULL;
	size_t n = list_confs(host_root, &files);
	cleanup_free char *out = NULL;
	size_t out_len = 0;
	FILE *mem = open_memstream(&out, &out_len);
	int rc;

	for (size_t i = 0; i < n; i++) {
		FILE *f = mem ? fopen(files[i], "re") : NULL;
		char line[1024];

		while (f && fgets(line, sizeof(line), f)) {
			struct cbx_tmpfiles_dir d;
			uid_t uid;
			gid_t gid;

			if (cbx_tmpfiles_parse_line(line, &d) && lookup_ids(&d, &uid, &gid))
				fprintf(mem, "%04o %u %u %s\n", (unsigned)d.mode, (unsigned)uid,
					(unsigned)gid, d.path);
		}
		if (f)
			fclose(f);
		free(files[i]);
	}
	free(files);
	if (!mem)
		return cbx_error_sys(err, ENOMEM, "read the host's tmpfiles.d");
	fclose(mem);
	rc = cbx_create_file(list, 0644, out ? out : "", out_len, err);
	return rc < 0 ? cbx_error_wrap(err, "the host's tmpfiles.d folders") : 0;
}

/* One folder: made with mode and ids, or given them when an earlier
 * line made it as a parent. */
static int one_dir(const char *full, const char *shown, mode_t mode, uid_t uid, gid_t gid,
		   bool fix_existing, struct cbx_error *err)
{
	struct stat st;

	if (mkdir(full, mode) < 0) {
		if (errno != EEXIST)
			return cbx_error_sys(err, errno, "create /run%s", shown);
		if (!fix_existing || lstat(full, &st) < 0 || !S_ISDIR(st.st_mode))
			return 0;
	}
	if (chmod(full, mode) < 0 || lchown(full, uid, gid) < 0)
		return cbx_error_sys(err, errno, "/run%s", shown);
	return 0;
}

/* mkdir -p of run_dir + path (path below /run, "/run/a/b"): the parents
 * 0755 and the node's root's, the last as asked. Nothing of the node's can
 * be in its /run yet: it was just made, empty. */
static int make_dir(const char *run_dir, const char *path, mode_t mode, uid_t uid, gid_t gid,
		    uid_t root_id, struct cbx_error *err)
{
	char full[CBX_TMPFILES_PATH_MAX + 512];
	size_t base = strlen(run_dir);
	int n = snprintf(full, sizeof(full), "%s%s", run_dir, path + 4);

	if (n < 0 || (size_t)n >= sizeof(full))
		return 0;
	for (char *slash = strchr(full + base + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (one_dir(full, full + base, 0755, root_id, root_id, false, err) < 0)
			return -1;
		*slash = '/';
	}
	return one_dir(full, full + base, mode, uid, gid, true, err);
}

int cbx_tmpfiles_apply(const char *list, const char *run_dir, uid_t id_shift, struct cbx_error *err)
{
	static char text[CBX_TMPFILES_LIST_MAX + 1];
	cleanup_close int fd = open(list, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t len;
	char *line, *next;

	if (fd < 0)
		return errno == ENOENT ? 0 : cbx_error_sys(err, errno, "open %s", list);
	len = read(fd, text, CBX_TMPFILES_LIST_MAX);
	if (len < 0)
		return cbx_error_sys(err, errno, "read %s", list);
	text[len] = '\0';
	for (line = text; line && *line; line = next) {
		unsigned mode, uid, gid;
		char path[CBX_TMPFILES_PATH_MAX];

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (sscanf(line, "%o %u %u %255s", &mode, &uid, &gid, path) != 4 || mode > 07777 ||
		    strncmp(path, "/run/", 5) || !plain_path(path + 4))
			continue;
		if (make_dir(run_dir, path, (mode_t)mode, (uid_t)(uid + id_shift),
			     (gid_t)(gid + id_shift), id_shift, err) < 0)
			return -1;
	}
	return 0;
}
