/* A node's own setup, run by cboxlab-init before it waits for 'G' (see
 * node_setup.h). Built into cboxlab-init only: static, musl when there. */
#include "runtime/node_setup.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "init/init_proto.h"
#include "runtime/caps.h"
#include "runtime/mntns.h"
#include "runtime/node_fate.h"
#include "runtime/seccomp_load.h"
#include "runtime/userns.h"

#ifndef CLONE_NEWTIME /* musl before 1.2.2 */
#define CLONE_NEWTIME 0x00000080
#endif

/* stdin from /dev/null, stdout and stderr to the node's console log (the
 * descriptors `up` inherited without close-on-exec are gone already: see
 * node_setup_namespaces). And the file init tells the command's fate in
 * (runtime/node_fate.h), opened here while the node's state directory is
 * in view: a file, never its directory, is all init keeps of the host's
 * filesystem once it is in the node's root, and close-on-exec, so no
 * process of the node inherits it (nor can reach it in /proc/1/fd: init is
 * not dumpable). */
static int arrange_stdio(const struct node_setup *s, int *fate_fd, struct cbx_error *err)
{
	char log[CBX_NODE_SUBPATH_MAX], fate[CBX_NODE_SUBPATH_MAX];
	cleanup_close int null_fd = -1, log_fd = -1;

	snprintf(fate, sizeof(fate), "%s/" CBX_FATE_FILE, s->rootfs.node_dir);
	*fate_fd = open(fate, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (*fate_fd < 0)
		return cbx_error_sys(err, errno, "create the node's fate file");
	snprintf(log, sizeof(log), "%s/console.log", s->rootfs.node_dir);
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null_fd < 0)
		return cbx_error_sys(err, errno, "open /dev/null");
	log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (log_fd < 0)
		return cbx_error_sys(err, errno, "create the node's log");
	if (dup2(null_fd, 0) < 0 || dup2(log_fd, 1) < 0 || dup2(log_fd, 2) < 0)
		return cbx_error_sys(err, errno, "dup2");
	return 0;
}

/* The host's PID of this process: /proc is still the host's here, and its
 * "self" link names the PID as the host sees it (getpid() says 1). */
static int write_pid_file(const struct node_setup *s, struct cbx_error *err)
{
	char path[CBX_NODE_SUBPATH_MAX], pid[32], text[40];
	ssize_t n = readlink("/proc/self", pid, sizeof(pid) - 1);

	if (n < 0)
		return cbx_error_sys(err, errno, "read the node's PID");
	pid[n] = '\0';
	snprintf(text, sizeof(text), "%s\n", pid);
	snprintf(path, sizeof(path), "%s/pid", s->rootfs.node_dir);
	/* Reported as before, by what the file is for rather than its path. */
	if (cbx_create_file(path, 0644, text, strlen(text), err) < 0)
		return cbx_error_sys(err, err->code, "write the node's PID file");
	return 0;
}

/* A node starts clean: no signal ignored because the command that started
 * `up` (a chaos run, a shell's `&` or nohup) had them so (exec keeps
 * ignored signals ignored), and the open-file limit of the host, not the
 * one `up` raised for itself. The mask is init's own business. */
static void reset_process_state(const struct node_setup *s)
{
	/* The kernel's struct, through the raw syscall: libc's sigaction()
	 * refuses the signals it keeps for itself (32-34). */
	struct {
		void (*handler)(int);
		unsigned long flags;
		void (*restorer)(void);
		uint64_t mask;
	} dfl = { .handler = SIG_DFL };

	for (int sig = 1; sig < 65; sig++) /* SIGKILL, SIGSTOP: EINVAL, fine */
		syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof(dfl.mask));
	if (s->nofile.rlim_cur)
		setrlimit(RLIMIT_NOFILE, &s->nofile);
}

/* A procfs of the node's own (its PID namespace's), not mounted anywhere
 * yet: `up` writes the node's sysctls in it, and it becomes the node's
 * /proc. */
static int new_procfs(struct cbx_error *err)
{
	return cbx_procfs_new("create the node's procfs", err);
}

/* Keep only stdio, the sync socket and `keep` (-1: none) of our
 * descriptors. */
static void close_all_but(int keep)
{
	if (keep > CBX_INIT_NETNS_FD)
		syscall(SYS_close_range, CBX_INIT_NETNS_FD, keep - 1, 0);
	syscall(SYS_close_range, keep >= CBX_INIT_NETNS_FD ? keep + 1 : CBX_INIT_NETNS_FD, ~0U, 0);
}

/* A time namespace for everything init starts (unshare gives it to our
 * children; init itself keeps the host's clocks, which nothing of the node
 * reads), its offsets set before any process is in it: the only time the
 * kernel takes them. Made in the host's user namespace, so that `exec`
 * joins it as the host's root (runtime/node_exec.c). */
