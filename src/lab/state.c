/* What the state root (/run/cboxlab) says about running labs. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "lab/lab.h"
#include "runtime/netns.h"

/* Beside the lab's state directory, not in it: it outlives a `down`'s
 * removal of the directory until the lock is released. */
static int lock_path(const struct cbx_ctx *cbx, const char *lab, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/%s.lock", cbx->state_root, lab);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* The labs' shared directory, root's alone (0700): in it are every lab's
 * topology and environment, the nodes' writable layers and logs, and the
 * locks, which another user could otherwise hold to stall root's `down`.
 * One made by an older cboxlab (0755) is closed up. */
static int prepare_state_root(const struct cbx_ctx *cbx, struct cbx_error *err)
{
	const char *root = cbx->state_root;
	struct stat st;

	if (cbx_mkdir_p(root, 0700, err) < 0)
		return -1;
	if (lstat(root, &st) < 0)
		return cbx_error_sys(err, errno, "stat %s", root);
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0)
		return cbx_error_set(err, CBX_ERR_SYSTEM,
				     "%s is not a directory of root's: remove it and try again",
				     root);
	if ((st.st_mode & 07777) != 0700 && chmod(root, 0700) < 0)
		return cbx_error_sys(err, errno, "chmod 0700 %s", root);
	return 0;
}

int lab_lock(const struct cbx_ctx *cbx, const char *lab, bool create, int *fd_out,
	     struct cbx_error *err)
{
	char path[512];

	*fd_out = -1;
	if (lock_path(cbx, lab, path, sizeof(path)) < 0)
		return cbx_error_set(err, CBX_ERR_INPUT, "\"%s\" is not a lab name", lab);
	if (create && prepare_state_root(cbx, err) < 0)
		return -1;
	for (;;) {
		struct stat held, now;
		cleanup_close int fd =
			open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT : 0), 0600);

		if (fd < 0) {
			if (errno == ENOENT && !create)
				return 1;
			/* The last lab's `down` removed the directory after our
			 * mkdir: make it again. */
			if (errno == ENOENT && prepare_state_root(cbx, err) == 0)
				continue;
			return cbx_error_sys(err, errno, "open the lock %s", path);
		}
		if (flock(fd, LOCK_EX) < 0)
			return cbx_error_sys(err, errno, "lock %s", path);
		/* `down` removes the file while it holds it: a waiter that then
		 * gets the lock holds a file no longer there, and tries again. */
		if (fstat(fd, &held) == 0 && stat(path, &now) == 0 && held.st_ino == now.st_ino &&
		    held.st_dev == now.st_dev) {
			*fd_out = fd;
			fd = -1;
			return 0;
		}
		if (!create && errno == ENOENT)
			return 1;
	}
}

void lab_unlock(const struct cbx_ctx *cbx, const char *lab, int fd, bool remove)
{
	char path[512];

	if (fd < 0)
		return;
	if (remove) {
		if (lock_path(cbx, lab, path, sizeof(path)) == 0)
			unlink(path);
		/* Shared by all labs; the last one down removes it (while
		 * other labs are up, it is not empty and this fails). */
		rmdir(cbx->state_root);
	}
	close(fd);
}

int lab_state_remove(const char *state_dir, struct cbx_error *err)
{
	/* A tmpfs normally; a plain directory when `up` was killed before it
	 * could mount one. Lazily: a straggler holding a file cannot keep it. */
	if (umount2(state_dir, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return cbx_error_sys(err, errno, "unmount %s", state_dir);
	return cbx_rm_rf(state_dir, err);
}

int lab_load_saved(const struct cbx_ctx *cbx, const char *lab, struct cbx_topo **t,
		   struct cbx_error *err)
{
	char path[512], dir_path[512], part_path[512];
	cleanup_free char *dir = NULL, *part = NULL;
	struct cbx_topo_opts o = { 0 };
	size_t len;

	/* The name becomes a path under the state root: "../x" is no lab. */
	if (cbx_lab_name_check(lab, err) < 0)
		return -1;
	if (lab_state_path(cbx, lab, "topology.json", path, sizeof(path)) < 0 ||
	    lab_state_path(cbx, lab, CBX_TOPOLOGY_DIR_FILE, dir_path, sizeof(dir_path)) < 0 ||
	    lab_state_path(cbx, lab, LAB_PART_FILE, part_path, sizeof(part_path)) < 0)
		return cbx_error_set(err, CBX_ERR_INPUT, "\"%s\" is not a lab name", lab);
	if (access(path, F_OK) < 0)
		return cbx_error_set(err, CBX_ERR_STATE, "lab \"%s\" is not up", lab);
	/* Its relative paths name what they named when it came up. */
	if (cbx_read_file(dir_path, &dir, &len, &(struct cbx_error){ 0 }) == 0)
		o.dir = dir;
	/* A host's part of a lab over hosts: that part again. */
	if (cbx_read_file(part_path, &part, &len, &(struct cbx_error){ 0 }) == 0)
		o.host = part;
	return cbx_topo_load_opts(path, &o, t, NULL, NULL, err);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int lab_list(const struct cbx_ctx *cbx, char ***names, size_t *n, struct cbx_error *err)
{
	cleanup_closedir DIR *dir = opendir(cbx->state_root);
	struct dirent *de;
	size_t cap = 0;

	*names = NULL;
	*n = 0;
	if (!dir)
		return errno == ENOENT ? 0 : cbx_error_sys(err, errno, "open %s", cbx->state_root);
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue;
		if (*n == cap) {
			char **grown = realloc(*names, (cap = cap ? cap * 2 : 8) * sizeof(char *));
			if (!grown)
				break;
			*names = grown;
		}
		if (!((*names)[*n] = strdup(de->d_name)))
			break;
		(*n)++;
	}
	if (*n)
		qsort(*names, *n, sizeof(char *), cmp_names);
	return 0;
}

void lab_list_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

pid_t lab_node_pid(const struct cbx_ctx *cbx, const char *lab, const char *node)
{
	char path[512], stat_path[64];
	cleanup_free char *text = NULL;
	struct cbx_error err;
	struct stat st, pin;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/%s/nodes/%s/pid", cbx->state_root, lab, node);
	if (cbx_read_file(path, &text, NULL, &err) < 0)
		return 0;
	pid = (pid_t)atoi(text);
	/* A stale PID file (the node was killed) must not name another
	 * process: a live node's init still holds the pinned netns. */
	snprintf(stat_path, sizeof(stat_path), "/proc/%d/ns/net", (int)pid);
	if (pid <= 0 || stat(stat_path, &st) < 0)
		return 0;
	if (netns_pin_path(path, sizeof(path), lab, node) < 0 || stat(path, &pin) < 0 ||
	    pin.st_ino != st.st_ino || pin.st_dev != st.st_dev)
		return 0;
	return pid;
}

const char *lab_state(const struct cbx_ctx *cbx, const char *lab)
{
	char path[512];

	return lab_state_path(cbx, lab, "state", path, sizeof(path)) == 0 && access(path, F_OK) == 0
		       ? "up"
		       : "incomplete";
}
