/* Network namespaces held while their pins go, then let go all at once.
 * The kernel frees dead namespaces in batches, and each batch looks itself
 * up in every namespace still alive (cleanup_net, unhash_nsid: a walk of
 * each one's peer ids); namespaces dropped one by one as they are unpinned
 * make many small batches, each walking the thousands still there. */
#ifndef CBX_LAB_NS_HOLDS_H
#define CBX_LAB_NS_HOLDS_H

#include <stddef.h>

#include "common/error.h"

struct lab_ns_holds {
	int *fds; /* NULL: out of memory, nothing is held */
	size_t n, cap;
};

/* Room for `cap` holds. */
void lab_ns_holds_init(struct lab_ns_holds *h, size_t cap);
/* Unpin `pin` (netns_unpin), its namespace held first. Out of room,
 * descriptors or memory, it goes when it is unpinned. */
int lab_ns_unpin_held(struct lab_ns_holds *h, const char *pin, struct cbx_error *err);
/* Let every held namespace go; `h` is empty after. */
void lab_ns_holds_release(struct lab_ns_holds *h);

#endif
