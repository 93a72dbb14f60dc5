/* Topology parsing and validation, without root: every class of bad input
 * gets its own precise message (file, line and column for syntax, the JSON
 * path for meaning), and resolution is deterministic (addresses, MACs, host
 * names, routes). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "topo/topo.h"

/* `make fuzz` seeds the parser's fuzzer with every input of this file, good
 * and bad: CBX_FUZZ_CORPUS=DIR writes each into DIR. */
static void save_for_fuzzing(const char *json)
{
	static unsigned n;
	const char *dir = getenv("CBX_FUZZ_CORPUS");
	char path[4096];
	FILE *f;

	if (!dir ||
	    snprintf(path, sizeof(path), "%s/test_topo-%04u.json", dir, n++) >= (int)sizeof(path))
		return;
	f = fopen(path, "w");
	if (f) {
		fputs(json, f);
		fclose(f);
	}
}

static struct cbx_topo *load(const char *json, struct cbx_error *err)
{
	struct cbx_topo *t = NULL;

	save_for_fuzzing(json);
	cbx_error_clear(err);
	if (cbx_topo_load_text(json, strlen(json), "lab.json", &t, err) < 0)
		return NULL;
	return t;
}

/* The file must be rejected as bad input with a message containing `want`. */
static void rejects(const char *json, const char *want, const char *what)
{
	struct cbx_error err;
	struct cbx_topo *t = load(json, &err);

	ok(!t && err.kind == CBX_ERR_INPUT, "rejected: %s", what);
	if (t)
		cbx_topo_free(t);
	else
		has_str(err.msg, want, "message for: %s", what);
}

#define LAB(nodes_etc) "{\"name\": \"lab\", " nodes_etc "}"

static void test_syntax_and_types(void)
{
	rejects("{\"name\": \"lab\",\n  \"nodes\": {\"a\": {},}\n}",
		"lab.json:2:", "syntax error with line and column");
	rejects("{\"name\": \"lab\", \"nodes\": {\"a\": {}, \"a\": {}}}", "duplicate object key",
		"duplicate node");
	rejects("[1, 2]", "expected an object, got an array", "top level not an object");
	rejects(LAB("\"nodes\": {\"a\": {\"limits\": {\"pids\": \"many\"}}}"),
		"nodes.a.limits.pids: expected an integer, got a string", "wrong type");
	rejects(LAB("\"nodes\": {\"a\": {\"privileged\": 1}}"),
		"nodes.a.privileged: expected a boolean", "bool expected");
	rejects(LAB("\"nodes\": {\"a\": {\"interfaces\": {\"eth0\": {\"netwrok\": \"x\"}}}}"),
		"nodes.a.interfaces.eth0.netwrok: unknown key \"netwrok\" (did you mean \"network\"?)",
		"unknown key with a suggestion");
	rejects(LAB("\"nodes\": {\"a\": {\"zzzz\": 1}}"), "unknown key \"zzzz\" (known keys:",
		"unknown key without a close match lists the known keys");
	rejects("{\"nodes\": {\"a\": {}}}", "the lab has no \"name\"", "missing name");
	rejects(LAB("\"nodes\": {}"), "the lab has no nodes", "no nodes");
	rejects(LAB("\"nodes\": {\"a\": {\"sysctls\": {\"net.ipv4.ip_forward\": [1]}}}"),
		"nodes.a.sysctls[\"net.ipv4.ip_forward\"]: expected a string or a number",
		"paths quote keys with dots");
}

/* A file's text in messages: control bytes quoted, the library's words put
 * in the user's, and the reason kept when a value is huge. */
static void test_message_text(void)
{
	struct cbx_error err;
	static char big[120000];
	size_t n;

	rejects(LAB("\"nodes\": {\"a\": {\"x\\u001b[31m\": 1}}"), "unknown key \"x\\x1b[31m\"",
		"an escape sequence in a key is quoted, not echoed");
	rejects(LAB("\"nodes\": {\"a\": {\"base\": \"\\u001b]0;pwned\\u0007\"}}"),
		"base \"\\x1b]0;pwned\\x07\" is not", "and in a value");
	rejects(LAB("\"nodes\": {\"a\": {\"interfaces\": {\"e\\n0\": {}}}}"),
		"nodes.a.interfaces[\"e\\x0a0\"]: interface name \"e\\x0a0\" contains \\x0a,",
		"a newline in an interface name is quoted in the path and the message");
	rejects(LAB("\"nodes\": {\"a\": {\"cmd\": \"a\\u0000b\"}}"),
		"syntax error: a NUL character (\\u0000) in a string",
		"a NUL in a string, in the user's words");
	{
		struct cbx_topo *t =
			load(LAB("\"nodes\": {\"a\": {\"cmd\": \"a\\u0000b\"}}"), &err);
		ok(!t && !strstr(err.msg, "JSON_ALLOW_NUL"), "without the library's flag name");
		cbx_topo_free(t);
	}
	/* A 100 kB key pushed the reason out of the message. */
	n = (size_t)snprintf(big, sizeof(big), "{\"name\": \"lab\", \"nodes\": {\"a\": {\"");
	memset(big + n, 'k', 100000);
	snprintf(big + n + 100000, sizeof(big) - n - 100000, "\": 1}}}");
	ok(!load(big, &err), "a 100 kB unknown key is refused");
	has_str(err.msg, "unknown key \"kkkk", "with the reason");
	has_str(err.msg, "... (100000 bytes)\" (known keys: base,",
		"the key cut, the known keys kept");
	ok(strlen(err.msg) < 600, "and a message of a few lines (%zu bytes)", strlen(err.msg));
	n = (size_t)snprintf(big, sizeof(big),
			     "{\"name\": \"lab\", \"nodes\": {\"a\": {\"limits\": {\"memory\": \"");
	memset(big + n, '9', 100000);
	snprintf(big + n + 100000, sizeof(big) - n - 100000, "X\"}}}}");
	ok(!load(big, &err), "a 100 kB bad value is refused");
	has_str(err.msg, "bad size \"9999", "with the reason first");
	has_str(err.msg, "(100001 bytes)\": expected a size such as",
		"and why, after the cut value");
}

/* What `up` would refuse, validate refuses first, naming the limit. */
static void test_what_up_refuses(void)
{
	static char big[1300000];
	static const char *const bad_names[] = { "all", "default", "e%d" };
	struct cbx_error err;
	struct cbx_topo *t;
	size_t n;

	for (size_t i = 0; i < 3; i++) {
		const char *name = bad_names[i];
		char json[256];
		snprintf(json, sizeof(json),
			 LAB("\"nodes\": {\"a\": {}, \"b\": {}}, \"links\": "
			     "[{\"endpoints\": [\"a:%s\", \"b:eth0\"]}]"),
			 name);
		rejects(json,
			i < 2 ? "cannot be used as an interface name"
			      : "contains '%', which the kernel",
			"an interface named all, default or with a %");
	}
	rejects(LAB("\"nodes\": {\"a\": {\"limits\": {\"cpus\": 0.001}}}"),
		"bad CPU count \"0.001\": CPUs must be at least 0.01 (the kernel's smallest quota",
		"0.001 CPUs (a 100 us quota the kernel refuses)");
	t = load(LAB("\"nodes\": {\"a\": {\"limits\": {\"cpus\": \"1%\"}}}"), &err);
	ok(t && t->nodes[0].limits.cpu_milli == 10, "0.01 CPUs (1%%) is the least");
	cbx_topo_free(t);
	rejects(LAB("\"networks\": {\"n\": {\"subnet6\": \"::/0\"}}, \"nodes\": {\"a\": {}}"),
		"networks.n.subnet6: subnet ::/0 is the whole address space", "subnet6 ::/0");
	rejects(LAB("\"networks\": {\"n\": {\"subnet6\": \"ff00::/8\"}}, \"nodes\": {\"a\": {}}"),
		"subnet ff00::/8 overlaps the multicast addresses", "a multicast subnet6");
	rejects(LAB("\"networks\": {\"n\": {\"subnet\": \"224.1.0.0/24\"}}, \"nodes\": {\"a\": {}}"),
		"subnet 224.1.0.0/24 overlaps the multicast addresses", "a multicast subnet");
	rejects(LAB("\"links\": [{\"endpoints\": [\"a:e0\", \"b:e0\"], \"subnet6\": \"::/64\"}], "
		    "\"nodes\": {\"a\": {}, \"b\": {}}"),
		"links[0].subnet6: subnet ::/64 holds ::1, the loopback address",
		"a subnet6 with ::1");
	rejects(LAB("\"nodes\": {\"a\": {\"interfaces\": {\"e0\": {\"addresses\": [\"ff02::5/64\"]}}}, "
		    "\"b\": {}}, \"links\": [{\"endpoints\": [\"a:e0\", \"b:e0\"]}]"),
		"ff02::5/64 is a multicast address, which an interface cannot have",
		"a multicast address");
	t = load(LAB("\"networks\": {\"n\": {\"subnet6\": \"fd00:9::/64\"}}, "
		     "\"nodes\": {\"a\": {\"interfaces\": {\"eth0\": {\"network\": \"n\"}}}}"),
		 &err);
	ok(t != NULL, "a unique local subnet6 is fine");
	cbx_topo_free(t);
	rejects(LAB("\"nodes\": {\"a\": {\"base\": \"/srv/root,upperdir=/x\"}}"),
		"base directory path \"/srv/root,upperdir=/x\" contains ',', which overlayfs options cannot hold",
		"a base path with a ','");
	rejects(LAB("\"nodes\": {\"a\": {\"base\": \"/srv/a:b\"}}"), "contains ':'",
		"a base path with a ':'");
	/* E2BIG: one argument over 128 KiB, or 1 MiB of command and env. */
	n = (size_t)snprintf(big, sizeof(big),
			     "{\"name\": \"lab\", \"nodes\": {\"a\": {\"cmd\": \"");
	memset(big + n, 'x', 1 << 20);
	snprintf(big + n + (1 << 20), sizeof(big) - n - (1 << 20), "\"}}}");
	rejects(big,
		"nodes.a.cmd: an argument of the command is 1048576 bytes; the kernel takes at most 131071",
		"a 1 MB command");
	n = (size_t)snprintf(big, sizeof(big),
			     "{\"name\": \"lab\", \"nodes\": {\"a\": {\"env\": {");
	for (int i = 0; i < 9; i++) {
		n += (size_t)snprintf(big + n, sizeof(big) - n, "%s\"V%d\": \"", i ? ", " : "", i);
		memset(big + n, 'v', 120000);
		n += 120000;
		n += (size_t)snprintf(big + n, sizeof(big) - n, "\"");
	}
	snprintf(big + n, sizeof(big) - n, "}}}}");
	rejects(big,
		"nodes.a: the command and environment are 1080108 bytes together; at most 1048576",
		"1 MB of environment in 120 kB variables");
	/* A bridge holds 1023 ports: up failed 9 s in with "Exchange full".
	 * 1023 interfaces fit one bridge; 1024 make a tree (test_bridge_tree). */
	for (int members = 1023; members <= 1024; members++) {
		n = (size_t)snprintf(big, sizeof(big),
				     "{\"name\": \"l\", \"networks\": {\"n\": "
				     "{\"subnet\": \"10.0.0.0/16\"}}, \"nodes\": {");
		for (int i = 0; i < members; i++)
			n += (size_t)
				snprintf(big + n, sizeof(big) - n,
					 "%s\"n%d\": {\"interfaces\": {\"eth0\": {\"network\": \"n\"}}}",
					 i ? ", " : "", i);
		snprintf(big + n, sizeof(big) - n, "}}");
		t = load(big, &err);
		ok(t && t->networks[0].n_leaves == (members == 1023 ? 0 : 2),
		   "%d interfaces on one network: %s%s%s", members,
		   members == 1023 ? "one bridge" : "a tree of two leaves", t ? "" : ": ",
		   t ? "" : err.msg);
		if (t)
			cbx_topo_free(t);
	}
}

