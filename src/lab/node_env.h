/* What a node's processes are started with: the environment (for init and
 * its command, and for `cboxlab exec`) and init's argv. */
#ifndef CBX_NODE_ENV_H
#define CBX_NODE_ENV_H

#include "common/arena.h"
#include "topo/topo.h"

/* Defaults the file did not override (PATH, HOME, TERM, container), the
 * file's env, then HOSTNAME, CBOXLAB_LAB and CBOXLAB_NODE. NULL-terminated. */
char **lab_node_envp(struct cbx_arena *a, const struct cbx_topo *t, const struct cbx_node *n);
/* "cboxlab-init" ["--" CMD...]. */
char **lab_node_init_argv(struct cbx_arena *a, const struct cbx_node *n);

#endif
