#include "runtime/node_exec.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "runtime/caps.h"
#include "runtime/seccomp_load.h"

extern char **environ;

#define ALL_NODE_NAMESPACES \
	(CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWCGROUP)

static volatile sig_atomic_t winch;
/* Signals for the command, passed on by cboxlab to the helper and by the
 * helper to the command's process group (its own: so that whatever it
 * started goes too). The helper's parent-death signal, CALLER_GONE, kills
 * that group outright: the helper then reaps the command, so that no zombie
 * is left for the host's init to reap (the command's parent is outside the
 * node's PID namespace: an orphan of the helper's would go to the host's
 * init, not the node's). */
#define CALLER_GONE SIGUSR1
static volatile pid_t forward_to;
static volatile sig_atomic_t forward_to_group;
/* What SIGINT and SIGQUIT were for our caller: the command gets them back
 * (ignored stays ignored, as for a shell's background job). */
static struct sigaction caller_int, caller_quit;

static void on_winch(int sig)
{
	(void)sig;
	winch = 1;
}

static void on_forwarded(int sig)
{
	pid_t pid = forward_to;

	if (pid <= 0)
		return;
	sig = sig == CALLER_GONE ? SIGKILL : sig;
	/* The command's group exists once it has called setsid(). */
	if (!forward_to_group || (kill(-pid, sig) < 0 && errno == ESRCH))
		kill(pid, sig);
}

/* Pass SIGTERM, SIGHUP, CALLER_GONE, and SIGINT and SIGQUIT unless our
 * caller ignores them, to `to` (its process group when `group`). */
static void forward_signals(pid_t to, bool group)
{
	struct sigaction sa = { .sa_handler = on_forwarded };

	forward_to = to;
	forward_to_group = group;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(CALLER_GONE, &sa, NULL);
	if (caller_int.sa_handler != SIG_IGN)
		sigaction(SIGINT, &sa, NULL);
	if (caller_quit.sa_handler != SIG_IGN)
		sigaction(SIGQUIT, &sa, NULL);
}

/* The signals above, blocked while there is nobody to pass them to yet. */
static void block_forwarded(sigset_t *saved)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, CALLER_GONE);
	sigprocmask(SIG_BLOCK, &set, saved);
}

/* The command: the first process of this exec the node can see, and so
 * one a process of the node with CAP_SYS_PTRACE may take descriptors from
 * (pidfd_getfd) from its first instruction: it is born holding stdio and
 * nothing else (the helper closed the rest before forking it), and none of
 * its stdio is a terminal of the host's (node_exec relays those through
 * pipes). It leads a session of its own, so that it has no controlling
 * terminal: the node's /dev/tty would otherwise open the caller's
 * (TIOCSTI, keystrokes). */
static _Noreturn void exec_in_node(const struct node_exec_spec *s, const char *pts)
{
	int fd;

	/* A backstop: should the helper die without reaping us, we go too. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (setsid() < 0) {
		fprintf(stderr, "cboxlab: a session of its own for the command: %s\n",
			strerror(errno));
		_exit(126);
	}
	if (pts) {
		fd = open(pts, O_RDWR);
		if (fd < 0 || ioctl(fd, TIOCSCTTY, 0) < 0) {
			fprintf(stderr, "cboxlab: open terminal %s in the node: %s\n", pts,
				strerror(errno));
			_exit(126);
		}
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
	}
	/* A backstop too: there is nothing here but stdio. */
	if (syscall(SYS_close_range, 3, ~0U, 0) < 0) {
		fprintf(stderr, "cboxlab: close descriptors: %s\n", strerror(errno));
		_exit(126);
	}
	/* The helper's OOM exemption is not the command's. */
	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "0", 1) < 0) {
		}
		close(fd);
	}
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(CALLER_GONE, SIG_DFL);
	sigaction(SIGINT, &caller_int, NULL);
	sigaction(SIGQUIT, &caller_quit, NULL);
	/* execvp looks PATH up in our environment: make it the node's. */
	environ = (char **)s->envp;
	execvp(s->argv[0], s->argv);
	fprintf(stderr, "cboxlab: %s: %s\n", s->argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* A node with a clock offset has a time namespace of its own: its init's
 * for its children (node_setup.c's clock_namespace). Joined first, while we
 * are the host's root (in a node's user namespace we could not), and only
 * when it is not ours: joining needs a single thread, and costs a little. */
static int join_time(pid_t init_pid, const char *node, struct cbx_error *err)
{
	struct stat ours, theirs;
	cleanup_close int fd = -1;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/time_for_children", (int)init_pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	/* A kernel without time namespaces: every node has the host's clocks. */
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 || fstat(fd, &theirs) < 0 || stat("/proc/self/ns/time", &ours) < 0)
		return cbx_error_sys(err, errno, "read the time namespace of node %s", node);
	if (theirs.st_ino == ours.st_ino && theirs.st_dev == ours.st_dev)
		return 0;
	if (setns(fd, CLONE_NEWTIME) < 0)
		return cbx_error_sys(err, errno, "enter the time namespace of node %s", node);
	return 0;
}

