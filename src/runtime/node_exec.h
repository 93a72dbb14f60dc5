/* Running a command inside a running node, as if it had been started there:
 * the node's cgroups, all its namespaces (joined through a pidfd of its
 * init), its root, its capability bounds. With a terminal, the command gets
 * a pseudo-terminal of the node's own devpts and we relay to it. */
#ifndef CBX_NODE_EXEC_H
#define CBX_NODE_EXEC_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "runtime/cgroup.h"

struct node_exec_spec {
	const struct cbx_cgroups *cg;
	const char *lab, *node;
	pid_t init_pid;
	char *const *argv;
	char *const *envp;
	bool tty;        /* allocate a pseudo-terminal and relay to it */
	bool privileged; /* the node's own capability bound */
};

/* Runs the command and waits for it; *status is its exit status, or 128 +
 * the signal that killed it, as a shell reports it. */
int node_exec(const struct node_exec_spec *s, int *status, struct cbx_error *err);

#endif
