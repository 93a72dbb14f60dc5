/* The lab operations the CLI offers, on top of plans and the runtime. */
#ifndef CBX_LAB_H
#define CBX_LAB_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "lab/lab_ctx.h"
#include "lab/plan.h"
#include "topo/topo.h"

struct lab_up_report {
	double seconds;
	uint64_t phase_us[STEP_KIND_COUNT]; /* time in each phase */
	/* The nodes' mounts were copied without the host's netns pins, of
	 * which there were at least this many (runtime/mntns.h); 0: not. */
	size_t pins_left_out;
	pid_t *pids; /* per node, malloc'd */
	const char *warnings[CBX_MAX_WARNINGS]; /* copies, freed with the report */
	size_t n_warnings;
};

/* Bring a loaded topology up; `text` is the file's content, saved so that
 * `down` can rebuild the same plan. Returns when every node is ready. */
int lab_up(const struct cbx_ctx *cbx, const struct cbx_topo *t, const char *text, size_t len,
	   struct lab_up_report *rep, struct cbx_error *err);
void lab_up_report_free(struct lab_up_report *rep);

/* Bring a lab down by name, or by the file that names it; `lab` gets its
 * name. Idempotent: a lab that is not up is success (*was_up false).
 * phase_us (may be NULL): time in each phase's undo. */
int lab_down(const struct cbx_ctx *cbx, const char *lab_or_file, char lab[CBX_LAB_NAME_MAX + 1],
	     bool *was_up, uint64_t *phase_us, struct cbx_error *err);

/* Is `arg` a topology file rather than a lab name? */
bool lab_arg_is_file(const char *arg);
/* The topology a running lab was brought up with. */
int lab_load_saved(const struct cbx_ctx *cbx, const char *lab, struct cbx_topo **t,
		   struct cbx_error *err);
/* Names of the labs with state in the state root (sorted, malloc'd). */
int lab_list(const struct cbx_ctx *cbx, char ***names, size_t *n, struct cbx_error *err);
void lab_list_free(char **names, size_t n);
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
/* "up", or "incomplete" (an `up` still running, failed or killed). */
const char *lab_state(const struct cbx_ctx *cbx, const char *lab);

#endif
