/* Where a value is in the file, for messages: its JSON path looked up in
 * the marks the YAML reader kept. A JSON text is read for its marks only
 * when a message needs one (jansson keeps no positions, and a file that
 * loads needs none), by the same reader: JSON is YAML's flow style. */
#include <stdio.h>
#include <string.h>

#include "topo/parser.h"

/* Where the last part of a path starts: ".key", "[3]" or "[\"k.ey\"]". */
static size_t last_part(const char *s)
{
	bool quoted = false;
	size_t last = 0;

	for (size_t i = 0; s[i]; i++) {
		if (quoted) {
			if (s[i] == '"' && s[i + 1] == ']')
				quoted = false;
		} else if (s[i] == '.') {
			last = i;
		} else if (s[i] == '[') {
			last = i;
			quoted = s[i + 1] == '"';
			i += quoted;
		}
	}
	return last;
}

static void build_marks(struct parser *p)
{
	struct cbx_error ignored;
	json_t *v;

	p->marks_built = true;
	/* A text libyaml cannot read leaves the marks it could. */
	if (topo_yaml_read(p->text, p->len, p->t->source, p->a, &p->marks, &v, &ignored) == 0)
		json_decref(v);
}

const struct topo_mark *topo_mark_of(struct parser *p, const char *path)
{
	char buf[1024];

	if (!path || !p->text)
		return NULL;
	if (!p->marks_built)
		build_marks(p);
	/* "(top level)" and the like: the document's start. */
	snprintf(buf, sizeof(buf), "%s", *path == '(' ? "" : path);
	for (;;) {
		const struct topo_mark *m = cbx_strmap_get(&p->marks, buf);
		if (m || !*buf)
			return m;
		buf[last_part(buf)] = '\0';
	}
}
