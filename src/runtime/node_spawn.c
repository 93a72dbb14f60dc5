#include "runtime/node_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init/init_proto.h"
#include "runtime/node_setup.h"
#include "runtime/raw_clone.h"

/* A node's first process, from the clone to its exec of cboxlab-init. It
 * runs on our memory (CLONE_VM: nothing of ours is copied for it, nor torn
 * down again at its exec) and our descriptor table (CLONE_FILES), on a
 * stack of its own, while we go on cloning the next nodes: it makes raw
 * system calls only (runtime/raw_clone.h) and reads nothing we change. We
 * keep our copies of the fds it needs until it has its own table
 * (node_spawn_detach), and its memory until it says 'N', by when it has
 * exec'd (node_spawn_settled). */
#define CHILD_STACK_SIZE 8192

/* The stack first: its top and the fields below share a page, so a node
 * costs `up` one page of memory until its 'N', not two. */
struct first_process {
	_Alignas(16) char stack[CHILD_STACK_SIZE];
	int sync_fd, netns_fd, mntns_fd, init_fd;
	char *const *argv, *const *envp;
	int own_table; /* set (atomically) once it has its own descriptor table */
};

/* Descriptors a lab keeps per node (its sync socket; its pidfd until the
 * node detaches) live at or above this, and what a new node needs below it: see first_process(). */
#define KEPT_FD_BASE 64

/* A descriptor up keeps for the node's life, moved up among the others. */
static int keep_high(int fd)
{
	int high = fcntl(fd, F_DUPFD_CLOEXEC, KEPT_FD_BASE);

	if (high < 0)
		return fd;
	close(fd);
	return high;
}

#define NO_SANITIZE __attribute__((no_sanitize("address", "undefined")))
#define RAW(nr, a, b, c) cbx_raw_syscall((nr), (long)(a), (long)(b), (long)(c), 0, 0)

/* Tell up which step failed and why ('F', the errno, the step), and die. */
NO_SANITIZE __attribute__((noreturn)) static void first_process_fail(int fd, const char *step,
								     long rc)
{
	char msg[96];
	int e = (int)-rc;
	size_t n = 0;

	msg[n++] = CBX_SYNC_SPAWN_FAILED;
	for (size_t i = 0; i < sizeof(e); i++)
		msg[n++] = ((const char *)&e)[i];
	while (*step && n < sizeof(msg))
		msg[n++] = *step++;
	RAW(SYS_write, fd, msg, n);
	for (;;)
		RAW(SYS_exit_group, 127, 0, 0);
}

/* Put fd at `target` for init: moved out of the way first (to 256 and up),
 * so that no fd the next steps read sits on a target already. */
NO_SANITIZE static long fd_at(int *fd, int target)
{
	long rc = RAW(SYS_fcntl, *fd, F_DUPFD_CLOEXEC, 256);

	if (rc < 0)
		return rc;
	*fd = (int)rc;
	return target < 0 ? 0 : RAW(SYS_dup2, *fd, target, 0);
}

NO_SANITIZE __attribute__((noreturn)) static void first_process(void *arg)
{
	struct first_process *p = arg;
	int report = p->sync_fd, below = p->sync_fd > p->init_fd ? p->sync_fd : p->init_fd;
	long rc;

	if (p->netns_fd > below)
		below = p->netns_fd;
	if (p->mntns_fd > below)
		below = p->mntns_fd;
	/* Until init releases it, a node dies with the `up` that started it. */
	RAW(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0);
	/* A session of its own: a hangup of the terminal `up` ran in, or a
	 * Ctrl-C to its process group, is not the lab's (init passes on
	 * what it gets to the node's command). */
	RAW(SYS_setsid, 0, 0, 0);
	/* A table of our own, copied from the low part of ours only: the fds
	 * needed are there, and the sockets and pidfds of the nodes before
	 * (from KEPT_FD_BASE up) are neither copied nor closed
	 * again at exec, work that grew with every node: O(N^2) for a lab.
	 * Before Linux 5.9 (no CLOSE_RANGE_UNSHARE), a whole copy. */
	rc = RAW(SYS_close_range, below + 1, ~0U, CLOSE_RANGE_UNSHARE);
	if (rc < 0)
		rc = RAW(SYS_unshare, CLONE_FILES, 0, 0);
	if (rc < 0)
		first_process_fail(report, "unshare the descriptor table", rc);
	__atomic_store_n(&p->own_table, 1, __ATOMIC_RELEASE);
	/* Every one moved out of the way before any is put in place. */
	if ((rc = fd_at(&p->init_fd, -1)) < 0 || (rc = fd_at(&p->sync_fd, -1)) < 0 ||
	    (p->netns_fd >= 0 && (rc = fd_at(&p->netns_fd, -1)) < 0) ||
	    (rc = fd_at(&p->mntns_fd, -1)) < 0 ||
	    (p->netns_fd >= 0 && (rc = RAW(SYS_dup2, p->netns_fd, CBX_INIT_NETNS_FD, 0)) < 0) ||
	    (rc = RAW(SYS_dup2, p->mntns_fd, CBX_INIT_MNTNS_FD, 0)) < 0 ||
	    (rc = RAW(SYS_dup2, p->sync_fd, CBX_INIT_SYNC_FD, 0)) < 0)
		first_process_fail(report, "arrange descriptors", rc);
	report = CBX_INIT_SYNC_FD;
	rc = cbx_raw_syscall(SYS_execveat, p->init_fd, (long)"", (long)p->argv, (long)p->envp,
			     AT_EMPTY_PATH);
	first_process_fail(report, "exec cboxlab-init", rc);
}

