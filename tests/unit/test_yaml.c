/* YAML topologies, without root: the reader's types (YAML 1.2 core, not
 * 1.1's sexagesimal or yes/no), its refusals with line and column
 * (duplicate keys, alias bombs, a second document), schema errors pointing
 * into YAML and JSON files alike, validate's list of every error, and
 * `fmt`'s round trip over every example. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "topo/topo.h"
#include "topo/yaml.h"

static json_t *read_yaml(const char *text, struct cbx_error *err)
{
	json_t *v = NULL;

	cbx_error_clear(err);
	if (topo_yaml_read(text, strlen(text), "t.yaml", NULL, NULL, &v, err) < 0)
		return NULL;
	return v;
}

/* text must be refused with a message containing want. */
static void refused(const char *text, const char *want, const char *what)
{
	struct cbx_error err;
	json_t *v = read_yaml(text, &err);

	ok(!v && err.kind == CBX_ERR_INPUT, "refused: %s", what);
	json_decref(v);
	if (!v)
		has_str(err.msg, want, "message for: %s", what);
}

static void test_types(void)
{
	static const char doc[] = "int: 10\n"
				  "quoted: \"10\"\n"
				  "single: '10'\n"
				  "cidr: 10.0.0.1/24\n"
				  "port: 80:8080\n"
				  "sexagesimal: 1:30\n"
				  "yes_word: yes\n"
				  "on_word: on\n"
				  "t: true\n"
				  "f: False\n"
				  "nul: null\n"
				  "tilde: ~\n"
				  "empty:\n"
				  "real: 0.5\n"
				  "exp: 1e3\n"
				  "octal_looking: 010\n"
				  "hex: 0x1f\n"
				  "neg: -7\n"
				  "str_tag: !!str 5\n"
				  "qtrue: 'true'\n"
				  "version: 1.2.3\n"
				  "list: [1, a, \"b\"]\n"
				  "text: |\n  line one\n  line two\n";
	struct cbx_error err;
	json_t *v = read_yaml(doc, &err);

	ok(v != NULL, "a document of every kind of scalar reads (%s)", v ? "" : err.msg);
	if (!v)
		return;
	ok(json_integer_value(json_object_get(v, "int")) == 10 &&
		   json_is_integer(json_object_get(v, "int")),
	   "10 is an integer (\"vlan\": 10)");
	is_str(json_string_value(json_object_get(v, "quoted")), "10", "\"10\" stays a string");
	is_str(json_string_value(json_object_get(v, "single")), "10", "'10' stays a string");
	is_str(json_string_value(json_object_get(v, "cidr")), "10.0.0.1/24", "a CIDR is a string");
	is_str(json_string_value(json_object_get(v, "port")), "80:8080",
	       "a port mapping is a string, not YAML 1.1's sexagesimal 4808880");
	is_str(json_string_value(json_object_get(v, "sexagesimal")), "1:30", "1:30 too");
	is_str(json_string_value(json_object_get(v, "yes_word")), "yes",
	       "yes is a string (1.1's boolean is not)");
	is_str(json_string_value(json_object_get(v, "on_word")), "on", "on too");
	ok(json_is_true(json_object_get(v, "t")), "true is a boolean");
	ok(json_is_false(json_object_get(v, "f")), "False is a boolean");
	ok(json_is_null(json_object_get(v, "nul")) && json_is_null(json_object_get(v, "tilde")) &&
		   json_is_null(json_object_get(v, "empty")),
	   "null, ~ and nothing are null");
	ok(json_is_real(json_object_get(v, "real")) &&
		   json_real_value(json_object_get(v, "real")) == 0.5,
	   "0.5 is a number");
	ok(json_is_real(json_object_get(v, "exp")) &&
		   json_real_value(json_object_get(v, "exp")) == 1000,
	   "1e3 is a number");
	is_int(json_integer_value(json_object_get(v, "octal_looking")), 10,
	       "010 is ten (no 1.1 octal)");
	is_int(json_integer_value(json_object_get(v, "hex")), 31, "0x1f is 31");
	is_int(json_integer_value(json_object_get(v, "neg")), -7, "-7 is an integer");
	is_str(json_string_value(json_object_get(v, "str_tag")), "5", "!!str 5 is a string");
	is_str(json_string_value(json_object_get(v, "qtrue")), "true", "'true' is a string");
	is_str(json_string_value(json_object_get(v, "version")), "1.2.3", "1.2.3 is a string");
	ok(json_is_integer(json_array_get(json_object_get(v, "list"), 0)) &&
		   json_is_string(json_array_get(json_object_get(v, "list"), 1)),
	   "a flow sequence's items are typed alike");
	is_str(json_string_value(json_object_get(v, "text")), "line one\nline two\n",
	       "a literal block keeps its lines");
	json_decref(v);
}

