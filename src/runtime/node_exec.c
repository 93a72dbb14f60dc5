#include "runtime/node_exec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
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
	char why[256];

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
	if (chdir("/") < 0 || caps_restrict_node(s->privileged, why, sizeof(why)) < 0) {
		fprintf(stderr, "cboxlab: prepare the command: %s\n", why);
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

int node_exec(const struct node_exec_spec *s, int *status, struct cbx_error *err)
{
	struct termios saved, raw;
	bool restore_tty = false;
	int pidfd, master = -1, st;
	const char *pts = NULL;
	pid_t child;

	pidfd = (int)syscall(SYS_pidfd_open, s->init_pid, 0);
	if (pidfd < 0)
		return cbx_error_sys(err, errno, "node %s is not running (pid %d)", s->node,
				     (int)s->init_pid);
	/* The cgroup first: its files are reachable only from the host's
	 * mount namespace. */
	if (cbx_cgroup_node_join(s->cg, s->lab, s->node, getpid(), err) < 0) {
		close(pidfd);
		return -1;
	}
	/* All namespaces at once, through the pidfd (Linux 5.8): the node
	 * cannot change under us between two joins. */
	if (setns(pidfd, ALL_NODE_NAMESPACES) < 0) {
		int e = errno;
		close(pidfd);
		return cbx_error_sys(err, e, "enter the namespaces of node %s", s->node);
	}
	close(pidfd);
	if (s->tty) {
		struct winsize ws;
		master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 ||
		    !(pts = ptsname(master)))
			return cbx_error_sys(err, errno, "allocate a terminal in node %s", s->node);
		if (ioctl(0, TIOCGWINSZ, &ws) == 0)
			ioctl(master, TIOCSWINSZ, &ws);
	}
	/* setns(CLONE_NEWPID) places our children, not us, in the node's PID
	 * namespace. */
	child = fork();
	if (child < 0)
		return cbx_error_sys(err, errno, "fork into node %s", s->node);
	if (child == 0)
		exec_in_node(s, pts);

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
	} else {
		/* Ctrl-C reaches the command (same process group); we only wait. */
		signal(SIGINT, SIG_IGN);
		signal(SIGQUIT, SIG_IGN);
	}
	while (waitpid(child, &st, 0) < 0)
		if (errno != EINTR)
			return cbx_error_sys(err, errno, "wait for the command in node %s", s->node);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return 0;
}
