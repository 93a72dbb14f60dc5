/* What a node sees of the kernel's global state through /proc and /sys:
 * what Docker (runc, crun) hide and make read-only, the same here.
 *
 * /proc/sys is read-only but for /proc/sys/net, the node's own network
 * namespace's (the kernel resolves it against the reader's netns and makes
 * the entries that reach global data read-only in a netns of its own): a
 * router sets its forwarding, but no node writes kernel.core_pattern (whose
 * "|program" the kernel runs on the host at any crash) or any other knob of
 * the whole machine. /proc/sysrq-trigger, /proc/irq, /proc/bus and /proc/fs
 * are read-only; /proc/kcore, /proc/keys, /proc/kmsg, /proc/timer_list and
 * the like are masked (bound over with /dev/null), as are /proc/acpi,
 * /sys/firmware and the other directories that hold host secrets or side
 * channels (an empty read-only directory on top). A path the running
 * kernel does not have is skipped. Privileged nodes see it all. */
#ifndef CBX_KERNEL_VIEW_H
#define CBX_KERNEL_VIEW_H

#include "common/error.h"

/* In the node's root `root` (its /proc, /sys and /dev/null mounted), before
 * entering it; `node_dir` holds the empty directory used as a mask. */
int kernel_view_restrict(const char *root, const char *node_dir, struct cbx_error *err);

#endif