static void test_refusals(void)
{
	char bomb[2048];
	size_t n = 0;

	refused("a: [1, 2\nb: 3\n", "t.yaml:2:2: syntax error: did not find expected ',' or ']'",
		"a syntax error, with line and column");
	refused("a: 1\nb: 2\na: 3\n", "t.yaml:3:1: duplicate key \"a\" (first at line 1)",
		"a duplicate key");
	refused("n:\n  x: {}\n  x: {}\n", "t.yaml:3:3: duplicate key \"x\"",
		"a duplicate key below the top");
	refused("a: 1\n---\nb: 2\n", "t.yaml:2:1: a second document", "a second document (---)");
	refused("a: *nope\n", "t.yaml:1:4: unknown alias *nope", "an alias without its anchor");
	refused("a: &x [1, *x]\n", "unknown alias *x", "an alias inside its own anchor (a loop)");
	refused("base: &b {x: 1}\nn:\n  <<: *b\n", "t.yaml:3:3: merge keys (<<) are not supported",
		"a merge key");
	refused("a: !!binary aGk=\n",
		"t.yaml:1:4: the tag tag:yaml.org,2002:binary is not supported",
		"a tag other than !!str");
	refused("? [1]\n: 2\n", "a key must be a string, not a sequence", "a sequence as a key");
	refused("a: \"x\\0y\"\n", "a NUL character", "a NUL in a string");
	refused("a: 99999999999999999999\n", "is out of range for an integer", "a huge integer");
	refused("", "the file holds no topology", "an empty file");
	/* "billion laughs": 9 levels of 10 aliases each would be 10^9 values. */
	n += (size_t)snprintf(bomb + n, sizeof(bomb) - n,
			      "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
	for (int i = 1; i < 9; i++)
		n += (size_t)
			snprintf(bomb + n, sizeof(bomb) - n,
				 "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, "
				 "*a%d]\n",
				 i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1,
				 i - 1, i - 1);
	refused(bomb, "aliases expand to more than 100000 values", "an alias bomb, bounded");
	{
		char deep[4096] = "";
		for (int i = 0; i < 300; i++)
			strcat(deep, "[");
		refused(deep, "nested too deeply", "nesting past the bound");
	}
	{
		struct cbx_error err;
		json_t *v = read_yaml("env: &e {A: 1}\nagain: *e\n", &err);
		ok(v && json_equal(json_object_get(v, "env"), json_object_get(v, "again")),
		   "an alias stands for its anchor's value");
		json_decref(v);
	}
}

static struct cbx_topo *load_as(const char *text, const char *source, struct cbx_error *err)
{
	struct cbx_topo *t = NULL;

	cbx_error_clear(err);
	if (cbx_topo_load_text(text, strlen(text), source, &t, err) < 0)
		return NULL;
	return t;
}

static void test_schema_positions(void)
{
	static const char yaml[] = "name: lab\n"
				   "nodes:\n"
				   "  a:\n"
				   "    limits:\n"
				   "      pids: many\n";
	static const char json[] = "{\"name\": \"lab\",\n"
				   " \"nodes\": {\"a\": {\n"
				   "   \"limits\": {\"pids\": \"many\"}}}}\n";
	struct cbx_error err;
	struct cbx_topo *t;

	ok(!load_as(yaml, "lab.yaml", &err), "a schema error in a YAML file is refused");
	has_str(err.msg, "lab.yaml:5:7: nodes.a.limits.pids: expected an integer, got a string",
		"it names the key's line and column and its path");
	ok(!load_as(json, "lab.json", &err), "the same error in JSON is refused");
	has_str(err.msg, "lab.json:3:15: nodes.a.limits.pids: expected an integer",
		"with its line and column too");
	ok(!load_as("name: lab\nnodes:\n  a: {bogus: 1}\n", "(stdin)", &err),
	   "a text that does not start with '{' is read as YAML");
	has_str(err.msg, "(stdin):3:7: nodes.a.bogus: unknown key", "and its errors point into it");
	t = load_as("{\"name\": \"lab\", \"nodes\": {\"a\": {}}}", "(stdin)", &err);
	ok(t != NULL, "one that does is JSON (%s)", t ? "" : err.msg);
	cbx_topo_free(t);
	t = load_as("name: lab\nnodes: {a: {}}\n", "lab.yml", &err);
	ok(t && t->n_nodes == 1, "a .yml file loads as YAML");
	cbx_topo_free(t);
}

/* A checks file (cboxlab check LAB CHECKS) may be YAML too. */
static void test_checks_file(void)
{
	char path[] = "/tmp/cbxt-checks-XXXXXX", named[64];
	struct cbx_error err;
	struct cbx_topo *t = load_as("name: lab\nnodes: {a: {}}\n", "lab.yaml", &err);
	int fd = mkstemp(path);

	snprintf(named, sizeof(named), "%s.yaml", path);
	if (!t || fd < 0 || write(fd, "checks:\n  - {from: nobody, reach: a}\n", 37) != 37) {
		ok(0, "a YAML checks file is written");
		cbx_topo_free(t);
		return;
	}
	close(fd);
	rename(path, named);
	ok(cbx_topo_load_checks(t, named, &err) < 0, "a YAML checks file is read, and refused");
	has_str(err.msg, ".yaml:2:6: checks[0].from: no node \"nobody\"",
		"with the line and column of the mistake");
	unlink(named);
	cbx_topo_free(t);
}

/* validate: every error of the file, not the first alone. */
static void test_every_error(void)
{
	static const char yaml[] = "name: lab\n"
				   "bogus: 1\n"
				   "networks:\n"
				   "  n: {subnet: 10.0.0.1/24}\n"
				   "nodes:\n"
				   "  a:\n"
				   "    limits: {pids: many}\n"
				   "    privileged: 1\n"
				   "  b:\n"
				   "    interfaces: {eth0: {network: n, mtu: 5}}\n";
	struct cbx_topo_errors all = { 0 };
	struct cbx_topo_opts o = { .errors = &all };
	struct cbx_topo *t = NULL;
	struct cbx_error err;

	ok(cbx_topo_load_text_opts(yaml, strlen(yaml), "lab.yaml", &o, &t, &err) < 0,
	   "a file with five errors is refused");
	is_int(all.n, 5, "all five are listed");
	if (all.n == 5) {
		has_str(all.msgs[0], "lab.yaml:2:1: bogus: unknown key",
			"an unknown key at the top");
		has_str(all.msgs[1], "lab.yaml:4:7: networks.n.subnet: 10.0.0.1/24 has host bits",
			"a network's subnet");
		has_str(all.msgs[2], "lab.yaml:7:14: nodes.a.limits.pids: expected an integer",
			"a node's limit");
		has_str(all.msgs[3], "lab.yaml:8:5: nodes.a.privileged: expected a boolean",
			"the same node's next setting");
		has_str(all.msgs[4],
			"lab.yaml:10:37: nodes.b.interfaces.eth0.mtu: 5 is out of range",
			"another node's interface");
	}
	is_str(err.msg, all.n ? all.msgs[0] : "", "the load's own error is the first");
	cbx_topo_errors_free(&all);

	ok(!load_as(yaml, "lab.yaml", &err), "without a list, the load stops at the first");
	has_str(err.msg, "bogus: unknown key", "and says it");
}

static bool same_json(const char *a_text, const char *b_path)
{
	json_t *a = json_loads(a_text, 0, NULL), *b = json_load_file(b_path, 0, NULL);
	bool same = a && b && json_equal(a, b);

	json_decref(a);
	json_decref(b);
	return same;
}

/* fmt --yaml, then fmt --json of that: the original's meaning. */
static void round_trip(const char *path)
{
	char tmp[] = "/tmp/cbxt-yaml-XXXXXX";
	char *yaml = NULL, *json = NULL, named[64];
	struct cbx_error err;
	int fd = mkstemp(tmp);
	FILE *f;

	snprintf(named, sizeof(named), "%s.yaml", tmp);
	if (fd < 0 || cbx_topo_convert(path, true, &yaml, &err) < 0 || !(f = fdopen(fd, "w"))) {
		ok(0, "fmt --yaml %s", path);
		return;
	}
	fputs(yaml, f);
	fclose(f);
	rename(tmp, named);
	ok(cbx_topo_convert(named, false, &json, &err) == 0 && same_json(json, path),
	   "fmt --yaml, then --json, of %s gives its meaning back", path);
	unlink(named);
	free(yaml);
	free(json);
}

static void test_fmt_round_trip(void)
{
	static const char *const dirs[] = { "topologies", "topologies/ospf" };
	size_t files = 0;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *e;
		char path[512];

		while (d && (e = readdir(d))) {
			size_t n = strlen(e->d_name);
			if (n < 6 || strcmp(e->d_name + n - 5, ".json"))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dirs[i], e->d_name);
			round_trip(path);
			files++;
		}
		if (d)
			closedir(d);
	}
	ok(files >= 5, "every example was tried (%zu files)", files);
}