static void test_names(void)
{
	struct cbx_error err;
	char json[512];

	rejects("{\"name\": \"My-Lab\", \"nodes\": {\"a\": {}}}",
		"name: \"My-Lab\" is not a lab name: a lab name starts with a lowercase letter or digit",
		"lab name charset");
	rejects("{\"name\": \"lab-1\", \"nodes\": {\"a\": {}}}",
		"has only lowercase letters, digits and '_'", "lab name without '-'");
	/* One rule for the file and the commands: what validate accepts, every
	 * command takes (a 33-character name passed validate, and then exec,
	 * status and down refused it). */
	snprintf(json, sizeof(json), "{\"name\": \"%s\", \"nodes\": {\"a\": {}}}",
		 "abcdefghijklmnopqrstuvwxyz0123456");
	rejects(json, "is not a lab name: a lab name is at most 32 characters",
		"a lab name of 33 characters (and no host interfaces)");
	ok(cbx_lab_name_check("abcdefghijklmnopqrstuvwxyz0123456", &err) < 0 &&
		   err.kind == CBX_ERR_INPUT,
	   "the commands' check refuses it too");
	has_str(err.msg, "is not a lab name: a lab name is at most 32 characters",
		"with the same reason");
	snprintf(json, sizeof(json), "{\"name\": \"%s\", \"nodes\": {\"a\": {}}}",
		 "abcdefghijklmnopqrstuvwxyz012345");
	{
		struct cbx_topo *t = load(json, &err);
		ok(t != NULL && cbx_lab_name_check(t->name, &err) == 0,
		   "a lab name of 32 characters passes both");
		cbx_topo_free(t);
	}
	ok(cbx_lab_name_check("../x", &err) < 0, "a path is no lab name");
	has_str(err.msg, "\"../x\" is not a lab name", "and the message quotes it");
	rejects("{\"name\": \"averyverylongname\", \"networks\": {\"n\": {}}, "
		"\"nodes\": {\"a\": {\"interfaces\": {\"eth0\": {\"network\": \"n\"}}}}}",
		"lab name \"averyverylongname\" is too long for this lab: its host interface names",
		"lab name too long for host interface names");
	rejects(LAB("\"links\": [{\"endpoints\": [\"a:averylonginterface0\", \"b:eth0\"]}], "
		    "\"nodes\": {\"a\": {}, \"b\": {}}"),
		"interface name \"averylonginterface0\" is 19 bytes long; the kernel allows at most 15",
		"interface name too long");
	rejects(LAB("\"nodes\": {\"a\": {\"interfaces\": {\"e/0\": {}}}}"), "contains '/'",
		"interface name with a slash");
	rejects(LAB("\"nodes\": {\"a_b\": {}}"), "node name \"a_b\" may only contain",
		"node name charset");
}

static void test_wiring_errors(void)
{
	rejects(LAB("\"links\": [{\"endpoints\": [\"a:eth0\", \"ghost:eth0\"]}], \"nodes\": {\"a\": {}}"),
		"links[0].endpoints[1]: link to an unknown node \"ghost\"",
		"link to an unknown node");
	rejects(LAB("\"links\": [{\"endpoints\": [\"a:eth0\", \"b:eth0\"]}, "
		    "{\"endpoints\": [\"a:eth0\", \"b:eth1\"]}], \"nodes\": {\"a\": {}, \"b\": {}}"),
		"links[1].endpoints[0]: interface a:eth0 is used twice: it is already in links[0]",
		"interface used twice by two links");
	rejects(LAB("\"networks\": {\"n\": {}}, \"links\": [{\"endpoints\": [\"a:eth0\", \"b:eth0\"]}], "
		    "\"nodes\": {\"a\": {\"interfaces\": {\"eth0\": {\"network\": \"n\"}}}, \"b\": {}}"),
		"interface a:eth0 is used twice: it is already on network \"n\"",
		"interface used by a network and a link");
	rejects(LAB("\"nodes\": {\"a\": {\"interfaces\": {\"eth0\": {\"network\": \"lna\"}}}}"),
		"nodes.a.interfaces.eth0.network: unknown network \"lna\"", "unknown network");
	rejects(LAB("\"nodes\": {\"a\": {\"interfaces\": {\"eth0\": {}}}}"),
		"is on no network and in no link", "dangling interface");
	rejects(LAB("\"links\": [{\"endpoints\": [\"a:eth0\"]}], \"nodes\": {\"a\": {}}"),
		"a link has exactly 2 endpoints, not 1", "link with one endpoint");
	rejects(LAB("\"links\": [{\"endpoints\": [\"a:eth0\", \"a:eth1\"]}], \"nodes\": {\"a\": {}}"),
		"a link joins two different nodes", "link looping on one node");
}

static void test_address_errors(void)
{
	rejects(LAB("\"networks\": {\"n\": {\"subnet\": \"10.0.0.0/33\"}}, \"nodes\": {\"a\": {}}"),
		"networks.n.subnet: \"10.0.0.0/33\" is not a valid CIDR subnet", "invalid CIDR");
	rejects(LAB("\"networks\": {\"n\": {\"subnet\": \"10.0.0.1/24\"}}, \"nodes\": {\"a\": {}}"),
		"10.0.0.1/24 has host bits set; did you mean 10.0.0.0/24?", "host bits set");
	rejects(LAB("\"networks\": {\"n\": {\"subnet\": \"fd00::/64\"}}, \"nodes\": {\"a\": {}}"),
		"fd00::/64 is not an IPv4 subnet", "subnet of the wrong family");
	rejects(LAB("\"networks\": {\"n\": {\"subnet\": \"10.0.0.0/16\"}, \"m\": {\"subnet\": \"10.0.5.0/24\"}}, "
		    "\"nodes\": {\"a\": {}}"),
		"networks.m.subnet: subnet 10.0.5.0/24 overlaps 10.0.0.0/16 of networks.n.subnet",
		"overlapping subnets");
	rejects(LAB("\"networks\": {\"n\": {\"subnet\": \"10.0.0.0/24\"}}, \"links\": [{\"endpoints\": "
		    "[\"a:eth1\", \"b:eth1\"], \"subnet\": \"10.0.0.4/30\"}], \"nodes\": {\"a\": {}, \"b\": {}}"),
		"overlaps 10.0.0.0/24", "link subnet overlapping a network");
	rejects(LAB("\"networks\": {\"n\": {\"subnet\": \"10.0.0.0/24\"}}, \"nodes\": {\"a\": "
		    "{\"interfaces\": {\"eth0\": {\"network\": \"n\", \"addresses\": [\"10.0.1.5\"]}}}}"),
		"nodes.a.interfaces.eth0.addresses[0]: 10.0.1.5 is outside subnet 10.0.0.0/24 of network \"n\"",
		"address outside its subnet");
	rejects(LAB("\"networks\": {\"n\": {\"subnet\": \"10.0.0.0/24\"}}, \"nodes\": {\"a\": "
		    "{\"interfaces\": {\"eth0\": {\"network\": \"n\", \"addresses\": [\"10.0.0.255\"]}}}}"),
		"10.0.0.255 is the network or broadcast address", "broadcast address");
	rejects(LAB("\"networks\": {\"n\": {\"subnet\": \"10.0.0.0/24\"}}, \"nodes\": {"
		    "\"a\": {\"interfaces\": {\"eth0\": {\"network\": \"n\", \"addresses\": [\"10.0.0.9\"]}}},"
		    "\"b\": {\"interfaces\": {\"eth0\": {\"network\": \"n\", \"addresses\": [\"10.0.0.9\"]}}}}"),
		"nodes.b.interfaces.eth0: duplicate address 10.0.0.9: nodes.a.interfaces.eth0 has it too",
		"duplicate explicit address");
	rejects(LAB("\"networks\": {\"n\": {\"subnet\": \"10.0.0.0/24\", \"gateway\": \"10.0.0.1\"}}, \"nodes\": {"
		    "\"a\": {\"interfaces\": {\"eth0\": {\"network\": \"n\", \"addresses\": [\"10.0.0.1\"]}}}}"),
		"duplicate address 10.0.0.1", "address taken by the network's gateway");
	rejects(LAB("\"networks\": {\"n\": {\"subnet\": \"10.0.0.0/30\"}}, \"nodes\": {"
		    "\"a\": {\"interfaces\": {\"eth0\": {\"network\": \"n\"}}},"
		    "\"b\": {\"interfaces\": {\"eth0\": {\"network\": \"n\"}}},"
		    "\"c\": {\"interfaces\": {\"eth0\": {\"network\": \"n\"}}}}"),
		"subnet 10.0.0.0/30 has no address left for c:eth0", "subnet exhausted");
	rejects(LAB("\"networks\": {\"n\": {}}, \"nodes\": {\"a\": {\"interfaces\": {\"eth0\": "
		    "{\"network\": \"n\", \"addresses\": [\"10.0.0.9\"]}}}}"),
		"10.0.0.9 needs a prefix length",
		"address without prefix on a network without subnet");
	rejects(LAB("\"networks\": {\"n\": {\"nat\": true}}, \"nodes\": {\"a\": {}}"),
		"NAT needs the network's \"subnet\"", "NAT without subnet");
	rejects(LAB("\"networks\": {\"n\": {\"subnet\": \"10.0.0.0/24\", \"gateway\": \"10.0.1.1\"}}, "
		    "\"nodes\": {\"a\": {}}"),
		"networks.n.gateway: 10.0.1.1 is not a usable address of subnet 10.0.0.0/24",
		"gateway outside its subnet");
	rejects(LAB("\"nodes\": {\"a\": {\"interfaces\": {\"eth0\": {\"network\": \"n\", \"mac\": \"01:00:00:00:00:01\"}}}}, "
		    "\"networks\": {\"n\": {}}"),
		"is a multicast MAC address", "multicast MAC");
}

