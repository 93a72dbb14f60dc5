/* Parsers for the value strings of the file format and the CLI: sizes,
 * CPU counts, durations, percentages, rates, ports, impairments. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "topo/topo.h"

struct unit {
	const char *suffix;
	double factor;
};

/* A decimal number followed by one of `units` (matched case-sensitively
 * first, then case-insensitively); "" in units means "no suffix allowed". */
static bool parse_number_unit(const char *s, const struct unit *units, double *out)
{
	char *end;
	double v;

	if (!s || !*s || isspace((unsigned char)*s) || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v < 0)
		return false;
	/* strtod accepts hex and "inf"; the format does not. */
	for (const char *p = s; p < end; p++)
		if (!isdigit((unsigned char)*p) && *p != '.')
			return false;
	for (const struct unit *u = units; u->suffix; u++) {
		if (!strcmp(end, u->suffix)) {
			*out = v * u->factor;
			return true;
		}
	}
	for (const struct unit *u = units; u->suffix; u++) {
		if (!strcasecmp(end, u->suffix)) {
			*out = v * u->factor;
			return true;
		}
	}
	return false;
}

/* Nearest integer of a value parse_number_unit accepted (finite, >= 0, and
 * bounded by each caller): llround without linking libm for it, which every
 * start of the CLI would otherwise pay for (one more shared object to map). */
static uint64_t round_nonneg(double v)
{
	return (uint64_t)(v + 0.5);
}

bool cbx_parse_size(const char *s, uint64_t *bytes, const char **why)
{
	static const struct unit units[] = {
		{ "", 1 },
		{ "B", 1 },
		{ "k", 1024.0 },
		{ "K", 1024.0 },
		{ "KB", 1024.0 },
		{ "KiB", 1024.0 },
		{ "M", 1048576.0 },
		{ "MB", 1048576.0 },
		{ "MiB", 1048576.0 },
		{ "G", 1073741824.0 },
		{ "GB", 1073741824.0 },
		{ "GiB", 1073741824.0 },
		{ "T", 1099511627776.0 },
		{ "TiB", 1099511627776.0 },
		{ NULL, 0 },
	};
	double v;

	if (!parse_number_unit(s, units, &v) || v > 9.0e18) {
		*why = "expected a size such as \"64M\", \"512KiB\" or \"1G\"";
		return false;
	}
	*bytes = round_nonneg(v);
	return true;
}

bool cbx_parse_cpus(const char *s, uint32_t *milli, const char **why)
{
	static const struct unit units[] = { { "", 1000.0 }, { "%", 10.0 }, { NULL, 0 } };
	double v;

	if (!parse_number_unit(s, units, &v)) {
		*why = "expected a number of CPUs such as \"0.5\" or \"2\"";
		return false;
	}
	/* The kernel's smallest CFS quota is 1 ms, per a period of 100 ms. */
	if (v < 10.0 || v > 1024000.0) {
		*why = "CPUs must be at least 0.01 (the kernel's smallest quota: 1 ms of each 100 ms) and at most 1024";
		return false;
	}
	*milli = (uint32_t)round_nonneg(v);
	return true;
}

bool cbx_parse_duration_us(const char *s, uint64_t *us, const char **why)
{
	static const struct unit units[] = {
		{ "us", 1 },
		{ "ms", 1000.0 },
		{ "s", 1000000.0 },
		{ NULL, 0 },
	};
	double v;

	if (!parse_number_unit(s, units, &v) || v > 3.6e12) {
		*why = "expected a duration such as \"50ms\", \"200us\" or \"1s\"";
		return false;
	}
	*us = round_nonneg(v);
	return true;
}

bool cbx_parse_clock_offset_us(const char *s, int64_t *us, const char **why)
{
	bool negative = *s == '-';
	uint64_t magnitude;

	if (*s == '-' || *s == '+')
		s++;
	/* A sign is the offset's, not part of a duration: "+-1s" is neither. */
	if (*s == '-' || *s == '+' || !cbx_parse_duration_us(s, &magnitude, why)) {
		*why = "expected an offset such as \"+30s\", \"-500ms\" or \"3600s\"";
		return false;
	}
	*us = negative ? -(int64_t)magnitude : (int64_t)magnitude;
	return true;
}

bool cbx_parse_percent(const char *s, double *pct, const char **why)
{
	static const struct unit units[] = { { "%", 1.0 }, { NULL, 0 } };
	double v;

	if (!parse_number_unit(s, units, &v)) {
		*why = "expected a percentage such as \"2%\" or \"0.1%\"";
		return false;
	}
	if (v > 100.0) {
		*why = "a percentage must be between 0% and 100%";
		return false;
	}
	*pct = v;
	return true;
}

