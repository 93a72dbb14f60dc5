/* A node's default seccomp filter, modelled on Docker's default profile
 * (moby/profiles seccomp/default.json) and built with libseccomp.
 *
 * What is refused returns EPERM, never kills: a daemon that probes for a
 * feature carries on. Refused by default: module loading, kexec, reboot,
 * the clock, swap, accounting, keyrings (not namespaced), bpf, perf,
 * userfaultfd, io_uring, open_by_handle_at (the Shocker escape), mount and
 * the new mount API, and every way of making or joining a namespace
 * (unshare, setns, clone with namespace flags): without CAP_SYS_ADMIN the
 * only namespace a node could make is a user namespace, which is exactly
 * how `unshare -Ur` would give it mount and the rest. clone3 answers ENOSYS
 * so that libc falls back to clone, whose flags a classic filter can see.
 *
 * As in Docker's profile, a call gated by a capability is allowed when the
 * node holds that capability: a node granted SYS_ADMIN may make namespaces
 * (routing suites build VRFs as network namespaces; `ip netns add` works),
 * mount, and the rest of that group. The filter is therefore built per set
 * of capabilities. Unlike Docker's, it refuses open_by_handle_at even to a
 * node granted DAC_READ_SEARCH: a handle names any file of a filesystem,
 * and a node whose base is the host's (its /usr a bind of the host's) would
 * read every file of the host through it (the Shocker attack). */
#ifndef CBX_SECCOMP_PROFILE_H
#define CBX_SECCOMP_PROFILE_H

#include <stdint.h>

#include "common/error.h"

/* Write the filter for a node holding `caps` to `fd`, as the classic BPF
 * program (an array of struct sock_filter) the kernel loads. */
int seccomp_profile_export(uint64_t caps, int fd, struct cbx_error *err);

/* The capabilities the filter depends on: those that gate calls. Filters
 * are named after them ("<key in hex>.bpf"). */
uint64_t seccomp_profile_key(uint64_t caps);

/* dir/<key>.bpf, the name of the filter for `caps` in dir; -1 when too long. */
int seccomp_profile_name(uint64_t caps, const char *dir, char *buf, size_t size);

/* Make the filter for `caps` in directory `dir` (unless it is there): its
 * path in buf. libseccomp takes a good part of a small lab's `up` to make
 * one (docs/performance.md, "Measurements behind the code"): so `make` builds the usual ones (tools/seccomp-gen.c) into
 * the library directory. */
int seccomp_profile_make(uint64_t caps, const char *dir, char *buf, size_t size,
			 struct cbx_error *err);

/* The filter for `caps` in the lab's directory `dir`, for its nodes, their
 * restarts and `exec`: copied from libdir/seccomp when `make` built it,
 * else made. Its path in buf. */
int seccomp_profile_install(uint64_t caps, const char *libdir, const char *dir, char *buf,
			    size_t size, struct cbx_error *err);

#endif
