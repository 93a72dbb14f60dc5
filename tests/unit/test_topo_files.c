/* Files in nodes as the topology says them ("binds", "files", "volumes",
 * "overlay"):
 * parsed, merged with "defaults", variables substituted per node, and every
 * bad input refused with its JSON path; the host checks validate and up ask
 * for (sources exist, none inside cboxlab's state). No root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "topo/topo.h"

static struct cbx_topo *load_with(const char *json, const struct cbx_topo_opts *o,
				  struct cbx_error *err)
{
	struct cbx_topo *t = NULL;

	cbx_error_clear(err);
	if (cbx_topo_load_text_opts(json, strlen(json), "lab.json", o, &t, err) < 0)
		return NULL;
	return t;
}

static const struct cbx_topo_opts in_srv = { .dir = "/srv/lab" };

static struct cbx_topo *load(const char *json, struct cbx_error *err)
{
	return load_with(json, &in_srv, err);
}

static void rejects_with(const char *json, const struct cbx_topo_opts *o, const char *want,
			 const char *what)
{
	struct cbx_error err;
	struct cbx_topo *t = load_with(json, o, &err);

	ok(!t && err.kind == CBX_ERR_INPUT, "rejected: %s", what);
	if (t)
		cbx_topo_free(t);
	else
		has_str(err.msg, want, "message for: %s", what);
}

static void rejects(const char *json, const char *want, const char *what)
{
	rejects_with(json, &in_srv, want, what);
}

#define LAB(rest) "{\"name\": \"lab\", " rest "}"
#define NODE_A(settings) LAB("\"nodes\": {\"a\": {" settings "}}")

static void test_binds(void)
{
	struct cbx_error err;
	struct cbx_topo *t =
		load(NODE_A("\"binds\": [\"conf:/etc/frr\", \"/abs/data:/x//y/./:rw\", "
			    "\"/a:/b:ro\"]"),
		     &err);
	struct cbx_node *n;

	ok(t != NULL, "binds parse: %s", t ? "" : err.msg);
	if (!t)
		return;
	n = cbx_topo_node(t, "a");
	is_int(n->n_binds, 3, "three binds");
	is_str(n->binds[0].src, "/srv/lab/conf", "a relative source is in the topology's folder");
	is_str(n->binds[0].dst, "/etc/frr", "DST");
	ok(!n->binds[0].rw, "read-only by default");
	is_str(n->binds[1].dst, "/x/y", "DST written the one way (no //, /./, trailing /)");
	ok(n->binds[1].rw, ":rw is writable");
	ok(!n->binds[2].rw, ":ro is read-only");
	cbx_topo_free(t);

	t = load(LAB("\"defaults\": {\"binds\": [\"/d/shared:/shared\", \"/d/conf:/conf\"]}, "
		     "\"nodes\": {\"a\": {\"binds\": [\"/mine:/conf:rw\"]}, \"b\": {}}"),
		 &err);
	ok(t != NULL, "defaults' binds: %s", t ? "" : err.msg);
	if (!t)
		return;
	n = cbx_topo_node(t, "a");
	ok(n->n_binds == 2 && !strcmp(n->binds[1].src, "/mine") && n->binds[1].rw,
	   "a node's own bind replaces the default at the same DST");
	n = cbx_topo_node(t, "b");
	ok(n->n_binds == 2 && !strcmp(n->binds[1].src, "/d/conf"), "other nodes keep the default");
	cbx_topo_free(t);

	rejects(NODE_A("\"binds\": [\"nocolon\"]"),
		"lab.json:1:43: nodes.a.binds[0]: \"nocolon\" is not \"SRC:DST\"",
		"a bind without DST");
	rejects(NODE_A("\"binds\": [\"/a:/b:/c\"]"), "nodes.a.binds[0]: \"/a:/b:/c\" is not",
		"a bind with three paths");
	rejects(NODE_A("\"binds\": [\"/a:etc/x\"]"),
		"nodes.a.binds[0]: \"etc/x\" is not an absolute path in the node", "relative DST");
	rejects(NODE_A("\"binds\": [\"/a:/proc/sys\"]"),
		"nodes.a.binds[0]: \"/proc/sys\" is under /proc", "DST under /proc");
	rejects(NODE_A("\"binds\": [\"/a:/sys\"]"), "is under /sys", "DST /sys");
	rejects(NODE_A("\"binds\": [\"/a://dev/./shm\"]"), "is under /dev",
		"DST under /dev however it is written");
	rejects(NODE_A("\"binds\": [\"/a:/etc/../proc\"]"), "contains \"..\"", ".. in DST");
	rejects(NODE_A("\"binds\": [\"/a:/\"]"), "is the node's root folder", "DST /");
	rejects(NODE_A("\"binds\": [\"/a:/etc/hosts\"]"), "/etc/hosts is written by cboxlab",
		"DST /etc/hosts");
	rejects(NODE_A("\"binds\": [\":/x\"]"), "the bind's source is empty", "empty source");
	rejects(NODE_A("\"binds\": [\"/a\\tb:/x\"]"), "contains \\x09", "a control byte");
	rejects(NODE_A("\"binds\": [\"/a:/x\", \"/b:/x/\"]"),
		"nodes.a.binds[1]: a second bind at /x", "two binds at one DST");
	rejects(NODE_A("\"binds\": \"/a:/x\""), "nodes.a.binds: expected an array", "not an array");
	rejects(LAB("\"defaults\": {\"binds\": [\"/a:/dev\"]}, \"nodes\": {\"a\": {}}"),
		"lab.json:1:40: defaults.binds[0]: \"/dev\" is under /dev",
		"bad default, its path");
}

static void test_files(void)
{
	struct cbx_error err;
	struct cbx_topo *t =
		load(LAB("\"networks\": {\"lan\": {\"subnet\": \"10.1.0.0/24\", \"subnet6\": "
			 "\"fd00:1::/64\"}}, "
			 "\"defaults\": {\"files\": {\"/etc/frr/frr.conf\": {\"content\": "
			 "\"hostname ${node}\\nrouter-id ${eth0.ipv4}\\nv6 ${eth0.ipv6} in ${lab} "
			 "$${node}\", \"mode\": \"0640\"}}}, "
			 "\"nodes\": {\"r1\": {\"interfaces\": {\"eth0\": {\"network\": \"lan\"}}}, "
			 "\"r2\": {\"interfaces\": {\"eth0\": {\"network\": \"lan\"}}, "
			 "\"files\": {\"/etc/motd\": {\"source\": \"motd.txt\"}}}}"),
		     &err);
	struct cbx_node *n;

	ok(t != NULL, "files parse: %s", t ? "" : err.msg);
	if (!t)
		return;
	n = cbx_topo_node(t, "r1");
	is_int(n->n_files, 1, "r1 has the default's file");
	is_str(n->files[0].dst, "/etc/frr/frr.conf", "its DST");
	is_str(n->files[0].content, "hostname r1\nrouter-id 10.1.0.1\nv6 fd00:1::1 in lab ${node}",
	       "variables substituted for r1, $${ kept as ${");
	is_int(n->files[0].mode, 0640, "mode");
	n = cbx_topo_node(t, "r2");
	is_int(n->n_files, 2, "r2 has the default's and its own");
	is_str(n->files[0].content, "hostname r2\nrouter-id 10.1.0.2\nv6 fd00:1::2 in lab ${node}",
	       "the same entry substituted for r2");
	is_str(n->files[1].source, "/srv/lab/motd.txt", "a source relative to the topology");
	ok(!n->files[1].content, "a copy of its source");
	is_int(n->files[1].mode, 0644, "0644 by default");
	cbx_topo_free(t);

	rejects(NODE_A("\"files\": {\"/etc/x\": {\"content\": \"${foo}\"}}"),
		"nodes.a.files[\"/etc/x\"].content: for node a: unknown variable ${foo}",
		"an unknown variable, with its path");
	rejects(NODE_A("\"files\": {\"/etc/x\": {\"content\": \"${eth9.ipv4}\"}}"),
		"for node a: ${eth9.ipv4}: node a has no interface \"eth9\"",
		"an unknown interface");
	rejects(LAB("\"networks\": {\"lan\": {\"subnet\": \"10.1.0.0/24\"}}, "
		    "\"defaults\": {\"files\": {\"/x\": {\"content\": \"${eth0.ipv6}\"}}}, "
		    "\"nodes\": {\"a\": {\"interfaces\": {\"eth0\": {\"network\": \"lan\"}}}}"),
		"defaults.files[\"/x\"].content: for node a: ${eth0.ipv6}: interface eth0 of node a "
		"has no IPv6 address",
		"an address the interface lacks, in defaults");
	rejects(NODE_A("\"files\": {\"/etc/x\": {\"content\": \"${node\"}}"),
		"\"${\" without its \"}\"", "an unterminated variable");
	rejects(NODE_A("\"files\": {\"/etc/x\": {\"content\": \"a\", \"source\": \"/b\"}}"),
		"nodes.a.files[\"/etc/x\"]: a file needs either \"content\" or \"source\"",
		"content and source");
	rejects(NODE_A("\"files\": {\"/etc/x\": {}}"), "either \"content\" or \"source\"",
		"neither");
	rejects(NODE_A("\"files\": {\"/etc/x\": {\"content\": \"a\", \"mode\": \"0999\"}}"),
		"nodes.a.files[\"/etc/x\"].mode: \"0999\" is not a file mode", "a bad mode");
	rejects(NODE_A("\"files\": {\"/etc/x\": {\"content\": \"a\", \"mode\": \"04755\"}}"),
		"is not a file mode", "setuid is not a permission bit");
	rejects(NODE_A("\"files\": {\"/etc/x\": {\"content\": \"a\", \"mode\": 420}}"),
		"mode: expected a string", "a numeric mode");
	rejects(NODE_A("\"files\": {\"/etc/x\": {\"contents\": \"a\"}}"),
		"unknown key \"contents\" (did you mean \"content\"?)", "a typo");
	rejects(NODE_A("\"files\": {\"etc/x\": {\"content\": \"a\"}}"),
		"\"etc/x\" is not an absolute path in the node", "a relative DST");
	rejects(NODE_A("\"files\": {\"/../../etc/passwd\": {\"content\": \"a\"}}"),
		"contains \"..\"", "a DST that climbs");
	rejects(NODE_A("\"files\": {\"/proc/sys/kernel/core_pattern\": {\"content\": \"|x\"}}"),
		"is under /proc", "a file under /proc");
	rejects(NODE_A("\"files\": {\"/etc/hostname\": {\"content\": \"x\"}}"),
		"/etc/hostname is written by cboxlab", "/etc/hostname");
}

static void test_overlay(void)
{
	struct cbx_error err;
	struct cbx_topo *t = load(LAB("\"defaults\": {\"overlay\": \"nodes/${node}\"}, "
				      "\"nodes\": {\"a\": {}, \"b\": {\"overlay\": \"/o/b\"}}"),
				  &err);

	ok(t != NULL, "overlay parses: %s", t ? "" : err.msg);
	if (!t)
		return;
	is_str(cbx_topo_node(t, "a")->overlay, "/srv/lab/nodes/a",
	       "defaults' overlay, per node, in the topology's folder");
	ok(cbx_topo_node(t, "a")->overlay_optional, "from defaults: may be missing");
	is_str(cbx_topo_node(t, "b")->overlay, "/o/b", "a node's own replaces it");
	ok(!cbx_topo_node(t, "b")->overlay_optional, "and must exist");
	cbx_topo_free(t);

	rejects(NODE_A("\"overlay\": \"/a,b\""),
		"nodes.a.overlay: overlay folder \"/a,b\" contains ','",
		"a ',' overlayfs would split");
	rejects(NODE_A("\"overlay\": \"/a:b\""), "contains ':'", "a ':'");
	rejects(NODE_A("\"overlay\": true"), "nodes.a.overlay: expected a string", "not a string");
}

/* What validate and up check on the host. */
static void test_host_checks(void)
{
	char dir[] = "/tmp/cbx-topo-files-XXXXXX", path[256], json[2048];
	struct cbx_topo_opts o = { .check_host = true };
	struct cbx_error err;
	struct cbx_topo *t;
	FILE *f;

	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return;
	}
	o.dir = dir;
	snprintf(path, sizeof(path), "%s/state", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/state/lab1", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/nodes", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/nodes/a", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/conf.txt", dir);
	f = fopen(path, "w");
	if (f) {
		fputs("x\n", f);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/state", dir);
	o.state_root = path;

	t = load_with(LAB("\"defaults\": {\"overlay\": \"nodes/${node}\"}, "
			  "\"nodes\": {\"a\": {\"binds\": [\"conf.txt:/etc/conf.txt\"], "
			  "\"files\": {\"/x\": {\"source\": \"conf.txt\"}}}, \"b\": {}}"),
		      &o, &err);
	ok(t != NULL, "sources that exist pass: %s", t ? "" : err.msg);
	if (t) {
		ok(cbx_topo_node(t, "a")->overlay != NULL, "a has its folder");
		ok(cbx_topo_node(t, "b")->overlay == NULL,
		   "b has none, which from defaults is no error");
		cbx_topo_free(t);
	}
	rejects_with(NODE_A("\"binds\": [\"missing:/x\"]"), &o,
		     "nodes.a.binds[0]: the bind's source", "a missing bind source");
	rejects_with(NODE_A("\"binds\": [\"missing:/x\"]"), &o, "missing does not exist",
		     "says it does not exist");
	rejects_with(NODE_A("\"files\": {\"/x\": {\"source\": \"nodes\"}}"), &o,
		     "nodes.a.files[\"/x\"].source: the file's source",
		     "a folder as a file's source");
	rejects_with(NODE_A("\"overlay\": \"nodes/zz\""), &o, "nodes.a.overlay: the overlay folder",
		     "a node's own overlay must exist");
	rejects_with(NODE_A("\"binds\": [\"state/lab1:/x\"]"), &o, "inside cboxlab's state",
		     "a source inside the state root");
	snprintf(json, sizeof(json), NODE_A("\"binds\": [\"%s:/x\"]"), dir);
	rejects_with(json, &o, "holds or is inside cboxlab's state",
		     "a source holding the state root");
	o.check_host = false;
	t = load_with(NODE_A("\"binds\": [\"missing:/x\"]"), &o, &err);
	ok(t != NULL, "without host checks (a lab that is up), nothing is looked at");
	cbx_topo_free(t);

	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		ok(0, "clean up %s", dir);
}

