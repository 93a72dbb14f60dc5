/* libcboxlab: networking labs of real Linux nodes, as a library.
 *
 * The one header a program using cboxlab includes (the CLI is one; a Python
 * wrapper would be another). Everything declared here is exported and
 * named cbx_ or lab_; the rest of the library is hidden (make
 * check-symbols). Only types a caller can hold are here: no JSON, no
 * netlink, no cgroup layout.
 *
 * Every call that touches the labs' state takes a struct cbx_ctx: where that
 * state lives is the caller's to say, not fixed when cboxlab was built. */
#ifndef CBOXLAB_H
#define CBOXLAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>
#include <sys/types.h>

#include "common/error.h"
#include "common/lines.h"
#include "common/text.h"
#include "topo/topo.h"

/* Where the labs' state lives unless the caller says otherwise: a
 * directory of root's alone (0700), one tmpfs per lab in it, and the labs'
 * locks beside them. */
/* Everything declared below is exported (common/public.h). */
#pragma GCC visibility push(default)

#define CBX_STATE_ROOT_DEFAULT "/run/cboxlab"
/* systemd reaps at once; some inits every second or two. */
#define CBX_REAP_WAIT_MS_DEFAULT 3000
/* From this many host ends (the nodes' interfaces on networks) on, `down`
 * waits for the kernel to remove them before it deletes the bridges. At
 * 1,000 that cost 6% of a netns star's up and down; at 10,000 it saved
 * seconds (docs/performance.md). */
#define CBX_HOST_ENDS_FIRST_DEFAULT 4096
/* A state root is at most this long (a lab's paths are built on it). */
#define CBX_STATE_ROOT_MAX 128
/* Where nodes with "storage": "disk" keep their writable layers: a folder
 * per lab (<disk root>/<lab>/<node>), removed by `down`. */
#define CBX_DISK_ROOT_DEFAULT "/var/lib/cboxlab"

/* Where the image cache is unless the caller says otherwise (image/cache.h:
 * the layers of the images nodes are based on, unpacked once). */
#define CBX_CACHE_ROOT_DEFAULT "/var/lib/cboxlab/image-cache"

/* How far an `up` or a `down` has got: its plan's steps done of all, and
 * within the phase it is in (its name, as lab_phase_name gives it). */
struct cbx_progress {
	const char *phase;
	size_t phase_done, phase_steps;
	size_t done, total;
	bool undo; /* `down`, or a failed `up` undoing what it made */
};

struct cbx_ctx {
	char state_root[CBX_STATE_ROOT_MAX];
	char cache_root[CBX_STATE_ROOT_MAX];
	char disk_root[CBX_STATE_ROOT_MAX];
	/* How long `down` waits for the host's init to reap the node inits it
	 * killed (lab/reap_watch.c). */
	long reap_wait_ms;
	/* A lab of this many host ends or more: `down` waits for them before
	 * it deletes the bridges (lab/steps_node.c). */
	size_t host_ends_first;
	/* Told, when not NULL, as `up` and `down` go: at each phase's start
	 * and end, and as nodes are cloned, configured and become ready. It is
	 * called often (a lab of N nodes: several N times) and keeps its own
	 * pace; it must not call the library. */
	void (*progress)(void *arg, const struct cbx_progress *p);
	void *progress_arg;
};

/* The defaults, and $CBOXLAB_STATE_ROOT as the state root when it is set:
 * tests, or a second user of one host, can have labs of their own;
 * $CBOXLAB_CACHE the image cache's root and $CBOXLAB_DISK_ROOT the disk
 * root, likewise; $CBOXLAB_REAP_WAIT_MS down's wait for reaping
 * (CBX_REAP_WAIT_MS_DEFAULT); $CBOXLAB_HOST_ENDS_FIRST the lab size from
 * which down waits for its host ends first (CBX_HOST_ENDS_FIRST_DEFAULT:
 * tests set it low, to run that path with a few hundred nodes). */
int cbx_ctx_init(struct cbx_ctx *ctx, struct cbx_error *err);
/* Another state root: an absolute path, without a trailing '/'. */
int cbx_ctx_set_state_root(struct cbx_ctx *ctx, const char *dir, struct cbx_error *err);

