/* fmt: a topology in the other form (JSON to YAML, YAML to JSON). */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

int cmd_fmt(const struct cli_call *c)
{
	bool yaml = c->opt[OPT_YAML];
	struct cbx_error err;
	char *text;

	if (!c->opt[OPT_JSON] == !yaml)
		return cli_usage_error("fmt", "say which form to write: --json or --yaml");
	if (cbx_topo_convert(c->argv[0], yaml, &text, &err) < 0)
		return cli_fail(&err);
	fputs(text, stdout);
	free(text);
	return 0;
}
