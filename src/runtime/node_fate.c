#include "runtime/node_fate.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char *const state_names[] = {
	[NODE_FATE_RUNNING] = "running",
	[NODE_FATE_EXITED] = "exited",
	[NODE_FATE_KILLED] = "killed",
};

void node_fate_format(const struct node_fate *f, char *buf)
{
	int n = snprintf(buf, CBX_FATE_LINE, "%s %d %" PRId64 " %" PRIu32, state_names[f->state],
			 f->code, f->since_ms, f->restarts);

	if (n < 0 || n > CBX_FATE_LINE - 1)
		n = CBX_FATE_LINE - 1;
	memset(buf + n, ' ', (size_t)(CBX_FATE_LINE - 1 - n));
	buf[CBX_FATE_LINE - 1] = '\n';
	buf[CBX_FATE_LINE] = '\0';
}

/* A decimal number, no sign, at most `max`. */
static bool parse_uint(const char **p, const char *end, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *s = *p;

	if (s == end || *s < '0' || *s > '9')
		return false;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*p = s;
	*out = v;
	return true;
}

static bool expect_space(const char **p, const char *end)
{
	if (*p == end || **p != ' ')
		return false;
	(*p)++;
	return true;
}

bool node_fate_parse(const char *text, size_t len, struct node_fate *f)
{
	const char *p = text, *end;
	uint64_t code, since, restarts;
	size_t i;

	if (len != CBX_FATE_LINE || text[len - 1] != '\n')
		return false;
	end = text + len - 1;
	for (i = 0; i < sizeof(state_names) / sizeof(state_names[0]); i++) {
		size_t n = strlen(state_names[i]);
		if (!strncmp(p, state_names[i], n) && p[n] == ' ') {
			p += n;
			break;
		}
	}
	if (i == sizeof(state_names) / sizeof(state_names[0]))
		return false;
	if (!expect_space(&p, end) || !parse_uint(&p, end, 255, &code) || !expect_space(&p, end) ||
	    !parse_uint(&p, end, INT64_MAX, &since) || !expect_space(&p, end) ||
	    !parse_uint(&p, end, UINT32_MAX, &restarts))
		return false;
	while (p < end && *p == ' ')
		p++;
	if (p != end)
		return false;
	if ((i == NODE_FATE_KILLED && (code < 1 || code > 64)) ||
	    (i == NODE_FATE_RUNNING && code != 0))
		return false;
	f->state = (enum node_fate_state)i;
	f->code = (int)code;
	f->since_ms = (int64_t)since;
	f->restarts = (uint32_t)restarts;
	return true;
}
