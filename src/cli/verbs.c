/* Every command and every option, in one place: the parser (main.c) and
 * the help (help.c) are made from these tables. */
#include <string.h>

#include "cli/cli.h"

/* clang-format off */
const struct cli_option cli_options[] = {
	[OPT_DRY_RUN] = { "dry-run", 0, NULL },
	[OPT_JSON] = { "json", 0, NULL },
	[OPT_TIMINGS] = { "timings", 0, NULL },
	[OPT_TIMEOUT] = { "timeout", 0, "S" },
	[OPT_ONEWAY] = { "oneway", 0, NULL },
	[OPT_GRUDGE] = { "grudge", 0, "JSON|@FILE" },
	[OPT_SEED] = { "seed", 0, "N" },
	[OPT_LOG] = { "log", 0, "FILE" },
	[OPT_NEMESIS] = { "nemesis", 0, "NAME" },
	[OPT_INTERVAL] = { "interval", 0, "T" },
	[OPT_DURATION] = { "duration", 0, "T" },
	[OPT_NODES] = { "nodes", 0, "a,b" },
	[OPT_LOSS] = { "loss", 0, "P" },
	[OPT_INTERACTIVE] = { "interactive", 'i', NULL },
	[OPT_TTY] = { "tty", 't', NULL },
	[OPT_FOLLOW] = { "follow", 'f', NULL },
	[OPT_TAP] = { "tap", 0, NULL },
	[OPT_JUNIT] = { "junit", 0, "FILE" },
	[OPT_NO_MATRIX] = { "no-matrix", 0, NULL },
	[OPT_WRITE] = { "write", 'w', "FILE" },
	[OPT_COUNT] = { "count", 'c', "N" },
	[OPT_FORMAT] = { "format", 0, "F" },
	[OPT_NAME] = { "name", 0, "LAB" },
	[OPT_CLOCK_OFFSET] = { "clock-offset", 0, "T" },
	[OPT_YAML] = { "yaml", 0, NULL },
	[OPT_QUIET] = { "quiet", 'q', NULL },
	[OPT_HOST] = { "host", 0, "NAME" },
	[OPT_CLOCK_SKEW] = { "clock-skew", 0, "T" },
	[OPT_KIND] = { "kind", 0, "KIND" },
	[OPT_ALL] = { "all", 0, NULL },
	[OPT_PATH] = { "path", 0, "DST" },
};
_Static_assert(sizeof(cli_options) / sizeof(cli_options[0]) == OPT_MAX, "every option's names");

/* What needs root, and why: without it a command would see too little
 * and say wrong things (a running node as stopped with PID 0: its
 * /proc/PID/ns is root's; a lab as not up). */
static const char lab_files[] = "the labs' state, the nodes' processes and cgroups";
static const char faults[] = "namespaces, cgroups, netlink";

/* --quiet and --json, as every command that acts says them. */
#define QUIET { OPT_QUIET, "print nothing but errors and warnings" }
#define JSON_REPORT { OPT_JSON, "report as JSON (docs/json.md); errors too, on stderr" }

static const struct cli_verb_opt up_opts[] = {
	{ OPT_DRY_RUN, "print the plan, every step with its undo, and what the host has that the lab would collide with; change nothing (no root needed)" },
	{ OPT_JSON, "report the lab as JSON, as status --json does (docs/json.md); errors too, on stderr" },
	{ OPT_TIMINGS, "say on stderr where the time went, phase by phase" },
	QUIET,
	{ OPT_HOST, "a lab over hosts: bring up host NAME's part (its nodes, its networks' bridges, the tunnels to the other hosts); run it on that host (refused where that host's address is not)" },
	{ OPT_MAX, NULL },
};

static const struct cli_verb_opt down_opts[] = {
	{ OPT_TIMINGS, "say on stderr where the time went, phase by phase" },
	JSON_REPORT,
	QUIET,
	{ OPT_MAX, NULL },
};

/* What acts and says what it did: validate, and the faults. */
static const struct cli_verb_opt act_opts[] = {
	JSON_REPORT,
	QUIET,
	{ OPT_MAX, NULL },
};

static const struct cli_verb_opt json_opts[] = {
	{ OPT_JSON, "as JSON (docs/json.md); errors too, on stderr" },
	{ OPT_MAX, NULL },
};

