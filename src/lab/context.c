/* The library's context (cboxlab.h): where the labs' state lives. */
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

static int set_cache_root(struct cbx_ctx *ctx, struct cbx_error *err)
{
	const char *dir = getenv("CBOXLAB_CACHE");
	size_t len;

	if (!dir || !*dir)
		dir = CBX_CACHE_ROOT_DEFAULT;
	len = strlen(dir);
	if (dir[0] != '/' || len < 2 || dir[len - 1] == '/' || len >= sizeof(ctx->cache_root))
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "CBOXLAB_CACHE \"%.64s\" is not an absolute path to a directory of at most %zu bytes",
				     dir, sizeof(ctx->cache_root) - 1);
	memcpy(ctx->cache_root, dir, len + 1);
	return 0;
}

int cbx_ctx_init(struct cbx_ctx *ctx, struct cbx_error *err)
{
	const char *root = getenv("CBOXLAB_STATE_ROOT");

	memset(ctx, 0, sizeof(*ctx));
	if (set_cache_root(ctx, err) < 0)
		return -1;
	if (root && *root)
		return cbx_ctx_set_state_root(ctx, root, err) < 0
			       ? cbx_error_wrap(err, "CBOXLAB_STATE_ROOT")
			       : 0;
	return cbx_ctx_set_state_root(ctx, CBX_STATE_ROOT_DEFAULT, err);
}
