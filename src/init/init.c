/* cboxlab-init: PID 1 of every node.
 *
 * It is the node's first program: `up` clones the node and execs it at once.
 * It first sets the node up from the description `up` left on the sync
 * socket (runtime/node_setup.h: namespaces, then 'N'; cgroups, root
 * filesystem, capabilities; a failure goes back as 'E'). Then it waits until
 * cboxlab has configured the node's network ('G' on the sync socket),
 * starts the node's startup command, says the node is ready ('R'),
 * and then lives on for the node: it reaps every orphan (a PID namespace's
 * init must, or zombies pile up), forwards signals to the command, and keeps
 * the node alive after the command ends. The command's fate (running,
 * exited, killed, restarts) goes into the node's fate file for `status`
 * (runtime/node_fate.h), and, while `up` still listens on the sync socket,
 * to `up` too ('X'), which fails when a command dies before the lab is up.
 * With --restart=on-failure or always, init starts the command again after
 * a backoff (100 ms, doubling to 10 s; back to 100 ms after a run of 10 s).
 * SIGTERM stops the node: every
 * process gets SIGTERM, and init exits when they are gone (the kernel then
 * kills anything left in the namespace).
 *
 * Static and small on purpose: it runs in any root filesystem, and an idle
 * node costs little memory.
 * Usage: cboxlab-init [--restart=on-failure|always] [--cwd DIR] [--user USER]
 *                     [-- CMD ARGS...]
 * (--cwd and --user: an image's WorkingDir and User, for CMD).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "init/init_proto.h"
#include "init/init_user.h"
#include "runtime/node_fate.h"
#include "runtime/node_setup.h"

#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS 10000
/* A run this long was not a crash loop: the next restart comes quickly. */
#define BACKOFF_RESET_MS 10000

enum restart {
	RESTART_NO,
	RESTART_ON_FAILURE,
	RESTART_ALWAYS
};

/* The startup command, and what init tells of it. */
struct command {
	char **argv;            /* NULL: the node has none */
	const char *cwd, *user; /* NULL: "/", root (an image's WorkingDir, User) */
	enum restart restart;
	pid_t pid;   /* > 0 while it runs */
	int fate_fd; /* the node's fate file, or -1 */
	int sync_fd; /* `up`, while it listens; else -1 */
	struct node_fate fate;
	long started_ms;    /* monotonic */
	long restart_at_ms; /* monotonic; 0: no restart due */
	long backoff_ms;
};

static long monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int64_t realtime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Rewrite the fate file's one line in place (runtime/node_fate.h). */
static void tell_fate(struct command *c)
{
	char line[CBX_FATE_LINE + 1];

	if (c->fate_fd < 0)
		return;
	node_fate_format(&c->fate, line);
	if (pwrite(c->fate_fd, line, CBX_FATE_LINE, 0) < 0) {
		/* the lab's state is gone: nobody reads it any more */
	}
}

/* In the child: the image's working folder (made when missing, as docker
 * does) and user; 0, or an errno and what failed in why. */
static int enter_as(const struct command *c, char *why, size_t why_size)
{
	uid_t uid;
	gid_t gid;

	if (c->cwd && chdir(c->cwd) < 0) {
		char path[4096];
		snprintf(path, sizeof(path), "%s", c->cwd);
		for (char *p = path + 1; *p; p++)
			if (*p == '/') {
				*p = '\0';
				mkdir(path, 0755);
				*p = '/';
			}
		mkdir(path, 0755);
		if (chdir(c->cwd) < 0) {
			snprintf(why, why_size, "working folder %s", c->cwd);
			return errno;
		}
	} else if (!c->cwd && chdir("/") < 0) {
	}
	if (!c->user)
		return 0;
	if (init_user_resolve(c->user, &uid, &gid, why, why_size) < 0)
		return ENOENT;
	if (init_user_become(uid, gid) < 0) {
		snprintf(why, why_size, "become user %s", c->user);
		return errno;
	}
	return 0;
}

/* Start the command in its own session, with the signal mask and OOM score
 * a normal process has (nothing blocked, whatever the process that started
 * the node had blocked). An exec failure comes back through a close-on-exec
 * pipe, so `up` can report "exec foo: No such file or directory". */