static const struct cli_verb_opt exec_opts[] = {
	{ OPT_INTERACTIVE, "pass our standard input to CMD (without it CMD reads nothing)" },
	{ OPT_TTY, "give CMD a terminal of the node's own, relayed to ours (-it: a shell)" },
	{ OPT_MAX, NULL },
};

static const struct cli_verb_opt logs_opts[] = {
	{ OPT_FOLLOW, "keep printing what the node writes, until Ctrl-C or the lab goes down" },
	{ OPT_MAX, NULL },
};

static const struct cli_verb_opt partition_opts[] = {
	{ OPT_ONEWAY, "two groups FROM TO: only what FROM sends to TO is cut" },
	{ OPT_GRUDGE, "each node and the nodes whose packets it drops: {\"a\": [\"c\"]}, as JSON or in FILE" },
	JSON_REPORT,
	QUIET,
	{ OPT_MAX, NULL },
};

static const struct cli_verb_opt stop_opts[] = {
	{ OPT_TIMEOUT, "seconds between SIGTERM and SIGKILL (default 10; 0: SIGKILL at once)" },
	JSON_REPORT,
	QUIET,
	{ OPT_MAX, NULL },
};

static const struct cli_verb_opt start_opts[] = {
	{ OPT_CLOCK_OFFSET, "the node's CLOCK_MONOTONIC and CLOCK_BOOTTIME this far ahead of the host's (+30s; -5s: behind), instead of the topology's clock_offset" },
	JSON_REPORT,
	QUIET,
	{ OPT_CLOCK_SKEW, "the wall clock of the node's dynamically linked programs this far ahead of the host's (+300s; libfaketime), instead of the topology's clock_skew" },
	{ OPT_MAX, NULL },
};

static const struct cli_verb_opt restart_opts[] = {
	{ OPT_TIMEOUT, "seconds between SIGTERM and SIGKILL (default 10; 0: SIGKILL at once)" },
	{ OPT_CLOCK_OFFSET, "the node's CLOCK_MONOTONIC and CLOCK_BOOTTIME this far ahead of the host's (+30s; -5s: behind), instead of the topology's clock_offset" },
	JSON_REPORT,
	QUIET,
	{ OPT_CLOCK_SKEW, "the wall clock of the node's dynamically linked programs this far ahead of the host's (+300s; libfaketime), instead of the topology's clock_skew" },
	{ OPT_MAX, NULL },
};

static const struct cli_verb_opt heal_opts[] = {
	{ OPT_ALL, "undo every fault: partitions, impairments (back to the topology's), links down, paused and stopped nodes, full disks, disk limits, clock skews" },
	JSON_REPORT,
	QUIET,
	{ OPT_MAX, NULL },
};

static const struct cli_verb_opt fill_opts[] = {
	{ OPT_PATH, "the node's volume at DST (its \"volumes\"), not its storage" },
	JSON_REPORT,
	QUIET,
	{ OPT_MAX, NULL },
};

static const struct cli_verb_opt chaos_opts[] = {
	{ OPT_NEMESIS, "generate the timeline: random-halves, isolate-one, majorities-ring, bridge, flaky-links, pause-random, kill-random, disk-full-random, clock-skew-random" },
	{ OPT_INTERVAL, "a nemesis's fault lasts T, then T without (e.g. 10s)" },
	{ OPT_DURATION, "the whole run (at least twice the interval)" },
	{ OPT_NODES, "the nodes a nemesis picks from (default: all)" },
	{ OPT_LOSS, "flaky-links's loss (default 20%)" },
	{ OPT_SEED, "the generator's seed: the same seed gives the same timeline (default: from the clock)" },
	{ OPT_LOG, "the event log, JSON lines (default: standard output; -: the same)" },
	{ OPT_DRY_RUN, "print the timeline and run nothing" },
	{ OPT_MAX, NULL },
};

static const struct cli_verb_opt check_opts[] = {
	{ OPT_TIMEOUT, "how long an address or a port may take to answer (default 2; 0.5 or 500ms)" },
	{ OPT_NO_MATRIX, "only the declared checks, not every node to every address" },
	{ OPT_TAP, "report as TAP (Test Anything Protocol) on standard output" },
	{ OPT_JUNIT, "also write a JUnit XML report to FILE, for CI" },
	{ OPT_JSON, "report as JSON: every pair probed and every check (docs/json.md)" },
	{ OPT_MAX, NULL },
};

