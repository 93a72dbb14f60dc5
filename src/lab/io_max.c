/* A slow disk's limits (cboxlab.h's struct lab_io_max), as the CLI, plans
 * and the fault record spell them: rbps and wbps are sizes per second
 * ("1M", "512K", bytes), riops and wiops operations per second. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/cboxlab.h"
#include "topo/topo.h"

bool lab_io_max_set(struct lab_io_max *io, const char *key, const char *value, const char **why)
{
	uint64_t *bytes = !strcmp(key, "rbps")   ? &io->rbps
			  : !strcmp(key, "wbps") ? &io->wbps
						 : NULL;
	uint64_t *ops = !strcmp(key, "riops")   ? &io->riops
			: !strcmp(key, "wiops") ? &io->wiops
						: NULL;
	char *end;

	if (bytes) {
		if (!cbx_parse_size(value, bytes, why))
			return false;
		if (!*bytes)
			return *why = "a rate of 0 would stop the disk; use a small one, e.g. \"4K\"",
			       false;
		return true;
	}
	if (!ops)
		return *why = "not a disk limit (rbps, wbps, riops, wiops)", false;
	if (*value < '0' || *value > '9' || (*ops = strtoull(value, &end, 10), *end) || !*ops)
		return *why = "expected operations per second, a whole number above 0", false;
	return true;
}

bool lab_io_max_is_set(const struct lab_io_max *io)
{
	return io->rbps || io->wbps || io->riops || io->wiops;
}

void lab_io_max_format(const struct lab_io_max *io, char *buf, size_t size)
{
	const struct {
		const char *key;
		uint64_t v;
	} all[] = { { "rbps", io->rbps },
		    { "wbps", io->wbps },
		    { "riops", io->riops },
		    { "wiops", io->wiops } };
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i].v && len < size)
			len += (size_t)snprintf(buf + len, size - len, "%s%s=%llu", len ? " " : "",
						all[i].key, (unsigned long long)all[i].v);
}
