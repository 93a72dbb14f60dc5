#include "image/layer_path.h"

#include <string.h>

#define WH ".wh."
#define OPAQUE ".wh..wh..opq"

int cbx_digest_parse(const char *s, char hex[CBX_SHA256_HEX_LEN + 1], const char **why)
{
	const char *colon = strchr(s, ':');
	size_t n;

	if (!colon || colon == s)
		return *why = "a digest is ALGORITHM:HEX (sha256:...)", -1;
	if ((size_t)(colon - s) != 6 || strncmp(s, "sha256", 6))
		return *why = "only sha256 digests are checked", -1;
	n = strlen(colon + 1);
	if (n != CBX_SHA256_HEX_LEN || strspn(colon + 1, "0123456789abcdef") != n)
		return *why = "a sha256 digest has 64 lowercase hex digits", -1;
	memcpy(hex, colon + 1, n + 1);
	return 0;
}

int cbx_entry_path_parse(char *path, struct cbx_entry_path *out, const char **why)
{
	char *r = path, *w = path, *last;

	memset(out, 0, sizeof(*out));
	if (*path == '/')
		return *why = "an absolute path", -1;
	/* Component by component: "." and empty ones dropped, ".." refused. */
	while (*r) {
		size_t n = strcspn(r, "/");
		if ((n == 1 && r[0] == '.') || n == 0) {
			r += n + (r[n] == '/');
			continue;
		}
		if (n == 2 && r[0] == '.' && r[1] == '.')
			return *why = "a path with \"..\"", -1;
		if (w != path)
			*w++ = '/';
		memmove(w, r, n);
		w += n;
		r += n + (r[n] == '/');
	}
	if (w == path)
		*w++ = '.';
	*w = '\0';
	last = strrchr(path, '/');
	last = last ? last + 1 : path;
	out->dir_len = last == path ? 0 : (size_t)(last - path - 1);
	if (strncmp(last, WH, strlen(WH)))
		return 0;
	if (!strcmp(last, OPAQUE)) {
		out->kind = CBX_ENTRY_OPAQUE;
		return 0;
	}
	if (!strncmp(last, WH WH, 2 * strlen(WH))) {
		out->kind = CBX_ENTRY_SKIP;
		return 0;
	}
	out->name = last + strlen(WH);
	if (!*out->name || !strcmp(out->name, ".") || !strcmp(out->name, ".."))
		return *why = "a whiteout of nothing", -1;
	out->kind = CBX_ENTRY_WHITEOUT;
	return 0;
}
