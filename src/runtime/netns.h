/* Node network namespaces pinned at /run/netns/<lab>-<node>, as `ip netns`
 * does it, so `ip netns exec lan-h1 ...` works for users and the netns (with
 * its interfaces) outlives a restart of the node's processes. */
#ifndef CBX_NETNS_H
#define CBX_NETNS_H

#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

#define CBX_NETNS_DIR "/run/netns"

/* Make /run/netns a shared mount point, exactly as iproute2 does, so pins
 * made here and by `ip netns` behave the same in every mount namespace. */
int netns_prepare_dir(struct cbx_error *err);
int netns_pin_path(char *buf, size_t size, const char *lab, const char *node);

/* Pins made in a batch are hard links of one empty file, "<lab>-.pin" (no
 * node name starts with '.'), made first and removed after: a link needs
 * no new inode, and creating a file does: on an ext4 /run a new inode
 * costs a scan for a free one, a link almost nothing (figures in
 * docs/performance.md, "Measurements behind the code"). 0 and the template's path in buf; -1 when there is none
 * to use (one exists already: it may be someone's), and pins are then
 * created one by one. */
int netns_pin_template(char *buf, size_t size, const char *lab);
/* Remove the template, if what is there is one (an empty file, no mount). */
void netns_pin_template_remove(const char *lab);
/* Bind /proc/<pid>/ns/net onto the pin, a new link of template (or a new
 * file, when template is NULL). */
int netns_pin(pid_t pid, const char *pin, const char *template, struct cbx_error *err);
/* The same for the netns file fd (a netns node's, which has no process). */
int netns_pin_fd(int fd, const char *pin, const char *template, struct cbx_error *err);
/* A new network namespace, without a process in it: its file (-1 and why
 * on failure). The calling thread makes it and goes back to `own` (its
 * netns file): a failure to go back is an error too. */
int netns_new(int own, struct cbx_error *err);
/* SIGKILL, by pidfd, every process whose netns is one of inos[0..n) (the
 * namespaces' inodes, on nsfs device dev; sorted here): what was started in
 * a netns without a process tree of its own (a netns node's `exec`). Returns
 * how many. */
size_t netns_kill_members(dev_t dev, ino_t *inos, size_t n);
/* Detach and remove a pin; a missing one is fine. */
int netns_unpin(const char *pin, struct cbx_error *err);

/* Run fn in the netns of fd (a netns file or a pidfd) on the calling
 * thread, then return to the thread's own netns: what it opens there
 * (netlink sockets) stays bound to that netns. Failing to return is an error
 * that wins over fn's, since the caller must not go on in the wrong netns. */
int netns_run(int fd, int (*fn)(void *arg, struct cbx_error *err), void *arg,
	      struct cbx_error *err);

#endif
