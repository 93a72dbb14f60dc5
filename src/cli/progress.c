/* The progress line of a long `up` or `down` on a terminal:
 *   up: node-net 412/1000 (step 2412/5004)
 * rewritten in place with \r on stderr. The library tells every step (a
 * thousand-node lab: thousands of calls); this keeps the pace: nothing in a
 * command's first 100 ms (a small lab is up before a line would be read),
 * then at most one line every 100 ms. */
#include <stdio.h>
#include <time.h>

#include "cli/cli.h"

#define PROGRESS_AFTER_MS 100
#define PROGRESS_EVERY_MS 100

static struct {
	const char *verb;
	long start_ms, last_ms;
	bool shown;
} line;

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void cli_progress_clear(void)
{
	if (!line.shown)
		return;
	/* Back to the line's start, and erase it. */
	fputs("\r\033[K", stderr);
	fflush(stderr);
	line.shown = false;
}

static void tell(void *arg, const struct cbx_progress *p)
{
	long now = now_ms();

	(void)arg;
	if (p->done >= p->total) {
		cli_progress_clear();
		return;
	}
	if (now - line.start_ms < PROGRESS_AFTER_MS || now - line.last_ms < PROGRESS_EVERY_MS)
		return;
	line.last_ms = now;
	/* A failed `up` says it is undoing; a `down` only undoes. */
	fprintf(stderr, "\r\033[K%s: %s%s %zu/%zu (step %zu/%zu)", line.verb,
		p->undo && line.verb[0] == 'u' ? "undoing " : "", p->phase, p->phase_done,
		p->phase_steps, p->done, p->total);
	fflush(stderr);
	line.shown = true;
}

void cli_progress_start(struct cbx_ctx *cbx, const char *verb)
{
	line.verb = verb;
	line.start_ms = now_ms();
	line.last_ms = 0;
	line.shown = false;
	cbx->progress = tell;
	cbx->progress_arg = NULL;
}
