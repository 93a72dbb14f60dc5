/* What became of a node's startup command, as its init writes it into the
 * node's state directory (file "fate") for `status` to read without asking
 * the node: one line, rewritten in place at each change.
 *
 *   "running 0 SINCE RESTARTS"    started (again) at SINCE
 *   "exited CODE SINCE RESTARTS"  ended with exit(CODE) at SINCE
 *   "killed SIG SINCE RESTARTS"   killed by signal SIG at SINCE
 *
 * SINCE is in milliseconds since the epoch; RESTARTS counts the times init
 * started the command again ("restart"). The line is padded with spaces to
 * CBX_FATE_LINE bytes, so that a rewrite never leaves a longer old line's
 * tail behind; a reader takes at most that many bytes and refuses anything
 * else (the file is in the lab's state, where only init writes it, but a
 * reader trusts no file of a node's). Pure functions: unit-tested. */
#ifndef CBX_NODE_FATE_H
#define CBX_NODE_FATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CBX_FATE_FILE "fate"
#define CBX_FATE_LINE 64

enum node_fate_state {
	NODE_FATE_RUNNING,
	NODE_FATE_EXITED,
	NODE_FATE_KILLED,
};

struct node_fate {
	enum node_fate_state state;
	int code; /* the exit status, or the signal */
	int64_t since_ms;
	uint32_t restarts;
};

/* The line for f, CBX_FATE_LINE bytes (the last a newline) in buf, which
 * holds at least CBX_FATE_LINE + 1; the NUL after is not part of it. */
void node_fate_format(const struct node_fate *f, char *buf);

/* Parse what a fate file holds; false when it is not one such line. */
bool node_fate_parse(const char *text, size_t len, struct node_fate *f);

#endif
