/* Scope-bound cleanup, as crun does it: a variable declared with one of these
 * is released when it goes out of scope, so early returns stay leak-free.
 * Hand ownership over explicitly: `int fd = sock; sock = -1; return fd;`.
 */
#ifndef CBX_CLEANUP_H
#define CBX_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void cbx_freep(void *p)
{
	free(*(void **)p);
}

/* close() that keeps errno, so it can run while an error is being reported. */
static inline void cbx_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline void cbx_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

static inline void cbx_closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

#define cleanup_free __attribute__((cleanup(cbx_freep)))
#define cleanup_closedir __attribute__((cleanup(cbx_closedirp)))
#define cleanup_close __attribute__((cleanup(cbx_closep)))
#define cleanup_fclose __attribute__((cleanup(cbx_fclosep)))

#define CBX_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
