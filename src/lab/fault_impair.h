/* Impairments on a lab's interfaces: at `up` (the topology's own) and as a
 * fault (fault_impair, lab/fault.h). */
#ifndef CBX_FAULT_IMPAIR_H
#define CBX_FAULT_IMPAIR_H

#include <stdbool.h>

#include "lab/lab_ctx.h"

/* Apply impairments to an interface: its qdiscs through rtnl (a socket in
 * its node's netns), and where its packets arrive a loss rule when netem
 * is missing (bridge/impair.h). fresh: never impaired before (a node just
 * made), so there is nothing to remove. No record. */
int lab_impair_iface(struct lab_ctx *ctx, const struct cbx_iface *ifc, struct nl_conn *rtnl,
		     const struct cbx_impair *im, bool fresh, struct cbx_error *err);

#endif
