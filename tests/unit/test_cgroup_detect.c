/* cgroup v1 detection: the controller lists read from /proc/self/cgroup,
 * and, on a v1 host, the quick way (the usual mount points) finding what
 * the mount table says. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
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

/* A v1 host's hierarchies as detection leaves them, and which of them a
 * lab's nodes use: those whose controllers some node limits, and always
 * freezer and devices. */
static void v1_host(struct cbx_cgroups *cg)
{
	static const struct {
		const char *dir;
		unsigned ctrl;
	} hier[] = {
		{ "/sys/fs/cgroup/memory", 1u << CBX_V1_MEMORY },
		{ "/sys/fs/cgroup/pids", 1u << CBX_V1_PIDS },
		{ "/sys/fs/cgroup/cpu,cpuacct", 1u << CBX_V1_CPU },
		{ "/sys/fs/cgroup/freezer", 1u << CBX_V1_FREEZER },
		{ "/sys/fs/cgroup/devices", 1u << CBX_V1_DEVICES },
	};

	memset(cg, 0, sizeof(*cg));
	for (size_t h = 0; h < sizeof(hier) / sizeof(hier[0]); h++) {
		strcpy(cg->hier[h], hier[h].dir);
		cg->ctrl[h] = hier[h].ctrl;
	}
	cg->n_hier = sizeof(hier) / sizeof(hier[0]);
}

static const char *hier_list(const struct cbx_cgroups *cg)
{
	static char buf[256];

	buf[0] = '\0';
	for (size_t h = 0; h < cg->n_hier; h++) {
		strcat(buf, h ? " " : "");
		strcat(buf, strrchr(cg->hier[h], '/') + 1);
	}
	return buf;
}

static void hierarchies_for_lab(void)
{
	struct cbx_node nodes[2];
	struct cbx_topo t = { .nodes = nodes, .n_nodes = 2 };
	struct cbx_cgroups cg;

	memset(nodes, 0, sizeof(nodes));
	v1_host(&cg);
	cbx_cgroups_for_lab(&cg, &t);
	is_str(hier_list(&cg), "pids freezer devices",
	       "no limits: no memory nor cpu cgroups, pids for the lab's bound");
	is_int(cg.lab_only, 1u << 0, "no limits: the nodes join pids at the lab's directory");
	nodes[1].limits.memory = 32 << 20;
	v1_host(&cg);
	cbx_cgroups_for_lab(&cg, &t);
	is_str(hier_list(&cg), "memory pids freezer devices", "one node's memory limit: memory");
	is_int(cg.lab_only, 1u << 1, "pids still the lab's alone, at its new place");
	nodes[0].limits.pids = 64;
	nodes[0].limits.cpu_milli = 500;
	v1_host(&cg);
	cbx_cgroups_for_lab(&cg, &t);
	is_str(hier_list(&cg), "memory pids cpu,cpuacct freezer devices", "every limit: all five");
	is_int(cg.lab_only, 0, "a node's pids limit: every node has a pids cgroup of its own");
	t.lab_pids = 300;
	cbx_cgroups_for_lab(&cg, &t);
	is_int(cg.lab_pids, 300, "the lab's bound from its file");
	t.lab_pids = 0;
	cg.v2 = true;
	cg.n_hier = 1;
	memset(nodes, 0, sizeof(nodes));
	cbx_cgroups_for_lab(&cg, &t);
	is_int(cg.n_hier, 1, "v2: the one hierarchy, whatever the limits");
	is_int(cg.v2_skip, 1u << CBX_V1_MEMORY | 1u << CBX_V1_PIDS | 1u << CBX_V1_CPU,
	       "v2 without limits: no controller for the nodes");
}

static void put(const char *dir, const char *file, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if ((f = fopen(path, "w"))) {
		fputs(text, f);
		fclose(f);
	}
}

static const char *get(const char *dir, const char *file)
{
	static char buf[128];
	char path[512];
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if ((f = fopen(path, "r"))) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	return buf;
}

