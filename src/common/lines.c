#include "common/lines.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int cbx_lines_add(struct cbx_lines *l, const char *fmt, ...)
{
	char **grown, *line;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	grown = realloc(l->v, (l->n + 1) * sizeof(*l->v));
	if (!grown) {
		free(line);
		return -1;
	}
	l->v = grown;
	l->v[l->n++] = line;
	return 0;
}

void cbx_lines_free(struct cbx_lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
