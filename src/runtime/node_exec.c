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
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "runtime/caps.h"

extern char **environ;

#define ALL_NODE_NAMESPACES \
	(CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWCGROUP)

static volatile sig_atomic_t winch;

static void on_winch(int sig)
{
	(void)sig;
	winch = 1;
}

static _Noreturn void exec_in_node(const struct node_exec_spec *s, const char *pts)
{
	struct cbx_error err;

	if (pts) {
		int fd;
		setsid();
		fd = open(pts, O_RDWR);
		if (fd < 0 || ioctl(fd, TIOCSCTTY, 0) < 0) {
			fprintf(stderr, "cboxlab: open terminal %s in the node: %s\n", pts, strerror(errno));
			_exit(126);
		}
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	if ((chdir("/") < 0 && cbx_error_sys(&err, errno, "chdir /") < 0) ||
	    caps_restrict_node(s->privileged, &err) < 0) {
		fprintf(stderr, "cboxlab: prepare the command: %s\n", err.msg);
		_exit(126);
	}
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

/* Runs in a child of cboxlab (so that cboxlab itself never changes
 * namespaces): joins the node, starts the command in it, relays the
 * terminal, and returns the command's status. Failures go to errfd. */
static int run_inside(const struct node_exec_spec *s, int errfd)
{
	struct cbx_error err;
	struct termios saved, raw;
	struct clone_args args = { .exit_signal = SIGCHLD };
	bool restore_tty = false;
	int pidfd, master = -1, st, cgroup_fd, namespaces = ALL_NODE_NAMESPACES;
	const char *pts = NULL;
	pid_t child;

	pidfd = (int)syscall(SYS_pidfd_open, s->init_pid, 0);
	if (pidfd < 0) {
		cbx_error_sys(&err, errno, "node %s is not running (pid %d)", s->node, (int)s->init_pid);
		goto fail;
	}
	/* The cgroup first: its files are reachable only from the host's
	 * mount namespace. On v2 the command is cloned into it (no migration,
	 * no RCU grace period) and joins the cgroup namespace itself, since a
	 * clone into a cgroup outside our own cgroup namespace is refused. */
	cgroup_fd = cbx_cgroup_node_clone_fd(s->cg, s->lab, s->node, &(struct cbx_error){ 0 });
	if (cgroup_fd >= 0) {
		args.flags = CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgroup_fd;
		namespaces &= ~CLONE_NEWCGROUP;
	} else if (cbx_cgroup_node_join_self(s->cg, s->lab, s->node, &err) < 0) {
		goto fail;
	}
	/* All namespaces at once, through the pidfd (Linux 5.8): the node
	 * cannot change under us between two joins. */
	if (setns(pidfd, namespaces) < 0) {
		cbx_error_sys(&err, errno, "enter the namespaces of node %s", s->node);
		goto fail;
	}
	if (s->tty) {
		struct winsize ws;
		master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 ||
		    !(pts = ptsname(master))) {
			cbx_error_sys(&err, errno, "allocate a terminal in node %s", s->node);
			goto fail;
		}
		if (ioctl(0, TIOCGWINSZ, &ws) == 0)
			ioctl(master, TIOCSWINSZ, &ws);
	}
	/* setns(CLONE_NEWPID) places our children, not us, in the node's PID
	 * namespace. clone3 without a stack is a fork. */
	child = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	if (child < 0) {
		cbx_error_sys(&err, errno, "fork into node %s", s->node);
		goto fail;
	}
	if (child == 0) {
		if (cgroup_fd >= 0 && setns(pidfd, CLONE_NEWCGROUP) < 0) {
			fprintf(stderr, "cboxlab: enter the cgroup namespace of node %s: %s\n", s->node,
				strerror(errno));
			_exit(126);
		}
		exec_in_node(s, pts);
	}
	close(pidfd);
	if (cgroup_fd >= 0)
		close(cgroup_fd);
	close(errfd);
	if (s->tty) {
		struct sigaction sa = { .sa_handler = on_winch };
		sigaction(SIGWINCH, &sa, NULL);
		if (isatty(0) && tcgetattr(0, &saved) == 0) {
			raw = saved;
			cfmakeraw(&raw);
			restore_tty = tcsetattr(0, TCSANOW, &raw) == 0;
		}
		relay(master);
		if (restore_tty)
			tcsetattr(0, TCSANOW, &saved);
		close(master);
	}
	while (waitpid(child, &st, 0) < 0)
		if (errno != EINTR)
			return 125;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
fail:
	if (write(errfd, err.msg, strlen(err.msg)) < 0) {
	}
	return 125;
}

int node_exec(const struct node_exec_spec *s, int *status, struct cbx_error *err)
{
	char msg[CBX_ERROR_MSG_MAX];
	int pipefd[2], st;
	ssize_t n, len = 0;
	pid_t child;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return cbx_error_sys(err, errno, "exec in node %s", s->node);
	child = fork();
	if (child < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return cbx_error_sys(err, errno, "exec in node %s", s->node);
	}
	if (child == 0) {
		close(pipefd[0]);
		_exit(run_inside(s, pipefd[1]));
	}
	close(pipefd[1]);
	/* Ctrl-C reaches the command (same process group); we only wait. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	while ((n = read(pipefd[0], msg + len, sizeof(msg) - 1 - (size_t)len)) != 0) {
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0)
			len += n;
	}
	close(pipefd[0]);
	msg[len] = '\0';
	while (waitpid(child, &st, 0) < 0)
		if (errno != EINTR)
			return cbx_error_sys(err, errno, "wait for the command in node %s", s->node);
	if (len > 0)
		return cbx_error_set(err, CBX_ERR_SYSTEM, "%s", msg);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return 0;
}
