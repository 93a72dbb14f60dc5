/* libcboxlab: networking labs of real Linux nodes, as a library.
 *
 * The one header a program using cboxlab includes (the CLI is one; a Python
 * wrapper would be another). Everything declared here is exported and
 * named cbx_ or lab_; the rest of the library is hidden (make
 * check-symbols). Only types a caller can hold are here: no JSON, no
 * netlink, no cgroup layout.
 *
 * Every call that touches the labs' state takes a struct cbx_ctx: where that
 * state lives is the caller's to say, not fixed when cboxlab was built. */
#ifndef CBOXLAB_H
#define CBOXLAB_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "topo/topo.h"

/* Where the labs' state lives unless the caller says otherwise: a
 * directory of root's alone (0700), one tmpfs per lab in it, and the labs'
 * locks beside them. */
#define CBX_STATE_ROOT_DEFAULT "/run/cboxlab"
/* A state root is at most this long (a lab's paths are built on it). */
#define CBX_STATE_ROOT_MAX 128

struct cbx_ctx {
	char state_root[CBX_STATE_ROOT_MAX];
};

/* The defaults, and $CBOXLAB_STATE_ROOT as the state root when it is set:
 * tests, or a second user of one host, can have labs of their own. */
int cbx_ctx_init(struct cbx_ctx *ctx, struct cbx_error *err);
/* Another state root: an absolute path, without a trailing '/'. */
int cbx_ctx_set_state_root(struct cbx_ctx *ctx, const char *dir, struct cbx_error *err);

#endif
