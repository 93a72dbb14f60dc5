#include "image/archive_dl.h"

#include <dlfcn.h>

static struct cbx_archive_lib lib;
static int loaded; /* 1: lib is usable */

const struct cbx_archive_lib *cbx_archive_lib(struct cbx_error *err)
{
	void *h;

	if (loaded)
		return &lib;
	h = dlopen("libarchive.so.13", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return cbx_error_set(err, CBX_ERR_SYSTEM,
				     "images need libarchive (Debian: libarchive13): %s",
				     dlerror()),
		       NULL;
#define CBX_ARCHIVE_LOAD(ret, name, args) \
	if (!(*(void **)&lib.name = dlsym(h, #name))) \
		return cbx_error_set(err, CBX_ERR_SYSTEM, "libarchive has no %s", #name), NULL;
	CBX_ARCHIVE_FUNCS(CBX_ARCHIVE_LOAD)
#undef CBX_ARCHIVE_LOAD
	loaded = 1;
	return &lib;
}
