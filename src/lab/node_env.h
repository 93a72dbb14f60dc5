/* What a node's processes are started with: the environment (for init and
 * its command, and for `cboxlab exec`) and init's argv. */
#ifndef CBX_NODE_ENV_H
#define CBX_NODE_ENV_H

#include "common/arena.h"
#include "common/error.h"
#include "image/image.h"
#include "topo/topo.h"

/* Defaults neither the file nor the image (img; NULL: none) override
 * (PATH, HOME, TERM, container), the image's Env the file does not
 * override, the file's env, then HOSTNAME, CBOXLAB_LAB and CBOXLAB_NODE.
 * NULL-terminated. */
char **lab_node_envp(struct cbx_arena *a, const struct cbx_topo *t, const struct cbx_node *n,
		     const struct cbx_image *img);
/* A wall-clock skew (skew_us, not 0) for the node's dynamically linked
 * programs: envp with libfaketime preloaded (before any LD_PRELOAD of the
 * node's), FAKETIME the skew in seconds, and FAKETIME_DONT_FAKE_MONOTONIC
 * (libfaketime moves CLOCK_MONOTONIC too otherwise, to the skewed wall
 * clock). NULL with err set when the host has no libfaketime. */
char **lab_node_envp_skewed(struct cbx_arena *a, char *const *envp, int64_t skew_us,
			    struct cbx_error *err);

/* "cboxlab-init" [--cwd DIR] [--user USER] ["--" CMD...]: the file's
 * command, else the image's, and the image's WorkingDir and User. */
char **lab_node_init_argv(struct cbx_arena *a, const struct cbx_node *n,
			  const struct cbx_image *img);

#endif
