/* The library's context (cboxlab.h): where the labs' state lives. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lab/cboxlab.h"

int cbx_ctx_set_state_root(struct cbx_ctx *ctx, const char *dir, struct cbx_error *err)
{
	size_t len = strlen(dir);

	if (dir[0] != '/' || len < 2 || dir[len - 1] == '/')
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "the state root \"%.64s\" is not an absolute path to a directory (such as %s)",
				     dir, CBX_STATE_ROOT_DEFAULT);
	if (len >= sizeof(ctx->state_root))
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "the state root is %zu bytes long; at most %zu", len,
				     sizeof(ctx->state_root) - 1);
	memcpy(ctx->state_root, dir, len + 1);
	return 0;
}

/* An absolute path to a directory, short enough, into buf. */
static int set_root(char *buf, size_t size, const char *dir, const char *what, const char *example,
		    struct cbx_error *err)
{
	size_t len = strlen(dir);

	if (dir[0] != '/' || len < 2 || dir[len - 1] == '/')
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "the %s \"%.64s\" is not an absolute path to a directory (such as %s)",
				     what, dir, example);
	if (len >= size)
		return cbx_error_set(err, CBX_ERR_INPUT, "the %s is %zu bytes long; at most %zu",
				     what, len, size - 1);
	memcpy(buf, dir, len + 1);
	return 0;
}

/* A whole decimal number from lo to hi, and nothing else. */
static bool number_in(const char *text, long lo, long hi, long *n)
{
	char *end;

	errno = 0;
	*n = strtol(text, &end, 10);
	return !errno && end != text && !*end && *n >= lo && *n <= hi;
}

/* Milliseconds, 0 to 10 minutes. */
static int set_wait_ms(long *ms, const char *text, struct cbx_error *err)
{
	if (!number_in(text, 0, 600000, ms))
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "\"%.32s\" is not a number of milliseconds from 0 to 600000",
				     text);
	return 0;
}

/* A count of host ends, 1 to 10,000,000. */
static int set_count(size_t *count, const char *text, struct cbx_error *err)
{
	long n;

	if (!number_in(text, 1, 10000000, &n))
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "\"%.32s\" is not a number from 1 to 10000000", text);
	*count = (size_t)n;
	return 0;
}

int cbx_ctx_init(struct cbx_ctx *ctx, struct cbx_error *err)
{
	const char *root = getenv("CBOXLAB_STATE_ROOT"), *disk = getenv("CBOXLAB_DISK_ROOT"),
		   *cache = getenv("CBOXLAB_CACHE"), *reap = getenv("CBOXLAB_REAP_WAIT_MS"),
		   *ends = getenv("CBOXLAB_HOST_ENDS_FIRST");

	memset(ctx, 0, sizeof(*ctx));
	ctx->reap_wait_ms = CBX_REAP_WAIT_MS_DEFAULT;
	ctx->host_ends_first = CBX_HOST_ENDS_FIRST_DEFAULT;
	if (reap && *reap && set_wait_ms(&ctx->reap_wait_ms, reap, err) < 0)
		return cbx_error_wrap(err, "CBOXLAB_REAP_WAIT_MS");
	if (ends && *ends && set_count(&ctx->host_ends_first, ends, err) < 0)
		return cbx_error_wrap(err, "CBOXLAB_HOST_ENDS_FIRST");
	if (set_root(ctx->cache_root, sizeof(ctx->cache_root),
		     cache && *cache ? cache : CBX_CACHE_ROOT_DEFAULT, "image cache",
		     CBX_CACHE_ROOT_DEFAULT, err) < 0)
		return cbx_error_wrap(err, "CBOXLAB_CACHE");
	if (set_root(ctx->disk_root, sizeof(ctx->disk_root),
		     disk && *disk ? disk : CBX_DISK_ROOT_DEFAULT, "disk root",
		     CBX_DISK_ROOT_DEFAULT, err) < 0)
		return cbx_error_wrap(err, "CBOXLAB_DISK_ROOT");
	if (root && *root)
		return cbx_ctx_set_state_root(ctx, root, err) < 0
			       ? cbx_error_wrap(err, "CBOXLAB_STATE_ROOT")
			       : 0;
	return cbx_ctx_set_state_root(ctx, CBX_STATE_ROOT_DEFAULT, err);
}
