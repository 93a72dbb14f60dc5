/* Which netns pins in /run/netns are the lab's. A pin is named
 * "<lab>-<node>", which anyone can make (`ip netns add lab-a`): `down`
 * removes one only when the lab's state says the lab made it. Before it
 * pins its nodes, `up` writes their network namespaces' identities (device
 * and inode) to the state directory's "pins"; a pin is the lab's when it
 * holds one of those namespaces, or is still the empty file a pin is
 * before its mount (an `up` killed in between). An xattr on the pin cannot
 * mark it: the mount of the namespace over the file hides the file's
 * xattrs (nsfs has none), and a lab without state has nothing to remove. */
#ifndef CBX_LAB_PINS_H
#define CBX_LAB_PINS_H

#include <stdbool.h>
#include <stddef.h>

#include "lab/lab_ctx.h"

/* Record the namespaces of nodes[0..n) (each has said 'N'). */
int lab_pins_record(struct lab_ctx *ctx, const struct cbx_node *const *nodes, size_t n,
		    struct cbx_error *err);
/* Is the pin at `pin` this node's, by the record? No record: false. */
bool lab_pin_is_ours(struct lab_ctx *ctx, const struct cbx_node *node, const char *pin);
/* Does this run remove the node's pin at `pin`? In a failed `up`, only
 * one it made; in `down`, one the lab's record says is its own (a user's
 * `ip netns add` of the same name is not). */
bool lab_pin_to_remove(struct lab_ctx *ctx, const struct cbx_node *node, const char *pin);
/* Did this lab record any pins (and so may have left a pin template)? */
bool lab_pins_recorded(struct lab_ctx *ctx);

#endif