/* --- up and down ----------------------------------------------------------- */

/* A lab is a plan of steps in phases (state, cgroups, networks, nodes ...);
 * phase k's name, for timings, or NULL past the last. */
#define LAB_PHASE_MAX 16
const char *lab_phase_name(unsigned k);

#define LAB_WARNINGS_MAX 8

struct lab_up_report {
	double seconds;
	uint64_t phase_us[LAB_PHASE_MAX]; /* time in each phase */
	/* The nodes' mounts were copied without the host's netns pins, of
	 * which there were at least this many (runtime/mntns.h); 0: not. */
	size_t pins_left_out;
	pid_t *pids;                            /* per node, malloc'd */
	const char *warnings[LAB_WARNINGS_MAX]; /* copies, freed with the report */
	size_t n_warnings;
};

/* Bring a loaded topology up; `text` is the file's content, saved so that
 * `down` can rebuild the same plan. Returns when every node is ready. Needs
 * root. */
int lab_up(const struct cbx_ctx *cbx, const struct cbx_topo *t, const char *text, size_t len,
	   struct lab_up_report *rep, struct cbx_error *err);
void lab_up_report_free(struct lab_up_report *rep);

/* What `up` would do, without doing it: what it would refuse on this host
 * (read only: no root needed), then its plan, each step with its undo. */
struct plan;
int lab_plan_check(const struct cbx_ctx *cbx, const struct cbx_topo *t, struct plan **out,
		   struct cbx_error *err);
size_t lab_plan_size(const struct plan *p);
/* What step i does (undo false), or what its undo does. */
void lab_plan_describe(const struct plan *p, size_t i, bool undo, char *buf, size_t size);
void lab_plan_free(struct plan *p);

struct lab_down_result {
	char lab[CBX_LAB_NAME_MAX + 1];   /* the lab's name */
	bool was_up;                      /* false: nothing of it was there */
	uint64_t phase_us[LAB_PHASE_MAX]; /* time in each phase's undo */
	/* Node inits killed that the host's init (their parent once `up` has
	 * exited) had not reaped within cbx->reap_wait_ms: zombies, which hold
	 * nothing but their PID. */
	size_t unreaped;
};

/* Bring a lab down by name, or by the file that names it. Idempotent: a
 * lab that is not up is success (was_up false). */
int lab_down(const struct cbx_ctx *cbx, const char *lab_or_file, struct lab_down_result *res,
	     struct cbx_error *err);

/* --- what is up ---------------------------------------------------------- */

/* The topology a running lab was brought up with. */
int lab_load_saved(const struct cbx_ctx *cbx, const char *lab, struct cbx_topo **t,
		   struct cbx_error *err);
/* Names of the labs with state in the state root (sorted, malloc'd). */
int lab_list(const struct cbx_ctx *cbx, char ***names, size_t *n, struct cbx_error *err);
void lab_list_free(char **names, size_t n);
/* "up", or "incomplete" (an `up` still running, failed or killed). */
const char *lab_state(const struct cbx_ctx *cbx, const char *lab);

enum lab_node_state {
	LAB_NODE_STOPPED,
	LAB_NODE_RUNNING,
	LAB_NODE_PAUSED,
	LAB_NODE_STATE_MAX
};

/* What became of a node's startup command (its init's word: the node's
 * fate file, runtime/node_fate.h, and its cgroup's OOM kills). */
enum lab_command_state {
	LAB_COMMAND_NONE, /* no command, or the node never started it */
	LAB_COMMAND_RUNNING,
	LAB_COMMAND_EXITED,
	LAB_COMMAND_KILLED,
	LAB_COMMAND_OOM_KILLED, /* SIGKILL, from the OOM killer of its memory limit */
	LAB_COMMAND_STATE_MAX
};

struct lab_command_status {
	enum lab_command_state state;
	int code;         /* EXITED: its exit status; KILLED: the signal */
	int64_t since_ms; /* when it started or ended, in ms since the epoch */
	uint32_t restarts;
};