/* Clone the first process, on its own stack where raw_clone.c can, else as
 * fork does (it then runs on a copy of our memory). */
static long clone_first_process(struct clone_args *args, struct first_process *p)
{
	long pid;

	args->stack = (uint64_t)(uintptr_t)p->stack;
	args->stack_size = sizeof(p->stack);
	pid = cbx_clone3_on_stack(args, first_process, p);
	if (pid != -ENOSYS)
		return pid;
	args->flags &= ~(uint64_t)(CLONE_VM | CLONE_FILES);
	args->stack = args->stack_size = 0;
	pid = syscall(SYS_clone3, args, sizeof(*args));
	if (pid == 0)
		first_process(p);
	return pid < 0 ? -errno : pid;
}

/* Why the node's setup message could not be made: a path too long for
 * cboxlab-init's buffers, named, or a message too big. */
static int setup_too_long(const struct node_spawn_spec *s, struct cbx_error *err)
{
	struct node_setup setup = { .rootfs = s->rootfs, .seccomp = s->seccomp };
	const char *path = node_setup_long_path(&setup);

	if (path)
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "start node %s: %s is %zu bytes long; a node's paths are at most %d",
				     s->name, path, strlen(path), CBX_NODE_PATH_MAX - 1);
	return cbx_error_set(err, CBX_ERR_INPUT,
			     "start node %s: its setup does not fit in a message", s->name);
}

int node_spawn(const struct node_spawn_spec *s, struct node_proc *out, struct cbx_error *err)
{
	struct clone_args args = { 0 };
	struct first_process *p;
	struct node_setup setup = { .name = s->name,
				    .rootfs = s->rootfs,
				    .join_netns = s->netns_fd >= 0,
				    .caps = s->caps,
				    .seccomp = s->seccomp,
				    .nofile = s->nofile,
				    .nice = s->nice,
				    .clock_offset_us = s->clock_offset_us,
				    .join_cgroups = s->cgroup_fd < 0,
				    .cg = *s->cg,
				    .lab = s->lab };
	static char msg[CBX_NODE_SETUP_MSG_MAX];
	sigset_t all, saved;
	int sv[2] = { -1, -1 }, pidfd = -1, netns_fd = -1, e;
	long len = node_setup_encode(&setup, msg, sizeof(msg)), pid;
	const char *step;

	if (len < 0)
		return setup_too_long(s, err);
	p = aligned_alloc(16, sizeof(*p));
	if (!p)
		return cbx_error_sys(err, ENOMEM, "start node %s", s->name);
	step = "socketpair";
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		goto fail;
	/* The setup waits in the node's end of the socket for its init. */
	step = "send its setup";
	if (send(sv[0], msg, (size_t)len, MSG_NOSIGNAL) != len)
		goto fail;
	/* Ours until the child has its own table: the caller may close its own.
	 * (Not the mount namespace's: the caller keeps that until 'N'.) */
	step = "dup";
	if (s->netns_fd >= 0 && (netns_fd = fcntl(s->netns_fd, F_DUPFD_CLOEXEC, 0)) < 0)
		goto fail;
	*p = (struct first_process){ .sync_fd = sv[1],
				     .netns_fd = netns_fd,
				     .mntns_fd = s->mntns_fd,
				     .init_fd = s->init_fd,
				     .argv = s->argv,
				     .envp = s->envp };
	sv[0] = keep_high(sv[0]);
	/* Only the PID namespace here (init must be its PID 1): init makes the
	 * others itself (node_setup_namespaces), in parallel with us. */
	args.flags = CLONE_VM | CLONE_FILES | CLONE_PIDFD | CLONE_NEWPID;
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
	pid = clone_first_process(&args, p);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	step = "clone";
	if (pid < 0) {
		errno = (int)-pid;
		goto fail;
	}
	out->pid = (pid_t)pid;
	out->pidfd = keep_high(pidfd);
	out->sync_fd = sv[0];
	out->child_fd = sv[1];
	out->child_netns_fd = netns_fd;
	out->child = p;
	return 0;
fail:
	e = errno;
	for (int i = 0; i < 2; i++)
		if (sv[i] >= 0)
			close(sv[i]);
	if (netns_fd >= 0)
		close(netns_fd);
	free(p);
	cbx_error_sys(err, e, "start node %s: %s", s->name, step);
	/* Cloned into its cgroup (v2), a node that finds the lab's processes
	 * at their bound fails here. */
	if (e == EAGAIN && !strcmp(step, "clone"))
		cbx_error_append(err, CBX_LAB_AT_BOUND_HINT);
	return -1;
}