/* The helper joins the node: its cgroups (on v2 it was born in them), all
 * its namespaces at once through the pidfd (the node cannot change under
 * us between two joins), its root. */
static int enter_node(const struct node_exec_spec *s, bool in_cgroup, struct cbx_error *err)
{
	cleanup_close int pidfd = (int)syscall(SYS_pidfd_open, s->init_pid, 0);

	if (pidfd < 0)
		return cbx_error_sys(err, errno, "node %s is not running (pid %d)", s->node,
				     (int)s->init_pid);
	/* The cgroup first: its files are reachable only from the host's
	 * mount namespace. */
	if (!in_cgroup && cbx_cgroup_node_join_self(s->cg, s->lab, s->node, err) < 0)
		return -1;
	if (join_time(s->init_pid, s->node, err) < 0)
		return -1;
	if (setns(pidfd, ALL_NODE_NAMESPACES | (s->userns ? CLONE_NEWUSER : 0)) < 0)
		return cbx_error_sys(err, errno, "enter the namespaces of node %s", s->node);
	/* The host's root is nobody in the node's user namespace: its root. */
	if (s->userns &&
	    (syscall(SYS_setgroups, 0, NULL) < 0 || syscall(SYS_setresgid, 0, 0, 0) < 0 ||
	     syscall(SYS_setresuid, 0, 0, 0) < 0))
		return cbx_error_sys(err, errno, "become root in node %s's user namespace",
				     s->node);
	if (chdir("/") < 0)
		return cbx_error_sys(err, errno, "chdir / in node %s", s->node);
	return 0;
}

/* What the node's own init gave up, the helper gives up before the
 * command exists (node_setup.c's give_up_privileges, in the same order). */
static int drop_privileges(const struct node_exec_spec *s, int filter, struct cbx_error *err)
{
	if (caps_bound_to(s->caps, err) < 0)
		return -1;
	if (filter >= 0 && seccomp_load_fd(filter, err) < 0)
		return -1;
	return caps_limit_process(s->caps, err);
}

/* How the helper reports to cboxlab, and what stands in for cboxlab's
 * terminals. The command, which a process of the node may take descriptors
 * and memory from, has none of it. */
struct exec_channels {
	char *msg;       /* the helper's error, "" when none: a shared page the
			    helper keeps from its children (MADV_DONTFORK) */
	int sock[2];     /* -t: the helper passes the node's terminal through it */
	int pipes[3][2]; /* without -t: a pipe for each of our stdin, stdout and
			    stderr that is a terminal, relayed by cboxlab; -1 */
};

/* A pseudo-terminal of the node's own devpts (we are in its mount
 * namespace): the master for cboxlab, the slave's path for the command. */