/* The top level's "limits": the whole lab's processes. */
static void test_lab_limits(void)
{
	struct cbx_error err;
	struct cbx_topo *t =
		load(LAB("\"limits\": {\"pids\": 100}, \"nodes\": {\"a\": {}, \"b\": {}}"), &err);

	ok(t && t->lab_pids == 100, "limits.pids: the lab's bound");
	cbx_topo_free(t);
	t = load(LAB("\"nodes\": {\"a\": {}}"), &err);
	ok(t && t->lab_pids == 0, "no limits: 0, the default bound");
	cbx_topo_free(t);
	rejects(LAB("\"limits\": {\"memory\": \"64M\"}, \"nodes\": {\"a\": {}}"),
		"limits.memory: the lab's own limits bound only its processes (\"pids\"); each node's memory and CPUs go in its \"limits\", or in defaults.limits",
		"the lab's memory: where it goes instead");
	rejects(LAB("\"limits\": {\"cpus\": 1}, \"nodes\": {\"a\": {}}"),
		"limits.cpus: the lab's own limits", "the lab's CPUs: where they go instead");
	rejects(LAB("\"limits\": {\"pid\": 10}, \"nodes\": {\"a\": {}}"), "did you mean \"pids\"",
		"a mistyped key of the lab's limits");
	rejects(LAB("\"limits\": {\"pids\": \"lots\"}, \"nodes\": {\"a\": {}}"), "limits.pids",
		"a bound that is not a number");
	rejects(LAB("\"limits\": 5, \"nodes\": {\"a\": {}}"), "limits: expected an object",
		"limits not an object");
	rejects(LAB("\"limits\": {\"pids\": 2}, \"nodes\": {\"a\": {}, \"b\": {}, \"c\": {}}"),
		"limits.pids: 2 processes are fewer than the lab's 3 container nodes, each of which runs an init",
		"a bound below one init per node");
	rejects(LAB("\"limits\": {\"pids\": 10}, \"nodes\": {\"a\": {\"kind\": \"netns\"}}"),
		"limits.pids: the lab has no container nodes", "a bound on a lab of netns nodes");
}

static void test_value_errors(void)
{
	rejects(LAB("\"nodes\": {\"a\": {\"limits\": {\"memory\": \"64X\"}}}"),
		"nodes.a.limits.memory: bad size \"64X\": expected a size such as", "bad size");
	rejects(LAB("\"nodes\": {\"a\": {\"limits\": {\"memory\": \"1M\"}}}"),
		"below the 4MiB a node needs", "memory limit too small");
	rejects(LAB("\"defaults\": {\"limits\": {\"cpus\": \"fast\"}}, \"nodes\": {\"a\": {}}"),
		"defaults.limits.cpus: bad CPU count \"fast\"", "bad CPU string");
	rejects(LAB("\"nodes\": {\"a\": {\"limits\": {\"cpus\": 0}}}"),
		"CPUs must be at least 0.01", "zero CPUs");
	rejects(LAB("\"nodes\": {\"a\": {\"limits\": {\"pids\": 1}}}"), "1 is out of range (2 to",
		"pids below what init needs");
	rejects(LAB("\"networks\": {\"n\": {\"subnet\": \"10.0.0.0/24\", \"gateway\": true}}, \"nodes\": "
		    "{\"a\": {\"interfaces\": {\"eth0\": {\"network\": \"n\"}}, \"publish\": [\"80:99999\"]}}"),
		"bad node port \"99999\": expected a port number between 1 and 65535", "bad port");
	rejects(LAB("\"networks\": {\"n\": {\"subnet\": \"10.0.0.0/24\", \"gateway\": true}}, \"nodes\": "
		    "{\"a\": {\"interfaces\": {\"eth0\": {\"network\": \"n\"}}, \"publish\": [\"80:80/sctp\"]}}"),
		"protocol \"sctp\" is not \"tcp\" or \"udp\"", "bad protocol");
	rejects(LAB("\"networks\": {\"n\": {\"subnet\": \"10.0.0.0/24\", \"gateway\": true}}, \"nodes\": "
		    "{\"a\": {\"interfaces\": {\"eth0\": {\"network\": \"n\"}}, \"publish\": [\"80:80\"]},"
		    " \"b\": {\"interfaces\": {\"eth0\": {\"network\": \"n\"}}, \"publish\": [\"80:8080\"]}}"),
		"host port 80/tcp is already published by nodes.a.publish[0]",
		"port published twice");
	rejects(LAB("\"networks\": {\"n\": {\"subnet\": \"10.0.0.0/24\"}}, \"nodes\": "
		    "{\"a\": {\"interfaces\": {\"eth0\": {\"network\": \"n\"}}, \"publish\": [\"80:80\"]}}"),
		"on no network with a host gateway", "publish without a host gateway");
	rejects(LAB("\"nodes\": {\"a\": {\"sysctls\": {\"kernel.panic\": 1}}}"),
		"is not a network sysctl", "non-network sysctl");
	rejects(LAB("\"nodes\": {\"a\": {\"env\": {\"1X\": \"v\"}}}"),
		"not a valid environment variable name", "bad env name");
	rejects(LAB("\"nodes\": {\"a\": {\"cmd\": []}}"), "the command is empty", "empty command");
	rejects(LAB("\"nodes\": {\"a\": {\"base\": \"alpine\"}}"),
		"is not \"busybox\", \"host\", an image (oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE, /FILE.tar[.gz|.xz|.zst]) or an absolute path",
		"unknown base");
	rejects(LAB("\"nodes\": {\"a\": {\"base\": \"oci:img\"}}"),
		"nodes.a.base: base \"oci:img\": the image's path is not absolute",
		"an image at a relative path");
	rejects(LAB("\"defaults\": {\"base\": \"oci-archive:/srv/i.tar:\"}, \"nodes\": {\"a\": {}}"),
		"defaults.base: base \"oci-archive:/srv/i.tar:\": the tag after ':' is empty",
		"an empty tag");
	{
		/* cboxlab-init builds its paths on a small stack (topo.h). */
		char json[CBX_NODE_PATH_MAX + 128], dir[CBX_NODE_PATH_MAX + 1];
		memset(dir, 'd', sizeof(dir) - 1);
		dir[0] = '/';
		dir[sizeof(dir) - 1] = '\0';
		snprintf(json, sizeof(json), LAB("\"nodes\": {\"a\": {\"base\": \"%s\"}}"), dir);
		rejects(json, "base directory path is 512 bytes long; at most 511",
			"a base directory path too long for a node's setup");
		dir[sizeof(dir) - 2] = '\0';
		snprintf(json, sizeof(json), LAB("\"nodes\": {\"a\": {\"base\": \"%s\"}}"), dir);
		{
			struct cbx_error err;
			struct cbx_topo *t = load(json, &err);
			ok(t && t->nodes[0].base_dir && strlen(t->nodes[0].base_dir) == 511,
			   "a base directory path of 511 bytes is accepted");
			if (t)
				cbx_topo_free(t);
		}
	}
	rejects(LAB("\"links\": [{\"endpoints\": [\"a:eth0\", \"b:eth0\"], \"impair\": {\"loss\": \"150%\"}}], "
		    "\"nodes\": {\"a\": {}, \"b\": {}}"),
		"links[0].impair.loss: bad loss \"150%\": a percentage must be between 0% and 100%",
		"loss over 100%, named where it is: the link's impair");
	rejects(LAB("\"links\": [{\"endpoints\": [\"a:eth0\", \"b:eth0\"]}, "
		    "{\"endpoints\": [\"a:eth1\", \"b:eth1\"], \"impair\": {\"rate\": \"fast\"}}], "
		    "\"nodes\": {\"a\": {}, \"b\": {}}"),
		"lab.json:1:111: links[1].impair.rate: bad rate \"fast\"",
		"bad rate on the second link, with the line and column of its key");
	rejects(LAB("\"links\": [{\"endpoints\": [\"a:eth0\", \"b:eth0\"], \"impair\": {\"jitter\": \"5ms\"}}], "
		    "\"nodes\": {\"a\": {}, \"b\": {}}"),
		"links[0].impair: jitter needs a delay", "jitter without delay");
	rejects(LAB("\"links\": [{\"endpoints\": [\"a:eth0\", \"b:eth0\"], \"impair\": {\"loss\": \"1%\"}}], "
		    "\"nodes\": {\"a\": {\"interfaces\": {\"eth0\": {\"impair\": {\"loss\": \"2\"}}}}, \"b\": {}}"),
		"nodes.a.interfaces.eth0.impair.loss: bad loss \"2\"",
		"an interface's own impair, which overrides its link's, is named where it is");
}

#define ROUTED \
	"\"networks\": {\"n\": {\"subnet\": \"10.0.0.0/24\"}}, \"links\": [{\"endpoints\": " \
	"[\"a:eth1\", \"b:eth1\"], \"subnet\": \"10.9.0.0/30\"}], "

static void test_route_errors(void)
{
	rejects(LAB(ROUTED
		    "\"nodes\": {\"a\": {\"interfaces\": {\"eth0\": {\"network\": \"n\"}}, "
		    "\"routes\": [{\"to\": \"10.5.0.0/16\", \"via\": \"10.7.0.1\"}]}, \"b\": {}}"),
		"nodes.a.routes[0].via: gateway 10.7.0.1 is unreachable from node a: it is in no subnet of the node's interfaces",
		"route via an unreachable gateway");
	rejects(LAB(ROUTED
		    "\"nodes\": {\"a\": {\"interfaces\": {\"eth0\": {\"network\": \"n\"}}, "
		    "\"routes\": [{\"to\": \"10.5.0.0/16\", \"via\": \"10.9.0.2\", \"dev\": \"eth0\"}]}, \"b\": {}}"),
		"gateway 10.9.0.2 is unreachable from node a: it is in no subnet of eth0",
		"gateway not on the given device");
	rejects(LAB(ROUTED "\"nodes\": {\"a\": {\"interfaces\": {\"eth0\": {\"network\": \"n\"}}, "
			   "\"gateway\": \"10.9.0.1\"}, \"b\": {}}"),
		"nodes.a.gateway: gateway 10.9.0.1 is node a's own address",
		"own address as gateway");
	rejects(LAB(ROUTED
		    "\"nodes\": {\"a\": {\"interfaces\": {\"eth0\": {\"network\": \"n\"}}, "
		    "\"routes\": [{\"to\": \"10.5.0.1/16\", \"via\": \"10.9.0.2\"}]}, \"b\": {}}"),
		"10.5.0.1/16 has host bits set; did you mean 10.5.0.0/16?",
		"route destination with host bits");
	rejects(LAB(ROUTED "\"nodes\": {\"a\": {\"interfaces\": {\"eth0\": {\"network\": \"n\"}}, "
			   "\"routes\": [{\"to\": \"10.5.0.0/16\"}]}, \"b\": {}}"),
		"a route needs \"via\" (a gateway) or \"dev\"", "route without via or dev");
	rejects(LAB(ROUTED "\"nodes\": {\"a\": {\"interfaces\": {\"eth0\": {\"network\": \"n\"}}, "
			   "\"routes\": [{\"to\": \"10.5.0.0/16\", \"via\": \"10.9.0.2\"}, "
			   "{\"to\": \"10.5.0.0/16\", \"via\": \"10.0.0.3\"}]}, \"b\": {}}"),
		"duplicate route to 10.5.0.0/16", "duplicate route");
}