struct lab_node_status {
	pid_t pid; /* its init's; 0 when it is not running */
	enum lab_node_state state;
	int64_t memory; /* bytes in use, -1 unknown */
	struct lab_command_status command;
};

/* A fault in force, as a program reads it (`status --json`). */
enum lab_in_force_kind {
	LAB_IN_FORCE_IMPAIR,    /* node, iface; items: "key=value" each */
	LAB_IN_FORCE_PARTITION, /* node drops the packets of items' nodes */
	LAB_IN_FORCE_LINK_DOWN, /* node, iface */
	LAB_IN_FORCE_STOPPED,   /* node */
	LAB_IN_FORCE_PAUSED,    /* node */
	/* node: its storage is full (`fill`); items: its volume's DST, when
	 * the full one is a volume (`fill --path`) */
	LAB_IN_FORCE_DISK_FULL,
	LAB_IN_FORCE_CLOCK_SKEW, /* node; items: its skew, "+300s" (not the topology's) */
	LAB_IN_FORCE_DISK_SLOW,  /* node; items: "key=value" each (io.max) */
	LAB_IN_FORCE_KIND_MAX
};

struct lab_in_force {
	enum lab_in_force_kind kind;
	char *node;
	char *iface; /* NULL but for impair and link-down */
	struct cbx_lines items;
};

struct lab_in_force_list {
	struct lab_in_force *v;
	size_t n;
};

/* "impair", "partition", "link-down", "stopped", "paused" */
const char *lab_in_force_kind_name(enum lab_in_force_kind k);

struct lab_status {
	const char *state;                 /* "up", or "incomplete" (lab_state) */
	struct lab_node_status *nodes;     /* indexed like t->nodes; NULL without t */
	struct cbx_lines faults;           /* every fault in force, one line each */
	struct lab_in_force_list in_force; /* the same faults, as data */
	/* The lab's processes now and their bound (the top level's
	 * limits.pids, or the default); -1 when unknown (no container node,
	 * no pids cgroup); max -1 also for no bound. */
	int64_t processes, processes_max;
};

/* "running", "paused", "stopped" */
const char *lab_node_state_name(enum lab_node_state s);
/* "none", "running", "exited", "killed", "OOM-killed" */
const char *lab_command_state_name(enum lab_command_state s);
/* A lab's state, its nodes' (t: its saved topology; NULL: unknown, the
 * lab's state only) and the faults in force, read without its lock. */
int lab_status(const struct cbx_ctx *cbx, const char *lab, const struct cbx_topo *t,
	       struct lab_status *st, struct cbx_error *err);
void lab_status_free(struct lab_status *st);

/* --- the image cache (cbx->cache_root) ------------------------------------ */

/* A layer in the cache, and who uses it: the labs of cbx's state root
 * whose nodes' images have it. */
struct lab_cached_layer {
	char digest[80]; /* "sha256:<hex>" */
	uint64_t bytes;  /* unpacked */
	char **labs;     /* sorted */
	size_t n_labs;
	char **images; /* as the labs' files name them: "oci:/x:v1" */
	size_t n_images;
};
/* Every layer in the cache (none when there is no cache). */
int lab_cache_list(const struct cbx_ctx *cbx, struct lab_cached_layer **out, size_t *n,
		   struct cbx_error *err);
void lab_cache_list_free(struct lab_cached_layer *l, size_t n);
/* Remove every layer no lab uses (waiting for an `up` still unpacking or
 * not yet recording what it uses), and what a crash left half-made. */
int lab_cache_prune(const struct cbx_ctx *cbx, size_t *removed, uint64_t *bytes, size_t *kept,
		    struct cbx_error *err);

/* --- names as users write them ------------------------------------------ */

/* "node", "node:iface", and the link between two nodes (they must share a
 * point-to-point link); errors say what is wrong (CBX_ERR_INPUT). */
int lab_find_node(const struct cbx_topo *t, const char *name, const struct cbx_node **out,
		  struct cbx_error *err);
int lab_find_iface(const struct cbx_topo *t, const char *spec, const struct cbx_iface **out,
		   struct cbx_error *err);