static int open_terminal(const struct node_exec_spec *s, int *master, const char **pts,
			 struct cbx_error *err)
{
	*master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*master < 0 || grantpt(*master) < 0 || unlockpt(*master) < 0 ||
	    !(*pts = ptsname(*master)))
		return cbx_error_sys(err, errno, "allocate a terminal in node %s", s->node);
	return 0;
}

static int send_fd(int sock, int fd)
{
	char byte = 0, control[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = control,
			    .msg_controllen = sizeof(control) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &m, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

/* The descriptor the helper sent; -1 when it went without sending one. */
static int recv_fd(int sock)
{
	char byte, control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = control,
			    .msg_controllen = sizeof(control) };
	struct cmsghdr *c;
	ssize_t n;
	int fd = -1;

	while ((n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	c = n == 1 ? CMSG_FIRSTHDR(&m) : NULL;
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
	    c->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* Exempt from the OOM killer (on v2 it is in the node's cgroup): it must
 * live to reap the command. Before it enters the node: /proc/self is the
 * host's procfs's, where it has a PID. */
static void exempt_from_oom(void)
{
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, "-1000", 5) < 0) {
		}
		close(fd);
	}
}

/* The helper's stdio, which the command inherits: with -t, /dev/null (the
 * command gets the node's terminal, cboxlab relays ours to it); with out_fd,
 * that for stdout and stderr and /dev/null for stdin (a check's or a ready
 * command's: `up` may run on a terminal); the pipes that stand for
 * cboxlab's terminals; the rest of cboxlab's stdio as it is. */
static int take_stdio(const struct node_exec_spec *s, const struct exec_channels *ch,
		      struct cbx_error *err)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC), bad = 0;

	if (null < 0)
		return cbx_error_sys(err, errno, "exec in node %s: open /dev/null", s->node);
	if (s->tty)
		bad |= dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0;
	else if (s->out_fd > 2)
		bad |= dup2(null, 0) < 0 || dup2(s->out_fd, 1) < 0 || dup2(s->out_fd, 2) < 0;
	for (int i = 0; i < 3 && !s->tty; i++)
		if (ch->pipes[i][0] >= 0)
			bad |= dup2(ch->pipes[i][i == 0 ? 0 : 1], i) < 0;
	if (null > 2)
		close(null);
	return bad ? cbx_error_sys(err, errno, "exec in node %s: its stdio", s->node) : 0;
}

static int close_all_but_stdio(void)
{
	return (int)syscall(SYS_close_range, 3, ~0U, 0);
}

/* The helper: in a child of cboxlab (cboxlab itself never changes
 * namespaces). Returns the command's status; failures go to ch->msg. */
