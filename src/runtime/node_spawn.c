#include "runtime/node_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "init/init_proto.h"
#include "runtime/caps.h"

/* The fd numbers the node's first process arranges before exec. */
enum {
	FD_INIT_BINARY = CBX_INIT_SYNC_FD + 1,
	FD_NETNS,
	FD_FIRST_FREE,
};

/* Where the node reports a failure: its end of the sync socket, wherever
 * it is at the moment (the fds are rearranged on the way). */
static int report_fd = -1;

/* Send err's text to the parent as 'E' and die. */
static _Noreturn void child_fail(const struct cbx_error *err)
{
	cbx_sync_send(report_fd, CBX_SYNC_ERROR, err->msg);
	_exit(1);
}

/* The same for a failed system call: "<what>: <strerror(errnum)>". */
static _Noreturn void child_fail_sys(int errnum, const char *what)
{
	struct cbx_error err;

	cbx_error_sys(&err, errnum, "%s", what);
	child_fail(&err);
}

/* Put the fds the node needs at fixed numbers and close every other one: the
 * parent's netlink sockets and other nodes' sync sockets must not leak into
 * this node (a sync socket held open here would hide its parent's death from
 * another node). */
static int arrange_fds(const struct node_spawn_spec *s, int sync_fd, int log_fd,
		       struct cbx_error *err)
{
	struct { int fd, target; } fds[5];
	size_t n = 0;
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (devnull < 0)
		return cbx_error_sys(err, errno, "open /dev/null");
	fds[n++] = (typeof(fds[0])){ devnull, 0 };
	fds[n++] = (typeof(fds[0])){ log_fd, 1 };
	fds[n++] = (typeof(fds[0])){ sync_fd, CBX_INIT_SYNC_FD };
	fds[n++] = (typeof(fds[0])){ s->init_fd, FD_INIT_BINARY };
	if (s->netns_fd >= 0)
		fds[n++] = (typeof(fds[0])){ s->netns_fd, FD_NETNS };
	/* Two passes, so a source never sits on a target still to be read. */
	for (size_t i = 0; i < n; i++) {
		fds[i].fd = fcntl(fds[i].fd, F_DUPFD_CLOEXEC, 256);
		if (fds[i].fd < 0)
			return cbx_error_sys(err, errno, "dup");
	}
	for (size_t i = 0; i < n; i++)
		if (dup2(fds[i].fd, fds[i].target) < 0)
			return cbx_error_sys(err, errno, "dup2");
	if (dup2(1, 2) < 0)
		return cbx_error_sys(err, errno, "dup2");
	close_range(FD_FIRST_FREE, ~0U, 0);
	/* Everything but stdio and the sync socket closes at exec. */
	fcntl(FD_INIT_BINARY, F_SETFD, FD_CLOEXEC);
	fcntl(FD_NETNS, F_SETFD, FD_CLOEXEC);
	return 0;
}

/* The host's PID of this process: /proc is still the host's here, and its
 * "self" link names the PID as the host sees it (getpid() says 1). */
static int write_pid_file(const char *path, struct cbx_error *err)
{
	char pid[32], text[40];
	ssize_t n = readlink("/proc/self", pid, sizeof(pid) - 1);

	if (n < 0)
		return cbx_error_sys(err, errno, "read the node's PID");
	pid[n] = '\0';
	snprintf(text, sizeof(text), "%s\n", pid);
	/* Reported as before, by what the file is for rather than its path. */
	if (cbx_create_file(path, 0644, text, strlen(text), err) < 0)
		return cbx_error_sys(err, err->code, "write the node's PID file");
	return 0;
}

/* A node starts clean: no signal blocked or ignored because the command
 * that started it (a chaos run, a shell's `&` or nohup) had them so, and
 * the open-file limit of the host, not the one `up` raised for itself. */
static void reset_process_state(const struct node_spawn_spec *s)
{
	/* The kernel's struct, through the raw syscall: glibc's sigaction()
	 * refuses its own signals 32 and 33, which a sanitizer runtime may have
	 * set to ignored. */
	struct {
		void (*handler)(int);
		unsigned long flags;
		void (*restorer)(void);
		uint64_t mask;
	} dfl = { .handler = SIG_DFL };
	sigset_t none;

	for (int sig = 1; sig < _NSIG; sig++) /* SIGKILL, SIGSTOP: EINVAL, fine */
		syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof(dfl.mask));
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (s->nofile.rlim_cur)
		setrlimit(RLIMIT_NOFILE, &s->nofile);
}