int lab_find_link_between(const struct cbx_topo *t, const struct cbx_node *a,
			  const struct cbx_node *b, const struct cbx_iface **out,
			  struct cbx_error *err);

/* --- inside a node ------------------------------------------------------ */

struct lab_exec {
	const struct cbx_node *node; /* of the lab's saved topology */
	char *const *argv;           /* the command; NULL: a shell (/bin/sh) */
	bool tty;                    /* a terminal of the node's own, relayed to ours */
	int out_fd;                  /* > 2: where CMD writes (stdout and stderr); else ours */
	int timeout_ms;              /* > 0: CMD is stopped past it (CBX_ERR_STATE) */
};

/* Run a command in a running node as if it had been started there (its
 * cgroups, namespaces, root, capabilities and seccomp filter; see
 * runtime/node_exec.h) and wait for it. *status: its exit status, or 128 +
 * the signal that killed it. A stopped or paused node is refused
 * (CBX_ERR_STATE): a paused one would freeze the command, and us with it. */
int lab_exec(const struct cbx_ctx *cbx, const struct cbx_topo *t, const struct lab_exec *x,
	     int *status, struct cbx_error *err);

/* The node's console log (its init's and command's output), opened for
 * reading; -1 (CBX_ERR_STATE) when it has none. */
int lab_node_log_open(const struct cbx_ctx *cbx, const struct cbx_topo *t, const struct cbx_node *n,
		      struct cbx_error *err);
/* Is fd (from lab_node_log_open) still the node's log: the lab is up, and
 * not a later `up` of the same name? For `logs -f`, to end with the lab. */
bool lab_node_log_current(const struct cbx_ctx *cbx, const struct cbx_topo *t,
			  const struct cbx_node *n, int fd);

/* --- check: does the lab do what it should (src/kit) -------------------- */

/* Does the topology route `dst` from node `from`, and the reply back: its
 * routes followed hop by hop (forwarding where a node's sysctls turn it on),
 * without touching the system. */
bool lab_reach_expected(const struct cbx_topo *t, const struct cbx_node *from,
			const struct cbx_ip *dst);

/* One pair of the matrix: node from, an address of node to. */
struct lab_reach_pair {
	const struct cbx_node *from, *to;
	struct cbx_ip addr;
	bool expected; /* lab_reach_expected */
	bool reached;  /* an echo reply came back */
	double rtt_ms;
};

struct lab_check_result {
	const struct cbx_check *check;
	bool ok;
	char detail[768]; /* what was seen: why it failed, or how it held */
};

struct lab_check_opts {
	int timeout_ms; /* how long an address may take to answer */
	bool matrix;    /* every node to every address of every other node */
	bool checks;    /* the topology's checks (t->checks) */
};

struct lab_check_report {
	struct lab_reach_pair *pairs; /* malloc'd */
	size_t n_pairs;
	struct lab_check_result *results; /* malloc'd, like t->checks */
	size_t n_results;
	size_t failed; /* expected pairs unreached, checks that do not hold */
	double seconds;
	/* Why pairs may fail that have nothing wrong with them (the host's
	 * neighbour tables too small for the lab), or "". */
	char warning[256];
};

/* Probe a running lab: its matrix, from inside each node's netns at once
 * (ICMP echo, IPv4 and IPv6), then its checks. Faults in force show as
 * they are: a partition's cut pairs do not reach. */
int lab_check(const struct cbx_ctx *cbx, const struct cbx_topo *t, const struct lab_check_opts *o,
	      struct lab_check_report *rep, struct cbx_error *err);
void lab_check_report_free(struct lab_check_report *rep);

/* --- capture: a node's packets (src/kit) ---------------------------------- */

