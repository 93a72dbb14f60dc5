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
#include <sys/wait.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init/init_proto.h"
#include "runtime/caps.h"
#include "runtime/node_setup.h"

/* What the node's first process needs between the clone and its exec of
 * cboxlab-init. It runs on our memory and stack (CLONE_VM | CLONE_VFORK: we
 * are suspended until it execs), so it only makes system calls and, when
 * one fails, writes what and why here, which we read once it has gone.
 * volatile: the compiler sees those writes only on a path that never
 * returns, and would otherwise assume we cannot see them. */
struct first_process {
	int sync_fd, netns_fd, init_fd;
	char *const *argv, *const *envp;
	volatile int exec_errno;
	const char *volatile failed; /* the step that failed */
};

/* The fds init expects, at their numbers: the sync socket, and the netns
 * to join. Every fd used here first moves out of the way (cboxlab-init's
 * too, which the exec still needs), so that none sits on a target before
 * it is read. Everything else of ours is close-on-exec. */
__attribute__((no_sanitize("address"))) static const char *
place_fds(struct first_process *p)
{
	int src[2] = { p->sync_fd, p->netns_fd }, dst[2] = { CBX_INIT_SYNC_FD, CBX_INIT_NETNS_FD };
	int n = p->netns_fd >= 0 ? 2 : 1;

	if ((p->init_fd = fcntl(p->init_fd, F_DUPFD_CLOEXEC, 256)) < 0)
		return "dup";
	for (int i = 0; i < n; i++)
		if ((src[i] = fcntl(src[i], F_DUPFD_CLOEXEC, 256)) < 0)
			return "dup";
	for (int i = 0; i < n; i++)
		if (dup2(src[i], dst[i]) < 0)
			return "dup2";
	return NULL;
}

__attribute__((no_sanitize("address"), noreturn, noinline)) static void
first_process_exec(struct first_process *p)
{
	/* Until init releases it, a node dies with the `up` that started it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	p->failed = place_fds(p);
	if (!p->failed) {
		syscall(SYS_execveat, p->init_fd, "", p->argv, p->envp, AT_EMPTY_PATH);
		p->failed = "exec cboxlab-init";
	}
	p->exec_errno = errno;
	_exit(127);
}

/* clone3 as vfork: the child runs on our stack while we are suspended, so
 * it must not return from any frame we will return from (it would rewrite
 * the return address we later pop). The system call is therefore made
 * inline, in this frame, which the child leaves only by calling
 * first_process_exec() below our stack pointer. Where there is no such
 * code here, a plain fork-like clone3 (the child copies our memory). */
__attribute__((noinline, no_sanitize("address"))) static long
spawn_first_process(struct clone_args *args, struct first_process *p)
{
	long pid;

#if defined(__x86_64__)
	register long rax __asm__("rax") = SYS_clone3;
	__asm__ volatile("syscall"
			 : "+r"(rax)
			 : "D"(args), "S"(sizeof(*args))
			 : "rcx", "r11", "memory");
	pid = rax;
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = SYS_clone3;
	register long x0 __asm__("x0") = (long)args;
	register long x1 __asm__("x1") = (long)sizeof(*args);
	__asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1) : "memory");
	pid = x0;
#else
	args->flags &= ~(uint64_t)(CLONE_VM | CLONE_VFORK);
	pid = syscall(SYS_clone3, args, sizeof(*args));
#endif
	if (pid == 0)
		first_process_exec(p);
	if (pid < 0 && pid > -4096) { /* the raw call's -errno */
		errno = (int)-pid;
		pid = -1;
	}
	return pid;
}

int node_spawn(const struct node_spawn_spec *s, struct node_proc *out, struct cbx_error *err)
{
	struct clone_args args = { 0 };
	struct first_process p = { .netns_fd = s->netns_fd, .init_fd = s->init_fd,
				   .argv = s->argv, .envp = s->envp };
	struct node_setup setup = { .name = s->name, .rootfs = s->rootfs,
				    .join_netns = s->netns_fd >= 0,
				    .cap_drop = caps_node_drop_mask(s->privileged),
				    .nofile = s->nofile, .make_cgroups = s->cgroup_fd < 0,
				    .cg = *s->cg, .lab = s->lab, .limits = *s->limits,
				    .reuse_cgroups = s->reuse_cgroups };
	static char msg[CBX_NODE_SETUP_MSG_MAX];
	sigset_t all, saved;
	int sv[2], pidfd = -1;
	long len = node_setup_encode(&setup, msg, sizeof(msg)), pid;

	if (len < 0)
		return cbx_error_set(err, CBX_ERR_INPUT, "start node %s: its paths are too long",
				     s->name);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return cbx_error_sys(err, errno, "start node %s: socketpair", s->name);
	/* The setup waits in the node's end of the socket for its init. */
	if (send(sv[0], msg, (size_t)len, MSG_NOSIGNAL) != len) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		return cbx_error_sys(err, e, "start node %s: send its setup", s->name);
	}
	p.sync_fd = sv[1];
	/* Only the PID namespace here (init must be its PID 1): init makes the
	 * others itself (node_setup_namespaces), in parallel with us. */
	args.flags = CLONE_VM | CLONE_VFORK | CLONE_PIDFD | CLONE_NEWPID;
	if (s->cgroup_fd >= 0) {
		/* Born in its cgroup: no migration, no RCU grace period. */
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)s->cgroup_fd;
	}
	args.pidfd = (uint64_t)(uintptr_t)&pidfd;
	args.exit_signal = SIGCHLD;
	/* No signal handler of ours may run in the child, on our memory: it
	 * starts with every signal blocked, and init sets its own mask. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &saved);
	pid = spawn_first_process(&args, &p);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	close(sv[1]);
	if (pid < 0 || p.failed) {
		int e = pid < 0 ? errno : p.exec_errno;
		if (pid > 0) {
			waitpid((pid_t)pid, NULL, 0);
			close(pidfd);
		}
		close(sv[0]);
		return cbx_error_sys(err, e, "start node %s: %s", s->name,
				     pid < 0 ? "clone" : p.failed);
	}
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

int node_read_answer(const struct node_proc *p, const char *name, char expect,
		     struct cbx_error *err)
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
	if (msg[0] == expect)
		return 0;
	return cbx_error_set(err, CBX_ERR_SYSTEM, "node %s: %s", name,
			     msg[0] == CBX_SYNC_ERROR ? msg + 1 : "unexpected answer");
}
