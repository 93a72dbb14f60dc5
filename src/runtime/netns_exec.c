#include "runtime/netns_exec.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/node_exec.h"

/* In the child: the netns, the output, none of our other descriptors. */
static void child(const struct netns_exec_spec *s, pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(127);
	if (setns(s->netns_fd, CLONE_NEWNET) < 0) {
		dprintf(2, "cboxlab: enter the node's netns: %s\n", strerror(errno));
		_exit(127);
	}
	if (s->out_fd > 2 && (dup2(s->out_fd, 1) < 0 || dup2(s->out_fd, 2) < 0))
		_exit(127);
	syscall(SYS_close_range, 3, ~0U, 0);
	execvpe(s->argv[0], s->argv, s->envp);
	dprintf(2, "cboxlab: %s: %s\n", s->argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

int netns_exec(const struct netns_exec_spec *s, int *status, struct cbx_error *err)
{
	pid_t parent = getpid(), pid = fork();
	bool stopped;
	int ws;

	if (pid < 0)
		return cbx_error_sys(err, errno, "fork");
	if (pid == 0)
		child(s, parent);
	stopped = s->timeout_ms > 0 && node_exec_wait_or_stop(pid, s->timeout_ms);
	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR)
			return cbx_error_sys(err, errno, "wait for the command");
	if (stopped)
		/* As node_exec says it: `check` shows it whatever the kind. */
		return cbx_error_set(err, CBX_ERR_STATE,
				     "node %s: the command ran past %d ms and was stopped", s->node,
				     s->timeout_ms);
	*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	return 0;
}