struct lab_capture {
	/* "NODE:IFACE" (captured inside the node's netns), or a network's
	 * name (its bridge, on the host: every member's frames). */
	const char *target;
	const char *filter;       /* a BPF expression as tcpdump takes it; NULL: all */
	FILE *out;                /* pcap to here (lab_capture_open_output); NULL: to `packet` */
	bool flush;               /* each packet written out at once (a pipe's reader waits) */
	uint64_t count;           /* stop after this many; 0: no limit */
	uint64_t duration_us;     /* stop after this long; 0: no limit */
	const volatile int *stop; /* the caller's flag (a signal's handler sets it) */
	/* Called once the capture is on (packets sent from then are seen),
	 * and, without `out`, for each packet. */
	void (*started)(void *arg, const char *where);
	void (*packet)(void *arg, const struct timeval *ts, const uint8_t *data, uint32_t caplen,
		       uint32_t len);
	void *arg;
};

struct lab_capture_report {
	uint64_t packets;  /* captured (and written) */
	uint64_t dropped;  /* by the kernel: the reader was too slow */
	bool write_failed; /* the output closed (a pipe's reader went) */
};

/* Capture on a running lab's interface. The socket is opened in the node's
 * netns from the host side; nothing runs in the node, and the node gains no
 * way out. */
int lab_capture_run(const struct cbx_ctx *cbx, const struct cbx_topo *t,
		    const struct lab_capture *c, struct lab_capture_report *rep,
		    struct cbx_error *err);
/* The pcap file to write: "-" is standard output; a path is created (0600:
 * packets hold secrets) or truncated, but never through a symbolic link, and
 * only a regular file or a FIFO. */
int lab_capture_open_output(const char *path, FILE **out, struct cbx_error *err);
/* One line for a frame: "IPv4 10.0.0.1 > 10.0.0.2 ICMP echo request",
 * "ARP who-has 10.0.0.2 tell 10.0.0.1", "IPv6 ... TCP 80 > 4242". */
void lab_packet_describe(const uint8_t *data, uint32_t caplen, char *buf, size_t size);

/* --- grudges: who drops whose packets (lab/grudge.c) --------------------- */

/* drops[i * n + j]: node i drops what node j sends (Jepsen's general form
 * of a partition). */
struct lab_grudge {
	size_t n;
	bool *drops;
};

int lab_grudge_init(struct lab_grudge *g, size_t n_nodes, struct cbx_error *err);
void lab_grudge_free(struct lab_grudge *g);
bool lab_grudge_empty(const struct lab_grudge *g);
/* Nodes in different groups drop each other; group_of[i] < 0: in none.
 * oneway (two groups): only group 1 drops what group 0 sends, so traffic
 * from group 0 to group 1 is cut and the other direction flows. */
void lab_grudge_from_groups(struct lab_grudge *g, const int *group_of, bool oneway);
/* Groups of node names, a member at a time: start checks their number, add
 * puts node `name` in group k (each node in one group at most), finish makes
 * the grudge when rc is 0 and returns rc. */
struct lab_grudge_groups {
	const struct cbx_topo *t;
	int *group_of;
	bool oneway;
};
int lab_grudge_groups_start(struct lab_grudge_groups *gs, const struct cbx_topo *t, size_t n,
			    bool oneway, struct cbx_error *err);
int lab_grudge_groups_add(struct lab_grudge_groups *gs, const char *name, size_t k,
			  struct cbx_error *err);
int lab_grudge_groups_finish(struct lab_grudge_groups *gs, struct lab_grudge *g, int rc);
/* The groups as the command line gives them: "a,b" "c,d,e". */
int lab_grudge_parse_groups(struct lab_grudge *g, const struct cbx_topo *t, char *const *groups,
			    size_t n, bool oneway, struct cbx_error *err);
/* JSON text {"a": ["c"], "c": ["a", "b"]}: node -> nodes whose packets it
 * drops. `what` starts its messages (a JSON path). */
int lab_grudge_parse_text(struct lab_grudge *g, const struct cbx_topo *t, const char *text,
			  const char *what, struct cbx_error *err);
/* The same from `partition --grudge`: JSON text, or @FILE. */
int lab_grudge_load(struct lab_grudge *g, const struct cbx_topo *t, const char *arg,
		    struct cbx_error *err);
/* "c drops a,b; a drops c" */
void lab_grudge_describe(const struct lab_grudge *g, const struct cbx_topo *t, char *buf,
			 size_t size);