static pid_t start_command(const struct command *c, char *why, size_t why_size)
{
	struct {
		int err;
		char why[200];
	} failure = { 0, "" };
	char **argv = c->argv;
	int pipefd[2];
	pid_t pid;
	ssize_t n;

	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		snprintf(why, why_size, "start command: pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(why, why_size, "start command: fork: %s", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	if (pid == 0) {
		int fd;
		sigset_t none;
		close(pipefd[0]);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		setsid();
		/* init itself is exempt from the OOM killer; its children not. */
		fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (write(fd, "0", 1) < 0) {
			}
			close(fd);
		}
		failure.err = enter_as(c, failure.why, sizeof(failure.why));
		if (!failure.err) {
			execvp(argv[0], argv);
			failure.err = errno;
			snprintf(failure.why, sizeof(failure.why), "exec %s", argv[0]);
		}
		if (write(pipefd[1], &failure, sizeof(failure)) < 0) {
		}
		_exit(127);
	}
	close(pipefd[1]);
	do {
		n = read(pipefd[0], &failure, sizeof(failure));
	} while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	if (n == sizeof(failure)) {
		failure.why[sizeof(failure.why) - 1] = '\0';
		snprintf(why, why_size, "startup command: %s: %s", failure.why,
			 strerror(failure.err));
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

/* Read the node's description from the sync socket and set the node up;
 * *fate_fd is then the node's fate file. */
static int setup_node(int sync_fd, int *fate_fd)
{
	static char msg[CBX_NODE_SETUP_MSG_MAX];
	struct node_setup setup;
	struct cbx_error err;
	ssize_t n;
	int sys_fd;

	do {
		n = recv(sync_fd, msg, sizeof(msg), MSG_TRUNC);
	} while (n < 0 && errno == EINTR);
	if (n <= 0 || (size_t)n > sizeof(msg)) {
		/* Nothing, or too much: `up` died, or is not the cboxlab we are
		 * part of. */
		cbx_sync_send(sync_fd, CBX_SYNC_ERROR,
			      "init: no node setup message on the sync socket");
		return -1;
	}
	if (node_setup_decode(msg, (size_t)n, &setup, &err) < 0 ||
	    node_setup_namespaces(&setup, &err) < 0) {
		cbx_sync_send(sync_fd, CBX_SYNC_ERROR, err.msg);
		return -1;
	}
	/* With the node's /proc/sys, for `up` to set its sysctls in, opened
	 * before anything is mounted on it: the node makes it read-only but
	 * for net/ (runtime/kernel_view.c) while `up` may be writing, and a
	 * walk from this descriptor does not cross those mounts. Through the
	 * procfs's root, a write that came between the read-only bind and
	 * net/'s writable copy failed (EROFS). */
	sys_fd = openat(setup.rootfs.proc_fd, "sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (sys_fd < 0) {
		snprintf(err.msg, sizeof(err.msg), "open the node's /proc/sys: %s",
			 strerror(errno));
		cbx_sync_send(sync_fd, CBX_SYNC_ERROR, err.msg);
		return -1;
	}
	cbx_sync_send_fd(sync_fd, CBX_SYNC_NAMESPACES, sys_fd);
	close(sys_fd);
	if (node_setup_run(&setup, sync_fd, fate_fd, &err) < 0) {
		cbx_sync_send(sync_fd, CBX_SYNC_ERROR, err.msg);
		return -1;
	}
	return 0;
}

/* The command ended with `status`: say so, and plan its restart. */
static void command_ended(struct command *c, int status, bool stopping)
{
	char said[64];
	long now = monotonic_ms();
	bool failed;

	c->pid = 0;
	c->fate.state = WIFEXITED(status) ? NODE_FATE_EXITED : NODE_FATE_KILLED;
	c->fate.code = WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status);
	c->fate.since_ms = realtime_ms();
	tell_fate(c);
	if (c->fate.state == NODE_FATE_EXITED)
		fprintf(stderr, "cboxlab-init: startup command exited with status %d\n",
			c->fate.code);
	else
		fprintf(stderr, "cboxlab-init: startup command killed by signal %d\n",
			c->fate.code);
	if (c->sync_fd >= 0) {
		snprintf(said, sizeof(said), "%s %d",
			 c->fate.state == NODE_FATE_EXITED ? "exited" : "killed", c->fate.code);
		char msg[80];
		int len = snprintf(msg, sizeof(msg), "%c%s", CBX_SYNC_EXITED, said);
		/* Never blocking init: `up` reads it, or is gone. */
		if (send(c->sync_fd, msg, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		}
	}
	failed = c->fate.state == NODE_FATE_KILLED || c->fate.code != 0;
	if (stopping || c->restart == RESTART_NO || (c->restart == RESTART_ON_FAILURE && !failed))
		return;
	if (now - c->started_ms >= BACKOFF_RESET_MS)
		c->backoff_ms = BACKOFF_FIRST_MS;
	c->restart_at_ms = now + c->backoff_ms;
	fprintf(stderr, "cboxlab-init: restarting it in %ld ms\n", c->backoff_ms);
	c->backoff_ms = c->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : c->backoff_ms * 2;
}

/* Reap every child that has exited; note the command's end. */
static void reap(struct command *c, bool stopping)
{
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);
		if (pid <= 0)
			return;
		if (pid == c->pid)
			command_ended(c, status, stopping);
	}
}

