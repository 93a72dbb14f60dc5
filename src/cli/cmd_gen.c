/* gen: a generated topology on standard output (`cboxlab gen ring 5 |
 * cboxlab up -`). */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

int cmd_gen(const struct cli_call *c)
{
	unsigned args[4];
	struct cbx_error err;
	char *text;
	int n = c->argc - 1;

	if (n > 4)
		return cli_usage_error("gen", "too many sizes (%s)", lab_gen_usage());
	for (int i = 0; i < n; i++) {
		char *end;
		unsigned long v = strtoul(c->argv[i + 1], &end, 10);
		if (!*c->argv[i + 1] || *end || v > 100000)
			return cli_usage_error("gen", "\"%s\" is not a size (%s)", c->argv[i + 1],
					       lab_gen_usage());
		args[i] = (unsigned)v;
	}
	if (lab_gen(c->argv[0], args, (size_t)n, c->opt[OPT_NAME], c->opt[OPT_KIND], &text, &err) <
	    0)
		return cli_fail(&err);
	puts(text);
	free(text);
	return 0;
}