static int run_inside(const struct node_exec_spec *s, bool in_cgroup, int filter,
		      const struct exec_channels *ch, pid_t caller)
{
	struct cbx_error err;
	int master = -1, st;
	const char *pts = NULL;
	pid_t child;
	sigset_t saved;

	block_forwarded(&saved);
	prctl(PR_SET_PDEATHSIG, CALLER_GONE);
	if (getppid() != caller) /* it died before we asked */
		return 125;
	/* A group of our own: a Ctrl-C to cboxlab's group reaches the command
	 * once, through cboxlab, not also through us. */
	setpgid(0, 0);
	if (madvise(ch->msg, CBX_ERROR_MSG_MAX, MADV_DONTFORK) < 0) {
		cbx_error_sys(&err, errno, "exec in node %s: keep the report from the command",
			      s->node);
		goto fail;
	}
	if (take_stdio(s, ch, &err) < 0)
		goto fail;
	exempt_from_oom();
	if (enter_node(s, in_cgroup, &err) < 0 ||
	    (s->tty && open_terminal(s, &master, &pts, &err) < 0) ||
	    drop_privileges(s, filter, &err) < 0)
		goto fail;
	if (s->tty && send_fd(ch->sock[1], master) < 0) {
		cbx_error_sys(&err, errno, "pass node %s's terminal to cboxlab", s->node);
		goto fail;
	}
	/* Everything but stdio goes before the command exists: a process of
	 * the node with CAP_SYS_PTRACE may take any descriptor the command
	 * holds, from its first instruction (pidfd_getfd): one of cboxlab's
	 * caller's is a way out to the host (CVE-2024-21626), the filter's
	 * file is every node's filter. */
	if (close_all_but_stdio() < 0) {
		cbx_error_sys(&err, errno, "exec in node %s: close descriptors", s->node);
		goto fail;
	}
	/* setns(CLONE_NEWPID) places our children, not us, in the node's PID
	 * namespace. fork, not clone3: the filter answers clone3 ENOSYS. */
	child = fork();
	if (child < 0) {
		cbx_error_sys(&err, errno, "fork into node %s", s->node);
		if (err.code == EAGAIN)
			cbx_error_append(&err, CBX_LAB_AT_BOUND_HINT);
		goto fail;
	}
	if (child == 0) {
		sigprocmask(SIG_SETMASK, &saved, NULL);
		exec_in_node(s, pts);
	}
	forward_signals(child, true);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	/* Our caller may have died while the signals waited. */
	if (getppid() != caller)
		kill(child, SIGKILL);
	while (waitpid(child, &st, 0) < 0)
		if (errno != EINTR)
			return 125;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
fail:
	snprintf(ch->msg, CBX_ERROR_MSG_MAX, "%s", err.msg);
	return 125;
}

/* The helper is born in the node's cgroup where the kernel can (v2:
 * CLONE_INTO_CGROUP, no migration), else it joins the node's v1 cgroups. */
static pid_t spawn_helper(const struct node_exec_spec *s, int filter,
			  const struct exec_channels *ch, int *pidfd)
{
	struct clone_args args = { .flags = CLONE_PIDFD,
				   .pidfd = (uint64_t)(uintptr_t)pidfd,
				   .exit_signal = SIGCHLD };
	int cgroup_fd = cbx_cgroup_node_clone_fd(s->cg, s->lab, s->node, &(struct cbx_error){ 0 });
	pid_t pid, caller = getpid();

	if (cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgroup_fd;
	}
	pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0)
		_exit(run_inside(s, cgroup_fd >= 0, filter, ch, caller));
	if (cgroup_fd >= 0)
		close(cgroup_fd);
	return pid;
}

/* One direction cboxlab relays: from -> to, until from ends. */
struct flow {
	int from, to;
	bool close_to; /* stdin into a pipe: close it at the end (EOF for the command) */
	bool output;   /* the command's output, to drain once it is done */
};

static bool write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		buf += w;
		n -= (size_t)w;
	}
	return true;
}

static void flow_end(struct flow *f)
{
	f->from = -1;
	if (f->close_to && f->to >= 0)
		close(f->to);
	f->to = -1;
}

/* One read's worth: false once the flow has ended (EOF; EIO, a terminal
 * whose last holder is gone; its destination gone). */
