/* Disk full: a node with "storage_size" has its writable layers, /run and
 * /tmp in a tmpfs of its own (steps_host.c mounts it on the node's folder),
 * and each of its "volumes" is a tmpfs of its own too (in that folder,
 * bound at its DST in the node); `fill` shrinks one to what it holds, so
 * that the node's next write there fails with ENOSPC (also through a file
 * it holds open: one superblock), and `unfill` gives it its size back.
 * Nothing is written: no memory is taken and nothing reaches the host's
 * disk. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
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

/* inodes: 0 leaves the tmpfs's number of inodes as it is. */
static int resize(const char *dir, uint64_t bytes, uint64_t inodes)
{
	char opts[96];
	int len = snprintf(opts, sizeof(opts), "size=%" PRIu64, bytes);

	if (inodes)
		snprintf(opts + len, sizeof(opts) - (size_t)len, ",nr_inodes=%" PRIu64, inodes);
	/* MS_REMOUNT changes the superblock, which every mount namespace's
	 * copy shares, and this mount's flags: the same ones again. */
	return mount(NULL, dir, NULL, MS_REMOUNT | MS_NOSUID | MS_NODEV, opts);
}

/* A volume full holds no new file either: its tmpfs's least size is a
 * page, which an empty volume would still have room for. Its inodes are
 * those in use (its root's at least). */
static uint64_t used_inodes(const struct statfs *st)
{
	uint64_t used = (uint64_t)(st->f_files - st->f_ffree);

	return used ? used : 1;
}

/* The volume of n at path ("/var/lib/redis/" and "/var/lib/redis" alike). */
static const struct cbx_volume *find_volume(const struct cbx_node *n, const char *path,
					    size_t *index)
{
	size_t len = strlen(path);

	while (len > 1 && path[len - 1] == '/')
		len--;
	for (size_t i = 0; i < n->n_volumes; i++)
		if (strlen(n->volumes[i].dst) == len && !strncmp(n->volumes[i].dst, path, len)) {
			*index = i;
			return &n->volumes[i];
		}
	return NULL;
}

/* "/var/lib/redis, /data": the node's volumes, for messages. */
static void list_volumes(const struct cbx_node *n, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n->n_volumes && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "",
					n->volumes[i].dst);
}

/* Where the tmpfs to resize is (dir, on the host), and its full size. */
static int disk_of(struct lab_faults *fl, const struct cbx_node *n, const char *path, char *dir,
		   size_t size, uint64_t *bytes, struct cbx_error *err)
{
	const struct cbx_volume *vol;
	char names[1024];
	size_t k;

	if (!path) {
		if (!n->storage_size && n->n_volumes) {
			list_volumes(n, names, sizeof(names));
			return cbx_error_set(err, CBX_ERR_INPUT,
					     "node %s has no storage of its own to fill (no \"storage_size\"); fill one of its volumes with --path: %s",
					     n->name, names);
		}
		if (!n->storage_size)
			return cbx_error_set(err, CBX_ERR_INPUT,
					     "node %s has no storage of its own to fill: give it \"storage_size\" (e.g. \"64M\") in the topology, or a volume to fill with --path (\"volumes\": [\"/var/lib/x:64M\"])",
					     n->name);
		*bytes = n->storage_size;
		if (lab_node_dir(&fl->ctx, n, dir, size) < 0)
			return cbx_error_sys(err, ENAMETOOLONG, "node %s", n->name);
		return 0;
	}
	if (!(vol = find_volume(n, path, &k))) {
		if (!n->n_volumes)
			return cbx_error_set(err, CBX_ERR_INPUT,
					     "node %s has no volumes, so no volume at %s: give it one in the topology (\"volumes\": [\"%s:64M\"])",
					     n->name, path, path);
		list_volumes(n, names, sizeof(names));
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "node %s has no volume at %s; its volumes: %s", n->name, path,
				     names);
	}
	*bytes = vol->size;
	if (lab_node_volume_dir(&fl->ctx, n, k, dir, size) < 0)
		return cbx_error_sys(err, ENAMETOOLONG, "node %s", n->name);
	return 0;
}

const char *fault_disk_path(const struct cbx_node *n, const char *path)
{
	size_t k;
	const struct cbx_volume *vol = path ? find_volume(n, path, &k) : NULL;

	return vol ? vol->dst : NULL;
}

int fault_disk(struct lab_faults *fl, const struct cbx_node *n, const char *path, bool full,
	       struct cbx_error *err)
{
	struct statfs st;
	char dir[600];
	uint64_t bytes = 0;
	int tries = 0;

	if (disk_of(fl, n, path, dir, sizeof(dir), &bytes, err) < 0)
		return -1;
	/* As the record keeps it: the volume's DST as the topology writes it. */
	path = fault_disk_path(n, path);
	if (!full) {
		if (resize(dir, bytes, path ? LAB_VOLUME_INODES : 0) < 0)
			return cbx_error_sys(err, errno,
					     "node %s%s%s: give it back its %" PRIu64 " bytes",
					     n->name, path ? ": volume " : "'s storage",
					     path ? path : "", bytes);
	} else {
		/* The node may write between the two calls; the kernel refuses
		 * a size below what is held (EINVAL): measure again. */
		for (;;) {
			if (statfs(dir, &st) < 0)
				return cbx_error_sys(err, errno, "node %s: statfs %s", n->name,
						     dir);
			if (resize(dir, used_bytes(&st), path ? used_inodes(&st) : 0) == 0)
				break;
			if (errno != EINVAL || ++tries == 100)
				return cbx_error_sys(err, errno, "node %s: fill %s", n->name,
						     path ? path : "its storage");
		}
	}
	fault_record_disk_full_set(fl->record, n, path, full);
	return 0;
}