static int clock_namespace(int64_t offset_us, struct cbx_error *err)
{
	int64_t sec = offset_us / 1000000, nsec = (offset_us % 1000000) * 1000;
	char offsets[128];
	int fd, len, rc = 0;

	/* The kernel wants 0 <= nsec < 1 s: -1.5 s is -2 s + 0.5 s. */
	if (nsec < 0) {
		sec -= 1;
		nsec += 1000000000;
	}
	len = snprintf(offsets, sizeof(offsets),
		       "monotonic %" PRId64 " %" PRId64 "\nboottime %" PRId64 " %" PRId64 "\n", sec,
		       nsec, sec, nsec);
	if (unshare(CLONE_NEWTIME) < 0)
		return cbx_error_sys(err, errno,
				     "create the node's time namespace (Linux 5.6 and later)");
	fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, offsets, (size_t)len) != len)
		rc = cbx_error_sys(err, errno, "set the node's clock offset of %+.6f s%s",
				   offset_us / 1e6,
				   errno == ERANGE
					   ? " (an offset further back than the host's uptime is not allowed: the node's clocks would be negative)"
					   : "");
	if (fd >= 0)
		close(fd);
	return rc;
}

int node_setup_namespaces(struct node_setup *s, struct cbx_error *err)
{
	struct rootfs_spec *r = &s->rootfs;
	/* In a user namespace the network, UTS and IPC namespaces are the
	 * user namespace's (runtime/userns.h), made below. */
	int flags = r->userns.count ? CLONE_NEWNS
				    : CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
					      (s->join_netns ? 0 : CLONE_NEWNET);

	/* Ours is a copy of the namespace `up` made for the nodes: the host's
	 * tree under an empty root (runtime/mntns.h). */
	if (setns(CBX_INIT_MNTNS_FD, CLONE_NEWNS) < 0)
		return cbx_error_sys(err, errno, "join the lab's mount namespace for nodes");
	if (unshare(flags) < 0)
		return cbx_error_sys(err, errno, "create the node's namespaces");
	/* At once: nothing mounted here may propagate back to the host, and
	 * nothing mounted on the host (every other node's netns pin, which
	 * `up` makes after this node's 'N') may propagate in here. A node
	 * still in the host's peer groups would receive each pin: O(N^2). */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return cbx_error_sys(err, errno, "make mounts private");
	if (s->join_netns) {
		if (setns(CBX_INIT_NETNS_FD, CLONE_NEWNET) < 0)
			return cbx_error_sys(err, errno, "join the network namespace");
		/* A restart comes back into the user namespace that owns it. */
		if (r->userns.count && (r->userns_fd = userns_of_netns(CBX_INIT_NETNS_FD, err)) < 0)
			return -1;
	}
	/* No descriptor but stdio (until arrange_stdio) and the sync socket
	 * stays: whatever `up` inherited without close-on-exec goes, and the
	 * kept netns's and the lab's mount namespace's once joined; before the
	 * node opens descriptors of its own. */
	close_all_but(r->userns_fd);
	r->proc_fd = new_procfs(err);
	if (r->proc_fd < 0)
		return -1;
	if (r->userns.count &&
	    userns_namespaces(&r->userns, r->proc_fd, !s->join_netns, &r->userns_fd, err) < 0)
		return -1;
	/* Mounting mqueue looks the IPC namespace's superblock up in the
	 * kernel's list of every mqueue superblock on the host, newest first:
	 * made a moment ago, ours is near the head now. Later, with every
	 * node cloned since in front of it, the search walked thousands
	 * (docs/performance.md). */
	r->mqueue_fd = cbx_fs_new("mqueue", "mount the node's mqueue", err);
	if (r->mqueue_fd < 0)
		return -1;
	/* The node's root is made from the host's files, by their paths:
	 * until rootfs_enter, ours is the host's tree. Not before the user
	 * namespace: the kernel makes none for a chrooted process. */
	if (chroot(CBX_MNTNS_HOST) < 0 || chdir("/") < 0)
		return cbx_error_sys(err, errno, "enter the host's tree at " CBX_MNTNS_HOST);
	if (s->clock_offset_us && clock_namespace(s->clock_offset_us, err) < 0)
		return -1;
	return 0;
}

/* cgroup v1: `up` may clone a node before the lab's cgroups exist
 * (steps_node.c), and makes the node's after the clone: it says 'C' once
 * they are there. Nothing of the lab's is touched before. */
static int await_lab(int sync_fd, struct cbx_error *err)
{
	char said = 0;
	ssize_t n;

	while ((n = read(sync_fd, &said, 1)) < 0 && errno == EINTR)
		;
	if (n != 1 || said != CBX_SYNC_CGROUPS)
		return cbx_error_set(err, CBX_ERR_SYSTEM,
				     "cboxlab went away before making the node's cgroups");
	return 0;
}

