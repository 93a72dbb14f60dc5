/* Loading a node's seccomp filter (runtime/seccomp_profile.h made it) into
 * the calling thread. libc only: cboxlab-init uses it for itself (and so for
 * every process of the node), `exec` for the command it starts. Without
 * no_new_privs the kernel wants CAP_SYS_ADMIN for this: it comes before the
 * process gives its capabilities up. */
#ifndef CBX_SECCOMP_LOAD_H
#define CBX_SECCOMP_LOAD_H

#include "common/error.h"

/* Load the filter in file `path` (a classic BPF program). */
int seccomp_load_file(const char *path, struct cbx_error *err);
/* The same, from an open descriptor (init opens it before entering the node's root, and
 * loads it once its setup is done). */
int seccomp_load_fd(int fd, struct cbx_error *err);

#endif