/* --- faults: what a running lab is put through --------------------------- */

/* One kind of fault operation, applied by lab_fault_apply for the CLI's
 * commands and for chaos timelines alike. */
enum lab_fault_kind {
	LAB_FAULT_PARTITION, /* replace the partition in force with op.grudge */
	LAB_FAULT_HEAL,      /* remove every partition, and nothing else */
	LAB_FAULT_IMPAIR,    /* replace op.iface's impairments with op.impair */
	LAB_FAULT_CLEAR,     /* remove op.iface's impairments */
	LAB_FAULT_LINK_DOWN, /* cut op.iface's link, keeping it (carrier off) */
	LAB_FAULT_LINK_UP,   /* restore it */
	LAB_FAULT_PAUSE,     /* freeze op.node (the cgroup freezer) */
	LAB_FAULT_RESUME,    /* thaw it */
	LAB_FAULT_STOP,      /* SIGTERM to op.node, SIGKILL after op.grace_ms */
	LAB_FAULT_START,     /* start a stopped op.node again */
	LAB_FAULT_RESTART,   /* stop, then start */
	LAB_FAULT_KILL,      /* SIGKILL at once */
	LAB_FAULT_FILL,      /* op.node's storage (op.path: volume) full: ENOSPC */
	LAB_FAULT_UNFILL,    /* its size back */
	/* restart op.node with its wall clock op.clock_skew_us off the
	 * host's (libfaketime) */
	LAB_FAULT_CLOCK_SKEW,
	LAB_FAULT_THROTTLE,   /* op.node's disk I/O limited to op.io (cgroup v2 io.max) */
	LAB_FAULT_UNTHROTTLE, /* no limit */
	LAB_FAULT_HEAL_ALL,   /* undo every fault (lab_fault_clear_all) */
	LAB_FAULT_KIND_MAX
};

/* A slow disk: io.max's limits per second (0: none). */
struct lab_io_max {
	uint64_t rbps, wbps, riops, wiops;
};
/* Set one from "wbps" and "1M" ("riops", "100"); false and why otherwise. */
bool lab_io_max_set(struct lab_io_max *io, const char *key, const char *value, const char **why);
bool lab_io_max_is_set(const struct lab_io_max *io);
/* "rbps=1048576 wiops=100": the limits set. */
void lab_io_max_format(const struct lab_io_max *io, char *buf, size_t size);

struct lab_fault_op {
	enum lab_fault_kind kind;
	struct lab_grudge grudge;      /* partition (the op's maker frees it) */
	const struct cbx_iface *iface; /* impair, clear, link-down, link-up */
	struct cbx_impair impair;      /* impair */
	const struct cbx_node *node;   /* pause ... kill */
	int grace_ms;                  /* stop, restart: 0 kills at once */
	/* start, restart: the node's clock offset this time, not the
	 * topology's "clock_offset" (when set_clock). */
	bool set_clock;
	int64_t clock_offset_us;
	/* start, restart, clock-skew: the node's wall-clock skew this time,
	 * not the topology's "clock_skew" (when set_skew). */
	bool set_skew;
	int64_t clock_skew_us;
	struct lab_io_max io; /* throttle */
	/* fill, unfill: the node's volume at this DST ("volumes"); NULL: its
	 * storage ("storage_size"). */
	const char *path;
};

/* "link-down": how plans and event logs name a kind; and back (false for
 * no such kind). */
const char *lab_fault_kind_name(enum lab_fault_kind k);
bool lab_fault_kind_from_name(const char *name, enum lab_fault_kind *k);
/* Does the kind remove a fault (heal, clear, link-up, resume, start)? */
bool lab_fault_removes(enum lab_fault_kind k);
/* "partition: c drops a,b", "impair a:eth0 loss=30%", "pause c"... */
void lab_fault_describe(const struct cbx_topo *t, const struct lab_fault_op *op, char *buf,
			size_t size);

/* Netlink sockets kept from one run to the next (a chaos run's steps):
 * the host's nftables socket stays open until lab_fault_conns_free, and
 * the nodes' are closed on a thread of their own once their step is done.
 * Closing an nftables socket waits for an RCU grace period after its last
 * transaction (lab_ctx.h, lab_nft_park): 8-16 ms that every step of a run
 * paid, so that impairments due at once ran late. */
