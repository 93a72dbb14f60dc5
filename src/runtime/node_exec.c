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
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
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
	kill(forward_to_group ? -pid : pid, sig == CALLER_GONE ? SIGKILL : sig);
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

/* The command: the first process of this exec the node can see. It holds
 * nothing of the host's: the helper gave up every privilege before forking
 * it, and every descriptor but stdio goes before its exec (CVE-2024-21626:
 * an inherited directory is a path back to the host). It leads a process
 * group (with a terminal, a session) of its own. */
static _Noreturn void exec_in_node(const struct node_exec_spec *s, const char *pts)
{
	int fd;

	/* A backstop: should the helper die without reaping us, we go too. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (pts) {
		setsid();
		fd = open(pts, O_RDWR);
		if (fd < 0 || ioctl(fd, TIOCSCTTY, 0) < 0) {
			fprintf(stderr, "cboxlab: open terminal %s in the node: %s\n", pts,
				strerror(errno));
			_exit(126);
		}
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
	} else {
		setpgid(0, 0);
		if (s->out_fd > 2) {
			dup2(s->out_fd, 1);
			dup2(s->out_fd, 2);
		}
	}
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

/* Copy between our terminal and the command's until the command's side
 * closes (it exited, or hung up). */
static void relay(int master)
{
	char buf[4096];
	bool stdin_open = true;

	for (;;) {
		struct pollfd fds[2] = { { .fd = master, .events = POLLIN },
					 { .fd = stdin_open ? 0 : -1, .events = POLLIN } };
		ssize_t n;

		if (winch) {
			struct winsize ws;
			winch = 0;
			if (ioctl(0, TIOCGWINSZ, &ws) == 0)
				ioctl(master, TIOCSWINSZ, &ws);
		}
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (fds[0].revents) {
			n = read(master, buf, sizeof(buf));
			if (n <= 0)
				return; /* EIO: the last holder of the terminal is gone */
			if (write(1, buf, (size_t)n) < 0)
				return;
		}
		if (fds[1].revents) {
			n = read(0, buf, sizeof(buf));
			if (n <= 0)
				stdin_open = false;
			else if (write(master, buf, (size_t)n) < 0)
				return;
		}
	}
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

static int open_terminal(const struct node_exec_spec *s, int *master, const char **pts,
			 struct cbx_error *err)
{
	struct winsize ws;

	*master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*master < 0 || grantpt(*master) < 0 || unlockpt(*master) < 0 ||
	    !(*pts = ptsname(*master)))
		return cbx_error_sys(err, errno, "allocate a terminal in node %s", s->node);
	if (ioctl(0, TIOCGWINSZ, &ws) == 0)
		ioctl(*master, TIOCSWINSZ, &ws);
	return 0;
}

/* Relay our terminal, raw, to the command's until it is done. */
static void relay_terminal(int master)
{
	struct sigaction sa = { .sa_handler = on_winch };
	struct termios saved, raw;
	bool restore = false;

	sigaction(SIGWINCH, &sa, NULL);
	if (isatty(0) && tcgetattr(0, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		restore = tcsetattr(0, TCSANOW, &raw) == 0;
	}
	relay(master);
	if (restore)
		tcsetattr(0, TCSANOW, &saved);
}

/* The helper: in a child of cboxlab (cboxlab itself never changes
 * namespaces). Returns the command's status; failures go to errfd. */
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

/* Without a terminal of the node's, the command still reads ours when it
 * is our stdin and we are its foreground: the command's process group then
 * becomes the foreground, as a shell does for a job (Ctrl-C reaches it
 * alone). The foreground to give back, or -1. */
static pid_t foreground_of_ours(void)
{
	pid_t fg;

	return isatty(0) && (fg = tcgetpgrp(0)) == getpgrp() ? fg : -1;
}

static void set_foreground(pid_t pgrp)
{
	struct sigaction ignore = { .sa_handler = SIG_IGN }, saved;

	if (pgrp < 0)
		return;
	/* From a background process group: SIGTTOU unless ignored. */
	sigaction(SIGTTOU, &ignore, &saved);
	tcsetpgrp(0, pgrp);
	sigaction(SIGTTOU, &saved, NULL);
}

/* The helper: in a child of cboxlab (cboxlab itself never changes
 * namespaces). Returns the command's status; failures go to errfd. */
static int run_inside(const struct node_exec_spec *s, bool in_cgroup, int filter, int errfd,
		      pid_t caller)
{
	struct cbx_error err;
	int master = -1, st;
	const char *pts = NULL;
	pid_t child, foreground = -1;
	sigset_t saved;

	block_forwarded(&saved);
	prctl(PR_SET_PDEATHSIG, CALLER_GONE);
	if (getppid() != caller) /* it died before we asked */
		return 125;
	/* Without a terminal of the node's, a group of our own: a Ctrl-C to
	 * cboxlab's group reaches the command once, through cboxlab, not also
	 * through us. With one, we stay in cboxlab's, the terminal's
	 * foreground, whose settings we change (raw mode): from a background
	 * group that would stop us (SIGTTOU). */
	if (!s->tty) {
		foreground = foreground_of_ours();
		setpgid(0, 0);
	}
	exempt_from_oom();
	if (enter_node(s, in_cgroup, &err) < 0 ||
	    (s->tty && open_terminal(s, &master, &pts, &err) < 0) ||
	    drop_privileges(s, filter, &err) < 0)
		goto fail;
	/* setns(CLONE_NEWPID) places our children, not us, in the node's PID
	 * namespace. fork, not clone3: the filter answers clone3 ENOSYS. */
	child = fork();
	if (child < 0) {
		cbx_error_sys(&err, errno, "fork into node %s", s->node);
		goto fail;
	}
	if (child == 0) {
		sigprocmask(SIG_SETMASK, &saved, NULL);
		exec_in_node(s, pts);
	}
	if (!s->tty) { /* both sides, so that neither waits for the other */
		setpgid(child, child);
		set_foreground(foreground >= 0 ? child : -1);
	}
	forward_signals(child, true);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	/* Our caller may have died while the signals waited. */
	if (getppid() != caller)
		kill(-child, SIGKILL);
	close(errfd);
	if (s->tty) {
		relay_terminal(master);
		close(master);
	}
	while (waitpid(child, &st, 0) < 0)
		if (errno != EINTR)
			return 125;
	set_foreground(foreground);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
fail:
	if (write(errfd, err.msg, strlen(err.msg)) < 0) {
	}
	return 125;
}

/* The helper is born in the node's cgroup where the kernel can (v2:
 * CLONE_INTO_CGROUP, no migration), else it joins the node's v1 cgroups. */
static pid_t spawn_helper(const struct node_exec_spec *s, int filter, int errfd, int pipe_read)
{
	struct clone_args args = { .exit_signal = SIGCHLD };
	int cgroup_fd = cbx_cgroup_node_clone_fd(s->cg, s->lab, s->node, &(struct cbx_error){ 0 });
	pid_t pid, caller = getpid();

	if (cgroup_fd >= 0) {
		args.flags = CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgroup_fd;
	}
	pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0) {
		close(pipe_read);
		_exit(run_inside(s, cgroup_fd >= 0, filter, errfd, caller));
	}
	if (cgroup_fd >= 0)
		close(cgroup_fd);
	return pid;
}

bool node_exec_wait_or_stop(pid_t helper, int timeout_ms)
{
	int pidfd = (int)syscall(SYS_pidfd_open, helper, 0);
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	bool stopped = false;

	if (pidfd < 0)
		return false;
	if (poll(&pfd, 1, timeout_ms) == 0) {
		stopped = true;
		kill(helper, SIGTERM);
		if (poll(&pfd, 1, 1000) == 0)
			kill(helper, SIGKILL);
	}
	close(pidfd);
	return stopped;
}

int node_exec(const struct node_exec_spec *s, int *status, struct cbx_error *err)
{
	char msg[CBX_ERROR_MSG_MAX];
	cleanup_close int filter = -1, from_helper = -1;
	int pipefd[2], st;
	ssize_t n, len = 0;
	pid_t helper;

	/* Opened here, on the host: the helper loads it once inside. */
	if (s->seccomp && (filter = open(s->seccomp, O_RDONLY | O_CLOEXEC)) < 0)
		return cbx_error_sys(err, errno, "node %s: open its seccomp filter %s", s->node,
				     s->seccomp);
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return cbx_error_sys(err, errno, "exec in node %s", s->node);
	from_helper = pipefd[0];
	sigaction(SIGINT, NULL, &caller_int);
	sigaction(SIGQUIT, NULL, &caller_quit);
	helper = spawn_helper(s, filter, pipefd[1], pipefd[0]);
	/* The helper's end now: it is closed once the command runs. */
	cbx_closep(&pipefd[1]);
	if (helper < 0)
		return cbx_error_sys(err, errno, "exec in node %s", s->node);
	/* Signals for the command go through the helper; killed, we take it
	 * with us (its parent-death signal). */
	forward_signals(helper, false);
	while ((n = read(from_helper, msg + len, sizeof(msg) - 1 - (size_t)len)) != 0) {
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0)
			len += n;
	}
	msg[len] = '\0';
	if (s->timeout_ms > 0 && len == 0 && node_exec_wait_or_stop(helper, s->timeout_ms)) {
		while (waitpid(helper, &st, 0) < 0 && errno == EINTR)
			;
		return cbx_error_set(err, CBX_ERR_STATE,
				     "node %s: the command ran past %d ms and was stopped", s->node,
				     s->timeout_ms);
	}
	while (waitpid(helper, &st, 0) < 0)
		if (errno != EINTR)
			return cbx_error_sys(err, errno, "wait for the command in node %s",
					     s->node);
	if (len > 0)
		return cbx_error_set(err, CBX_ERR_SYSTEM, "%s", msg);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return 0;
}
