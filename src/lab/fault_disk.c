/* Disk full: a node with "storage_size" has its writable layers, /run and
 * /tmp in a tmpfs of its own (steps_host.c mounts it on the node's folder);
 * `fill` shrinks that tmpfs to what it holds, so that the node's next
 * write fails with ENOSPC, and `unfill` gives it its size back. Nothing is
 * written: no memory is taken and nothing reaches the host's disk. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/statfs.h>

#include "lab/fault.h"
#include "lab/lab.h"

/* The tmpfs's size now: what it holds (a size of 0 would be no limit at
 * all: a page then). */
static uint64_t used_bytes(const struct statfs *st)
{
	uint64_t used = (uint64_t)(st->f_blocks - st->f_bfree) * (uint64_t)st->f_bsize;

	return used ? used : (uint64_t)st->f_bsize;
}

static int resize(const char *dir, uint64_t bytes)
{
	char opts[64];

	snprintf(opts, sizeof(opts), "size=%" PRIu64, bytes);
	/* MS_REMOUNT changes the superblock, which every mount namespace's
	 * copy shares, and this mount's flags: the same ones again. */
	return mount(NULL, dir, NULL, MS_REMOUNT | MS_NOSUID | MS_NODEV, opts);
}

int fault_disk(struct lab_faults *fl, const struct cbx_node *n, bool full, struct cbx_error *err)
{
	struct statfs st;
	char dir[512];
	int tries = 0;

	if (!n->storage_size)
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "node %s has no storage of its own to fill: give it \"storage_size\" (e.g. \"64M\") in the topology",
				     n->name);
	if (lab_node_dir(&fl->ctx, n, dir, sizeof(dir)) < 0)
		return cbx_error_sys(err, ENAMETOOLONG, "node %s", n->name);
	if (!full) {
		if (resize(dir, n->storage_size) < 0)
			return cbx_error_sys(err, errno,
					     "node %s: give its storage back its %" PRIu64 " bytes",
					     n->name, n->storage_size);
	} else {
		/* The node may write between the two calls; the kernel refuses
		 * a size below what is held (EINVAL): measure again. */
		for (;;) {
			if (statfs(dir, &st) < 0)
				return cbx_error_sys(err, errno, "node %s: statfs %s", n->name,
						     dir);
			if (resize(dir, used_bytes(&st)) == 0)
				break;
			if (errno != EINVAL || ++tries == 100)
				return cbx_error_sys(err, errno, "node %s: fill its storage",
						     n->name);
		}
	}
	fault_record_disk_full_set(fl->record, n, full);
	return 0;
}
