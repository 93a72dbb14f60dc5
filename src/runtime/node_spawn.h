/* Starting a node: one clone into new PID, mount, UTS, IPC (and network)
 * namespaces, whose first process joins the node's cgroups, enters a cgroup
 * namespace, builds the root filesystem, drops capabilities and execs
 * cboxlab-init. Init then waits for 'G' on the sync socket (see
 * init/init_proto.h) before starting the node's command. */
#ifndef CBX_NODE_SPAWN_H
#define CBX_NODE_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "runtime/rootfs.h"

struct node_spawn_spec {
	const char *name;        /* hostname, and for messages */
	struct rootfs_spec rootfs;
	int init_fd;             /* cboxlab-init, opened before the clone */
	int log_fd;              /* the node's console log: init's stdout and stderr */
	const int *cgroup_fds;   /* cgroup.procs of each hierarchy, to write "0" into */
	size_t n_cgroup_fds;
	int netns_fd;            /* -1: a new network namespace; else join it (restart) */
	bool privileged;
	char *const *argv;       /* init's argv: "cboxlab-init" ["--" CMD...] */
	char *const *envp;       /* the node's environment */
};

struct node_proc {
	pid_t pid;
	int sync_fd;             /* our end of the sync socket */
};

/* Clone the node. On return the node is setting itself up concurrently;
 * its failures arrive as 'E' on sync_fd. */
int node_spawn(const struct node_spawn_spec *spec, struct node_proc *out, struct cbx_error *err);

/* Tell a node its network is ready ('G'). */
int node_release(const struct node_proc *p, struct cbx_error *err);

/* Read the node's answer after 'G': 0 on 'R', -1 with its error text on 'E',
 * or on end of file (the node died). Blocks; callers poll() first. */
int node_read_answer(const struct node_proc *p, const char *name, struct cbx_error *err);

#endif
