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
 * node costs little memory. Usage: cboxlab-init [-- CMD ARGS...]
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
#include <sys/wait.h>
#include <unistd.h>

#include "init/init_proto.h"
#include "runtime/node_setup.h"

/* Start the command in its own session, with the signal mask and OOM score
 * a normal process has (nothing blocked, whatever the process that started
 * the node had blocked). An exec failure comes back through a close-on-exec
 * pipe, so `up` can report "exec foo: No such file or directory". */
static pid_t start_command(char **argv, char *why, size_t why_size)
{
	int pipefd[2];
	pid_t pid;
	int child_errno = 0;
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
		if (chdir("/") < 0) {
		}
		execvp(argv[0], argv);
		child_errno = errno;
		if (write(pipefd[1], &child_errno, sizeof(child_errno)) < 0) {
		}
		_exit(127);
	}
	close(pipefd[1]);
	do {
		n = read(pipefd[0], &child_errno, sizeof(child_errno));
	} while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	if (n == sizeof(child_errno)) {
		snprintf(why, why_size, "startup command: exec %s: %s", argv[0],
			 strerror(child_errno));
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
	char **cmd = NULL;
	sigset_t all;
	pid_t command = 0;
	bool stopping = false;
	char go = 0;
	int sfd;

	if (argc > 1 && !strcmp(argv[1], "--"))
		cmd = argc > 2 ? argv + 2 : NULL;
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

	if (cmd) {
		char why[CBX_SYNC_MSG_MAX - 1];
		command = start_command(cmd, why, sizeof(why));
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
