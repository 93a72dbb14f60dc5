/* A grudge written as JSON, {"node": ["nodes whose packets it drops"]}:
 * `partition --grudge JSON|@FILE`, and a chaos plan's partition step, read
 * by one reader with the same messages. */
#include <jansson.h>

#include "lab/cboxlab.h"

static int from_json(struct lab_grudge *g, const struct cbx_topo *t, json_t *map, const char *what,
		     struct cbx_error *err)
{
	const char *name;
	json_t *list;

	if (!json_is_object(map))
		return cbx_error_set(err, CBX_ERR_INPUT,
				     "%s: a grudge is an object: {\"node\": [\"nodes it drops\", ...]}",
				     what);
	json_object_foreach (map, name, list) {
		const struct cbx_node *from, *victim;
		size_t i;
		json_t *v;

		if (lab_find_node(t, name, &victim, err) < 0)
			return cbx_error_wrap(err, "%s", what);
		if (!json_is_array(list))
			return cbx_error_set(err, CBX_ERR_INPUT,
					     "%s.%s: expected an array of node names", what, name);
		json_array_foreach (list, i, v) {
			if (!json_is_string(v))
				return cbx_error_set(err, CBX_ERR_INPUT,
						     "%s.%s[%zu]: expected a node name", what, name,
						     i);
			if (lab_find_node(t, json_string_value(v), &from, err) < 0)
				return cbx_error_wrap(err, "%s.%s[%zu]", what, name, i);
			if (from == victim)
				return cbx_error_set(err, CBX_ERR_INPUT,
						     "%s.%s: a node cannot drop its own packets",
						     what, name);
			g->drops[victim->index * g->n + from->index] = true;
		}
	}
	return 0;
}

int lab_grudge_parse_text(struct lab_grudge *g, const struct cbx_topo *t, const char *text,
			  const char *what, struct cbx_error *err)
{
	json_error_t je;
	json_t *map = json_loads(text, JSON_DECODE_ANY, &je);
	char why[256];
	int rc;

	if (!map)
		return cbx_error_set(err, CBX_ERR_INPUT, "%s: %d:%d: %s", what, je.line, je.column,
				     cbx_json_error_text(je.text, why, sizeof(why)));
	rc = from_json(g, t, map, what, err);
	json_decref(map);
	return rc;
}

int lab_grudge_load(struct lab_grudge *g, const struct cbx_topo *t, const char *arg,
		    struct cbx_error *err)
{
	json_error_t je;
	json_t *map = arg[0] == '@' ? json_load_file(arg + 1, 0, &je) : json_loads(arg, 0, &je);
	char why[256];
	int rc;

	if (!map)
		return cbx_error_set(err, CBX_ERR_INPUT, "grudge %s: %d:%d: %s", arg, je.line,
				     je.column, cbx_json_error_text(je.text, why, sizeof(why)));
	rc = from_json(g, t, map, "grudge", err);
	json_decref(map);
	return rc;
}