static const struct cli_verb_opt capture_opts[] = {
	{ OPT_WRITE, "write pcap to FILE (created 0600; never through a symlink); -: standard output" },
	{ OPT_COUNT, "stop after N packets" },
	{ OPT_DURATION, "stop after T (10s, 500ms)" },
	{ OPT_QUIET, "say nothing on stderr but errors and dropped packets" },
	{ OPT_MAX, NULL },
};

static const struct cli_verb_opt graph_opts[] = {
	{ OPT_FORMAT, "dot (default), mermaid, or svg (through Graphviz's dot)" },
	{ OPT_MAX, NULL },
};

static const struct cli_verb_opt gen_opts[] = {
	{ OPT_NAME, "the lab's name (default: the shape's, such as ring5)" },
	{ OPT_KIND, "every node of this kind: container (the default) or netns (a network namespace only: much lighter, no isolation; docs/topology.md)" },
	{ OPT_MAX, NULL },
};

static const struct cli_verb_opt timeline_opts[] = {
	{ OPT_JSON, "as JSON lines: each entry as logged, with \"source\", \"time\" and \"t\" (seconds since the first)" },
	{ OPT_MAX, NULL },
};

static const struct cli_verb_opt fmt_opts[] = {
	{ OPT_JSON, "write JSON" },
	{ OPT_YAML, "write YAML" },
	{ OPT_MAX, NULL },
};

/* A command without options of its own (but --help). */
static const struct cli_verb_opt no_opts[] __attribute__((unused)) = {
	{ OPT_MAX, NULL },
};

#define NODE_FAULT(verb, kind, what)                                                             \
	{                                                                                        \
		.name = verb, .group = CLI_FAULTS, .args = "LAB NODE...", .min_args = 2,         \
		.max_args = -1, .run = cmd_node_fault, .arg = kind, .summary = what,             \
		.opts = act_opts, .root_for = faults,                                            \
	}