static const char *addr_str(const struct cbx_iface *ifc, unsigned k, char *buf)
{
	return cbx_prefix_str(&ifc->addrs[k], buf, CBX_PREFIX_STRLEN);
}

static const char *mac_str(const uint8_t mac[6], char *buf)
{
	snprintf(buf, CBX_PREFIX_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
		 mac[3], mac[4], mac[5]);
	return buf;
}

static void test_resolution(void)
{
	static const char lan[] = LAB(
		"\"networks\": {\"lan\": {\"subnet\": \"10.1.0.0/24\", \"subnet6\": \"fd00:1::/64\", \"nat\": true}},"
		"\"links\": [{\"endpoints\": [\"r:eth1\", \"s:eth0\"], \"subnet\": \"10.2.0.0/31\"}],"
		"\"nodes\": {"
		" \"h1\": {\"interfaces\": {\"eth0\": {\"network\": \"lan\"}}},"
		" \"r\": {\"interfaces\": {\"eth0\": {\"network\": \"lan\", \"addresses\": [\"10.1.0.2\"]}}},"
		" \"h2\": {\"interfaces\": {\"eth0\": {\"network\": \"lan\"}}, \"gateway\": false},"
		" \"s\": {\"gateway\": \"10.2.0.0\"}}");
	struct cbx_error err;
	struct cbx_topo *t = load(lan, &err), *again;
	char buf[CBX_PREFIX_STRLEN];
	const struct cbx_node *h1, *r, *h2, *s;

	ok(t != NULL, "a valid lab loads (%s)", t ? "" : err.msg);
	if (!t)
		return;
	h1 = cbx_topo_node(t, "h1");
	r = cbx_topo_node(t, "r");
	h2 = cbx_topo_node(t, "h2");
	s = cbx_topo_node(t, "s");
	is_str(cbx_prefix_str(&t->networks[0].gw4, buf, sizeof(buf)), "10.1.0.1/24",
	       "NAT implies a gateway, the subnet's first address");
	is_str(addr_str(h1->ifaces[0], 0, buf), "10.1.0.3/24",
	       "allocation skips the gateway and explicit addresses (h1 gets .3)");
	is_str(addr_str(h1->ifaces[0], 1, buf), "fd00:1::1/64",
	       "IPv6 allocated from subnet6 too (no IPv6 gateway: ::1 is free)");
	is_int(r->ifaces[0]->n_addrs, 1, "an explicit address list is exactly that list");
	is_str(addr_str(h2->ifaces[0], 0, buf), "10.1.0.4/24", "h2 gets the next free address");
	is_str(addr_str(r->ifaces[1], 0, buf), "10.2.0.0/31",
	       "/31 links use both addresses (RFC 3021)");
	is_str(addr_str(s->ifaces[0], 0, buf), "10.2.0.1/31", "second link end");
	is_int(h1->n_routes, 1,
	       "h1 gets a default route via the host's gateway (IPv4 only: no gateway6)");
	is_int(h2->n_routes, 0, "\"gateway\": false means no default route");
	is_int(s->n_routes, 1, "an explicit gateway is a default route");
	is_str(cbx_ip_str(&s->routes[0].via, buf, sizeof(buf)), "10.2.0.0",
	       "via the given gateway");
	is_str(t->networks[0].bridge, "lab-b0", "bridge named after the lab");
	is_str(h1->ifaces[0]->host_name, "lab-0", "host end named after the lab");
	is_str(r->ifaces[0]->host_name, "lab-1", "host ends numbered in file order");
	is_int(h1->ifaces[0]->ifindex, 1000000000,
	       "node interfaces get fixed ifindexes, above any the host will have");
	is_int(r->ifaces[1]->ifindex, 1000000001, "second interface, next ifindex");
	ok(h1->ifaces[0]->mac[0] == 0x02, "derived MACs are locally administered unicast");
	ok(memcmp(h1->ifaces[0]->mac, h2->ifaces[0]->mac, 6), "nodes get different MACs");
	/* Known values, worked out apart from the C (FNV-1a of "lab", "node",
	 * "h1", "eth0" with 0xff after each, in Python): the same names give
	 * the same MACs in every process, on every machine, in every version. */
	is_str(mac_str(h1->ifaces[0]->mac, buf), "02:1e:97:01:90:61",
	       "h1:eth0's MAC is derived from its names");
	is_str(mac_str(h2->ifaces[0]->mac, buf), "02:b7:91:71:c2:24", "h2:eth0's MAC too");
	is_str(mac_str(h1->ifaces[0]->host_mac, buf), "02:30:74:36:8f:0e",
	       "and the host end of h1:eth0's");
	is_str(mac_str(t->networks[0].mac, buf), "02:5a:e5:11:02:41", "and the bridge's");
	is_str(cbx_node_primary_addr(h1)
		       ? cbx_prefix_str(cbx_node_primary_addr(h1), buf, sizeof(buf))
		       : "",
	       "10.1.0.3/24", "the primary address is the first IPv4 one");

	again = load(lan, &err);
	ok(again && !memcmp(again->ifaces[0].mac, t->ifaces[0].mac, 6) &&
		   cbx_ip_equal(&again->ifaces[0].addrs[0].ip, &t->ifaces[0].addrs[0].ip),
	   "the same file gives the same addresses and MACs");
	cbx_topo_free(again);
	cbx_topo_free(t);
}

static void test_defaults_merge(void)
{
	struct cbx_error err;
	struct cbx_topo *t =
		load(LAB("\"defaults\": {\"limits\": {\"memory\": \"32M\", \"pids\": 50}, "
			 "\"env\": {\"A\": \"1\", \"B\": \"2\"}, \"cmd\": \"sleep 1\"},"
			 "\"nodes\": {\"a\": {\"limits\": {\"pids\": 9}, \"env\": {\"B\": \"3\"}},"
			 " \"b\": {\"cmd\": [\"/bin/true\"]}}"),
		     &err);
	const struct cbx_node *a, *b;

	ok(t != NULL, "defaults parse");
	if (!t)
		return;
	a = cbx_topo_node(t, "a");
	b = cbx_topo_node(t, "b");
	is_int(a->limits.memory, 32u << 20, "memory from the defaults");
	is_int(a->limits.pids, 9, "pids from the node");
	is_int(a->n_env, 2, "env merged key by key");
	is_str(a->env[1].value, "3", "the node's value wins");
	is_str(a->cmd[2], "sleep 1", "a string command runs through /bin/sh -c");
	is_str(b->cmd[0], "/bin/true", "an array command is the argv");
	ok(b->cmd[1] == NULL, "argv is NULL-terminated");
	/* Every node starts from the same parsed defaults: a's own values must
	 * not leak into them. */
	is_int(b->limits.pids, 50, "pids from the defaults on the other node");
	is_int(b->n_env, 2, "the other node has the defaults' env");
	is_str(b->env[1].value, "2", "a's env value did not change the defaults");
	cbx_topo_free(t);

	t = load(LAB("\"defaults\": {\"clock_offset\": \"+30s\"},"
		     "\"nodes\": {\"a\": {\"clock_offset\": \"-2s\"}, \"b\": {}, \"c\": {\"clock_offset\": \"0s\"}}"),
		 &err);
	ok(t != NULL, "clock offsets parse");
	if (!t)
		return;
	is_int(cbx_topo_node(t, "a")->clock_offset_us, -2000000, "a node's own clock offset");
	is_int(cbx_topo_node(t, "b")->clock_offset_us, 30000000, "the defaults' clock offset");
	is_int(cbx_topo_node(t, "c")->clock_offset_us, 0, "0s: the host's clocks");
	cbx_topo_free(t);
	rejects(LAB("\"nodes\": {\"a\": {\"clock_offset\": \"soon\"}}"),
		"nodes.a.clock_offset: expected an offset such as \"+30s\"", "a bad clock offset");
	rejects(LAB("\"nodes\": {\"a\": {\"clock_offset\": 30}}"), "nodes.a.clock_offset",
		"a clock offset that is not a string");

	t = load(LAB("\"defaults\": {\"clock_skew\": \"+300s\", \"storage_size\": \"16M\"},"
		     "\"nodes\": {\"a\": {\"clock_skew\": \"-1.5s\"}, \"b\": {\"storage_size\": \"2M\"}}"),
		 &err);
	ok(t != NULL, "clock skews and storage sizes parse");
	if (!t)
		return;
	is_int(cbx_topo_node(t, "a")->clock_skew_us, -1500000, "a node's own clock skew");
	is_int(cbx_topo_node(t, "b")->clock_skew_us, 300000000, "the defaults' clock skew");
	is_int(cbx_topo_node(t, "a")->storage_size, 16 << 20, "the defaults' storage size");
	is_int(cbx_topo_node(t, "b")->storage_size, 2 << 20, "a node's own storage size");
	cbx_topo_free(t);
	rejects(LAB("\"nodes\": {\"a\": {\"clock_skew\": \"late\"}}"),
		"nodes.a.clock_skew: expected an offset", "a bad clock skew");
	rejects(LAB("\"nodes\": {\"a\": {\"storage_size\": \"big\"}}"),
		"nodes.a.storage_size: expected a size", "a bad storage size");
	rejects(LAB("\"nodes\": {\"a\": {\"storage_size\": \"64K\"}}"),
		"nodes.a.storage_size: a node's storage needs at least 1MiB",
		"a storage too small");
	rejects(LAB("\"nodes\": {\"a\": {\"storage\": \"disk\", \"storage_size\": \"64M\"}}"),
		"storage_size is for \"storage\": \"memory\"", "a size on disk storage");
}

/* "restart" and "ready" (issue 16): parsed from the node or "defaults",
 * bad values refused with their JSON path. */
