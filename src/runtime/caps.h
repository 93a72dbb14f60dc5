/* The capabilities a node's processes keep. A networking lab needs root with
 * the network capabilities (daemons bind low ports, configure interfaces and
 * firewall rules, capture packets); it does not need to load modules, touch
 * devices, the clock, or mount what could lead back to the host. */
#ifndef CBX_CAPS_H
#define CBX_CAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

/* The bounding-set capabilities a node drops, as a mask (bit n: capability
 * n): every one the running kernel has but the kept ones; none for a
 * privileged node. Needs libcap: cboxlab computes it, and a node's init is
 * handed the mask (runtime/node_setup.h). */
uint64_t caps_node_drop_mask(bool privileged);

/* Drop the capabilities in `mask` from the bounding set and clear the
 * ambient set, so nothing the process runs can regain them. libc only
 * (cboxlab-init does this too); no allocation. */
int caps_drop_bounding(uint64_t mask, struct cbx_error *err);

/* Both, for a command cboxlab starts in a node itself (`exec`). */
int caps_restrict_node(bool privileged, struct cbx_error *err);

#endif
