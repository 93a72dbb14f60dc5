/* libFuzzer target for YAML topologies: any bytes as a .yaml file give a
 * topology or input errors with a message, never a crash, a leak or a
 * hang (aliases and nesting are bounded), with every error listed as
 * `validate` lists them. And whatever the reader takes, the writer of
 * `fmt --yaml` writes so that it reads back the same. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "topo/topo.h"
#include "topo/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What the reader made, written and read again, is the same. */
static void round_trip(const char *text, size_t size)
{
	json_t *v = NULL, *back = NULL;
	struct cbx_error err;
	char *yaml;

	if (topo_yaml_read(text, size, "fuzz.yaml", NULL, NULL, &v, &err) < 0)
		return;
	yaml = topo_yaml_write(v);
	if (!yaml || topo_yaml_read(yaml, strlen(yaml), "w.yaml", NULL, NULL, &back, &err) < 0 ||
	    !json_equal(v, back))
		abort();
	free(yaml);
	json_decref(v);
	json_decref(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cbx_topo_errors all = { 0 };
	struct cbx_topo_opts o = { .errors = &all };
	struct cbx_topo *t = NULL;
	struct cbx_error err;

	cbx_error_clear(&err);
	if (cbx_topo_load_text_opts((const char *)data, size, "fuzz.yaml", &o, &t, &err) == 0) {
		cbx_topo_free(t);
	} else if (!err.msg[0] || !all.n) {
		/* A refusal always says what is wrong, and lists it. */
		abort();
	}
	cbx_topo_errors_free(&all);
	round_trip((const char *)data, size);
	return 0;
}