/* What YAML could read otherwise is written quoted, and reads back the same. */
static void test_writer_quotes(void)
{
	static const char doc[] =
		"{\"a\": \"80:8080\", \"b\": \"yes\", \"c\": \"10\", \"d\": \"true\", \"e\": \"\","
		" \"f\": \"a: b\", \"g\": \"x #y\", \"h\": \" lead\", \"i\": \"line\\nnext\","
		" \"j\": \"\\u001b[31m\\u007f\", \"k\": \"- item\", \"l\": \"null\", \"m\": \"1.5\","
		" \"n\": \"caf\\u00e9 \\u2603 \\ud83d\\ude00 \\u0085 \\u2028 \\u2029 \\ufeff\\t\", \"o\": \"\\\"q\\\" \\\\\", \"p\": \"*x\","
		" \"key: with colon\": 1, \"r\": [], \"s\": {}, \"t\": [[1, 2], {\"u\": null}],"
		" \"v\": 0.25, \"w\": -3, \"x\": false, \"y\": \"~\", \"z\": \"@at\"}";
	json_t *in = json_loads(doc, 0, NULL), *back = NULL;
	char *text = in ? topo_yaml_write(in) : NULL;
	struct cbx_error err;

	ok(text != NULL, "a document of awkward strings is written");
	if (text && topo_yaml_read(text, strlen(text), "w.yaml", NULL, NULL, &back, &err) < 0)
		printf("# %s\n", err.msg);
	ok(back && json_equal(in, back), "and reads back the same");
	has_str(text ? text : "", "a: \"80:8080\"", "a port mapping is quoted for 1.1 readers");
	has_str(text ? text : "", "b: \"yes\"", "yes is quoted");
	has_str(text ? text : "", "t:\n  - - 1\n    - 2\n  - u: null\n",
		"nested sequences and mappings are indented by 2");
	json_decref(in);
	json_decref(back);
	free(text);
}

int main(void)
{
	test_types();
	test_refusals();
	test_schema_positions();
	test_every_error();
	test_checks_file();
	test_fmt_round_trip();
	test_writer_quotes();
	return tap_done();
}
