/* cgroup v1 detection: the controller lists read from /proc/self/cgroup,
 * and, on a v1 host, the quick way (the usual mount points) finding what
 * the mount table says. */
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "runtime/cgroup.h"
#include "tap.h"

static const char hybrid[] = "12:pids:/user.slice/user-0.slice\n"
			     "11:cpu,cpuacct:/\n"
			     "5:memory:/process_api/2640f2c1\n"
			     "4:net_cls,net_prio:/\n"
			     "1:name=systemd:/init.scope\n"
			     "0::/init.scope\n";

static void names(void)
{
	char buf[64];

	ok(cbx_cgroup_v1_hierarchy_name(hybrid, "memory", buf, sizeof(buf)) == 0, "memory found");
	is_str(buf, "memory", "in a hierarchy of its own");
	ok(cbx_cgroup_v1_hierarchy_name(hybrid, "cpu", buf, sizeof(buf)) == 0, "cpu found");
	is_str(buf, "cpu,cpuacct", "co-mounted: the whole list names the mount point");
	ok(cbx_cgroup_v1_hierarchy_name(hybrid, "cpuacct", buf, sizeof(buf)) == 0 &&
		   !strcmp(buf, "cpu,cpuacct"),
	   "so does the second of the list");
	ok(cbx_cgroup_v1_hierarchy_name(hybrid, "freezer", buf, sizeof(buf)) == -1,
	   "a controller no hierarchy has is not found");
	ok(cbx_cgroup_v1_hierarchy_name(hybrid, "systemd", buf, sizeof(buf)) == -1,
	   "a named hierarchy is no controller");
	ok(cbx_cgroup_v1_hierarchy_name(hybrid, "net", buf, sizeof(buf)) == -1,
	   "a controller's prefix is not the controller");
	ok(cbx_cgroup_v1_hierarchy_name("0::/\n", "memory", buf, sizeof(buf)) == -1,
	   "pure v2: no v1 hierarchy");
	ok(cbx_cgroup_v1_hierarchy_name("3:pids:/a:b\n4:memory:/", "memory", buf, sizeof(buf)) ==
			   0 &&
		   !strcmp(buf, "memory"),
	   "a colon in a path, a last line without newline");
	ok(cbx_cgroup_v1_hierarchy_name(hybrid, "cpu", buf, 5) == -1,
	   "a list longer than the buffer is not cut");
}

/* What mountinfo says and what the quick way found are the same hierarchies. */
static void agree_with_mountinfo(void)
{
	struct cbx_cgroups quick, slow;
	struct cbx_error err;
	struct statfs sfs;

	if (statfs("/sys/fs/cgroup", &sfs) < 0 || sfs.f_type == CGROUP2_SUPER_MAGIC) {
		printf("ok %d - v1 detection agrees with mountinfo # SKIP not a cgroup v1 host\n",
		       ++tap_n);
		return;
	}
	memset(&quick, 0, sizeof(quick));
	memset(&slow, 0, sizeof(slow));
	if (sfs.f_type != TMPFS_MAGIC) {
		printf("ok %d - v1 detection agrees with mountinfo # SKIP /sys/fs/cgroup is no tmpfs: not the usual layout\n",
		       ++tap_n);
		return;
	}
	ok(cbx_cgroups_detect_v1_usual(&quick) == 0, "the usual v1 layout detected");
	ok(cbx_cgroups_detect_v1_mountinfo(&slow, &err) == 0, "and from mountinfo");
	is_int(quick.n_hier, slow.n_hier, "as many hierarchies both ways");
	for (size_t h = 0; h < quick.n_hier && h < slow.n_hier; h++) {
		is_str(quick.hier[h], slow.hier[h], "hierarchy %zu at the same place", h);
		is_int(quick.ctrl[h], slow.ctrl[h], "with the same controllers");
	}
}

int main(void)
{
	names();
	agree_with_mountinfo();
	return tap_done();
}