static void test_daemon_settings(void)
{
	struct cbx_error err;
	struct cbx_topo *t =
		load(LAB("\"defaults\": {\"restart\": \"on-failure\", \"cmd\": \"sleep 1\", \"storage\": \"disk\"},"
			 "\"nodes\": {\"a\": {\"ready\": \"tcp:8080\"},"
			 " \"b\": {\"restart\": \"always\", \"ready\": {\"cmd\": \"test -e /x\", "
			 "\"timeout\": \"2500ms\"}}, \"c\": {\"restart\": \"no\", \"storage\": \"memory\"},"
			 " \"d\": {\"ready\": {\"tcp\": 53, \"timeout\": \"1s\"}}}"),
		     &err);
	const struct cbx_node *a, *b, *c;

	ok(t != NULL, "restart and ready parse: %s", t ? "" : err.msg);
	if (!t)
		return;
	a = cbx_topo_node(t, "a");
	b = cbx_topo_node(t, "b");
	c = cbx_topo_node(t, "c");
	is_int(a->restart, CBX_RESTART_ON_FAILURE, "restart from the defaults");
	is_int(a->ready.kind, CBX_READY_TCP, "ready tcp:PORT");
	is_int(a->ready.port, 8080, "its port");
	is_int(a->ready.timeout_ms, CBX_READY_TIMEOUT_DEFAULT_MS, "the default timeout");
	is_int(b->restart, CBX_RESTART_ALWAYS, "the node's restart wins");
	is_int(b->ready.kind, CBX_READY_CMD, "ready cmd");
	is_str(b->ready.cmd, "test -e /x", "its command");
	is_int(b->ready.timeout_ms, 2500, "its timeout");
	is_int(c->restart, CBX_RESTART_NO, "restart no");
	is_int(c->ready.kind, CBX_READY_NONE, "no ready check by default");
	is_int(a->storage, CBX_STORAGE_DISK, "storage from the defaults");
	is_int(c->storage, CBX_STORAGE_MEMORY, "the node's storage wins");
	c = cbx_topo_node(t, "d");
	is_int(c->ready.kind, CBX_READY_TCP, "ready {tcp: PORT}");
	is_int(c->ready.port, 53, "its port");
	is_int(c->ready.timeout_ms, 1000, "its timeout");
	cbx_topo_free(t);

	rejects(LAB("\"nodes\": {\"a\": {\"cmd\": \"x\", \"restart\": \"sometimes\"}}"),
		"nodes.a.restart: unknown restart policy \"sometimes\"",
		"an unknown restart policy");
	rejects(LAB("\"nodes\": {\"a\": {\"cmd\": \"x\", \"restart\": true}}"),
		"nodes.a.restart: expected a string", "restart not a string");
	rejects(LAB("\"nodes\": {\"a\": {\"restart\": \"always\"}}"),
		"nodes.a.restart: restart \"always\" needs a startup command",
		"restart without cmd");
	rejects(LAB("\"nodes\": {\"a\": {\"ready\": \"udp:53\"}}"),
		"nodes.a.ready: expected \"tcp:PORT\"", "a ready string that is not tcp:PORT");
	rejects(LAB("\"nodes\": {\"a\": {\"ready\": \"tcp:0\"}}"),
		"nodes.a.ready: \"tcp:0\": expected a port number", "port 0");
	rejects(LAB("\"nodes\": {\"a\": {\"ready\": \"tcp:99999\"}}"),
		"nodes.a.ready: \"tcp:99999\": expected a port number", "port out of range");
	rejects(LAB("\"nodes\": {\"a\": {\"ready\": 5}}"), "nodes.a.ready: expected \"tcp:PORT\"",
		"ready a number");
	rejects(LAB("\"nodes\": {\"a\": {\"ready\": {\"timeout\": \"1s\"}}}"),
		"nodes.a.ready: a ready check has a \"cmd\" or a \"tcp\" port",
		"ready without cmd");
	rejects(LAB("\"nodes\": {\"a\": {\"ready\": {\"cmd\": \"x\", \"tcp\": 80}}}"),
		"nodes.a.ready: a ready check has a \"cmd\" or a \"tcp\" port (one of them)",
		"ready with both cmd and tcp");
	rejects(LAB("\"nodes\": {\"a\": {\"ready\": {\"tcp\": 0}}}"), "nodes.a.ready.tcp",
		"ready tcp port 0");
	rejects(LAB("\"nodes\": {\"a\": {\"ready\": {\"tcp\": \"80\"}}}"), "nodes.a.ready.tcp",
		"ready tcp port as a string");
	rejects(LAB("\"nodes\": {\"a\": {\"ready\": {\"cmd\": \"\"}}}"),
		"nodes.a.ready.cmd: the command is empty", "an empty ready command");
	rejects(LAB("\"nodes\": {\"a\": {\"ready\": {\"cmd\": \"true\", \"timeout\": \"soon\"}}}"),
		"nodes.a.ready.timeout: \"soon\": expected a duration", "a bad timeout");
	rejects(LAB("\"nodes\": {\"a\": {\"ready\": {\"cmd\": \"true\", \"timeout\": \"2h\"}}}"),
		"nodes.a.ready.timeout", "a timeout over an hour");
	rejects(LAB("\"nodes\": {\"a\": {\"ready\": {\"cmd\": \"true\", \"timeout\": \"0s\"}}}"),
		"nodes.a.ready.timeout: \"0s\": a timeout is from 1ms to an hour",
		"a zero timeout");
	rejects(LAB("\"nodes\": {\"a\": {\"ready\": {\"cmd\": \"true\", \"tiemout\": \"1s\"}}}"),
		"nodes.a.ready", "an unknown key in ready");
	rejects(LAB("\"nodes\": {\"a\": {\"storage\": \"ssd\"}}"),
		"nodes.a.storage: unknown storage \"ssd\" (\"memory\" or \"disk\")",
		"an unknown storage");
	rejects(LAB("\"nodes\": {\"a\": {\"storage\": 1}}"), "nodes.a.storage: expected a string",
		"storage not a string");
	rejects(LAB("\"defaults\": {\"restart\": \"never\"}, \"nodes\": {\"a\": {}}"),
		"defaults.restart: unknown restart policy", "a bad restart in the defaults");
}

static void test_values(void)
{
	uint64_t v;
	uint32_t m;
	double d;
	uint16_t port;
	const char *why;
	struct cbx_impair im = { 0 };
	char buf[128];

	ok(cbx_parse_size("64M", &v, &why) && v == 64u << 20, "64M");
	ok(cbx_parse_size("512KiB", &v, &why) && v == 512u << 10, "512KiB");
	ok(cbx_parse_size("1.5G", &v, &why) && v == 3u << 29, "1.5G");
	ok(cbx_parse_size("4096", &v, &why) && v == 4096, "plain bytes");
	ok(!cbx_parse_size("-1M", &v, &why), "negative size");
	ok(!cbx_parse_size("1e3", &v, &why), "exponent is not a size");
	ok(!cbx_parse_size("", &v, &why), "empty size");
	ok(cbx_parse_cpus("0.25", &m, &why) && m == 250, "0.25 CPU");
	ok(cbx_parse_cpus("150%", &m, &why) && m == 1500, "150%% CPU");
	ok(!cbx_parse_cpus("fast", &m, &why), "fast is not a CPU count");
	ok(cbx_parse_duration_us("50ms", &v, &why) && v == 50000, "50ms");
	ok(cbx_parse_duration_us("1.5s", &v, &why) && v == 1500000, "1.5s");
	ok(!cbx_parse_duration_us("50", &v, &why), "a duration needs a unit");
	{
		int64_t off;
		ok(cbx_parse_clock_offset_us("+30s", &off, &why) && off == 30000000, "+30s");
		ok(cbx_parse_clock_offset_us("-1.5s", &off, &why) && off == -1500000, "-1.5s");
		ok(cbx_parse_clock_offset_us("250ms", &off, &why) && off == 250000,
		   "an offset without a sign is ahead");
		ok(!cbx_parse_clock_offset_us("+-1s", &off, &why) &&
			   !cbx_parse_clock_offset_us("-", &off, &why) &&
			   !cbx_parse_clock_offset_us("30", &off, &why),
		   "bad offsets");
	}
	ok(cbx_parse_percent("0.1%", &d, &why) && d > 0.0999 && d < 0.1001, "0.1%%");
	ok(!cbx_parse_percent("150%", &d, &why), "150%% is too much");
	ok(cbx_parse_rate("10mbit", &v, &why) && v == 10000000, "10mbit");
	ok(cbx_parse_rate("1Mbps", &v, &why) && v == 8000000, "1Mbps is bytes");
	ok(!cbx_parse_rate("fast", &v, &why), "fast is not a rate");
	ok(cbx_parse_port("8080", &port, &why) && port == 8080, "port");
	ok(!cbx_parse_port("0", &port, &why) && !cbx_parse_port("65536", &port, &why) &&
		   !cbx_parse_port("80x", &port, &why),
	   "bad ports");
	ok(cbx_impair_set(&im, "delay", "50ms", &why) && cbx_impair_set(&im, "loss", "2%", &why) &&
		   cbx_impair_set(&im, "rate", "10mbit", &why),
	   "impairments parse");
	ok(!cbx_impair_set(&im, "lag", "1ms", &why) && strstr(why, "unknown impairment"),
	   "unknown impairment");
	cbx_impair_format(&im, buf, sizeof(buf));
	is_str(buf, "delay=50ms loss=2% rate=10mbit", "impairments print as they are written");
	ok(cbx_impair_problem(&im) == NULL, "a delay with loss and rate can be applied");
	im = (struct cbx_impair){ .reorder = 5 };
	ok(cbx_impair_problem(&im) && strstr(cbx_impair_problem(&im), "reorder needs a delay"),
	   "reorder without a delay is refused");
	im.delay_us = 1000;
	ok(cbx_impair_problem(&im) == NULL, "reorder with a delay can be applied");
}

/* Every kind of base in the table is complete, and the file reaches it by
 * its word, its prefix, or (a directory, a tarball) an absolute path. */
static void test_base_kinds(void)
{
	char json[256];
	struct cbx_error err;
	struct cbx_topo *t;

	for (int k = 0; k < CBX_BASE_MAX; k++) {
		const struct cbx_base_info *b = &cbx_base_kinds[k];
		ok(b->shown && *b->shown, "base kind %d has a name for the plan", k);
		char word[64];
		snprintf(word, sizeof(word), "%s%s",
			 b->word     ? b->word
			 : b->prefix ? b->prefix
				     : "",
			 b->word                       ? ""
			 : b->prefix                   ? "/srv/img"
			 : b->lower == CBX_LOWER_IMAGE ? "/srv/root.tar.gz"
						       : "/srv/root");
		snprintf(json, sizeof(json), LAB("\"nodes\": {\"a\": {\"base\": \"%s\"}}"), word);
		t = load(json, &err);
		if (ok(t && t->nodes[0].base == (enum cbx_base_kind)k, "\"base\": %s is kind %d",
		       word, k))
			ok((b->lower == CBX_LOWER_PATH || b->lower == CBX_LOWER_IMAGE) ==
				   (t->nodes[0].base_dir != NULL),
			   "a base_dir exactly for the kinds whose lower layer is a path or an image");
		cbx_topo_free(t);
	}
}