const struct cli_verb cli_verbs[] = {
	{ .name = "validate", .group = CLI_LABS, .args = "FILE", .min_args = 1, .max_args = 1,
	  .run = cmd_validate, .summary = "check a topology; exit 2 and say where it is wrong",
	  .opts = act_opts },
	{ .name = "fmt", .group = CLI_LABS, .args = "--json|--yaml FILE", .min_args = 1,
	  .max_args = 1, .run = cmd_fmt,
	  .summary = "a topology in JSON or YAML, from either (- reads\nstandard input)",
	  .usage = "--json|--yaml FILE",
	  .details = "Keys keep their order, with 2 spaces of indent; only the syntax is checked (validate checks the rest). YAML and JSON say the same: fmt --yaml then fmt --json gives the file's meaning back.\nExample: cboxlab fmt --yaml topologies/lan.json > lan.yaml",
	  .opts = fmt_opts },
	{ .name = "up", .group = CLI_LABS, .args = "FILE", .min_args = 1, .max_args = 1, .run = cmd_up,
	  .summary = "bring a lab up; returns when every node is ready", .opts = up_opts,
	  .details = "Needs root, but for --dry-run. A failure undoes everything it made. On a terminal, a line on stderr says how far it has got.\nExample: cboxlab up topologies/lan.json",
	  .progress = true },
	{ .name = "down", .group = CLI_LABS, .args = "LAB|FILE", .min_args = 1, .max_args = 1,
	  .run = cmd_down, .summary = "remove everything the lab made (idempotent)", .opts = down_opts,
	  .root_for = faults, .progress = true },
	{ .name = "status", .group = CLI_LABS, .args = "[LAB]", .min_args = 0, .max_args = 1,
	  .run = cmd_status, .summary = "nodes, PIDs, state, addresses, memory", .opts = json_opts,
	  .root_for = lab_files, .details = "Without LAB: every lab on this host." },
	{ .name = "ls", .group = CLI_LABS, .args = "", .min_args = 0, .max_args = 0, .run = cmd_ls,
	  .summary = "labs on this host", .opts = json_opts, .root_for = lab_files },
	{ .name = "images", .group = CLI_LABS, .args = "[prune]", .min_args = 0, .max_args = 1,
	  .run = cmd_images,
	  .summary = "the image cache: each layer, its size, the labs using it;\nprune: remove what no lab uses",
	  .details = "The cache is $CBOXLAB_CACHE, or " CBX_CACHE_ROOT_DEFAULT ". Its users are the labs of this state root.",
	  .opts = json_opts, .root_for = "the image cache (root's alone)" },
	{ .name = "exec", .group = CLI_NODES, .args = "LAB NODE [--] [CMD...]", .min_args = 2,
	  .max_args = -1, .run = cmd_exec,
	  .summary = "run CMD in the node (default: a shell with -it);\nexits with CMD's status",
	  .details = "Options come before LAB: what follows NODE is CMD's.", .opts = exec_opts,
	  .root_for = "the nodes' namespaces", .options_first = true },
	{ .name = "logs", .group = CLI_NODES, .args = "LAB NODE", .min_args = 2, .max_args = 2,
	  .run = cmd_logs, .summary = "the node's console: its init, startup command and syslog",
	  .opts = logs_opts, .root_for = lab_files },
	{ .name = "impair", .group = CLI_FAULTS, .args = "LAB [NODE:IFACE KEY=VALUE...|clear]",
	  .min_args = 1, .max_args = -1, .run = cmd_impair,
	  .summary = "delay=50ms jitter=10ms loss=2% duplicate=1%\ncorrupt=0.1% reorder=5% rate=10mbit; no args: show",
	  .details = "Replaces the interface's impairments; clear removes them.", .opts = act_opts,
	  .root_for = faults },
	{ .name = "link", .group = CLI_FAULTS, .args = "LAB down|up NODE:IFACE", .min_args = 3,
	  .max_args = 4, .run = cmd_link, .summary = "cut or restore a link (also: NODE NODE)",
	  .usage = "LAB down|up NODE:IFACE\nLAB down|up NODE NODE", .opts = act_opts,
	  .root_for = faults },
	{ .name = "partition", .group = CLI_FAULTS, .args = "LAB A,B C,D...", .min_args = 1,
	  .max_args = -1, .run = cmd_partition, .summary = "nodes in different groups cannot talk",
	  .usage = "LAB [--oneway] A,B C,D...\nLAB --grudge JSON|@FILE", .opts = partition_opts,
	  .root_for = faults },
	{ .name = "heal", .group = CLI_FAULTS, .args = "LAB", .min_args = 1, .max_args = 1,
	  .run = cmd_heal, .summary = "remove every partition (--all: every fault)",
	  .usage = "LAB [--all]", .opts = heal_opts, .root_for = faults },
	{ .name = "stop", .group = CLI_FAULTS, .args = "LAB NODE...", .min_args = 2, .max_args = -1,
	  .run = cmd_node_fault, .arg = LAB_FAULT_STOP,
	  .summary = "SIGTERM, then SIGKILL; netns and links stay", .opts = stop_opts,
	  .root_for = faults },
	{ .name = "start", .group = CLI_FAULTS, .args = "LAB NODE...", .min_args = 2,
	  .max_args = -1, .run = cmd_node_fault, .arg = LAB_FAULT_START,
	  .summary = "start a stopped node again", .opts = start_opts, .root_for = faults },
	{ .name = "restart", .group = CLI_FAULTS, .args = "LAB NODE...", .min_args = 2,
	  .max_args = -1, .run = cmd_node_fault, .arg = LAB_FAULT_RESTART,
	  .summary = "stop, then start", .opts = restart_opts, .root_for = faults },
	NODE_FAULT("kill", LAB_FAULT_KILL, "SIGKILL at once; netns and links stay"),
	NODE_FAULT("pause", LAB_FAULT_PAUSE, "freeze the node (the cgroup freezer)"),
	NODE_FAULT("resume", LAB_FAULT_RESUME, "thaw it"),
	{ .name = "fill", .group = CLI_FAULTS, .args = "LAB NODE...", .min_args = 2,
	  .max_args = -1, .run = cmd_node_fault, .arg = LAB_FAULT_FILL,
	  .summary = "the node's storage full: writes fail with ENOSPC\n(nodes with storage_size; --path DST: a volume)",
	  .usage = "LAB NODE...\nLAB NODE --path DST", .opts = fill_opts, .root_for = faults },
	{ .name = "unfill", .group = CLI_FAULTS, .args = "LAB NODE...", .min_args = 2,
	  .max_args = -1, .run = cmd_node_fault, .arg = LAB_FAULT_UNFILL,
	  .summary = "give the node's storage (--path: its volume) its size back",
	  .usage = "LAB NODE...\nLAB NODE --path DST", .opts = fill_opts, .root_for = faults },
	{ .name = "throttle", .group = CLI_FAULTS, .args = "LAB NODE KEY=VALUE...|clear",
	  .min_args = 3, .max_args = -1, .run = cmd_throttle,
	  .summary = "a slow disk: rbps=1M wbps=1M riops=100 wiops=100\n(storage disk, cgroup v2 io.max); clear removes it",
	  .details = "Replaces the node's disk limits.", .opts = no_opts, .root_for = faults },
	{ .name = "chaos", .group = CLI_FAULTS, .args = "LAB [PLAN.json]", .min_args = 1,
	  .max_args = 2, .run = cmd_chaos,
	  .summary = "a timed fault timeline, logged as JSON lines, always\nhealed at the end (nemeses: random-halves, isolate-one,\nmajorities-ring, bridge, flaky-links, pause-random,\nkill-random, disk-full-random, clock-skew-random)",
	  .usage = "LAB PLAN.json [--seed N] [--log FILE] [--dry-run]\nLAB --nemesis NAME --interval T --duration T [--nodes a,b] [--loss P] [--seed N]",
	  .opts = chaos_opts, .root_for = faults },
	{ .name = "check", .group = CLI_KIT, .args = "LAB [CHECKS.json]", .min_args = 1,
	  .max_args = 2, .run = cmd_check,
	  .summary = "who reaches whom (ICMP, IPv4 and IPv6), and the\nlab's checks; exit 1 when one fails",
	  .details = "Every node pings every address of every other node from inside its netns; a pair fails when the topology's routes lead there and back but no reply comes (faults in force show as failures). Then the checks: the topology's \"checks\", or CHECKS.json's (- reads standard input): reach, no-reach, tcp, udp, exec, route (docs/kit.md).\nExample: cboxlab check triangle --junit report.xml",
	  .opts = check_opts, .root_for = "the nodes' namespaces" },
	{ .name = "capture", .group = CLI_KIT, .args = "LAB NODE:IFACE|NETWORK [FILTER...]",
	  .min_args = 2, .max_args = -1, .run = cmd_capture,
	  .summary = "packets of a node's interface or a network's bridge\n(libpcap; FILTER as tcpdump's); -w FILE|- for pcap",
	  .details = "The capture runs on the host side, in the node's netns: nothing runs in the node. Without -w, a line per packet. Ctrl-C, -c or --duration ends it.\nExample: cboxlab capture triangle r1:eth1 -w - icmp | wireshark -k -i -",
	  .opts = capture_opts, .root_for = "the nodes' namespaces" },
	{ .name = "graph", .group = CLI_KIT, .args = "FILE|LAB", .min_args = 1, .max_args = 1,
	  .run = cmd_graph,
	  .summary = "draw a topology (a running lab: node states, faults)",
	  .details = "A FILE (or -) is drawn as written; a running LAB with each node's state and the faults in force: links down and impaired in red, partitions as dotted \"cut\" edges.\nExample: cboxlab graph triangle --format svg > triangle.svg",
	  .opts = graph_opts, .root_for = "a running lab's state" },
	{ .name = "gen", .group = CLI_KIT, .args = "SHAPE SIZE...", .min_args = 2, .max_args = 5,
	  .run = cmd_gen,
	  .summary = "print a routed topology: linear N, ring N, star N,\ntree DEPTH FANOUT, mesh N, clos SPINES LEAVES [HOSTS],\nfabric PODS SPINES LEAVES [HOSTS]",
	  .details = "Point-to-point links get a /30 each, host LANs a /24; nodes with one interface are hosts with a gateway, the others routers with a static route to every subnet along shortest paths (a clos's and a fabric's routes aggregate: leaves default to their first spine, a fabric's spines to their super-spine).\nExample: cboxlab gen ring 5 | cboxlab up -",
	  .opts = gen_opts },
	{ .name = "timeline", .group = CLI_FAULTS, .args = "LOG...", .min_args = 1, .max_args = -1,
	  .run = cmd_timeline,
	  .summary = "client histories and chaos event logs merged\nin time order (CLOCK_MONOTONIC)",
	  .details = "Each LOG is JSON lines: a chaos event log (--log), or a history of operations\n(\"type\": invoke, ok, fail or info; \"process\", \"f\", \"value\", \"time\" in\nnanoseconds of CLOCK_MONOTONIC; docs/testing-with-cboxlab.md). Entries of the\nsame time keep the order of the LOGs, then of their lines.",
	  .opts = timeline_opts },
	{ .name = NULL },
};
/* clang-format on */

const struct cli_verb *cli_verb_find(const char *name)
{
	for (const struct cli_verb *v = cli_verbs; v->name; v++)
		if (!strcmp(v->name, name))
			return v;
	return NULL;
}
