/* `cboxlab timeline` without root: client histories and a chaos event log
 * merged in time order, ties kept in the order of the logs, then of their
 * lines; lines that are neither, or have no time, rejected with why. */
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "lab/cboxlab.h"
#include "tap.h"

/* Source 0: a chaos log; source 1 and 2: two clients' histories. */
static const struct {
	size_t source;
	const char *text;
} lines[] = {
	{ 0, "{\"event\": \"start\", \"lab\": \"l\", \"seed\": 7, \"monotonic_ns\": 100}" },
	{ 0,
	  "{\"event\": \"apply\", \"fault\": \"partition\", \"what\": \"partition: a drops b\", \"monotonic_ns\": 250}" },
	{ 0,
	  "{\"event\": \"remove\", \"fault\": \"heal\", \"what\": \"heal\", \"monotonic_ns\": 400}" },
	{ 1,
	  "{\"type\": \"invoke\", \"f\": \"write\", \"value\": 1, \"process\": 0, \"time\": 200}" },
	{ 1, "{\"type\": \"ok\", \"f\": \"write\", \"value\": 1, \"process\": 0, \"time\": 400}" },
	{ 2,
	  "{\"type\": \"invoke\", \"f\": \"read\", \"value\": null, \"process\": 1, \"time\": 50}" },
	{ 2,
	  "{\"type\": \"info\", \"f\": \"read\", \"value\": null, \"process\": 1, \"time\": 400}" },
	{ 2,
	  "{\"type\": \"invoke\", \"f\": \"cas\", \"value\": [1, 2], \"process\": 1, \"time\": 400}" },
};

static void test_merge_order(void)
{
	static const char *const want[] = {
		"p1 invoke read null",
		"fault start: lab l, seed 7",
		"p0 invoke write 1",
		"fault apply: partition: a drops b",
		/* At 400: the chaos log first (it is named first), then client 0,
		 * then client 1's two lines in their order. */
		"fault remove: heal",
		"p0 ok write 1",
		"p1 info read null",
		"p1 invoke cas [1,2]",
	};
	struct cbx_timeline tl = { 0 };
	struct cbx_error err;
	int added = 0;

	/* Added out of order on purpose: the merge sorts. Lines are numbered
	 * in their own log, as when read from files. */
	for (size_t i = CBX_ARRAY_SIZE(lines); i-- > 0;) {
		size_t line = 1;
		for (size_t k = 0; k < i; k++)
			line += lines[k].source == lines[i].source;
		added += cbx_chaos_timeline_add_line(&tl, lines[i].source, line, lines[i].text,
						     &err) == 0;
	}
	is_int(added, CBX_ARRAY_SIZE(lines), "every line is an event or an operation");
	cbx_chaos_timeline_sort(&tl);
	is_int(tl.n, CBX_ARRAY_SIZE(want), "every line in the timeline");
	for (size_t i = 0; i < tl.n && i < CBX_ARRAY_SIZE(want); i++) {
		char what[512];
		cbx_chaos_timeline_describe(&tl.v[i], what, sizeof(what));
		is_str(what, want[i], "entry %zu in time order", i + 1);
	}
	if (tl.n > 1) {
		char *json = cbx_chaos_timeline_json(&tl.v[1], "chaos.jsonl", tl.v[0].time_ns);
		has_str(json, "\"source\":\"chaos.jsonl\"", "JSON names the entry's log");
		has_str(json, "\"t\":5e-8", "JSON gives seconds since the first entry");
		has_str(json, "\"time\":100", "JSON gives the time in nanoseconds");
		free(json);
	}
	cbx_chaos_timeline_free(&tl);
}

static void rejects(const char *text, const char *want, const char *what)
{
	struct cbx_timeline tl = { 0 };
	struct cbx_error err;

	if (ok(cbx_chaos_timeline_add_line(&tl, 0, 3, text, &err) < 0 && err.kind == CBX_ERR_INPUT,
	       "rejected: %s", what))
		has_str(err.msg, want, "message for: %s", what);
	is_int(tl.n, 0, "nothing added for: %s", what);
	cbx_chaos_timeline_free(&tl);
}

static void test_rejects(void)
{
	rejects("not json", "line 3: not a JSON object", "a line that is not JSON");
	rejects("{\"x\": 1}", "neither a chaos event", "an object that is neither");
	rejects("{\"event\": \"apply\", \"mono\": 0.5}", "no time: wanted \"monotonic_ns\"",
		"a chaos event of an older log, without monotonic_ns");
	rejects("{\"type\": \"ok\", \"time\": 1.5}", "no time: wanted \"time\"",
		"an operation whose time is not nanoseconds");
}

int main(void)
{
	test_merge_order();
	test_rejects();
	return tap_done();
}
