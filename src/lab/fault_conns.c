/* The netlink sockets a chaos run keeps from step to step (cboxlab.h,
 * lab_fault_conns). Closing an nftables socket waits for an RCU grace
 * period after its transactions (lab_ctx.h, lab_nft_park): 8-16 ms here,
 * which every step paid. The host's socket is kept open for the whole run.
 * The nodes' sockets a step parked are closed on a thread of their own as
 * soon as the step is done: the step does not wait for them, and the
 * nodes' namespaces are not held past it (a `down` during the run would
 * wait for them to go). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lab/fault.h"

struct lab_fault_conns {
	struct nl_conn nft; /* the host's */
	pthread_mutex_t lock;
	pthread_cond_t more;
	struct nl_conn queue[LAB_NFT_PARKED_MAX]; /* for the closer */
	size_t n_queued;
	bool done; /* the run is over: the closer closes what is queued, and ends */
	bool started;
	pthread_t closer;
};

static void *close_queued(void *arg)
{
	struct lab_fault_conns *k = arg;
	struct nl_conn batch[LAB_NFT_PARKED_MAX];
	size_t n;

	pthread_mutex_lock(&k->lock);
	for (;;) {
		while (!k->n_queued && !k->done)
			pthread_cond_wait(&k->more, &k->lock);
		if (!k->n_queued)
			break;
		n = k->n_queued;
		memcpy(batch, k->queue, n * sizeof(batch[0]));
		k->n_queued = 0;
		pthread_mutex_unlock(&k->lock);
		for (size_t i = 0; i < n; i++)
			nl_close(&batch[i]);
		pthread_mutex_lock(&k->lock);
	}
	pthread_mutex_unlock(&k->lock);
	return NULL;
}

struct lab_fault_conns *lab_fault_conns_new(void)
{
	struct lab_fault_conns *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	pthread_mutex_init(&k->lock, NULL);
	pthread_cond_init(&k->more, NULL);
	return k;
}

void lab_fault_conns_free(struct lab_fault_conns *k)
{
	if (!k)
		return;
	if (k->started) {
		pthread_mutex_lock(&k->lock);
		k->done = true;
		pthread_cond_signal(&k->more);
		pthread_mutex_unlock(&k->lock);
		pthread_join(k->closer, NULL);
	}
	nl_close(&k->nft);
	pthread_mutex_destroy(&k->lock);
	pthread_cond_destroy(&k->more);
	free(k);
}

void lab_fault_conns_take(struct lab_fault_conns *k, struct lab_ctx *ctx)
{
	ctx->nft = k->nft;
	memset(&k->nft, 0, sizeof(k->nft));
}

void lab_fault_conns_give(struct lab_fault_conns *k, struct lab_ctx *ctx)
{
	size_t n = ctx->n_parked_nft, queued = 0;

	k->nft = ctx->nft;
	memset(&ctx->nft, 0, sizeof(ctx->nft));
	/* The closer starts with the first sockets to close. The signals a
	 * run waits for are blocked by then, and stay so on the thread. */
	if (n && !k->started)
		k->started = pthread_create(&k->closer, NULL, close_queued, k) == 0;
	if (n && k->started) {
		pthread_mutex_lock(&k->lock);
		queued =
			n < LAB_NFT_PARKED_MAX - k->n_queued ? n : LAB_NFT_PARKED_MAX - k->n_queued;
		memcpy(k->queue + k->n_queued, ctx->parked_nft, queued * sizeof(k->queue[0]));
		k->n_queued += queued;
		pthread_cond_signal(&k->more);
		pthread_mutex_unlock(&k->lock);
	}
	/* What the closer could not take (no thread, or a full queue):
	 * lab_ctx_fini closes it, as it would have. */
	memmove(ctx->parked_nft, ctx->parked_nft + queued,
		(n - queued) * sizeof(ctx->parked_nft[0]));
	ctx->n_parked_nft = n - queued;
}