/* Start the command (again); false when it could not be, with why. */
static bool run_command(struct command *c, char *why, size_t why_size)
{
	c->restart_at_ms = 0;
	c->pid = start_command(c, why, why_size);
	c->started_ms = monotonic_ms();
	if (c->pid < 0) {
		c->pid = 0;
		return false;
	}
	c->fate.state = NODE_FATE_RUNNING;
	c->fate.code = 0;
	c->fate.since_ms = realtime_ms();
	tell_fate(c);
	return true;
}

/* A restart that is due; one whose exec fails counts as exited 127 and is
 * tried again later. */
static void restart_command(struct command *c)
{
	char why[CBX_SYNC_MSG_MAX - 1];

	c->fate.restarts++;
	if (run_command(c, why, sizeof(why)))
		return;
	fprintf(stderr, "cboxlab-init: %s\n", why);
	command_ended(c, 127 << 8, false);
}

/* poll()'s timeout: until the restart due, or none. */
static int wait_ms(const struct command *c)
{
	long left;

	if (!c->restart_at_ms)
		return -1;
	left = c->restart_at_ms - monotonic_ms();
	return left < 0 ? 0 : left > 60000 ? 60000 : (int)left;
}

/* The node's syslog socket: init collects what daemons log to /dev/log
 * (syslog(3), logger) into the node's console, so that one that has
 * daemonized away from its stdout is still seen in `cboxlab logs`. Bound
 * before the command starts, in the node's own /dev; -1 when it cannot be
 * (a base whose /dev is read-only): the node runs without. */
static int open_syslog(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX, .sun_path = "/dev/log" };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -1;
	unlink(a.sun_path);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || chmod(a.sun_path, 0666) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Each message as one console line, "syslog: " and its text without the
 * priority, control bytes as spaces, at most SYSLOG_MAX bytes of it; a
 * burst at a time, so that signals still get their turn. */
#define SYSLOG_MAX 2048
static void relay_syslog(int fd)
{
	for (int i = 0; i < 64; i++) {
		char msg[sizeof("syslog: ") - 1 + SYSLOG_MAX + 1];
		char *text = msg + sizeof("syslog: ") - 1, *p;
		ssize_t n = recv(fd, text, SYSLOG_MAX, MSG_DONTWAIT);

		if (n <= 0)
			return;
		while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\0'))
			n--;
		p = text;
		if (n > 0 && *p == '<') {
			char *end = memchr(p, '>', (size_t)(n < 6 ? n : 6));
			if (end) {
				n -= end + 1 - p;
				memmove(p, end + 1, (size_t)n);
			}
		}
		for (ssize_t k = 0; k < n; k++)
			if ((unsigned char)p[k] < 0x20 || p[k] == 0x7f)
				p[k] = ' ';
		memcpy(msg, "syslog: ", sizeof("syslog: ") - 1);
		text[n] = '\n';
		if (write(2, msg, (size_t)(text + n + 1 - msg)) < 0) {
			/* its log is full (the node's memory limit): dropped */
		}
	}
}

