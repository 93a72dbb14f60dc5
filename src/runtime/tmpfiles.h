/* /run in a "host"-base node as boot would leave it: the folders the host's
 * tmpfiles.d declares under /run (or /var/run) with type d or D, owner and
 * mode honoured, so that a daemon installed on the host finds its
 * /run/<daemon> (its pid file, its socket) as it does after a boot.
 *
 * `up` reads the host's tmpfiles.d once per lab (cbx_tmpfiles_collect) and
 * leaves the list, names resolved to ids, in the lab's state; each host-base
 * node's init makes the folders in its fresh /run (cbx_tmpfiles_apply),
 * before the node runs anything. */
#ifndef CBX_TMPFILES_H
#define CBX_TMPFILES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

/* The list's name in the lab's host layer's folder (host_mask.h). */
#define CBX_TMPFILES_LIST "run-dirs"

#define CBX_TMPFILES_PATH_MAX 256
#define CBX_TMPFILES_NAME_MAX 64
/* The list a node reads: at most this much of it. */
#define CBX_TMPFILES_LIST_MAX 65536

struct cbx_tmpfiles_dir {
	char path[CBX_TMPFILES_PATH_MAX]; /* under /run, "/run/..." */
	mode_t mode;
	char user[CBX_TMPFILES_NAME_MAX], group[CBX_TMPFILES_NAME_MAX]; /* "" : root */
};

/* One line of a tmpfiles.d file: true when it declares a folder (d, D, with
 * or without the '!' or '-' modifiers) under /run, /var/run or %t, in *out;
 * false for anything else (other types, other places, "..", comments,
 * specifiers cboxlab cannot expand). Pure. */
bool cbx_tmpfiles_parse_line(const char *line, struct cbx_tmpfiles_dir *out);

/* Read host_root's tmpfiles.d (usr/lib and etc, a file in etc overriding
 * its namesake) and write the folders to `list` as "MODE UID GID PATH"
 * lines (octal mode; users and groups looked up on this host; an entry
 * whose user or group is unknown is left out, as tmpfiles would). */
int cbx_tmpfiles_collect(const char *host_root, const char *list, struct cbx_error *err);

/* Make each folder of `list` under run_dir (the node's /run, before it
 * runs anything), ids shifted by id_shift (a user namespace's start), the
 * missing parents 0755 root. Only paths below /run, with no "." or ".."
 * component, are made. */
int cbx_tmpfiles_apply(const char *list, const char *run_dir, uid_t id_shift,
		       struct cbx_error *err);

#endif
