/* The mount namespace a lab's nodes start from.
 *
 * A node's new mount namespace is a copy of the one it starts in, every
 * mount of it, and the node later detaches all of them again with the
 * host's old root. The host's mount table holds one mount per netns pin
 * of every lab that is up (/run/netns), and a node needs none of them: with
 * a 1000-router lab up on the host, a one-node `up` of another lab took
 * 7.5 ms instead of 3.2, a five-node one 24 ms instead of 10.
 *
 * So `up`, when there are pins enough to pay for it, makes one namespace
 * like the host's but without what /run/netns holds, and its nodes join it
 * (setns) before making their own: each then copies a table of the host's
 * size without the pins, once per `up` rather than once per node. */
#ifndef CBX_MNTNS_H
#define CBX_MNTNS_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

/* Is a namespace without pins worth making for `nodes` new nodes, given how
 * many pins /run/netns holds now? *pins: how many it counted, which is all
 * of them or, once it knew, as many as it had read. */
bool mntns_without_pins_pays(size_t nodes, size_t *pins);

/* A copy of the caller's mount namespace, every mount in it private (nothing
 * mounted on the host later propagates into it, nor the other way), without
 * the pins. Returns a descriptor for setns, or -1.
 *
 * Where / is shared (systemd) and /run a tmpfs, /run/netns made a mount
 * point the way iproute2 does it (bound onto itself) is a peer of /run, and
 * every pin is mounted twice: on /run/netns, and under it on /run, where
 * namespaces made before see it. Detaching /run/netns would leave the
 * second half. So when /run is a mount of its own and `state_dir` (under
 * /run) is all the nodes need of it, /run itself is replaced by a bare copy
 * of its mount, with only state_dir's mount on it; otherwise (state_dir
 * NULL, or /run is no mount) /run/netns is detached. */
int mntns_without_pins(const char *state_dir, struct cbx_error *err);

#endif
