/* The capabilities a node's processes hold.
 *
 * A networking lab needs root with the network capabilities (daemons bind
 * low ports, configure interfaces and firewall rules, capture packets); it
 * does not need to load modules, touch devices, the clock, or mount what
 * could lead back to the host. A node's set is that default, plus the
 * topology's `cap_add`, minus its `cap_drop`; a privileged node holds every
 * capability. Every process of the node, its init included once its setup
 * is done, holds exactly that set in its bounding, permitted and effective
 * sets, and nothing inheritable or ambient (CVE-2022-29162). Sets are masks:
 * bit n is capability n. */
#ifndef CBX_CAPS_H
#define CBX_CAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

#define CBX_CAP_BIT(c) (UINT64_C(1) << (c))

/* Docker's default set plus what labs use (see caps.c for the list and why). */
uint64_t caps_node_default(void);

/* Every capability the running kernel has (libcap asks it). */
uint64_t caps_kernel_all(void);
/* A node's set: every one for a privileged node, else the default with
 * `add`; `drop` goes in both cases; only what the kernel has. */
uint64_t caps_node_set(bool privileged, uint64_t add, uint64_t drop);

/* libc only (cboxlab-init and exec use them); no allocation.
 *
 * Bound the calling process to `keep`: drop the rest from the bounding set
 * (so nothing it runs can regain them) and clear the ambient set. Needs
 * CAP_SETPCAP, so it comes before caps_limit_process. */
int caps_bound_to(uint64_t keep, struct cbx_error *err);
/* Then hold exactly `keep` (within what it has) in the permitted and
 * effective sets, and nothing inheritable. */
int caps_limit_process(uint64_t keep, struct cbx_error *err);

#endif
