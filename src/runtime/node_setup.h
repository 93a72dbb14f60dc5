/* A node's own setup, done by its first process once it runs cboxlab-init.
 *
 * `up` clones a node as vfork does (the child shares `up`'s memory until it
 * execs cboxlab-init straight away), so no node copies `up`'s page tables,
 * tears them down again at exec, or takes copy-on-write faults on them: on a
 * 500-router chain that was an eighth of the machine's time. Everything the
 * node then does for itself (its state directory, log, PID file, joining its
 * cgroups on v1, cgroup namespace, hostname, root filesystem, capabilities) runs in
 * cboxlab-init, in parallel with the other nodes, from this description,
 * which `up` sends as the first message on the node's sync socket.
 *
 * The message is a list of "key=value" strings, each ending in a NUL, so
 * paths need no escaping. Encoding and decoding are pure functions; the
 * decoded strings point into the message buffer. */
#ifndef CBX_NODE_SETUP_H
#define CBX_NODE_SETUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

#include "common/error.h"
#include "runtime/cgroup.h"
#include "runtime/rootfs.h"

/* Where the node's first process finds the netns to join (a restart). */
#define CBX_INIT_NETNS_FD (CBX_INIT_SYNC_FD + 1)
/* And the mount namespace to make its own from (runtime/mntns.h). */
#define CBX_INIT_MNTNS_FD (CBX_INIT_SYNC_FD + 2)

/* Room for every path a node may have: its binds and files (topo.h) at
 * CBX_NODE_PATH_MAX each. A static buffer on both sides, of which only
 * what a message fills is ever touched. */
#define CBX_NODE_SETUP_MSG_MAX 131072

struct node_setup {
	const char *name;          /* the node, for messages */
	struct rootfs_spec rootfs; /* its node_dir holds console.log and pid too */
	bool join_netns;           /* join CBX_INIT_NETNS_FD's netns, not a new one */
	uint64_t caps;             /* the node's capabilities (runtime/caps.h) */
	const char *seccomp;       /* its seccomp filter's file; NULL: none */
	struct rlimit nofile;      /* the open-file limit to give the node (0: as is) */
	int nice;                  /* the priority to give the node once set up */
	/* Its CLOCK_MONOTONIC and CLOCK_BOOTTIME ahead of the host's (0: the
	 * host's): init makes a time namespace for everything it starts. */
	int64_t clock_offset_us;
	/* cgroup v1: the node waits for 'C' (`up` may clone it before the
	 * lab's cgroups exist, and makes the node's while it makes its
	 * namespaces), then joins its cgroups (in cg's hierarchies, of lab);
	 * on v2 it was cloned into its cgroup already. */
	bool join_cgroups;
	struct cbx_cgroups cg;
	const char *lab;
};

/* The first of a node's directory, base, hosts file and seccomp filter that
 * is too long for its setup's buffers (CBX_NODE_PATH_MAX), or NULL. */
const char *node_setup_long_path(const struct node_setup *s);

/* Lay `s` out in buf; the message's length, or -1 when it does not fit or
 * node_setup_long_path() names a path. */
long node_setup_encode(const struct node_setup *s, char *buf, size_t size);

/* Parse a message in place (buf[len - 1] must be the last NUL). */
int node_setup_decode(char *buf, size_t len, struct node_setup *s, struct cbx_error *err);

/* A node sets itself up at the lowest priority, and `up` runs at the
 * highest: `up` is the critical path (every node waits for its wiring),
 * and with hundreds of nodes setting up at once it would otherwise get a
 * hundredth of a core (clones of a 1000-node lab took 0.7-0.9 s). */
#define CBX_NODE_SETUP_NICE 19
#define CBX_UP_NICE (-20)

/* First, in the node's first process (single-threaded, already PID 1 of its
 * own PID namespace): new mount, UTS, IPC and network namespaces (or the
 * kept netns of a restart). Done here rather than in `up`'s clone, so that
 * the kernel's most expensive work for a node, its network namespace, runs
 * on whichever core is free instead of in `up`. Then its own procfs, not
 * mounted yet (s->rootfs.proc_fd), which becomes its /proc. cboxlab-init
 * then says 'N', and hands `up` that procfs with it: `up` writes the
 * node's sysctls there (bridge/sysctl.h says why not through the host's
 * /proc). */
int node_setup_namespaces(struct node_setup *s, struct cbx_error *err);

/* Then the rest, still seeing the host's files: state directory, stdio on
 * the console log, PID file, cgroups (v1: first waits for 'C' on sync_fd,
 * then joins them), cgroup namespace, hostname, root filesystem (made, then
 * entered), OOM score, signals, limits; last, init gives up what the node may not have:
 * the seccomp filter, then every capability not the node's. From then on
 * PID 1 holds exactly what the node's own processes hold. *fate_fd is the
 * node's fate file (runtime/node_fate.h), open for init to write, or -1. */
int node_setup_run(const struct node_setup *s, int sync_fd, int *fate_fd, struct cbx_error *err);

#endif