struct lab_fault_conns;
struct lab_fault_conns *lab_fault_conns_new(void);
void lab_fault_conns_free(struct lab_fault_conns *keep);

/* A running lab opened for faults: its topology, its lock (held until
 * closed: `up`, `down` and fault commands of one lab do not interleave) and
 * its fault record. t: the saved topology when the caller has it loaded
 * (borrowed); NULL: loaded here. keep: sockets to use and give back at
 * close (NULL: its own, closed then). */
struct lab_faults;
int lab_faults_open(const struct cbx_ctx *cbx, const char *lab, const struct cbx_topo *t,
		    struct lab_fault_conns *keep, struct lab_faults **out, struct cbx_error *err);
/* Write the record back if it changed, release the lock, free. */
int lab_faults_close(struct lab_faults *fl, struct cbx_error *err);
/* Open, fn, close; the first error is the one reported. */
typedef int (*lab_faults_fn)(struct lab_faults *fl, void *arg, struct cbx_error *err);
int lab_faults_run(const struct cbx_ctx *cbx, const char *lab, const struct cbx_topo *t,
		   lab_faults_fn fn, void *arg, struct cbx_error *err);
/* lab_faults_run with keep's sockets (NULL: its own, closed at its end). */
int lab_faults_run_keeping(const struct cbx_ctx *cbx, const char *lab, const struct cbx_topo *t,
			   struct lab_fault_conns *keep, lab_faults_fn fn, void *arg,
			   struct cbx_error *err);
const struct cbx_topo *lab_faults_topo(const struct lab_faults *fl);

/* Apply one fault, and record it. */
int lab_fault_apply(struct lab_faults *fl, const struct lab_fault_op *op, struct cbx_error *err);
/* Undo every fault: heal, impairments back to the topology's own, links
 * up, nodes resumed and started, disks unfilled and unthrottled, clocks
 * back to the topology's. Every step is tried; the first failure is
 * reported. Chaos runs end with this, and `heal --all` is this. */
int lab_fault_clear_all(struct lab_faults *fl, struct cbx_error *err);

/* The impairments in force, as the record has them (`impair LAB`). */
struct lab_impairment {
	char iface[CBX_NODE_NAME_MAX + CBX_IFNAMSIZ + 2]; /* "node:iface" */
	char text[256];                                   /* "delay=50ms loss=2%" */
};
int lab_faults_impairments(const struct lab_faults *fl, struct lab_impairment **out, size_t *n,
			   struct cbx_error *err);

/* The faults in force as data (for drawings): the partition, and per
 * interface (indexed like t->ifaces) its link's state and impairments.
 * Read without the lab's lock, as status reads them. */
struct lab_fault_view {
	struct lab_grudge partition; /* drops[i * n + j]: node i drops node j's */
	bool *link_down;
	struct cbx_impair *impair;
};
int lab_fault_view(const struct cbx_ctx *cbx, const char *lab, const struct cbx_topo *t,
		   struct lab_fault_view *v, struct cbx_error *err);
void lab_fault_view_free(struct lab_fault_view *v);

/* --- graph: a lab drawn (src/kit) ------------------------------------------ */

enum lab_graph_format {
	LAB_GRAPH_DOT,     /* Graphviz */
	LAB_GRAPH_MERMAID, /* Markdown's diagrams (GitHub, GitLab) */
};

/* A running lab's: each node's state (indexed like t->nodes) and the
 * faults in force. */
struct lab_graph_state {
	const struct lab_node_status *nodes;
	const struct lab_fault_view *faults;
};

/* The drawing's text (malloc'd, *len bytes); st NULL: the file alone. */
int lab_graph(const struct cbx_topo *t, const struct lab_graph_state *st, enum lab_graph_format fmt,
	      char **out, size_t *len, struct cbx_error *err);

/* --- gen: topologies of the usual shapes (src/kit) ------------------------ */

