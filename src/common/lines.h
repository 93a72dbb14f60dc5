/* A list of lines of text, each malloc'd: what the library reports that a
 * caller prints as it likes (the faults in force, for `status`). */
#ifndef CBX_LINES_H
#define CBX_LINES_H

#include <stddef.h>
#include "common/public.h"

struct cbx_lines {
	char **v;
	size_t n;
};

/* Append a printf-formatted line; -1 (and nothing appended) when out of
 * memory. */
int cbx_lines_add(struct cbx_lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
CBX_PUBLIC void cbx_lines_free(struct cbx_lines *l);

#endif