static bool pump(struct flow *f)
{
	char buf[4096];
	ssize_t n = read(f->from, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return errno == EINTR;
	if (n <= 0 || !write_all(f->to, buf, (size_t)n)) {
		flow_end(f);
		return false;
	}
	return true;
}

/* What is left in the command's outputs once it is done: not what a
 * process it left behind writes later. */
static void drain(struct flow *f)
{
	if (f->from < 0 || !f->output)
		return;
	fcntl(f->from, F_SETFL, fcntl(f->from, F_GETFL) | O_NONBLOCK);
	while (f->from >= 0 && pump(f))
		;
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Relays the flows until the helper is gone (the command done and
 * reaped); past timeout_ms (> 0), SIGTERM to the helper (which hands it to
 * the command), a second for it, then SIGKILL. True when it had to be
 * stopped. master >= 0: the node's terminal, kept to our window's size. */
static bool relay_until_done(int pidfd, pid_t helper, struct flow *flows, size_t n, int master,
			     int timeout_ms)
{
	long long deadline = timeout_ms > 0 ? now_ms() + timeout_ms : -1;
	bool stopped = false, killed = false;

	for (;;) {
		struct pollfd p[4] = { { .fd = pidfd, .events = POLLIN } };
		int wait_ms = deadline < 0 ? -1 : (int)(deadline - now_ms());

		if (winch && master >= 0) {
			struct winsize ws;
			winch = 0;
			if (ioctl(0, TIOCGWINSZ, &ws) == 0)
				ioctl(master, TIOCSWINSZ, &ws);
		}
		if (deadline >= 0 && wait_ms <= 0) {
			if (!stopped) {
				stopped = true;
				kill(helper, SIGTERM);
				deadline = now_ms() + 1000;
			} else if (!killed) {
				killed = true;
				kill(helper, SIGKILL);
				deadline = -1;
			}
			continue;
		}
		for (size_t i = 0; i < n; i++)
			p[1 + i] = (struct pollfd){ .fd = flows[i].from, .events = POLLIN };
		if (poll(p, 1 + n, wait_ms) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents)
			break;
		for (size_t i = 0; i < n; i++)
			if (p[1 + i].revents && flows[i].from >= 0)
				pump(&flows[i]);
	}
	for (size_t i = 0; i < n; i++)
		drain(&flows[i]);
	return stopped;
}

bool node_exec_wait_or_stop(pid_t child, int timeout_ms)
{
	int pidfd = (int)syscall(SYS_pidfd_open, child, 0);
	bool stopped;

	if (pidfd < 0)
		return false;
	stopped = relay_until_done(pidfd, child, NULL, 0, -1, timeout_ms);
	close(pidfd);
	return stopped;
}

/* Our stdin, stdout and stderr that are terminals get a pipe each, which
 * the command has instead: a terminal handed to a node is one its
 * processes can type into (TIOCSTI) or read keystrokes from after the
 * command is done. With -t there is the node's own terminal. */
static int open_pipes(const struct node_exec_spec *s, struct exec_channels *ch,
		      struct cbx_error *err)
{
	for (int i = 0; i < 3; i++) {
		if (s->tty || (s->out_fd > 2) || !isatty(i))
			continue;
		if (pipe2(ch->pipes[i], O_CLOEXEC) < 0)
			return cbx_error_sys(err, errno, "exec in node %s: a pipe for its stdio",
					     s->node);
	}
	if (s->tty && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ch->sock) < 0)
		return cbx_error_sys(err, errno, "exec in node %s: a socket for its terminal",
				     s->node);
	return 0;
}

/* The flows of what the command has: our stdin into its pipe, its pipes'
 * output to our stdout and stderr. Returns how many. */
static size_t pipe_flows(struct exec_channels *ch, struct flow *flows)
{
	size_t n = 0;

	if (ch->pipes[0][1] >= 0) {
		flows[n++] = (struct flow){ .from = 0, .to = ch->pipes[0][1], .close_to = true };
		ch->pipes[0][1] = -1; /* the flow's now */
	}
	for (int i = 1; i < 3; i++)
		if (ch->pipes[i][0] >= 0)
			flows[n++] =
				(struct flow){ .from = ch->pipes[i][0], .to = i, .output = true };
	return n;
}

/* Closes the helper's ends in cboxlab (once it has its own), or all. */
static void close_channels(struct exec_channels *ch, bool helpers_only)
{
	cbx_closep(&ch->sock[1]);
	cbx_closep(&ch->pipes[0][0]);
	cbx_closep(&ch->pipes[1][1]);
	cbx_closep(&ch->pipes[2][1]);
	if (helpers_only)
		return;
	cbx_closep(&ch->sock[0]);
	cbx_closep(&ch->pipes[0][1]);
	cbx_closep(&ch->pipes[1][0]);
	cbx_closep(&ch->pipes[2][0]);
}

/* With -t: the node's terminal from the helper, relayed raw to ours. */
static bool relay_terminal(struct exec_channels *ch, int pidfd, pid_t helper, int timeout_ms)
{
	struct sigaction sa = { .sa_handler = on_winch };
	struct flow flows[2];
	struct termios saved, raw;
	struct winsize ws;
	bool restore = false, stopped;
	int master = recv_fd(ch->sock[0]);

	if (master < 0) /* the helper failed: it says why */
		return relay_until_done(pidfd, helper, NULL, 0, -1, timeout_ms);
	if (ioctl(0, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
	sigaction(SIGWINCH, &sa, NULL);
	if (isatty(0) && tcgetattr(0, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		restore = tcsetattr(0, TCSANOW, &raw) == 0;
	}
	flows[0] = (struct flow){ .from = 0, .to = master };
	flows[1] = (struct flow){ .from = master, .to = 1, .output = true };
	stopped = relay_until_done(pidfd, helper, flows, 2, master, timeout_ms);
	if (restore)
		tcsetattr(0, TCSANOW, &saved);
	close(master);
	return stopped;
}

int node_exec(const struct node_exec_spec *s, int *status, struct cbx_error *err)
{
	struct exec_channels ch = { .sock = { -1, -1 },
				    .pipes = { { -1, -1 }, { -1, -1 }, { -1, -1 } } };
	cleanup_close int filter = -1;
	struct flow flows[3];
	size_t n_flows = 0;
	int pidfd = -1, st, rc = -1;
	bool stopped;
	pid_t helper;

	/* Opened here, on the host: the helper loads it once inside, and
	 * closes it before the command exists. */
	if (s->seccomp && (filter = open(s->seccomp, O_RDONLY | O_CLOEXEC)) < 0)
		return cbx_error_sys(err, errno, "node %s: open its seccomp filter %s", s->node,
				     s->seccomp);
	ch.msg = mmap(NULL, CBX_ERROR_MSG_MAX, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		      -1, 0);
	if (ch.msg == MAP_FAILED)
		return cbx_error_sys(err, errno, "exec in node %s", s->node);
	if (open_pipes(s, &ch, err) < 0)
		goto out;
	sigaction(SIGINT, NULL, &caller_int);
	sigaction(SIGQUIT, NULL, &caller_quit);
	helper = spawn_helper(s, filter, &ch, &pidfd);
	close_channels(&ch, true);
	if (helper < 0) {
		cbx_error_sys(err, errno, "exec in node %s", s->node);
		/* v2: the helper is cloned into the node's cgroup, which the
		 * lab's bound on its processes may refuse. */
		if (err->code == EAGAIN)
			cbx_error_append(err, CBX_LAB_AT_BOUND_HINT);
		goto out;
	}
	/* Signals for the command go through the helper; killed, we take it
	 * with us (its parent-death signal). */
	forward_signals(helper, false);
	if (s->tty) {
		stopped = relay_terminal(&ch, pidfd, helper, s->timeout_ms);
	} else {
		n_flows = pipe_flows(&ch, flows);
		stopped = relay_until_done(pidfd, helper, flows, n_flows, -1, s->timeout_ms);
	}
	for (size_t i = 0; i < n_flows; i++)
		if (flows[i].close_to)
			flow_end(&flows[i]);
	while (waitpid(helper, &st, 0) < 0)
		if (errno != EINTR) {
			cbx_error_sys(err, errno, "wait for the command in node %s", s->node);
			goto out;
		}
	if (ch.msg[0])
		cbx_error_set(err, CBX_ERR_SYSTEM, "%s", ch.msg);
	else if (stopped)
		cbx_error_set(err, CBX_ERR_STATE,
			      "node %s: the command ran past %d ms and was stopped", s->node,
			      s->timeout_ms);
	else {
		*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		rc = 0;
	}
out:
	close_channels(&ch, false);
	if (pidfd >= 0)
		close(pidfd);
	munmap(ch.msg, CBX_ERROR_MSG_MAX);
	return rc;
}