/* Join the node's cgroups, looked up from their hierarchies' parent
 * (cbx_cgroups_relative). */
static int join_cgroups(const struct node_setup *s, struct cbx_error *err)
{
	struct cbx_cgroups rel;
	bool relative = cbx_cgroups_relative(&s->cg, &rel);

	if (cbx_cgroup_node_join_self(relative ? &rel : &s->cg, s->lab, s->name, err) < 0) {
		if (relative) /* the paths in the message are relative to it */
			cbx_cgroups_wrap_relative(&s->cg, err);
		return -1;
	}
	return 0;
}

/* Last: PID 1 keeps no more than the node's own processes will have. Until
 * here it held every capability (its setup mounts, enters the root, makes
 * device nodes), and a process of the node with SYS_PTRACE could make it do
 * anything it may (issue 14: sethostname, mknod, open_by_handle_at to the
 * host's root). The filter goes on first, while init may still load one
 * (CAP_SYS_ADMIN, without no_new_privs, which would stop setuid programs);
 * every process the node starts inherits it. */
static int give_up_privileges(const struct node_setup *s, int filter, struct cbx_error *err)
{
	/* In a user namespace, its root, holding its capabilities in it only. */
	if (s->rootfs.userns.count && userns_enter(s->rootfs.userns_fd, err) < 0)
		return -1;
	if (caps_bound_to(s->caps, err) < 0)
		return -1;
	if (filter >= 0 && seccomp_load_fd(filter, err) < 0)
		return cbx_error_wrap(err, "node %s", s->name);
	if (caps_limit_process(s->caps, err) < 0)
		return -1;
	/* Not dumpable: a process of the node without SYS_PTRACE cannot
	 * attach to it even with the same credentials. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	return 0;
}

int node_setup_run(const struct node_setup *s, int sync_fd, int *fate_fd, struct cbx_error *err)
{
	int fd, filter = -1, rc = -1;

	*fate_fd = -1;
	/* Best effort, like the way back below. */
	setpriority(PRIO_PROCESS, 0, CBX_NODE_SETUP_NICE);
	if (s->join_cgroups && await_lab(sync_fd, err) < 0)
		return -1;
	if (cbx_mkdir(s->rootfs.node_dir, 0755, err) < 0)
		return cbx_error_sys(err, err->code, "create the node's state directory");
	if (arrange_stdio(s, fate_fd, err) < 0 || write_pid_file(s, err) < 0)
		return -1;
	/* On cgroup v1 the node joins its cgroups here (v2 cloned it into
	 * them already). */
	if (s->join_cgroups && join_cgroups(s, err) < 0)
		return -1;
	/* Only now, inside its own cgroup, so that it is the namespace's root. */
	if (unshare(CLONE_NEWCGROUP) < 0)
		return cbx_error_sys(err, errno, "unshare cgroup namespace");
	if (sethostname(s->rootfs.hostname, strlen(s->rootfs.hostname)) < 0)
		return cbx_error_sys(err, errno, "set hostname");
	/* The filter's file is on the host: opened before entering the root. */
	if (s->seccomp && (filter = open(s->seccomp, O_RDONLY | O_CLOEXEC)) < 0)
		return cbx_error_sys(err, errno, "open the seccomp filter %s", s->seccomp);
	if (rootfs_enter(&s->rootfs, err) < 0)
		goto out;
	close(s->rootfs.proc_fd); /* it is the node's /proc now */
	close(s->rootfs.mqueue_fd);
	/* stdin was the host's /dev/null: the node's own, now that it has
	 * one, so that not even that is a way out through /proc/1/fd/0. */
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || dup2(fd, 0) < 0) {
		cbx_error_sys(err, errno, "open the node's /dev/null");
		goto out;
	}
	close(fd);
	/* The OOM killer should pick the node's hungry process, never its init
	 * (init resets this for the command it starts). Best effort: without
	 * CAP_SYS_RESOURCE (some sandboxes) the kernel refuses, and init is
	 * small enough that the OOM killer would not pick it anyway. */
	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "-1000", 5) < 0) {
		}
		close(fd);
	}
	/* The node runs at the priority `up` was started with. Before the
	 * capabilities go: raising it back needs CAP_SYS_NICE. */
	setpriority(PRIO_PROCESS, 0, s->nice);
	reset_process_state(s);
	rc = give_up_privileges(s, filter, err);
out:
	if (filter >= 0)
		close(filter);
	if (s->rootfs.userns_fd >= 0)
		close(s->rootfs.userns_fd);
	return rc;
}