/* A topology of n nodes on one network "n" (ports_per_bridge `ports`, 0:
 * unset) in a lab named `lab`, written into buf. */
static const char *star(char *buf, size_t size, const char *lab, int n, int ports)
{
	int len = snprintf(buf, size,
			   "{\"name\": \"%s\", \"networks\": {\"n\": {\"subnet\": \"10.0.0.0/16\"",
			   lab);

	if (ports)
		len += snprintf(buf + len, size - (size_t)len, ", \"ports_per_bridge\": %d", ports);
	len += snprintf(buf + len, size - (size_t)len, "}}, \"nodes\": {");
	for (int i = 0; i < n; i++)
		len += snprintf(buf + len, size - (size_t)len,
				"%s\"h%d\": {\"interfaces\": {\"eth0\": {\"network\": \"n\"}}}",
				i ? ", " : "", i);
	snprintf(buf + len, size - (size_t)len, "}}");
	return buf;
}

/* A network with more interfaces than a bridge holds is a tree of bridges:
 * leaves of ports_per_bridge - 1 interfaces and an uplink each, named and
 * addressed (MACs) deterministically, invisible otherwise. */
static void test_bridge_tree(void)
{
	static char buf[1 << 20];
	struct cbx_error err;
	struct cbx_topo *t = load(star(buf, sizeof(buf), "lab", 10, 4), &err);
	const struct cbx_network *net;
	bool distinct = true;

	ok(t != NULL, "a network of 10 with 4 ports per bridge loads (%s)", t ? "" : err.msg);
	if (!t)
		return;
	net = &t->networks[0];
	is_int(net->n_leaves, 4, "it is a tree of 4 leaves (3 interfaces and an uplink each)");
	is_int(t->n_leaves, 4, "the lab counts them");
	is_str(net->leaves[0].bridge, "lab-b0l0", "the first leaf bridge's name");
	is_str(net->leaves[3].uplink, "lab-b0u3",
	       "the last leaf's uplink, on the network's bridge");
	is_str(net->leaves[3].downlink, "lab-b0d3", "and its end on the leaf");
	is_int(cbx_topo_node(t, "h2")->ifaces[0]->leaf, 0, "h0-h2 are on the first leaf");
	is_int(cbx_topo_node(t, "h3")->ifaces[0]->leaf, 1, "h3 on the second");
	is_int(cbx_topo_node(t, "h9")->ifaces[0]->leaf, 3, "h9 alone on the last");
	is_str(cbx_iface_bridge(cbx_topo_node(t, "h4")->ifaces[0]), "lab-b0l1",
	       "an interface's bridge is its leaf");
	for (size_t k = 0; k < net->n_leaves; k++) {
		const struct cbx_bridge_leaf *l = &net->leaves[k];
		distinct &= memcmp(l->mac, l->uplink_mac, 6) &&
			    memcmp(l->mac, l->downlink_mac, 6) &&
			    memcmp(l->uplink_mac, l->downlink_mac, 6) &&
			    memcmp(l->mac, net->mac, 6) && l->mac[0] == 0x02;
		for (size_t i = 0; i < t->n_ifaces; i++)
			distinct &= memcmp(l->mac, t->ifaces[i].mac, 6) &&
				    memcmp(l->mac, t->ifaces[i].host_mac, 6);
	}
	ok(distinct, "the leaves' MACs are locally administered and taken by nothing else");
	cbx_topo_free(t);

	t = load(star(buf, sizeof(buf), "lab", 10, 10), &err);
	ok(t && t->networks[0].n_leaves == 0 &&
		   !strcmp(cbx_iface_bridge(t->ifaces[9].node->ifaces[0]), "lab-b0"),
	   "10 interfaces with 10 ports per bridge: one bridge, no tree");
	if (t)
		cbx_topo_free(t);
	t = load(star(buf, sizeof(buf), "lab", 2000, 0), &err);
	ok(t && t->networks[0].n_leaves == 2 && t->ifaces[1021].leaf == 0 &&
		   t->ifaces[1022].leaf == 1,
	   "2000 interfaces with the kernel's 1023 ports: two leaves of 1022 (%s)",
	   t ? "" : err.msg);
	if (t)
		cbx_topo_free(t);
	rejects(star(buf, sizeof(buf), "lab", 3, 1),
		"networks.n.ports_per_bridge: 1 is out of range (2 to 1023)",
		"one port per bridge");
	rejects(star(buf, sizeof(buf), "abcdefghijk", 40, 2),
		"the names of the last (\"abcdefghijk-b0l39\") would be 17 bytes",
		"a tree whose names would not fit");
}

/* Two hosts: a1, a2 on a, b1 on b; network "lan" spans both, "alone" is
 * a's alone, the link a1--b1 crosses and a1--a2 does not. */
#define SPAN_HOSTS \
	"\"hosts\": {\"a\": {\"address\": \"192.0.2.1\", \"mtu\": 9000}, " \
	"\"b\": {\"address\": \"192.0.2.2\", \"dev\": \"eth1\"}}, "
#define SPAN_LAB \
	"{\"name\": \"span\", " SPAN_HOSTS \
	"\"networks\": {\"lan\": {\"subnet\": \"10.1.0.0/24\"}, " \
	"\"alone\": {\"subnet\": \"10.2.0.0/24\"}}, " \
	"\"links\": [{\"endpoints\": [\"b1:p0\", \"a1:p0\"], \"subnet\": \"10.3.0.0/30\"}, " \
	"{\"endpoints\": [\"a1:p1\", \"a2:p1\"], \"subnet\": \"10.4.0.0/30\"}], " \
	"\"nodes\": {\"a1\": {\"host\": \"a\", \"interfaces\": {\"eth0\": {\"network\": \"lan\"}}}, " \
	"\"a2\": {\"host\": \"a\", \"interfaces\": {\"eth0\": {\"network\": \"lan\"}, " \
	"\"eth1\": {\"network\": \"alone\"}}}, " \
	"\"b1\": {\"host\": \"b\", \"interfaces\": {\"eth0\": {\"network\": \"lan\"}}}}}"

static struct cbx_topo *load_host(const char *json, const char *host, struct cbx_error *err)
{
	struct cbx_topo_opts o = { .host = host };
	struct cbx_topo *t = NULL;

	save_for_fuzzing(json);
	cbx_error_clear(err);
	return cbx_topo_load_text_opts(json, strlen(json), "lab.json", &o, &t, err) < 0 ? NULL : t;
}

