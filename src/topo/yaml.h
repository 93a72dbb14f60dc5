/* Internal to src/topo: topologies written in YAML. The reader turns a YAML
 * document into the json_t the JSON path parses, so one schema and one
 * validator serve both; the writer does the reverse for `cboxlab fmt`. */
#ifndef CBX_TOPO_YAML_H
#define CBX_TOPO_YAML_H

#include <jansson.h>
#include <stdbool.h>

#include "common/arena.h"
#include "common/error.h"
#include "common/strmap.h"

/* Where a value starts in its file, from 1. */
struct topo_mark {
	unsigned line, col;
};

/* How much aliases may add to a document, in values: a few anchors can
 * otherwise name a billion of them ("billion laughs"). */
#define TOPO_YAML_ALIAS_VALUES_MAX 100000u
/* How deep a document may nest. */
#define TOPO_YAML_DEPTH_MAX 256

/* One YAML document (text of len bytes, named source in messages) as JSON:
 * plain scalars typed as YAML 1.2's core schema does (null, true/false,
 * integers, floats; everything else, "80:8080" too, a string), quoted ones
 * strings. Fills marks, when given, with the JSON path of each value (as
 * the parser writes it) to its struct topo_mark in arena a: a key's own
 * for a mapping's value. Errors are CBX_ERR_INPUT, "source:LINE:COL: ...". */
int topo_yaml_read(const char *text, size_t len, const char *source, struct cbx_arena *a,
		   struct cbx_strmap *marks, json_t **out, struct cbx_error *err);

/* What a plain scalar means: JSON_STRING when it stays text. */
json_type topo_yaml_plain_type(const char *s);

/* v as a YAML document, 2 spaces of indent, keys in their order: a
 * malloc'd string, or NULL when out of memory. */
char *topo_yaml_write(const json_t *v);

/* Is this text YAML rather than JSON? By the name (.yaml, .yml; .json)
 * or, for standard input and other names, by the content: JSON starts
 * with '{'. */
bool topo_is_yaml(const char *source, const char *text, size_t len);

#endif