/* What a node needs of ours only while its first process shares our
 * descriptor table: the copies of its own descriptors, and its pidfd, by
 * which we see it die meanwhile (our copy of its end of the socket hides
 * its end-of-file until then; after, that end-of-file says it). Closed
 * then, a lab of N nodes holds N descriptors while it comes up, not 2N. */
static void close_child_fds(struct node_proc *p)
{
	if (p->child_fd >= 0)
		close(p->child_fd);
	if (p->child_netns_fd >= 0)
		close(p->child_netns_fd);
	if (p->pidfd >= 0)
		close(p->pidfd);
	p->child_fd = p->child_netns_fd = p->pidfd = -1;
}

bool node_spawn_detach(struct node_proc *p)
{
	const struct first_process *child = p->child;

	if (p->child_fd < 0)
		return true;
	if (!child || !__atomic_load_n(&child->own_table, __ATOMIC_ACQUIRE))
		return false;
	close_child_fds(p);
	return true;
}

void node_spawn_settled(struct node_proc *p)
{
	close_child_fds(p);
	free(p->child);
	p->child = NULL;
}

static int node_say(const struct node_proc *p, char what, const char *why, struct cbx_error *err)
{
	if (send(p->sync_fd, &what, 1, MSG_NOSIGNAL) != 1)
		return cbx_error_sys(err, errno, "%s (pid %d)", why, (int)p->pid);
	return 0;
}

int node_cgroups_made(const struct node_proc *p, struct cbx_error *err)
{
	return node_say(p, CBX_SYNC_CGROUPS, "hand the node its cgroups", err);
}

int node_release(const struct node_proc *p, struct cbx_error *err)
{
	return node_say(p, CBX_SYNC_GO, "release node", err);
}

/* One message, and the descriptor it carries (-1 when none). */
static ssize_t recv_with_fd(int sock, char *buf, size_t size, int *fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	struct iovec iov = { buf, size };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = control.buf,
			      .msg_controllen = sizeof(control.buf) };
	ssize_t n;

	*fd = -1;
	/* A node that dies with something of ours unread leaves ECONNRESET on
	 * the socket, and the kernel reports that before the messages already
	 * queued (its last words: why it failed). Reading the error clears it;
	 * the next read gets them, or the end. */
	for (bool reset_seen = false;;) {
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ECONNRESET && !reset_seen) {
			reset_seen = true;
			continue;
		}
		break;
	}
	for (struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL; c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(fd, CMSG_DATA(c), sizeof(int));
	return n;
}

int node_read_answer(const struct node_proc *p, const char *name, char expect, int *fd,
		     struct cbx_error *err)
{
	char msg[CBX_SYNC_MSG_MAX + 1];
	int got;
	ssize_t n = recv_with_fd(p->sync_fd, msg, sizeof(msg) - 1, &got);

	if (fd)
		*fd = got;
	else if (got >= 0)
		close(got);
	if (n < 0)
		return cbx_error_sys(err, errno, "node %s: read its answer", name);
	if (n == 0)
		return cbx_error_set(err, CBX_ERR_SYSTEM,
				     "node %s died while starting (see its log: cboxlab logs)",
				     name);
	msg[n] = '\0';
	if (msg[0] == expect)
		return 0;
	if (msg[0] == CBX_SYNC_SPAWN_FAILED && n > (ssize_t)sizeof(int)) {
		int e;
		memcpy(&e, msg + 1, sizeof(e));
		return cbx_error_sys(err, e, "node %s: %s", name, msg + 1 + sizeof(e));
	}
	return cbx_error_set(err, CBX_ERR_SYSTEM, "node %s: %s", name,
			     msg[0] == CBX_SYNC_ERROR ? msg + 1 : "unexpected answer");
}
