/* Checks that a message builder never writes past the buffer it is given:
 * the buffer is filled with a canary first, and every byte past the given
 * size must still hold it. The including test defines `obuf`, the buffer
 * the builders write into (with room to spare past any message). */
#ifndef CBX_TEST_OVERFLOW_H
#define CBX_TEST_OVERFLOW_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"

#define CANARY 0xA5

static inline bool untouched(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] != CANARY)
			return false;
	return true;
}

/* Every size short of the full message: -ENOSPC, and nothing written at or
 * past the end of the buffer the builder was given. CALL uses obuf and sz_. */
#define NO_OVERFLOW(what, full, CALL) \
	do { \
		bool all_ = true; \
		for (size_t sz_ = 0; sz_ < (size_t)(full); sz_++) { \
			int r_; \
			memset(obuf, CANARY, sizeof(obuf)); \
			r_ = (CALL); \
			if (r_ != -ENOSPC || !untouched(obuf + sz_, sizeof(obuf) - sz_)) { \
				all_ = false; \
				printf("#   size %zu: returned %d\n", sz_, r_); \
				break; \
			} \
		} \
		ok(all_, "%s: every short buffer fails with -ENOSPC, nothing written past it", \
		   what); \
		memset(obuf, CANARY, sizeof(obuf)); \
		{ \
			size_t sz_ = (size_t)(full); \
			is_int((CALL), (full), "%s: an exact fit builds", what); \
			ok(untouched(obuf + sz_, sizeof(obuf) - sz_), \
			   "%s: exact fit stays inside", what); \
		} \
	} while (0)

#endif
