/* A running lab opened for faults (cboxlab.h): its saved topology, its
 * lock, its fault record. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "lab/fault.h"
#include "lab/lab.h"

static void faults_free(struct lab_faults *fl)
{
	fault_record_free(fl->record);
	if (fl->keep && fl->conns_taken)
		lab_fault_conns_give(fl->keep, &fl->ctx);
	/* Its lock too; a context never set up holds nothing (and 0s). */
	if (fl->ctx.t)
		lab_ctx_fini(&fl->ctx);
	cbx_topo_free(fl->owned);
	free(fl);
}

int lab_faults_open(const struct cbx_ctx *cbx, const char *lab, const struct cbx_topo *t,
		    struct lab_fault_conns *keep, struct lab_faults **out, struct cbx_error *err)
{
	struct lab_faults *fl = calloc(1, sizeof(*fl));
	int rc;

	*out = NULL;
	if (!fl)
		return cbx_error_sys(err, ENOMEM, "lab %s", lab);
	fl->ctx.lock_fd = -1;
	fl->keep = keep;
	if (!t) {
		if (lab_load_saved(cbx, lab, &fl->owned, err) < 0)
			goto fail;
		t = fl->owned;
	}
	fl->t = t;
	if (lab_ctx_init(&fl->ctx, cbx, fl->t, true, err) < 0)
		goto fail;
	if (fl->keep) {
		lab_fault_conns_take(fl->keep, &fl->ctx);
		fl->conns_taken = true;
	}
	cbx_cgroups_for_lab(&fl->ctx.cg, fl->t);
	rc = lab_lock(cbx, lab, false, &fl->ctx.lock_fd, err);
	if (rc < 0)
		goto fail;
	/* `down` may have run while we waited for the lock. */
	if (rc == 1 || access(fl->ctx.state_dir, F_OK) < 0) {
		cbx_error_set(err, CBX_ERR_STATE, "lab \"%s\" is not up", lab);
		goto fail;
	}
	if (cbx_path(fl->record_path, sizeof(fl->record_path), err, "%s/faults.json",
		     fl->ctx.state_dir) < 0)
		goto fail;
	fl->record = fault_record_load(fl->record_path);
	if (!fl->record) {
		cbx_error_sys(err, ENOMEM, "lab %s: its fault record", lab);
		goto fail;
	}
	*out = fl;
	return 0;
fail:
	faults_free(fl);
	return -1;
}

int lab_faults_close(struct lab_faults *fl, struct cbx_error *err)
{
	int rc = fault_record_save(fl->record, fl->record_path, err);

	faults_free(fl);
	return rc;
}

int lab_faults_run(const struct cbx_ctx *cbx, const char *lab, const struct cbx_topo *t,
		   lab_faults_fn fn, void *arg, struct cbx_error *err)
{
	return lab_faults_run_keeping(cbx, lab, t, NULL, fn, arg, err);
}

int lab_faults_run_keeping(const struct cbx_ctx *cbx, const char *lab, const struct cbx_topo *t,
			   struct lab_fault_conns *keep, lab_faults_fn fn, void *arg,
			   struct cbx_error *err)
{
	struct lab_faults *fl;
	struct cbx_error close_err;
	int rc;

	if (lab_faults_open(cbx, lab, t, keep, &fl, err) < 0)
		return -1;
	rc = fn(fl, arg, err);
	return cbx_error_keep_first(rc, err, lab_faults_close(fl, &close_err), &close_err);
}

const struct cbx_topo *lab_faults_topo(const struct lab_faults *fl)
{
	return fl->t;
}

int lab_faults_impairments(const struct lab_faults *fl, struct lab_impairment **out, size_t *n,
			   struct cbx_error *err)
{
	return fault_record_impairments(fl->record, out, n, err);
}
