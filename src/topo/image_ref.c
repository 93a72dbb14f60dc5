/* Which image a "base" names (topo.h: cbx_image_ref_parse). */
#include <string.h>

#include "topo/topo.h"

static const char *const tarball_ends[] = { ".tar", ".tar.gz",  ".tgz", ".tar.xz",
					    ".txz", ".tar.zst", ".tzst" };

static bool ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);

	return n > m && !strcmp(s + n - m, end);
}

int cbx_image_ref_parse(const char *s, enum cbx_base_kind *kind, const char **file,
			size_t *path_len, const char **tag, const char **why)
{
	*tag = NULL;
	for (int k = 0; k < CBX_BASE_MAX; k++) {
		const char *prefix = cbx_base_kinds[k].prefix, *path, *colon;
		if (!prefix || strncmp(s, prefix, strlen(prefix)))
			continue;
		*kind = (enum cbx_base_kind)k;
		*file = path = s + strlen(prefix);
		colon = strchr(path, ':');
		*path_len = colon ? (size_t)(colon - path) : strlen(path);
		if (path[0] != '/')
			return *why = "the image's path is not absolute", -1;
		if (colon && !colon[1])
			return *why = "the tag after ':' is empty", -1;
		if (colon && strpbrk(colon + 1, " \t\n\r"))
			return *why = "the tag has white space", -1;
		*tag = colon ? colon + 1 : NULL;
		return 1;
	}
	if (s[0] != '/')
		return 0;
	for (size_t i = 0; i < sizeof(tarball_ends) / sizeof(tarball_ends[0]); i++)
		if (ends_with(s, tarball_ends[i])) {
			*kind = CBX_BASE_TARBALL;
			*file = s;
			*path_len = strlen(s);
			return 1;
		}
	return 0;
}
