/* A command in a network namespace and nothing else: what `exec` is for a
 * netns node (topo.h), as `ip netns exec` and Mininet's hosts. The command
 * runs as the caller (root), with the caller's environment, filesystem,
 * mounts, PID namespace, cgroups, capabilities and no seccomp filter: only
 * its network is the node's. /proc/net and sockets show the node's; /sys
 * (mounted in the host's netns) the host's. */
#ifndef CBX_NETNS_EXEC_H
#define CBX_NETNS_EXEC_H

#include "common/error.h"

struct netns_exec_spec {
	const char *node;  /* its name, for errors */
	int netns_fd;      /* the node's netns file */
	char *const *argv; /* found through PATH */
	char *const *envp;
	int out_fd;     /* > 2: the command's stdout and stderr; else ours */
	int timeout_ms; /* > 0: stop it past it (CBX_ERR_STATE) */
};

/* Runs it and waits; *status: its exit status, or 128 + the signal that
 * killed it. If the caller is killed, so is it (PR_SET_PDEATHSIG). */
int netns_exec(const struct netns_exec_spec *s, int *status, struct cbx_error *err);

#endif
