/* Killed nodes' inits until the host's init has reaped them.
 *
 * A node's init is a child of the `up` (or `start`) that cloned it; once
 * that has exited, the init's parent is the host's PID 1, and a killed init
 * stays a zombie until PID 1 waits for it. systemd does so at once; other
 * inits (a container's shell, this project's CI VMs) take seconds or never
 * do. `down` promises that no process of the lab is left when it returns,
 * zombies included, so it keeps the pidfds of the inits it killed and waits,
 * bounded, until the kernel no longer knows them (pidfd_send_signal says
 * ESRCH once a process is reaped, and not while it is a zombie). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/clock.h"
#include "lab/lab_ctx.h"

void lab_reap_keep(struct lab_ctx *ctx, int pidfd)
{
	struct lab_reap_watch *w = &ctx->reap;

	if (pidfd < 0)
		return;
	if (ctx->teardown && !w->fd) {
		w->fd = malloc((ctx->t->n_nodes ? ctx->t->n_nodes : 1) * sizeof(*w->fd));
		w->cap = w->fd ? ctx->t->n_nodes : 0;
	}
	if (ctx->teardown && w->n < w->cap)
		w->fd[w->n++] = pidfd;
	else
		close(pidfd);
}

static bool reaped(int pidfd)
{
	return syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0 && errno == ESRCH;
}

size_t lab_reap_wait(struct lab_ctx *ctx, long wait_ms)
{
	struct lab_reap_watch *w = &ctx->reap;
	long deadline = cbx_now_ms() + wait_ms;

	for (unsigned delay_us = 500;; delay_us = delay_us < 16000 ? delay_us * 2 : delay_us) {
		size_t left = 0;

		for (size_t i = 0; i < w->n; i++)
			if (reaped(w->fd[i]))
				close(w->fd[i]);
			else
				w->fd[left++] = w->fd[i];
		w->n = left;
		if (!left || cbx_now_ms() >= deadline)
			return left;
		usleep(delay_us);
	}
}

void lab_reap_fini(struct lab_ctx *ctx)
{
	struct lab_reap_watch *w = &ctx->reap;

	for (size_t i = 0; i < w->n; i++)
		close(w->fd[i]);
	free(w->fd);
	*w = (struct lab_reap_watch){ 0 };
}