bool cbx_parse_rate(const char *s, uint64_t *bps, const char **why)
{
	/* tc's units: bit-based (kbit, mbit, gbit) and byte-based (kbps...). */
	static const struct unit units[] = {
		{ "bit", 1 },    { "kbit", 1e3 }, { "mbit", 1e6 }, { "gbit", 1e9 }, { "bps", 8 },
		{ "kbps", 8e3 }, { "mbps", 8e6 }, { "gbps", 8e9 }, { NULL, 0 },
	};
	double v;

	if (!parse_number_unit(s, units, &v) || v > 1.0e13) {
		*why = "expected a rate such as \"10mbit\", \"512kbit\" or \"1gbit\"";
		return false;
	}
	if (v < 8.0) {
		*why = "a rate must be at least 8bit";
		return false;
	}
	*bps = round_nonneg(v);
	return true;
}

bool cbx_parse_port(const char *s, uint16_t *port, const char **why)
{
	char *end;
	unsigned long v;

	if (!s || !isdigit((unsigned char)*s)) {
		*why = "expected a port number between 1 and 65535";
		return false;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < 1 || v > 65535) {
		*why = "expected a port number between 1 and 65535";
		return false;
	}
	*port = (uint16_t)v;
	return true;
}

bool cbx_impair_set(struct cbx_impair *im, const char *key, const char *value, const char **why)
{
	if (!strcmp(key, "delay"))
		return cbx_parse_duration_us(value, &im->delay_us, why);
	if (!strcmp(key, "jitter"))
		return cbx_parse_duration_us(value, &im->jitter_us, why);
	if (!strcmp(key, "loss"))
		return cbx_parse_percent(value, &im->loss, why);
	if (!strcmp(key, "duplicate"))
		return cbx_parse_percent(value, &im->duplicate, why);
	if (!strcmp(key, "corrupt"))
		return cbx_parse_percent(value, &im->corrupt, why);
	if (!strcmp(key, "reorder"))
		return cbx_parse_percent(value, &im->reorder, why);
	if (!strcmp(key, "rate"))
		return cbx_parse_rate(value, &im->rate_bps, why);
	*why = "unknown impairment (known: delay, jitter, loss, duplicate, corrupt, reorder, rate)";
	return false;
}

const char *cbx_impair_problem(const struct cbx_impair *im)
{
	/* netem's own rules: jitter varies a delay, reordering sends some
	 * packets ahead of delayed ones; neither means anything without it. */
	if (im->jitter_us && !im->delay_us)
		return "jitter needs a delay";
	if (im->reorder > 0 && !im->delay_us)
		return "reorder needs a delay (packets are sent ahead of delayed ones)";
	return NULL;
}

static void append(char *buf, size_t size, size_t *len, const char *fmt, double v, const char *unit)
{
	int n;

	if (*len >= size)
		return;
	n = snprintf(buf + *len, size - *len, fmt, *len ? " " : "", v, unit);
	if (n > 0)
		*len += (size_t)n;
}

static void append_duration(char *buf, size_t size, size_t *len, const char *name, uint64_t us)
{
	char fmt[32];

	snprintf(fmt, sizeof(fmt), "%%s%s=%%g%%s", name);
	if (us % 1000 == 0)
		append(buf, size, len, fmt, (double)us / 1000.0, "ms");
	else
		append(buf, size, len, fmt, (double)us, "us");
}

void cbx_impair_format(const struct cbx_impair *im, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	if (im->delay_us)
		append_duration(buf, size, &len, "delay", im->delay_us);
	if (im->jitter_us)
		append_duration(buf, size, &len, "jitter", im->jitter_us);
	if (im->loss > 0)
		append(buf, size, &len, "%sloss=%g%s", im->loss, "%");
	if (im->duplicate > 0)
		append(buf, size, &len, "%sduplicate=%g%s", im->duplicate, "%");
	if (im->corrupt > 0)
		append(buf, size, &len, "%scorrupt=%g%s", im->corrupt, "%");
	if (im->reorder > 0)
		append(buf, size, &len, "%sreorder=%g%s", im->reorder, "%");
	if (im->rate_bps) {
		if (im->rate_bps % 1000000 == 0)
			append(buf, size, &len, "%srate=%g%s", (double)im->rate_bps / 1e6, "mbit");
		else if (im->rate_bps % 1000 == 0)
			append(buf, size, &len, "%srate=%g%s", (double)im->rate_bps / 1e3, "kbit");
		else
			append(buf, size, &len, "%srate=%g%s", (double)im->rate_bps, "bit");
	}
}