static void test_hosts(void)
{
	struct cbx_error err;
	struct cbx_topo *t = load_host(SPAN_LAB, "a", &err), *tb;
	const struct cbx_network *lan, *alone;
	const struct cbx_link *cross, *local;

	ok(t != NULL, "a lab over two hosts loads (%s)", t ? "" : err.msg);
	if (!t)
		return;
	lan = &t->networks[0];
	alone = &t->networks[1];
	cross = &t->links[0];
	local = &t->links[1];
	is_int(t->n_hosts, 2, "two hosts");
	ok(t->local == &t->hosts[0], "--host a: the local host is a");
	ok(cbx_node_here(t, cbx_topo_node(t, "a1")) && !cbx_node_here(t, cbx_topo_node(t, "b1")),
	   "a1 is here, b1 is not");
	is_int(lan->n_hosts, 2, "lan spans both hosts");
	is_int(alone->n_hosts, 1, "alone is on one");
	ok(cbx_network_here(t, lan) && cbx_network_here(t, alone), "a makes both networks");
	ok(lan->vni >= 1 && lan->vni <= CBX_VNI_MAX && alone->vni == 0,
	   "a VNI for the crossing network only");
	ok(cross->vni >= 1 && cross->vni != lan->vni && local->vni == 0,
	   "a VNI of its own for the crossing link only");
	is_str(lan->vxlan, "span-b0x", "the network's VXLAN device carries the lab's prefix");
	ok(memcmp(lan->vxlan_macs[0], lan->vxlan_macs[1], 6) && lan->vxlan_macs[0][0] == 0x02,
	   "a VXLAN MAC per host, locally administered");
	{
		bool distinct = true;
		for (size_t i = 0; i < t->n_ifaces; i++)
			for (size_t h = 0; h < 2; h++)
				distinct &= memcmp(lan->vxlan_macs[h], t->ifaces[i].mac, 6) &&
					    memcmp(lan->vxlan_macs[h], t->ifaces[i].host_mac, 6);
		ok(distinct, "no interface has a VXLAN device's MAC");
	}
	/* b's underlay is 1500 (a's 9000): the smaller, less 50. */
	is_int(lan->mtu, 1450, "the crossing network's MTU: the smallest underlay's less 50");
	is_int(cbx_topo_node(t, "a1")->ifaces[0]->mtu, 1450, "its interfaces' too");
	is_int(cbx_topo_node(t, "a1")->ifaces[1]->mtu, 1450, "the crossing link's ends' too");
	is_int(cbx_topo_node(t, "a2")->ifaces[2]->mtu, 0, "a link on one host keeps the default");
	is_int(alone->mtu, 0, "a network on one host keeps the default");
	is_str(t->hosts[1].dev, "eth1", "host b's underlay device");

	tb = load_host(SPAN_LAB, "b", &err);
	ok(tb && tb->local == &tb->hosts[1] && tb->networks[0].vni == lan->vni &&
		   tb->links[0].vni == cross->vni &&
		   !memcmp(tb->networks[0].vxlan_macs[1], lan->vxlan_macs[1], 6),
	   "host b derives the same VNIs and MACs from the same file");
	ok(tb && !cbx_network_here(tb, &tb->networks[1]) && !cbx_link_here(tb, &tb->links[1]) &&
		   cbx_link_here(tb, &tb->links[0]),
	   "b makes neither a's network nor a's link, and its end of the crossing one");
	if (tb)
		cbx_topo_free(tb);
	/* Every host derives these from the file alone, whatever build it
	 * runs: a change to the derivation splits a lab whose hosts run
	 * different versions. These are the values since the first. */
	is_int(lan->vni, 7215517, "lab span's network lan has the VNI every version gave it");
	is_int(cross->vni, 1087945, "and its crossing link too");
	ok(!memcmp(lan->vxlan_macs[0], "\x02\x4e\xd2\x33\x08\x23", 6),
	   "and host a's VXLAN device on lan its MAC (02:4e:d2:33:08:23)");
	{
		/* The same link written the other way round. */
		char reversed[sizeof(SPAN_LAB)];
		char *at;

		memcpy(reversed, SPAN_LAB, sizeof(reversed));
		at = strstr(reversed, "[\"b1:p0\", \"a1:p0\"]");
		if (at)
			memcpy(at, "[\"a1:p0\", \"b1:p0\"]", strlen("[\"a1:p0\", \"b1:p0\"]"));
		tb = load_host(reversed, "b", &err);
		ok(at && tb && tb->links[0].vni == cross->vni,
		   "a crossing link's VNI is the same whichever end the file names first");
		if (tb)
			cbx_topo_free(tb);
	}
	cbx_topo_free(t);
	t = load_host(SPAN_LAB, NULL, &err);
	ok(t && !t->local && cbx_node_here(t, cbx_topo_node(t, "b1")),
	   "without --host: the whole lab (validate)");
	if (t)
		cbx_topo_free(t);

	ok(cbx_vni_derive("lab", "link", "a:e--b:e", 0) ==
			   cbx_vni_derive("lab", "link", "a:e--b:e", 0) &&
		   cbx_vni_derive("lab", "link", "a:e--b:e", 0) !=
			   cbx_vni_derive("lab", "link", "a:e--b:e", 1) &&
		   cbx_vni_derive("lab", "link", "a:e--b:e", 0) !=
			   cbx_vni_derive("lab2", "link", "a:e--b:e", 0),
	   "a VNI depends on the lab, the key and the salt, and on nothing else");
	{
		bool in_range = true;
		for (unsigned s = 0; s < 5000; s++) {
			uint32_t v = cbx_vni_derive("x", "network", "n", s);
			in_range &= v >= 1 && v <= CBX_VNI_MAX;
		}
		ok(in_range, "VNIs are 1 to 2^24-1");
	}

	rejects(LAB(SPAN_HOSTS "\"nodes\": {\"a1\": {\"host\": \"c\"}}"),
		"nodes.a1.host: unknown host \"c\" (the lab's hosts are \"a\" and \"b\")",
		"an unknown host");
	rejects(LAB(SPAN_HOSTS "\"nodes\": {\"a1\": {\"host\": \"a\"}, \"x\": {}}"),
		"nodes.x: node \"x\" has no \"host\"", "a node without a host");
	rejects(LAB("\"nodes\": {\"a1\": {\"host\": \"a\"}}"), "but the lab declares no \"hosts\"",
		"a host without hosts");
	rejects(LAB("\"hosts\": {\"a\": {\"address\": \"192.0.2.1\"}, \"b\": {\"address\": \"192.0.2.1\"}}, "
		    "\"nodes\": {\"a1\": {\"host\": \"a\"}}"),
		"hosts.b.address: address 192.0.2.1 is also host \"a\"'s", "duplicate addresses");
	rejects(LAB("\"hosts\": {\"a\": {\"address\": \"192.0.2.1\"}, \"b\": {\"address\": \"2001:db8::1\"}}, "
		    "\"nodes\": {\"a1\": {\"host\": \"a\"}}"),
		"all IPv4 or all IPv6", "mixed families");
	rejects(LAB("\"hosts\": {\"a\": {}}, \"nodes\": {\"a1\": {\"host\": \"a\"}}"),
		"hosts.a: host \"a\" has no \"address\"", "a host without an address");
	rejects(LAB("\"hosts\": {\"a\": {\"address\": \"nope\"}}, \"nodes\": {\"a1\": {\"host\": \"a\"}}"),
		"hosts.a.address: \"nope\" is not an IPv4 or IPv6 address", "a bad address");
	rejects(LAB("\"hosts\": {}, \"nodes\": {\"a1\": {}}"), "\"hosts\" is empty", "no hosts");
	rejects(LAB(SPAN_HOSTS
		    "\"networks\": {\"n\": {\"subnet\": \"10.0.0.0/24\", \"nat\": true}}, "
		    "\"nodes\": {\"a1\": {\"host\": \"a\", \"interfaces\": {\"e\": {\"network\": \"n\"}}}, "
		    "\"b1\": {\"host\": \"b\", \"interfaces\": {\"e\": {\"network\": \"n\"}}}}"),
		"network \"n\" spans hosts and has a gateway or NAT",
		"a gateway on a crossing network");
	rejects(LAB(SPAN_HOSTS
		    "\"networks\": {\"n\": {}}, "
		    "\"nodes\": {\"a1\": {\"host\": \"a\", \"interfaces\": {\"e\": {\"network\": \"n\", \"vlan\": 10}}}, "
		    "\"b1\": {\"host\": \"b\", \"interfaces\": {\"e\": {\"network\": \"n\", \"vlan\": 10}}}}"),
		"network \"n\" spans hosts and has VLANs, which its tunnels between hosts do not carry",
		"VLANs on a crossing network");
	rejects(LAB(SPAN_HOSTS
		    "\"networks\": {\"n\": {\"mtu\": 1500}}, "
		    "\"nodes\": {\"a1\": {\"host\": \"a\", \"interfaces\": {\"e\": {\"network\": \"n\"}}}, "
		    "\"b1\": {\"host\": \"b\", \"interfaces\": {\"e\": {\"network\": \"n\"}}}}"),
		"networks.n.mtu: network \"n\" crosses hosts, whose tunnels carry frames of at most 1450 bytes",
		"an MTU the tunnel cannot carry");
	rejects(LAB(SPAN_HOSTS "\"links\": [{\"endpoints\": [\"a1:e\", \"b1:e\"], \"mtu\": 1451}], "
			       "\"nodes\": {\"a1\": {\"host\": \"a\"}, \"b1\": {\"host\": \"b\"}}"),
		"at most 1450 bytes", "a crossing link's MTU too large");
	t = load_host(LAB(SPAN_HOSTS "\"nodes\": {\"a1\": {\"host\": \"a\"}}"), "c", &err);
	ok(!t && strstr(err.msg, "--host c: unknown host"), "--host names an unknown host (%s)",
	   err.msg);
	t = load_host(LAB("\"nodes\": {\"a1\": {}}"), "a", &err);
	ok(!t && strstr(err.msg, "--host a: the lab declares no \"hosts\""),
	   "--host on a lab without hosts (%s)", err.msg);
}

/* Two networks whose names hash to one VNI in lab "span" (found by
 * hashing n0..n19999): the second in the file takes the next salt's. */
static void test_vni_collision(void)
{
	static const char json[] =
		"{\"name\": \"span\", " SPAN_HOSTS "\"networks\": {\"n96\": {}, \"n9365\": {}}, "
		"\"nodes\": {\"a1\": {\"host\": \"a\", \"interfaces\": {\"e0\": {\"network\": \"n96\"}, \"e1\": {\"network\": \"n9365\"}}}, "
		"\"b1\": {\"host\": \"b\", \"interfaces\": {\"e0\": {\"network\": \"n96\"}, \"e1\": {\"network\": \"n9365\"}}}}}";
	uint32_t clash = cbx_vni_derive("span", "network", "n96", 0);
	struct cbx_error err;
	struct cbx_topo *a = load_host(json, "a", &err), *b;

	ok(clash == cbx_vni_derive("span", "network", "n9365", 0),
	   "n96 and n9365 hash to one VNI (%u)", clash);
	ok(a != NULL, "a lab with both loads (%s)", a ? "" : err.msg);
	if (!a)
		return;
	is_int(a->networks[0].vni, clash, "the first in the file keeps it");
	ok(a->networks[1].vni != clash &&
		   a->networks[1].vni == cbx_vni_derive("span", "network", "n9365", 1),
	   "the second takes its next salt's");
	b = load_host(json, "b", &err);
	ok(b && b->networks[0].vni == a->networks[0].vni &&
		   b->networks[1].vni == a->networks[1].vni,
	   "the other host resolves the clash the same way");
	if (b)
		cbx_topo_free(b);
	cbx_topo_free(a);
}

#define VLAN_LAB(h1, r1_ifaces) \
	LAB("\"networks\": {\"n\": {\"subnet\": \"10.0.0.0/16\"}}, \"nodes\": {" \
	    "\"h1\": {\"interfaces\": {\"eth0\": {\"network\": \"n\"" h1 "}}}, " \
	    "\"r1\": {\"interfaces\": {" r1_ifaces "}}}")
#define TRUNK "\"eth0\": {\"network\": \"n\", \"vlans\": [20, 10]}"

static void test_vlans(void)
{
	struct cbx_error err;
	struct cbx_topo *t = load(VLAN_LAB(", \"vlan\": 10", TRUNK
					   ", \"eth0.10\": {\"addresses\": [\"10.1.10.1/24\"]}, "
					   "\"eth0.20\": {\"addresses\": [\"10.1.20.1/24\"]}"),
				  &err);
	const struct cbx_node *r1;
	const struct cbx_iface *sub;

	ok(t != NULL, "an access port, a trunk and its sub-interfaces load (%s)", t ? "" : err.msg);
	if (!t)
		return;
	r1 = cbx_topo_node(t, "r1");
	is_int(cbx_topo_node(t, "h1")->ifaces[0]->vlan, 10, "h1:eth0 is an access port of VLAN 10");
	is_int(r1->ifaces[0]->n_vlans, 2, "r1:eth0 is a trunk of two VLANs");
	ok(r1->ifaces[0]->vlans[0] == 10 && r1->ifaces[0]->vlans[1] == 20, "sorted: 10, 20");
	sub = cbx_node_iface(r1, "eth0.20");
	ok(sub && sub->parent == r1->ifaces[0] && sub->vlan == 20 && !sub->network && !sub->link,
	   "eth0.20 is VLAN 20 of r1:eth0");
	ok(sub && !memcmp(sub->mac, r1->ifaces[0]->mac, 6), "with its trunk's MAC");
	ok(sub && sub->n_addrs == 1 && sub->addrs[0].len == 24, "and its own address");
	ok(t->networks[0].n_vlans == 2 && t->networks[0].vlans[0] == 10 &&
		   t->networks[0].vlans[1] == 20 && t->networks[0].has_trunk,
	   "the network knows its VLANs (10, 20) and that it has a trunk");
	cbx_topo_free(t);

	t = load(VLAN_LAB(", \"vlan\": 1", "\"eth0\": {\"network\": \"n\", \"vlan\": 30}"), &err);
	ok(t && t->networks[0].n_vlans == 1 && t->networks[0].vlans[0] == 30 &&
		   !t->networks[0].has_trunk,
	   "access ports only: VLAN 1 is the default, the network knows VLAN 30 (%s)",
	   t ? "" : err.msg);
	if (t)
		cbx_topo_free(t);

	rejects(VLAN_LAB(", \"vlan\": 4095", TRUNK),
		"nodes.h1.interfaces.eth0.vlan: VLAN 4095 is out of range: VLAN ids are 1 to 4094",
		"VLAN id too big");
	rejects(VLAN_LAB(", \"vlan\": 0", TRUNK), "VLAN 0 is out of range", "VLAN 0");
	rejects(VLAN_LAB(", \"vlan\": \"10\"", TRUNK), "a VLAN id is an integer, 1 to 4094",
		"VLAN id as a string");
	rejects(VLAN_LAB(", \"vlan\": 10, \"vlans\": [20]", TRUNK),
		"an interface is an access port (\"vlan\") or a trunk (\"vlans\"), not both",
		"vlan and vlans together");
	rejects(VLAN_LAB(", \"vlans\": []", TRUNK), "a trunk carries at least one VLAN",
		"empty trunk");
	rejects(VLAN_LAB(", \"vlans\": [10, 1]", TRUNK),
		"nodes.h1.interfaces.eth0.vlans[1]: VLAN 1 is the default VLAN",
		"VLAN 1 in a trunk");
	rejects(VLAN_LAB(", \"vlans\": [10, 10]", TRUNK), "VLAN 10 is listed twice",
		"a VLAN twice in a trunk");
	rejects(VLAN_LAB("", TRUNK ", \"eth0.30\": {}"),
		"nodes.r1.interfaces[\"eth0.30\"]: eth0.30 is VLAN 30 of eth0, which does not carry it (its \"vlans\": [10, 20])",
		"a sub-interface of a VLAN its trunk does not carry");
	rejects(VLAN_LAB("", "\"eth0\": {\"network\": \"n\"}, \"eth0.10\": {}"),
		"eth0.10 is a VLAN sub-interface of eth0, which is not a trunk: give eth0 \"vlans\": [10]",
		"a sub-interface of an interface that is no trunk");
	rejects(VLAN_LAB("", TRUNK ", \"eth1.10\": {}"),
		"interface eth1.10 of node r1 is on no network and in no link",
		"a sub-interface of an interface the node has not");
	rejects(VLAN_LAB("", TRUNK ", \"eth0.10\": {\"vlan\": 10}"),
		"\"vlan\" is for an interface on a network (a VLAN sub-interface is named for its trunk and VLAN, as eth0.10)",
		"\"vlan\" on a sub-interface");
	rejects(VLAN_LAB("", TRUNK ", \"eth0.10\": {\"addresses\": [\"10.1.10.1\"]}"),
		"10.1.10.1 needs a prefix length (e.g. /24): VLAN sub-interface eth0.10 (on no network) has no IPv4 subnet",
		"a sub-interface's address without prefix length");
	rejects(VLAN_LAB("", TRUNK ", \"eth0.10\": {\"impair\": {\"delay\": \"1ms\"}}"),
		"a VLAN sub-interface has no impairments of its own: impair its trunk eth0",
		"impairing a sub-interface");
	rejects(VLAN_LAB("", TRUNK ", \"eth0.10\": {}, \"eth0.10.10\": {}"),
		"VLANs in VLANs (QinQ) are not supported", "a sub-interface of a sub-interface");
	rejects(LAB("\"links\": [{\"endpoints\": [\"a:eth0\", \"b:eth0\"]}], \"nodes\": {\"a\": "
		    "{\"interfaces\": {\"eth0\": {\"vlan\": 10}}}, \"b\": {}}"),
		"\"vlan\" is for an interface on a network (a link has no VLANs)",
		"a VLAN on a link");
}

