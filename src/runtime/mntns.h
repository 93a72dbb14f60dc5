/* The mount namespace a lab's nodes start from.
 *
 * Its root is an empty, read-only tmpfs, and the host's tree is under it at
 * CBX_MNTNS_HOST. A node's init copies it (unshare), chroots into
 * CBX_MNTNS_HOST to make the node's root from the host's files, then moves
 * that root over the namespace's / and detaches the host's tree
 * (rootfs_enter). Beneath the node's root there is then nothing but that
 * empty tmpfs, which is what a node given CAP_SYS_ADMIN finds if it
 * unmounts its /. pivot_root, which each node used before, walks every task
 * on the host under the kernel's global namespace lock, to move any whose
 * root was the old one: O(N) per node, O(N^2) for a lab, and the largest
 * cost of 10,000 nodes' `up` (docs/performance.md). Here it is paid once per
 * `up`.
 *
 * A node's new mount namespace is a copy of the one it starts in, every
 * mount of it, and the node later detaches all of them again with the
 * host's tree. The host's mount table holds one mount per netns pin of
 * every lab that is up (/run/netns), and a node needs none of them: with a
 * 1000-router lab up on the host, a one-node `up` of another lab took 7.5 ms
 * instead of 3.2, a five-node one 24 ms instead of 10. So when there are
 * pins enough to pay for it, the namespace is made without them. */
#ifndef CBX_MNTNS_H
#define CBX_MNTNS_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

/* Is a namespace without pins worth making for `nodes` new nodes, given how
 * many pins /run/netns holds now? *pins: how many it counted, which is all
 * of them or, once it knew, as many as it had read. */
bool mntns_without_pins_pays(size_t nodes, size_t *pins);

/* Where the host's tree is in the namespace for nodes. */
#define CBX_MNTNS_HOST "/host"

/* The namespace for nodes: a copy of the caller's, every mount in it
 * private (nothing mounted on the host later propagates into it, nor the
 * other way), under an empty root at CBX_MNTNS_HOST, and without the pins
 * when `without_pins`. Returns a descriptor for setns, or -1.
 *
 * Where / is shared (systemd) and /run a tmpfs, /run/netns made a mount
 * point the way iproute2 does it (bound onto itself) is a peer of /run, and
 * every pin is mounted twice: on /run/netns, and under it on /run, where
 * namespaces made before see it. Detaching /run/netns would leave the
 * second half. So when /run is a mount of its own and `state_dir` (under
 * /run) is all the nodes need of it, /run itself is replaced by a bare copy
 * of its mount, with only state_dir's mount on it; otherwise (state_dir
 * NULL, or /run is no mount) /run/netns is detached. */
int mntns_for_nodes(bool without_pins, const char *state_dir, struct cbx_error *err);

#endif
