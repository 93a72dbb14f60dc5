/* Which cgroup layout the host has, and where its hierarchies are: looked
 * up, never configured (cgroup.h). */
#include "runtime/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "common/cleanup.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

/* Does the comma-separated option list contain `word`? */
static bool has_option(const char *opts, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = opts; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		if (n == len && !strncmp(p, word, len))
			return true;
		p = comma ? comma + 1 : NULL;
	}
	return false;
}

/* Record that controller i is at mount point mnt, in a hierarchy of its own
 * or co-mounted with one seen already. */
static void add_controller(struct cbx_cgroups *cg, size_t i, const char *mnt)
{
	for (size_t h = 0; h < cg->n_hier; h++) {
		if (!strcmp(cg->hier[h], mnt)) {
			cg->ctrl[h] |= 1u << i;
			return;
		}
	}
	snprintf(cg->hier[cg->n_hier], sizeof(cg->hier[0]), "%s", mnt);
	cg->ctrl[cg->n_hier++] = 1u << i;
}

static int no_memory_controller(struct cbx_error *err)
{
	return cbx_error_set(err, CBX_ERR_SYSTEM,
			     "no cgroup v2 at " CGROUP_ROOT
			     " and no cgroup v1 memory controller mounted: node limits cannot be applied");
}

int cbx_cgroups_detect_v1_mountinfo(struct cbx_cgroups *cg, struct cbx_error *err)
{
	cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");
	struct {
		char mnt[256];
		char opts[256];
	} mounts[32];
	size_t n_mounts = 0;
	char line[4096];

	if (!f)
		return cbx_error_sys(err, errno, "open /proc/self/mountinfo");
	while (fgets(line, sizeof(line), f) && n_mounts < CBX_ARRAY_SIZE(mounts)) {
		char fstype[64];
		char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%*s %*s %*s %*s %255s", mounts[n_mounts].mnt) != 1 ||
		    sscanf(sep + 3, "%63s %*s %255s", fstype, mounts[n_mounts].opts) != 2 ||
		    strcmp(fstype, "cgroup"))
			continue;
		n_mounts++;
	}
	for (size_t i = 0; i < CBX_V1_CTRL_MAX; i++) {
		for (size_t m = 0; m < n_mounts; m++) {
			if (has_option(mounts[m].opts, cbx_cgroup_v1_ctrl_names[i])) {
				add_controller(cg, i, mounts[m].mnt);
				break;
			}
		}
		/* memory comes first: without it nothing is in hier[0] yet. */
		if (cg->n_hier == 0)
			return no_memory_controller(err);
	}
	return 0;
}

int cbx_cgroup_v1_hierarchy_name(const char *self_cgroup, const char *controller, char *buf,
				 size_t size)
{
	for (const char *line = self_cgroup; line && *line;) {
		const char *end = strchr(line, '\n');
		const char *first = memchr(line, ':', end ? (size_t)(end - line) : strlen(line));
		const char *second = first ? strchr(first + 1, ':') : NULL;

		if (second && (!end || second < end)) {
			size_t len = (size_t)(second - first - 1);
			char list[256];
			if (len < sizeof(list) && len < size) {
				memcpy(list, first + 1, len);
				list[len] = '\0';
				if (has_option(list, controller)) {
					memcpy(buf, list, len + 1);
					return 0;
				}
			}
		}
		line = end ? end + 1 : NULL;
	}
	return -1;
}

/* Without reading the mount table (cgroup.h): it holds every netns pin of
 * every lab that is up, so reading it grows with every lab on the host
 * (docs/performance.md, "Measurements behind the code"). */
int cbx_cgroups_detect_v1_usual(struct cbx_cgroups *cg)
{
	char self[4096], name[200], path[256];
	cleanup_close int fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, self, sizeof(self) - 1);

	/* A full buffer may have cut the list short. */
	if (n <= 0 || n == (ssize_t)sizeof(self) - 1)
		return 1;
	self[n] = '\0';
	for (size_t i = 0; i < CBX_V1_CTRL_MAX; i++) {
		struct statfs sfs;

		if (cbx_cgroup_v1_hierarchy_name(self, cbx_cgroup_v1_ctrl_names[i], name,
						 sizeof(name)) < 0) {
			if (i == 0)
				return 1;
			continue; /* not in this kernel, or not mounted */
		}
		snprintf(path, sizeof(path), CGROUP_ROOT "/%s", name);
		if (statfs(path, &sfs) < 0 || sfs.f_type != CGROUP_SUPER_MAGIC)
			return 1;
		add_controller(cg, i, path);
	}
	return 0;
}

int cbx_cgroups_detect(struct cbx_cgroups *cg, struct cbx_error *err)
{
	struct statfs sfs;

	memset(cg, 0, sizeof(*cg));
	if (statfs(CGROUP_ROOT, &sfs) < 0)
		return cbx_error_sys(err, errno, "statfs " CGROUP_ROOT);
	if (sfs.f_type == CGROUP2_SUPER_MAGIC) {
		cg->ops = &cbx_cgroup_v2_ops;
		cg->v2 = true;
		snprintf(cg->hier[0], sizeof(cg->hier[0]), "%s", CGROUP_ROOT);
		cg->n_hier = 1;
		return 0;
	}
	cg->ops = &cbx_cgroup_v1_ops;
	/* The usual layout needs a tmpfs at /sys/fs/cgroup: were it a cgroup
	 * hierarchy itself, /sys/fs/cgroup/memory would be a cgroup in it. */
	if (sfs.f_type == TMPFS_MAGIC && cbx_cgroups_detect_v1_usual(cg) == 0)
		return 0;
	memset(cg->hier, 0, sizeof(cg->hier));
	memset(cg->ctrl, 0, sizeof(cg->ctrl));
	cg->n_hier = 0;
	return cbx_cgroups_detect_v1_mountinfo(cg, err);
}