static void lab_pids_default(void)
{
	is_int(cbx_lab_pids_default(32768, 192735), 24576, "pid_max 32768: 24576 for a lab");
	is_int(cbx_lab_pids_default(4194304, 100000), 75000,
	       "threads-max the lesser: three quarters of it");
	is_int(cbx_lab_pids_default(0, 100000), 0, "unknown: no bound");
}

/* cbx_cgroup_lab_create on the stand-in hierarchy as a kernel would
 * show it: nothing enabled yet, no bound (an empty pids.max, which the
 * written bound replaces whole). */
static bool fresh_lab_create(const struct cbx_cgroups *cg, const char *root, const char *lab)
{
	struct cbx_error err;

	put(root, "cgroup.subtree_control", "");
	put(lab, "cgroup.subtree_control", "");
	put(lab, "pids.max", "");
	return cbx_cgroup_lab_create(cg, "tv2", 24576, &err) == 0;
}

/* v2: the lab's cgroup enables for its nodes only the controllers some
 * node's limits need (a plain directory stands in for the hierarchy). */
static void v2_controllers_for_lab(void)
{
	char root[] = "/tmp/cbxt-cgroup-XXXXXX", lab[64];
	struct cbx_node node;
	struct cbx_topo t = { .nodes = &node, .n_nodes = 1 };
	struct cbx_cgroups cg;
	struct cbx_error err;

	if (!mkdtemp(root)) {
		printf("not ok %d - mkdtemp\n", ++tap_n);
		return;
	}
	snprintf(lab, sizeof(lab), "%s/cboxlab-tv2", root);
	mkdir(lab, 0755);
	memset(&cg, 0, sizeof(cg));
	cg.v2 = true;
	cg.n_hier = 1;
	strcpy(cg.hier[0], root);
	memset(&node, 0, sizeof(node));
	node.limits.pids = 10;
	cbx_cgroups_for_lab(&cg, &t);
	put(root, "cgroup.controllers", "cpuset cpu io memory pids\n");
	put(lab, "cgroup.controllers", "memory pids\n");
	ok(fresh_lab_create(&cg, root, lab), "lab cgroup made");
	is_str(get(root, "cgroup.subtree_control"), "+pids", "the root: pids, no memory nor cpu");
	is_str(get(lab, "cgroup.subtree_control"), "+pids", "the lab: pids alone, for its nodes");
	is_str(get(lab, "pids.max"), "24576", "the lab's processes bounded at the default given");

	/* No node limits pids: the lab's directory has it all the same, for
	 * its bound, and its nodes have none. */
	node.limits.pids = 0;
	t.lab_pids = 40;
	cbx_cgroups_for_lab(&cg, &t);
	ok(fresh_lab_create(&cg, root, lab), "lab cgroup made, no node limits");
	is_str(get(root, "cgroup.subtree_control"), "+pids", "the root: pids, for the lab's bound");
	is_str(get(lab, "cgroup.subtree_control"), "", "the lab: nothing for its nodes");
	is_str(get(lab, "pids.max"), "40", "the lab's bound from its file");
	unlink(strcat(strcpy((char[600]){ 0 }, lab), "/pids.max"));
	/* A host whose root does not offer pids: the default bound is
	 * skipped, a bound the file asks for fails. */
	t.lab_pids = 0;
	cbx_cgroups_for_lab(&cg, &t);
	ok(cbx_cgroup_lab_create(&cg, "tv2", 24576, &err) == 0,
	   "no pids controller: no default bound");
	t.lab_pids = 40;
	cbx_cgroups_for_lab(&cg, &t);
	ok(cbx_cgroup_lab_create(&cg, "tv2", 24576, &err) < 0 && strstr(err.msg, "limits.pids"),
	   "no pids controller: limits.pids fails, and says so");
	for (int i = 0; i < 4; i++) {
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", i < 2 ? lab : root,
			 i % 2 ? "cgroup.subtree_control" : "cgroup.controllers");
		unlink(path);
	}
	unlink(strcat(strcpy((char[600]){ 0 }, lab), "/pids.max"));
	rmdir(lab);
	rmdir(root);
}

int main(void)
{
	names();
	agree_with_mountinfo();
	hierarchies_for_lab();
	v2_controllers_for_lab();
	lab_pids_default();
	return tap_done();
}
