#include "runtime/mntns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "runtime/mount_api.h"
#include "runtime/netns.h"

/* When pins x nodes reaches this, a namespace without pins is made. Making
 * it costs about what one node pays for a few dozen pins (a thread, one
 * copy of the table, one RCU grace period for the detach); each node then
 * saves 2-3 us per pin (docs/performance.md, profile item 11). */
#define PAYS_AT 256

bool mntns_without_pins_pays(size_t nodes, size_t *pins)
{
	char buf[8192];
	cleanup_close int dir = -1;
	long n;

	*pins = 0;
	if (nodes < 2)
		return false; /* one node would copy the table as often as we would */
	dir = open(CBX_NETNS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return false;
	/* Entries are files pinned or not (one that lost its mount costs a
	 * node nothing): near enough, and no need to read the mount table. */
	while (*pins * nodes < PAYS_AT && (n = syscall(SYS_getdents64, dir, buf, sizeof(buf))) > 0)
		for (long off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			*pins += d->d_name[0] != '.';
			off += d->d_reclen;
		}
	return *pins * nodes >= PAYS_AT;
}

struct making {
	bool without_pins;
	const char *state_dir;
	int fd;
	int errnum;
	const char *step;
};

static bool is_mount_root(const char *path)
{
	struct statx st;

	return statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, 0, &st) == 0 &&
	       (st.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
	       (st.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

/* /run, bare: its own mount without what is mounted on it (every pin, both
 * halves; other labs' state), then the lab's state back on it, with what
 * is mounted in it (the nodes' tmpfs, their storage and volumes). One
 * detach, one grace period. */
static int replace_run(struct making *m)
{
	cleanup_close int run = -1, state = -1;

	m->step = "copy /run";
	if ((run = cbx_clone_mount("/run")) < 0)
		return -1;
	m->step = "copy the lab's state directory";
	if ((state = cbx_clone_mount_tree(m->state_dir)) < 0)
		return -1;
	m->step = "detach /run in it";
	if (umount2("/run", MNT_DETACH) < 0)
		return -1;
	m->step = "attach the bare /run";
	if (cbx_attach_mount(run, "/run") < 0)
		return -1;
	m->step = "attach the lab's state directory";
	return cbx_attach_mount(state, m->state_dir) < 0 ? -1 : 0;
}

/* The namespace's root becomes an empty tmpfs, with the host's tree under
 * it at CBX_MNTNS_HOST: what is beneath every node's root once it has
 * detached the host's tree (rootfs_enter). Read-only, and room for no file
 * but its one directory (a node with CAP_SYS_ADMIN may remount it
 * writable), with nothing to execute. The tmpfs is mounted on /dev to
 * begin with, any directory would do: pivot_root moves it off. */
static int put_host_below(struct making *m)
{
	m->step = "mount its empty root";
	if (mount("cboxlab-empty", "/dev", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=0555,nr_inodes=2,size=4k") < 0)
		return -1;
	m->step = "make " CBX_MNTNS_HOST " in its empty root";
	if (mkdir("/dev" CBX_MNTNS_HOST, 0555) < 0)
		return -1;
	m->step = "put the host's tree under its empty root";
	if (syscall(SYS_pivot_root, "/dev", "/dev" CBX_MNTNS_HOST) < 0 || chdir("/") < 0)
		return -1;
	m->step = "make its empty root read-only";
	return mount(NULL, "/", NULL,
		     MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

/* On a thread of its own: unshare(CLONE_NEWNS) gives the calling thread
 * alone a new namespace (and a filesystem context of its own), and the
 * thread ends with it, so ours is never changed. */
static void *make_it(void *arg)
{
	struct making *m = arg;

	m->step = "create it";
	if (unshare(CLONE_NEWNS) < 0)
		goto fail;
	/* Private before anything is detached: detaching a mount whose parent
	 * is shared would propagate, and detach the host's pins too; and
	 * pivot_root refuses shared parents. */
	m->step = "make its mounts private";
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		goto fail;
	if (m->without_pins && m->state_dir && is_mount_root("/run")) {
		if (replace_run(m) < 0)
			goto fail;
	} else if (m->without_pins) {
		/* /run/netns is a mount point (netns_prepare_dir) and every
		 * pin is mounted on it; EINVAL: it is not one. */
		m->step = "detach " CBX_NETNS_DIR " in it";
		if (umount2(CBX_NETNS_DIR, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
			goto fail;
	}
	m->step = "open it";
	m->fd = open("/proc/thread-self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (m->fd < 0 || put_host_below(m) < 0)
		goto fail;
	return NULL;
fail:
	m->errnum = errno;
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
	return NULL;
}

int mntns_for_nodes(bool without_pins, const char *state_dir, struct cbx_error *err)
{
	struct making m = { .without_pins = without_pins, .state_dir = state_dir, .fd = -1 };
	pthread_t thread;
	int rc = pthread_create(&thread, NULL, make_it, &m);

	if (rc != 0)
		return cbx_error_sys(err, rc, "mount namespace for the nodes: start a thread");
	pthread_join(thread, NULL);
	if (m.fd < 0)
		return cbx_error_sys(err, m.errnum, "mount namespace for the nodes: %s", m.step);
	return m.fd;
}
