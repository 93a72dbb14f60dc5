/* A running lab opened for faults (cboxlab.h): its saved topology, its
 * lock, its fault record. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "lab/fault.h"
#include "lab/lab.h"

struct lab_fault_conns {
	struct nl_conn nft; /* the host's */
	struct nl_conn parked_nft[LAB_NFT_PARKED_MAX];
	size_t n_parked_nft;
};

struct lab_fault_conns *lab_fault_conns_new(void)
{
	return calloc(1, sizeof(struct lab_fault_conns));
}

void lab_fault_conns_free(struct lab_fault_conns *keep)
{
	if (!keep)
		return;
	nl_close(&keep->nft);
	for (size_t i = 0; i < keep->n_parked_nft; i++)
		nl_close(&keep->parked_nft[i]);
	free(keep);
}

/* Move the sockets from keep into ctx (give: false), or back (true). */
static void pass_conns(struct lab_fault_conns *keep, struct lab_ctx *ctx, bool give)
{
	struct nl_conn *from_nft = give ? &ctx->nft : &keep->nft,
		       *to_nft = give ? &keep->nft : &ctx->nft,
		       *from_parked = give ? ctx->parked_nft : keep->parked_nft,
		       *to_parked = give ? keep->parked_nft : ctx->parked_nft;
	size_t *from_n = give ? &ctx->n_parked_nft : &keep->n_parked_nft,
	       *to_n = give ? &keep->n_parked_nft : &ctx->n_parked_nft;

	*to_nft = *from_nft;
	memset(from_nft, 0, sizeof(*from_nft));
	memcpy(to_parked, from_parked, *from_n * sizeof(*from_parked));
	*to_n = *from_n;
	*from_n = 0;
}

static void faults_free(struct lab_faults *fl)
{
	fault_record_free(fl->record);
	if (fl->keep && fl->ctx.t)
		pass_conns(fl->keep, &fl->ctx, true);
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
	if (fl->keep)
		pass_conns(fl->keep, &fl->ctx, false);
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
