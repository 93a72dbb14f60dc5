/* Internal to src/lab: the labs' state on the host (state.c) beside what
 * cboxlab.h offers. */
#ifndef CBX_LAB_H
#define CBX_LAB_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "lab/cboxlab.h"
#include "lab/lab_ctx.h"
#include "lab/plan.h"
#include "topo/topo.h"

/* Is `arg` a topology file rather than a lab name? */
bool lab_arg_is_file(const char *arg);
/* The PID of a node's init, 0 when the node is not running. */
pid_t lab_node_pid(const struct cbx_ctx *cbx, const char *lab, const char *node);
/* The lab's lock, <state root>/<lab>.lock (flock): `up`, `down` and fault
 * commands of one lab do not interleave. A lab that has none (create false)
 * is not up: returns 1 and no fd. lab_unlock(remove) is `down`'s, when the
 * lab is gone. */
int lab_lock(const struct cbx_ctx *cbx, const char *lab, bool create, int *fd,
	     struct cbx_error *err);
void lab_unlock(const struct cbx_ctx *cbx, const char *lab, int fd, bool remove);
/* Remove a lab's state directory (its tmpfs, or what is left of it). */
int lab_state_remove(const char *state_dir, struct cbx_error *err);

#endif
