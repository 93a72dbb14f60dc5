/* timeline: client histories and chaos event logs, merged in time order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

int cmd_timeline(const struct cli_call *c)
{
	struct cbx_timeline tl = { 0 };
	struct cbx_error err;
	int width = 0, rc = 0;

	for (int i = 0; i < c->argc; i++) {
		int len = (int)strlen(c->argv[i]);
		if (cbx_chaos_timeline_add_file(&tl, (size_t)i, c->argv[i], &err) < 0) {
			cbx_chaos_timeline_free(&tl);
			return cli_fail(&err);
		}
		width = len > width ? len : width;
	}
	cbx_chaos_timeline_sort(&tl);
	for (size_t i = 0; i < tl.n; i++) {
		const struct cbx_timeline_entry *e = &tl.v[i];
		const char *source = c->argv[e->source];
		int64_t t0 = tl.v[0].time_ns;
		if (c->opt[OPT_JSON]) {
			char *line = cbx_chaos_timeline_json(e, source, t0);
			if (!line) {
				rc = cli_fail(&(struct cbx_error){ .kind = CBX_ERR_SYSTEM,
								   .msg = "out of memory" });
				break;
			}
			puts(line);
			free(line);
		} else {
			char what[2048], shown[4 * sizeof(what)];
			cbx_chaos_timeline_describe(e, what, sizeof(what));
			/* Logs are anyone's text: no control bytes to the terminal. */
			printf("%+11.6f  %-*s  %s\n", (double)(e->time_ns - t0) / 1e9, width,
			       source, cbx_text_escape(shown, sizeof(shown), what));
		}
	}
	cbx_chaos_timeline_free(&tl);
	return rc;
}
