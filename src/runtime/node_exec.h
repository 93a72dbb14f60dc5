/* Running a command inside a running node, as if it had been started there:
 * the node's cgroups, all its namespaces (joined through a pidfd of its
 * init), its root, its capabilities and seccomp filter, and none of the
 * caller's descriptors but stdin, stdout and stderr, none of which is a
 * terminal of the host's: those are pipes we relay, and the command leads
 * a session of its own, without a controlling terminal. With tty, the
 * command gets a pseudo-terminal of the node's own devpts and we relay our
 * terminal to it.
 *
 * The work is done by a helper process that stays outside the node's PID
 * namespace (no process of the node can see it, so none can ptrace it while
 * it still holds the host's privileges): it is born in the node's cgroup,
 * joins the namespaces, gives up everything the node may not have, and only
 * then forks the command, which is the first process the node can see. A
 * SIGTERM or SIGHUP to the caller reaches the command (a terminal's session
 * is hung up), and if the caller is killed the helper and the command die
 * with it (PR_SET_PDEATHSIG). */
#ifndef CBX_NODE_EXEC_H
#define CBX_NODE_EXEC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "runtime/cgroup.h"

struct node_exec_spec {
	const struct cbx_cgroups *cg;
	const char *lab, *node;
	pid_t init_pid;
	char *const *argv;
	char *const *envp;
	bool tty;            /* allocate a pseudo-terminal and relay to it */
	int out_fd;          /* > 2: the command's stdout and stderr (no tty); else ours */
	int timeout_ms;      /* > 0: stop the command past it (CBX_ERR_STATE) */
	bool userns;         /* the node has a user namespace of its own: join it too */
	uint64_t caps;       /* the node's capabilities (runtime/caps.h) */
	const char *seccomp; /* the node's seccomp filter's file; NULL: none */
};

/* Runs the command and waits for it; *status is its exit status, or 128 +
 * the signal that killed it, as a shell reports it. */
int node_exec(const struct node_exec_spec *s, int *status, struct cbx_error *err);
/* Wait for child up to timeout_ms (<= 0: no limit); past it, SIGTERM, a
 * second for it, then SIGKILL (node_exec's helper hands SIGTERM to the
 * command, and the command goes with the helper, its parent-death signal).
 * Returns once the child has exited, true when it had to be stopped; the
 * child is left to reap. */
bool node_exec_wait_or_stop(pid_t child, int timeout_ms);

#endif