/* "linear N | ring N | ...": the shapes and their sizes. */
const char *lab_gen_usage(void);
/* A routed topology of shape `shape` and sizes args (as the usage says), as
 * JSON text (malloc'd) that `up` takes; name NULL: one made of the shape
 * ("ring5"); kind non-NULL: every node of that kind ("defaults"), such as
 * "netns". Bad shapes, sizes or kinds are CBX_ERR_INPUT. */
int lab_gen(const char *shape, const unsigned *args, size_t n_args, const char *name,
	    const char *kind, char **out, struct cbx_error *err);

/* --- chaos: fault timelines (src/chaos) ----------------------------------- */

struct chaos_plan;

/* A seed for a generated plan when the caller has none (the clock and the
 * PID); the run logs it, so that the run can be replayed. */
uint64_t cbx_chaos_seed(void);
/* A plan file: hand-written steps, or a nemesis's settings generated with
 * `seed`. Checked whole: nothing runs from a plan with a mistake. */
int cbx_chaos_plan_load(const struct cbx_topo *t, const char *path, uint64_t seed,
			struct chaos_plan **out, struct cbx_error *err);
/* A nemesis from the command line's settings (NULL: not given): name,
 * interval and duration ("10s"), the nodes ("a,b"; NULL: every node) and
 * flaky-links's loss ("20%"). */
struct cbx_nemesis_args {
	const char *name, *interval, *duration, *nodes, *loss;
};
int cbx_chaos_plan_nemesis(const struct cbx_topo *t, const struct cbx_nemesis_args *a,
			   uint64_t seed, struct chaos_plan **out, struct cbx_error *err);
/* The schedule, one step a line (`chaos --dry-run`). */
void cbx_chaos_plan_print(const struct chaos_plan *p, FILE *out);
/* Run it on lab `lab` (the plan's topology is its saved one): each step at
 * its time, logged to `log` as JSON lines (NULL: no log), then everything
 * healed, also when a signal (SIGINT, SIGTERM, SIGHUP) ends the run early
 * (*interrupted). */
int cbx_chaos_run(const struct cbx_ctx *cbx, const char *lab, const struct chaos_plan *p, FILE *log,
		  bool *interrupted, struct cbx_error *err);
void cbx_chaos_plan_free(struct chaos_plan *p);

/* --- timelines: histories and fault logs merged (src/chaos/timeline.c) --- */

enum cbx_timeline_kind {
	CBX_TIMELINE_FAULT, /* a chaos event: "event", at "monotonic_ns" */
	CBX_TIMELINE_OP,    /* a history operation: "type", at "time" */
};

/* One line of a log, on CLOCK_MONOTONIC in nanoseconds. */
struct cbx_timeline_entry {
	int64_t time_ns;
	size_t source; /* which log: the caller's index */
	size_t line;   /* 1-based, in its log */
	enum cbx_timeline_kind kind;
	char *text; /* the line, as read */
};

struct cbx_timeline {
	struct cbx_timeline_entry *v;
	size_t n;
};

/* Add one line of log `source` (CBX_ERR_INPUT when it is not an event or
 * an operation with its time), or every line of a file. */
int cbx_chaos_timeline_add_line(struct cbx_timeline *tl, size_t source, size_t line,
				const char *text, struct cbx_error *err);
int cbx_chaos_timeline_add_file(struct cbx_timeline *tl, size_t source, const char *path,
				struct cbx_error *err);
/* Order by time; ties by source, then line. */
void cbx_chaos_timeline_sort(struct cbx_timeline *tl);
/* "fault apply: partition: a drops b", "p0 invoke write 3". */
void cbx_chaos_timeline_describe(const struct cbx_timeline_entry *e, char *buf, size_t size);
/* The line as one compact JSON object, with "source", "time" (ns) and "t"
 * (seconds since t0_ns) added; malloc'd, NULL when out of memory. */
char *cbx_chaos_timeline_json(const struct cbx_timeline_entry *e, const char *source,
			      int64_t t0_ns);
void cbx_chaos_timeline_free(struct cbx_timeline *tl);

#pragma GCC visibility pop

#endif
