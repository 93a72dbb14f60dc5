/* The capabilities a node's processes keep. A networking lab needs root with
 * the network capabilities (daemons bind low ports, configure interfaces and
 * firewall rules, capture packets); it does not need to load modules, touch
 * devices, the clock, or mount what could lead back to the host. */
#ifndef CBX_CAPS_H
#define CBX_CAPS_H

#include <stdbool.h>

#include "common/error.h"

/* Drop every capability not kept from the bounding set (and the inheritable
 * and ambient sets), so nothing the node runs can regain it. Privileged
 * nodes keep everything. Runs between clone and exec: no allocation. */
int caps_restrict_node(bool privileged, struct cbx_error *err);

#endif