static void test_limits(void)
{
	char json[8192];
	size_t len = (size_t)snprintf(json, sizeof(json),
				      "{\"name\": \"lab\", \"nodes\": {\"a\": {\"binds\": [");

	for (int i = 0; i <= CBX_NODE_BINDS_MAX; i++)
		len += (size_t)snprintf(json + len, sizeof(json) - len, "%s\"/s:/d%d\"",
					i ? ", " : "", i);
	snprintf(json + len, sizeof(json) - len, "]}}}");
	rejects(json, "33 binds; a node may have at most 32", "too many binds");
}

static void test_volumes(void)
{
	struct cbx_error err;
	struct cbx_topo *t =
		load(NODE_A("\"volumes\": [\"/var/lib/redis:64M\", \"/data//x/:1MiB\"]"), &err);
	struct cbx_node *n;

	ok(t != NULL, "volumes parse: %s", t ? "" : err.msg);
	if (!t)
		return;
	n = cbx_topo_node(t, "a");
	is_int(n->n_volumes, 2, "two volumes");
	is_str(n->volumes[0].dst, "/var/lib/redis", "DST");
	is_int(n->volumes[0].size, 64 << 20, "SIZE");
	is_str(n->volumes[1].dst, "/data/x", "DST written the one way");
	is_int(n->volumes[1].size, 1 << 20, "1MiB, the least");
	is_int(n->n_binds, 0, "a volume is no bind of the topology's");
	cbx_topo_free(t);

	t = load(LAB("\"defaults\": {\"volumes\": [\"/shared:8M\", \"/db:8M\"]}, "
		     "\"nodes\": {\"a\": {\"volumes\": [\"/db:16M\", \"/mine:2M\"]}, \"b\": {}}"),
		 &err);
	ok(t != NULL, "defaults' volumes: %s", t ? "" : err.msg);
	if (!t)
		return;
	n = cbx_topo_node(t, "a");
	is_int(n->n_volumes, 3, "the defaults' two and one of its own");
	is_str(n->volumes[1].dst, "/db", "its own replaces the defaults' at the same DST");
	is_int(n->volumes[1].size, 16 << 20, "with its own size");
	is_str(n->volumes[2].dst, "/mine", "then its own");
	is_int(cbx_topo_node(t, "b")->n_volumes, 2, "a node without volumes has the defaults'");
	cbx_topo_free(t);

	{
		static const char yaml[] =
			"name: lab\nnodes:\n  a:\n    volumes: [\"/var/lib/redis:64M\"]\n";
		t = NULL;
		cbx_topo_load_text_opts(yaml, strlen(yaml), "lab.yaml", &in_srv, &t, &err);
	}
	ok(t != NULL, "YAML volumes parse: %s", t ? "" : err.msg);
	if (t) {
		is_str(cbx_topo_node(t, "a")->volumes[0].dst, "/var/lib/redis", "YAML: DST");
		cbx_topo_free(t);
	}

	rejects(NODE_A("\"volumes\": [\"var/lib:8M\"]"),
		"nodes.a.volumes[0]: \"var/lib\" is not an absolute path in the node",
		"a relative DST");
	rejects(NODE_A("\"volumes\": [\"/var/../etc:8M\"]"),
		"nodes.a.volumes[0]: \"/var/../etc\" contains \"..\"", "a DST with ..");
	rejects(NODE_A("\"volumes\": [\"/:8M\"]"),
		"nodes.a.volumes[0]: \"/\" is the node's root folder", "a volume on the root");
	rejects(NODE_A("\"volumes\": [\"/proc/x:8M\"]"),
		"nodes.a.volumes[0]: \"/proc/x\" is under /proc", "a DST under /proc");
	rejects(NODE_A("\"volumes\": [\"/sys:8M\"]"), "nodes.a.volumes[0]: \"/sys\" is under /sys",
		"a DST at /sys");
	rejects(NODE_A("\"volumes\": [\"/dev/shm:8M\"]"),
		"nodes.a.volumes[0]: \"/dev/shm\" is under /dev", "a DST under /dev");
	rejects(NODE_A("\"volumes\": [\"/data:8M\", \"/data/:4M\"]"),
		"nodes.a.volumes[1]: a second volume at /data", "a duplicate DST");
	rejects(NODE_A("\"volumes\": [\"/data:512K\"]"),
		"nodes.a.volumes[0]: volume /data: 512K is too small; a volume needs at least 1MiB",
		"a size under 1 MiB");
	rejects(NODE_A("\"volumes\": [\"/data:lots\"]"),
		"nodes.a.volumes[0]: volume /data: bad size \"lots\"", "an unparsable size");
	rejects(NODE_A("\"volumes\": [\"/data:\"]"), "nodes.a.volumes[0]: volume /data: bad size",
		"no size");
	rejects(NODE_A("\"volumes\": [\"/data\"]"),
		"nodes.a.volumes[0]: \"/data\" is not \"DST:SIZE\"", "no colon");
	rejects(NODE_A("\"volumes\": [\":8M\"]"), "nodes.a.volumes[0]: \":8M\" is not \"DST:SIZE\"",
		"no DST");
	rejects(NODE_A("\"volumes\": [64]"), "nodes.a.volumes[0]", "not a string");
	rejects(NODE_A("\"volumes\": \"/data:8M\""), "nodes.a.volumes", "not a list");
	rejects(NODE_A("\"binds\": [\"/srv/x:/data:rw\"], \"volumes\": [\"/data:8M\"]"),
		"nodes.a.volumes[0]: a volume at /data, where nodes.a.binds[0] binds a host path",
		"a volume where a bind is");
}

int main(void)
{
	test_binds();
	test_files();
	test_overlay();
	test_host_checks();
	test_limits();
	test_volumes();
	return tap_done();
}
