/* libFuzzer target for the topology parser: any bytes as a topology file
 * give a topology or an input error with a message, never a crash, an
 * out-of-bounds access, undefined behaviour or a leak (built with ASan,
 * UBSan and LeakSanitizer by `make fuzz`). The parser is the part of
 * cboxlab that reads what users (and generators, and other people's
 * labs) write, so it is the part fed garbage. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "topo/topo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cbx_topo *t = NULL;
	struct cbx_error err;

	cbx_error_clear(&err);
	if (cbx_topo_load_text((const char *)data, size, "fuzz.json", &t, &err) == 0) {
		cbx_topo_free(t);
		return 0;
	}
	/* A refusal always says what is wrong. */
	if (!err.msg[0])
		abort();
	return 0;
}