/* "kind": "netns": a network namespace only. The kind comes from the node or
 * "defaults"; every key about processes or isolation is refused for it,
 * from either, naming the key and the node (never taken silently). */
static void test_node_kinds(void)
{
	struct cbx_error err;
	struct cbx_topo *t;
	char json[512];

	for (int k = 0; k < CBX_NODE_KIND_MAX; k++)
		ok(cbx_node_kinds[k].word && cbx_node_kinds[k].shown, "node kind %d has names", k);
	t = load(LAB("\"nodes\": {\"a\": {}, \"b\": {\"kind\": \"netns\", \"sysctls\": "
		     "{\"net.ipv4.ip_forward\": 1}, \"gateway\": \"10.0.0.254\", \"interfaces\": "
		     "{\"eth0\": {\"network\": \"n\"}}}}, \"networks\": {\"n\": {\"subnet\": "
		     "\"10.0.0.0/24\"}}"),
		 &err);
	if (ok(t != NULL, "a netns node with interfaces, sysctls and a gateway loads"))
		ok(t->nodes[0].kind == CBX_NODE_CONTAINER && t->nodes[1].kind == CBX_NODE_NETNS,
		   "the default kind is container; \"netns\" is netns");
	cbx_topo_free(t);
	t = load(LAB("\"defaults\": {\"kind\": \"netns\"}, \"nodes\": {\"a\": {}, "
		     "\"b\": {\"kind\": \"container\", \"limits\": {\"memory\": \"64M\"}}}"),
		 &err);
	if (ok(t != NULL, "a kind from defaults, and a node's own over it"))
		ok(t->nodes[0].kind == CBX_NODE_NETNS && t->nodes[1].kind == CBX_NODE_CONTAINER,
		   "a from defaults, b its own");
	cbx_topo_free(t);
	rejects(LAB("\"nodes\": {\"a\": {\"kind\": \"vm\"}}"),
		"nodes.a.kind: kind \"vm\" is not \"container\" or \"netns\"", "an unknown kind");
	rejects(LAB("\"nodes\": {\"a\": {\"kind\": 1}}"), "nodes.a.kind", "a kind not a string");
	for (const char *const *key = cbx_process_node_keys; *key; key++) {
		static const struct {
			const char *key, *value;
		} values[] = {
			{ "base", "\"busybox\"" },
			{ "limits", "{}" },
			{ "env", "{}" },
			{ "cmd", "\"true\"" },
			{ "privileged", "false" },
			{ "cap_add", "[]" },
			{ "cap_drop", "[\"NET_RAW\"]" },
			{ "seccomp", "true" },
			{ "volumes", "[\"/v:8M\"]" },
			{ "userns", "true" },
			{ "binds", "[]" },
			{ "files", "{}" },
			{ "overlay", "\"/srv\"" },
			{ "restart", "\"no\"" },
			{ "ready", "{\"tcp\": 80}" },
			{ "storage", "\"memory\"" },
			{ "storage_size", "\"8M\"" },
			{ "clock_offset", "\"+1s\"" },
			{ "clock_skew", "\"+1s\"" },
		};
		const char *value = NULL;
		char want[256];
		for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
			if (!strcmp(values[i].key, *key))
				value = values[i].value;
		if (!ok(value != NULL, "a value to try for \"%s\"", *key))
			continue;
		snprintf(json, sizeof(json),
			 LAB("\"nodes\": {\"a\": {\"kind\": \"netns\", \"%s\": %s}}"), *key, value);
		snprintf(want, sizeof(want),
			 "nodes.a.%s: node a is \"kind\": \"netns\", which has no processes", *key);
		rejects(json, want, *key);
	}
	rejects(LAB("\"defaults\": {\"privileged\": false}, \"nodes\": {\"a\": {}, "
		    "\"b\": {\"kind\": \"netns\"}}"),
		"defaults.privileged: node b is \"kind\": \"netns\"",
		"a defaults key a netns node cannot take");
	rejects(LAB("\"defaults\": {\"kind\": \"netns\", \"seccomp\": true}, \"nodes\": "
		    "{\"a\": {}}"),
		"defaults.seccomp: node a is \"kind\": \"netns\"",
		"kind and a key it cannot take, both in defaults");
	rejects(LAB("\"nodes\": {\"a\": {\"kind\": \"netns\", \"userns\": false}}"),
		"nodes.a.userns", "even a key that asks for less (userns false) is refused");
}

/* A router with 200 links, as a clos's spine has thousands: its interfaces
 * and the subnets of its gateways are looked up by index (routing.c), which
 * must answer as the scan it replaced did. */
static char *router_with_links(const char *routes)
{
	size_t size = 64 * 1024, len = 0;
	char *buf = malloc(size);

	len += (size_t)snprintf(buf + len, size - len, "{\"name\": \"lab\", \"links\": [");
	for (int k = 0; k < 200; k++)
		len += (size_t)snprintf(buf + len, size - len,
					"%s{\"endpoints\": [\"r:eth%d\", \"b%d:eth0\"], "
					"\"subnet\": \"10.1.%d.%d/30\"}",
					k ? ", " : "", k, k, k / 64, k % 64 * 4);
	len += (size_t)snprintf(buf + len, size - len, "], \"nodes\": {\"r\": {\"routes\": [%s]}",
				routes);
	for (int k = 0; k < 200; k++)
		len += (size_t)snprintf(buf + len, size - len, ", \"b%d\": {}", k);
	snprintf(buf + len, size - len, "}}");
	return buf;
}

static void test_many_interfaces(void)
{
	char *json = router_with_links("{\"to\": \"10.5.0.0/16\", \"via\": \"10.1.2.22\"}, "
				       "{\"to\": \"10.6.0.0/16\", \"via\": \"10.1.0.2\"}");
	struct cbx_error err;
	struct cbx_topo *t = load(json, &err);
	const struct cbx_node *r = t ? cbx_topo_node(t, "r") : NULL;

	ok(r && r->n_ifaces == 200, "a node with 200 links loads");
	ok(r && cbx_node_iface(r, "eth133") == r->ifaces[133] && !cbx_node_iface(r, "eth200"),
	   "its interfaces are found by name");
	ok(r && r->n_routes == 2, "routes through the neighbours on eth133 and eth0");
	cbx_topo_free(t);
	free(json);

	json = router_with_links("{\"to\": \"10.5.0.0/16\", \"via\": \"10.1.2.21\"}");
	rejects(json, "gateway 10.1.2.21 is node r's own address", "own address on its 134th link");
	free(json);
	json = router_with_links("{\"to\": \"10.5.0.0/16\", \"via\": \"10.1.3.200\"}");
	rejects(json, "gateway 10.1.3.200 is unreachable from node r",
		"a gateway past its last link");
	free(json);
	json = router_with_links("{\"to\": \"10.5.0.0/16\", \"via\": \"10.1.1.2\"}, "
				 "{\"to\": \"10.7.0.0/16\", \"via\": \"10.1.1.6\"}, "
				 "{\"to\": \"10.5.0.0/16\", \"via\": \"10.1.1.10\"}");
	rejects(json, "nodes.r.routes[2]: duplicate route to 10.5.0.0/16 (also nodes.r.routes[0])",
		"a duplicate route among many names the first");
	free(json);
	json = router_with_links("{\"to\": \"10.5.0.0/16\", \"via\": \"10.1.1.2\"}, "
				 "{\"to\": \"10.5.0.0/16\", \"via\": \"10.1.1.6\", \"metric\": 5}");
	t = load(json, &err);
	ok(t != NULL, "the same destination with another metric is no duplicate");
	cbx_topo_free(t);
	free(json);
}

int main(void)
{
	test_many_interfaces();
	test_node_kinds();
	test_hosts();
	test_vni_collision();
	test_vlans();
	test_bridge_tree();
	test_base_kinds();
	test_syntax_and_types();
	test_names();
	test_what_up_refuses();
	test_message_text();
	test_wiring_errors();
	test_address_errors();
	test_value_errors();
	test_lab_limits();
	test_route_errors();
	test_resolution();
	test_defaults_merge();
	test_daemon_settings();
	test_values();
	return tap_done();
}
