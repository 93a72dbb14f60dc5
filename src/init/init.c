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
 * the node alive after the command ends. SIGTERM stops the node: every
 * process gets SIGTERM, and init exits when they are gone (the kernel then
 * kills anything left in the namespace).
 *
 * Static and small on purpose: it runs in any root filesystem, and an idle
 * node costs little memory.
 * Usage: cboxlab-init [--cwd DIR] [--user USER] [-- CMD ARGS...]
 * (--cwd and --user: an image's WorkingDir and User, for CMD).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init/init_proto.h"
#include "init/init_user.h"
#include "runtime/node_setup.h"

/* Start the command in its own session, with the signal mask and OOM score
 * a normal process has (nothing blocked, whatever the process that started
 * the node had blocked). An exec failure comes back through a close-on-exec
 * pipe, so `up` can report "exec foo: No such file or directory". */
struct command {
	char **argv;
	const char *cwd, *user; /* NULL: "/", root */
};

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

/* Read the node's description from the sync socket and set the node up. */
static int setup_node(int sync_fd)
{
	static char msg[CBX_NODE_SETUP_MSG_MAX];
	struct node_setup setup;
	struct cbx_error err;
	ssize_t n;

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
	/* With the node's procfs, for `up` to set its sysctls in. */
	cbx_sync_send_fd(sync_fd, CBX_SYNC_NAMESPACES, setup.rootfs.proc_fd);
	if (node_setup_run(&setup, sync_fd, &err) < 0) {
		cbx_sync_send(sync_fd, CBX_SYNC_ERROR, err.msg);
		return -1;
	}
	return 0;
}

/* Reap every child that has exited; note the command's end. */
static void reap(pid_t *command)
{
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);
		if (pid <= 0)
			return;
		if (pid == *command) {
			if (WIFEXITED(status))
				fprintf(stderr,
					"cboxlab-init: startup command exited with status %d\n",
					WEXITSTATUS(status));
			else
				fprintf(stderr,
					"cboxlab-init: startup command killed by signal %d\n",
					WTERMSIG(status));
			*command = 0;
		}
	}
}

int main(int argc, char **argv)
{
	int sync_fd = CBX_INIT_SYNC_FD;
	struct command cmd = { 0 };
	int a = 1;
	sigset_t all;
	pid_t command = 0;
	bool stopping = false;
	char go = 0;
	int sfd;

	for (; a + 1 < argc && (!strcmp(argv[a], "--cwd") || !strcmp(argv[a], "--user")); a += 2)
		*(argv[a][2] == 'c' ? &cmd.cwd : &cmd.user) = argv[a + 1];
	if (a < argc && !strcmp(argv[a], "--"))
		cmd.argv = a + 1 < argc ? argv + a + 1 : NULL;
	/* The node's command must not inherit the sync socket (it could write
	 * to cboxlab on it, or keep it open after init is gone). */
	fcntl(sync_fd, F_SETFD, FD_CLOEXEC);
	if (setup_node(sync_fd) < 0)
		return 1;
	setvbuf(stderr, NULL, _IOLBF, 0);

	/* All signals arrive through a signalfd: no handlers, no races with
	 * the main loop. SIGKILL and SIGSTOP cannot be blocked; nothing else
	 * needs to stay asynchronous. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	sfd = signalfd(-1, &all, SFD_CLOEXEC);
	if (sfd < 0) {
		cbx_sync_send(sync_fd, CBX_SYNC_ERROR, "init: signalfd failed");
		return 1;
	}

	/* Until cboxlab says go, its death means the lab is being abandoned. */
	while (read(sync_fd, &go, 1) < 0 && errno == EINTR)
		;
	if (go != CBX_SYNC_GO)
		return 1;
	/* From here on the node outlives the `up` that started it. */
	prctl(PR_SET_PDEATHSIG, 0);

	if (cmd.argv) {
		char why[CBX_SYNC_MSG_MAX - 1];
		command = start_command(&cmd, why, sizeof(why));
		if (command < 0) {
			cbx_sync_send(sync_fd, CBX_SYNC_ERROR, why);
			return 127;
		}
	}
	cbx_sync_send(sync_fd, CBX_SYNC_READY, NULL);
	close(sync_fd);

	for (;;) {
		struct signalfd_siginfo si;
		ssize_t n = read(sfd, &si, sizeof(si));

		if (n != sizeof(si))
			continue;
		switch (si.ssi_signo) {
		case SIGCHLD:
			reap(&command);
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
			kill(-1, SIGTERM);
			reap(&command);
			if (waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD)
				return 0;
			break;
		default:
			if (command > 0)
				kill(command, (int)si.ssi_signo);
			break;
		}
	}
}
