/* Slow disk: a "storage": "disk" node's reads and writes limited through
 * cgroup v2's io.max on the block device under its disk folder. io.max
 * counts page-cache writeback too (v2 charges it to the cgroup that dirtied
 * the pages); v1's blkio throttles direct I/O only, so v1 is refused. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "lab/fault.h"
#include "lab/lab.h"
#include "runtime/cgroup.h"

/* The whole disk under `dir` ("8:0" for a folder on /dev/sda1): io.max
 * takes disks, not partitions. */
static int disk_of(const char *node, const char *dir, char *buf, size_t size, struct cbx_error *err)
{
	char sys[128], real[PATH_MAX], parent[PATH_MAX + 8];
	cleanup_free char *dev = NULL;
	struct stat st;

	if (stat(dir, &st) < 0)
		return cbx_error_sys(err, errno, "node %s: its disk folder %s", node, dir);
	if (major(st.st_dev) == 0)
		return cbx_error_set(err, CBX_ERR_STATE,
				     "node %s: its disk folder %s is on a file system without a block device (tmpfs, overlay, a network or virtual one): there is no disk for io.max to slow",
				     node, dir);
	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u", major(st.st_dev), minor(st.st_dev));
	snprintf(buf, size, "%u:%u", major(st.st_dev), minor(st.st_dev));
	snprintf(parent, sizeof(parent), "%s/partition", sys);
	if (access(parent, F_OK) < 0)
		return 0;
	/* A partition's sysfs folder is inside its disk's. */
	if (!realpath(sys, real))
		return cbx_error_sys(err, errno, "node %s: %s", node, sys);
	snprintf(parent, sizeof(parent), "%s/../dev", real);
	if (cbx_read_file(parent, &dev, NULL, err) < 0)
		return cbx_error_wrap(err, "node %s: the disk of partition %s", node, buf);
	dev[strcspn(dev, "\n")] = '\0';
	snprintf(buf, size, "%s", dev);
	return 0;
}

/* Is "io" one of the words of a controller list? */
static bool lists_io(const char *list)
{
	for (const char *p = list; (p = strstr(p, "io")); p += 2)
		if ((p == list || p[-1] == ' ') && (p[2] == ' ' || p[2] == '\n' || !p[2]))
			return true;
	return false;
}

/* "+io" in a cgroup's subtree_control, unless it is there. */
static int enable_io(const char *dir, struct cbx_error *err)
{
	cleanup_free char *avail = NULL, *on = NULL;
	char path[600];

	snprintf(path, sizeof(path), "%s/cgroup.controllers", dir);
	if (cbx_read_file(path, &avail, NULL, err) < 0)
		return -1;
	if (!lists_io(avail))
		return cbx_error_set(err, CBX_ERR_STATE,
				     "the cgroup v2 io controller is not available in %s", dir);
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	if (cbx_read_file(path, &on, NULL, err) < 0)
		return -1;
	if (lists_io(on))
		return 0;
	return cbx_write_str(path, "+io", err);
}

int fault_throttle(struct lab_faults *fl, const struct cbx_node *n, const struct lab_io_max *io,
		   struct cbx_error *err)
{
	const struct cbx_cgroups *cg = &fl->ctx.cg;
	char dir[PATH_MAX], disk[64], path[600], line[256];
	int rc;

	if (n->storage != CBX_STORAGE_DISK)
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "node %s keeps its files in memory: io.max slows block devices, so only a node with \"storage\": \"disk\" can have a slow disk",
				     n->name);
	if (!cg->v2)
		return cbx_error_set(err, CBX_ERR_STATE,
				     "a slow disk needs cgroup v2 (io.max): this host's cgroups are v1, whose blkio throttles direct I/O only, not a program's ordinary buffered writes");
	if (lab_node_disk_dir(&fl->ctx, n, dir, sizeof(dir)) < 0)
		return cbx_error_sys(err, ENAMETOOLONG, "node %s", n->name);
	if (disk_of(n->name, dir, disk, sizeof(disk), err) < 0)
		return -1;
	if (enable_io(cg->hier[0], err) < 0)
		return cbx_error_wrap(err, "node %s", n->name);
	cbx_cgroup_path(path, sizeof(path), cg, 0, fl->t->name, NULL, NULL);
	if (enable_io(path, err) < 0)
		return cbx_error_wrap(err, "node %s", n->name);
	cbx_cgroup_path(path, sizeof(path), cg, 0, fl->t->name, n->name, "io.max");
	snprintf(line, sizeof(line), "%s rbps=%s wbps=%s riops=%s wiops=%s", disk, "max", "max",
		 "max", "max");
	if (lab_io_max_is_set(io)) {
		char v[4][24];
		const uint64_t all[4] = { io->rbps, io->wbps, io->riops, io->wiops };
		for (int i = 0; i < 4; i++)
			if (all[i])
				snprintf(v[i], sizeof(v[i]), "%llu", (unsigned long long)all[i]);
			else
				snprintf(v[i], sizeof(v[i]), "max");
		snprintf(line, sizeof(line), "%s rbps=%s wbps=%s riops=%s wiops=%s", disk, v[0],
			 v[1], v[2], v[3]);
	}
	rc = cbx_write_str(path, line, err);
	if (rc < 0)
		return cbx_error_wrap(err, "node %s: io.max", n->name);
	fault_record_disk_slow_set(fl->record, n, io);
	return 0;
}
