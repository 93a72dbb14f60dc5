/* Writing sysctls: "net.ipv4.ip_forward" → /proc/sys/net/ipv4/ip_forward.
 * Network sysctls belong to the network namespace of the writer, so the
 * same call configures the host or, after setns(), a node. */
#ifndef CBX_SYSCTL_H
#define CBX_SYSCTL_H

#include "common/error.h"

int cbx_sysctl_write(const char *name, const char *value, struct cbx_error *err);
/* The same under the directory fd sys_dir, a procfs's sys/ (AT_FDCWD:
 * /proc/sys). A node writes its own in its own procfs: each netns that
 * looks its sysctls up through one procfs adds a "net" entry to one hash
 * chain there, and lookups walk that chain, which for `up` writing every
 * node's through the host's /proc made a lab of N nodes cost O(N^2).
 * A walk from a directory fd does not cross what is mounted on that
 * directory itself: the node's read-only bind over its /proc/sys, made while
 * `up` writes, does not get in the way (runtime/kernel_view.c). */
int cbx_sysctl_write_at(int sys_dir, const char *name, const char *value, struct cbx_error *err);
/* The sys/ directory of a procfs of our own, mounted nowhere (fsopen,
 * fsmount): for nodes without a procfs (netns nodes), so that their lookups
 * do not join the host's /proc chain (above). Its sysctls are still those
 * of the netns of whoever walks it. Close it when done: the procfs goes,
 * and that close waits for an RCU grace period (the mount is dissolved),
 * so share one among several nodes (lab/steps_node.c). */
int cbx_sysctl_private_dir(struct cbx_error *err);
/* Read into buf (trailing newline removed). */
int cbx_sysctl_read(const char *name, char *buf, size_t size, struct cbx_error *err);

#endif