/* "--restart=POLICY" before "--". */
static bool parse_args(int argc, char **argv, struct command *c)
{
	int i = 1;

	for (; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--restart=on-failure")) {
			c->restart = RESTART_ON_FAILURE;
		} else if (!strcmp(argv[i], "--restart=always")) {
			c->restart = RESTART_ALWAYS;
		} else if ((!strcmp(argv[i], "--cwd") || !strcmp(argv[i], "--user")) &&
			   i + 1 < argc) {
			*(argv[i][2] == 'c' ? &c->cwd : &c->user) = argv[i + 1];
			i++;
		} else {
			return false;
		}
	}
	if (i < argc && !strcmp(argv[i], "--"))
		c->argv = i + 1 < argc ? argv + i + 1 : NULL;
	return true;
}

int main(int argc, char **argv)
{
	struct command c = { .fate_fd = -1,
			     .sync_fd = CBX_INIT_SYNC_FD,
			     .backoff_ms = BACKOFF_FIRST_MS };
	sigset_t all;
	bool stopping = false;
	char go = 0;
	int sfd, log_fd;

	/* The node's command must not inherit the sync socket (it could write
	 * to cboxlab on it, or keep it open after init is gone). */
	fcntl(c.sync_fd, F_SETFD, FD_CLOEXEC);
	if (!parse_args(argc, argv, &c)) {
		cbx_sync_send(c.sync_fd, CBX_SYNC_ERROR, "init: bad arguments");
		return 1;
	}
	if (setup_node(c.sync_fd, &c.fate_fd) < 0)
		return 1;
	setvbuf(stderr, NULL, _IOLBF, 0);
	log_fd = open_syslog();

	/* All signals arrive through a signalfd: no handlers, no races with
	 * the main loop. SIGKILL and SIGSTOP cannot be blocked; nothing else
	 * needs to stay asynchronous. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	sfd = signalfd(-1, &all, SFD_CLOEXEC);
	if (sfd < 0) {
		cbx_sync_send(c.sync_fd, CBX_SYNC_ERROR, "init: signalfd failed");
		return 1;
	}

	/* Until cboxlab says go, its death means the lab is being abandoned. */
	while (read(c.sync_fd, &go, 1) < 0 && errno == EINTR)
		;
	if (go != CBX_SYNC_GO)
		return 1;
	/* From here on the node outlives the `up` that started it. */
	prctl(PR_SET_PDEATHSIG, 0);

	if (c.argv) {
		char why[CBX_SYNC_MSG_MAX - 1];
		if (!run_command(&c, why, sizeof(why))) {
			cbx_sync_send(c.sync_fd, CBX_SYNC_ERROR, why);
			return 127;
		}
	}
	cbx_sync_send(c.sync_fd, CBX_SYNC_READY, NULL);

	for (;;) {
		struct pollfd pfd[3] = { { .fd = sfd, .events = POLLIN },
					 { .fd = c.sync_fd, .events = POLLIN },
					 { .fd = log_fd, .events = POLLIN } };
		struct signalfd_siginfo si;
		ssize_t n;

		if (poll(pfd, 3, wait_ms(&c)) < 0 && errno != EINTR)
			continue;
		if (pfd[2].revents)
			relay_syslog(log_fd);
		/* `up` is done (or gone): nobody to tell from here on. */
		if (c.sync_fd >= 0 && pfd[1].revents) {
			close(c.sync_fd);
			c.sync_fd = -1;
		}
		if (c.restart_at_ms && !stopping && monotonic_ms() >= c.restart_at_ms)
			restart_command(&c);
		if (!pfd[0].revents)
			continue;
		n = read(sfd, &si, sizeof(si));
		if (n != sizeof(si))
			continue;
		switch (si.ssi_signo) {
		case SIGCHLD:
			reap(&c, stopping);
			if (stopping && waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD)
				return 0;
			break;
		case SIGTERM:
		case SIGPWR:
			/* Stop the node: everyone gets SIGTERM (kill(-1) in a PID
			 * namespace spares only init), and init exits once they
			 * are gone. `cboxlab stop` SIGKILLs init after its grace
			 * period if they do not go. */
			stopping = true;
			c.restart_at_ms = 0;
			kill(-1, SIGTERM);
			reap(&c, stopping);
			if (waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD)
				return 0;
			break;
		default:
			if (c.pid > 0)
				kill(c.pid, (int)si.ssi_signo);
			break;
		}
	}
}
