/* After the nodes' commands have started: wait until each node with a
 * "ready" check passes it, and fail when a startup command dies before the
 * lab is up (a node without "restart"). */
#ifndef CBX_LAB_NODE_READY_H
#define CBX_LAB_NODE_READY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lab/lab_ctx.h"

/* Every node's checks at once, each polled with a backoff, while the nodes'
 * sync sockets say whether a command ended ('X'). Closes every node's sync
 * socket on return: what a command does after is `status`'s business. */
int lab_nodes_settle(struct lab_ctx *ctx, const struct cbx_node *const *nodes, size_t n,
		     struct cbx_error *err);

/* Does a /proc/net/tcp or tcp6 table (text) hold a socket listening on
 * `port`? Pure: unit-tested. */
bool lab_tcp_table_listens(const char *text, uint16_t port);

/* The last `lines` lines of the node's console that are not init's own
 * ("cboxlab-init: ..."), quoted and joined with " | " into buf, from at most
 * its last 4 KiB (a node may have written gigabytes); "" when none. */
void lab_node_log_tail(const struct lab_ctx *ctx, const struct cbx_node *node, unsigned lines,
		       char *buf, size_t size);

#endif