static _Noreturn void child_main(const struct node_spawn_spec *s, int sync_fd)
{
	struct cbx_error err;
	int fd;

	/* Until init releases it, a node dies with the `up` that started it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	report_fd = sync_fd;
	if (cbx_mkdir(s->rootfs.node_dir, 0755, &err) < 0)
		child_fail_sys(err.code, "create the node's state directory");
	fd = open(s->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		child_fail_sys(errno, "create the node's log");
	if (arrange_fds(s, sync_fd, fd, &err) < 0)
		child_fail(&err);
	report_fd = CBX_INIT_SYNC_FD;
	if (write_pid_file(s->pid_path, &err) < 0)
		child_fail(&err);
	/* On cgroup v1 the node makes and joins its own cgroups here, in
	 * parallel with the other nodes (v2 cloned it into them already). */
	if (s->cgroup_fd < 0 &&
	    (cbx_cgroup_node_create(s->cg, s->lab, s->name, s->limits, s->reuse_cgroups, &err) < 0 ||
	     cbx_cgroup_node_join_self(s->cg, s->lab, s->name, &err) < 0))
		child_fail(&err);
	if (s->netns_fd >= 0) {
		if (setns(FD_NETNS, CLONE_NEWNET) < 0)
			child_fail_sys(errno, "join the network namespace");
		close(FD_NETNS);
	}
	/* Only now, inside its own cgroup, so that it is the namespace's root. */
	if (unshare(CLONE_NEWCGROUP) < 0)
		child_fail_sys(errno, "unshare cgroup namespace");
	if (sethostname(s->name, strlen(s->name)) < 0)
		child_fail_sys(errno, "set hostname");
	if (rootfs_enter(&s->rootfs, &err) < 0)
		child_fail(&err);
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
	if (caps_restrict_node(s->privileged, &err) < 0)
		child_fail(&err);
	reset_process_state(s);
	syscall(SYS_execveat, FD_INIT_BINARY, "", s->argv, s->envp, AT_EMPTY_PATH);
	child_fail_sys(errno, "exec cboxlab-init");
}

int node_spawn(const struct node_spawn_spec *s, struct node_proc *out, struct cbx_error *err)
{
	struct clone_args args = { 0 };
	int sv[2], pidfd = -1;
	long pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return cbx_error_sys(err, errno, "start node %s: socketpair", s->name);
	args.flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_PIDFD;
	if (s->netns_fd < 0)
		args.flags |= CLONE_NEWNET;
	if (s->cgroup_fd >= 0) {
		/* Born in its cgroup: no migration, no RCU grace period. */
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)s->cgroup_fd;
	}
	args.pidfd = (uint64_t)(uintptr_t)&pidfd;
	args.exit_signal = SIGCHLD;
	/* clone3 without a stack behaves like fork: the child gets a copy of
	 * this process and runs child_main() on it until exec. */
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		return cbx_error_sys(err, e, "start node %s: clone", s->name);
	}
	if (pid == 0)
		child_main(s, sv[1]);
	close(sv[1]);
	out->pid = (pid_t)pid;
	out->pidfd = pidfd;
	out->sync_fd = sv[0];
	return 0;
}

int node_release(const struct node_proc *p, struct cbx_error *err)
{
	char go = CBX_SYNC_GO;

	if (send(p->sync_fd, &go, 1, MSG_NOSIGNAL) != 1)
		return cbx_error_sys(err, errno, "release node (pid %d)", (int)p->pid);
	return 0;
}

int node_read_answer(const struct node_proc *p, const char *name, struct cbx_error *err)
{
	char msg[CBX_SYNC_MSG_MAX + 1];
	ssize_t n;

	do {
		n = recv(p->sync_fd, msg, sizeof(msg) - 1, 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return cbx_error_sys(err, errno, "node %s: read its answer", name);
	if (n == 0)
		return cbx_error_set(err, CBX_ERR_SYSTEM,
				     "node %s died while starting (see its log: cboxlab logs)", name);
	msg[n] = '\0';
	if (msg[0] == CBX_SYNC_READY)
		return 0;
	return cbx_error_set(err, CBX_ERR_SYSTEM, "node %s: %s", name,
			     msg[0] == CBX_SYNC_ERROR ? msg + 1 : "unexpected answer");
}
