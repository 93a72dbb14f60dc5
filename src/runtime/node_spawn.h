/* Starting a node: one clone into a new PID namespace, whose first process
 * execs cboxlab-init at once. Sharing our memory until that exec, on a
 * stack of its own, it copies none of it, and we do not wait for it. Init
 * then makes the node's other namespaces and does the node's own setup
 * (runtime/node_setup.h), in parallel with its
 * siblings and with the parent's wiring: its state directory, log and PID
 * file, its cgroups (on v1; on v2 it is cloned straight into them), a
 * cgroup namespace, the root filesystem, capabilities; then it waits for
 * 'G' on the sync socket (see init/init_proto.h) before starting the
 * node's command. */
#ifndef CBX_NODE_SPAWN_H
#define CBX_NODE_SPAWN_H

#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "common/error.h"
#include "runtime/cgroup.h"
#include "runtime/rootfs.h"

struct node_spawn_spec {
	const char *name;          /* hostname, and for messages */
	struct rootfs_spec rootfs; /* its node_dir is created by the node, which writes
				    * its console (console.log) and PID file there */
	int init_fd;               /* cboxlab-init, opened before the clone */
	/* cgroups: >= 0, clone into this v2 cgroup directory; -1, the node
	 * joins its v1 cgroups in cg's hierarchies once told they exist
	 * (node_cgroups_made). */
	int cgroup_fd;
	const struct cbx_cgroups *cg;
	const char *lab;
	int netns_fd; /* -1: a new network namespace; else join it (restart) */
	/* The mount namespace to make the node's from (runtime/mntns.h), kept
	 * open by the caller until the node has said 'N'. */
	int mntns_fd;
	uint64_t caps;           /* the node's capabilities (runtime/caps.h) */
	const char *seccomp;     /* its seccomp filter's file; NULL: none */
	struct rlimit nofile;    /* the open-file limit to give the node (0: as is) */
	int nice;                /* the priority to give the node */
	int64_t clock_offset_us; /* its clocks ahead of the host's (node_setup.h) */
	char *const *argv;       /* init's argv: "cboxlab-init" ["--" CMD...] */
	char *const *envp;       /* the node's environment */
};

struct node_proc {
	pid_t pid;
	/* Until the node has a descriptor table of its own (node_spawn_detach):
	 * how we see it die meanwhile; -1 after. It is our child, not reaped
	 * during `up`: its pid stays its own (pidfd_open for a new pidfd). */
	int pidfd;
	int sync_fd; /* our end of the sync socket */
	/* Until the node has exec'd cboxlab-init (it says 'N'): its end of the
	 * socket, the netns it joins, its first process's memory (node_spawn.c). */
	int child_fd, child_netns_fd;
	void *child;
};

/* Clone the node. On return the node is setting itself up concurrently;
 * its failures arrive as 'E' on sync_fd. */
int node_spawn(const struct node_spawn_spec *spec, struct node_proc *out, struct cbx_error *err);

/* Once the node's first process has a descriptor table of its own, our
 * copies of the descriptors it needed can go: they sit in the low part of
 * our table, which every later node's first process copies. Its pidfd goes
 * too (the end of its socket now shows when it dies). true when they are
 * gone (or were never there). */
bool node_spawn_detach(struct node_proc *p);

/* The node has said 'N' (or failed, or was killed): free what its first
 * process needed, and its pidfd. */
void node_spawn_settled(struct node_proc *p);

/* cgroup v1: tell a node its cgroups exist, limits set ('C'), to join. */
int node_cgroups_made(const struct node_proc *p, struct cbx_error *err);

/* Tell a node its network is ready ('G'). */
int node_release(const struct node_proc *p, struct cbx_error *err);

/* Read the node's next message: 0 when it is `expect` ('N' after the spawn,
 * 'R' after 'G'), -1 with its error text on 'E', or on end of file (the node
 * died). A descriptor the message carries ('N': the node's procfs) goes to
 * *fd when fd is not NULL, else is closed; *fd is -1 when there is none.
 * Blocks; callers poll() first. */
int node_read_answer(const struct node_proc *p, const char *name, char expect, int *fd,
		     struct cbx_error *err);

#endif
