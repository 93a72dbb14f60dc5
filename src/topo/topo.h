/* The topology: what a lab file says, checked and resolved.
 *
 * cbx_topo_load() reads a JSON file, checks it (syntax with line and column,
 * semantics with the JSON path of the offending value) and resolves
 * everything `up` needs: references between nodes, networks and links,
 * addresses (explicit or allocated from the subnets, deterministically),
 * MAC addresses, host-side interface names, routes and limits. The same file
 * always resolves to the same lab. Nothing here touches the system.
 */
#ifndef CBX_TOPO_H
#define CBX_TOPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/ipaddr.h"
#include "common/public.h"
#include "common/strmap.h"

#define CBX_IFNAMSIZ 16      /* the kernel's IFNAMSIZ, with the NUL */
#define CBX_LAB_NAME_MAX 32  /* see cbx_lab_name_problem */
#define CBX_NODE_NAME_MAX 63 /* a hostname label */
/* The longest path, with its NUL, that a node's setup builds on: a "base"
 * directory, the node's state directory, the lab's hosts file. Small on
 * purpose: cboxlab-init builds its paths on its stack, and every page of
 * stack its setup dirties stays with the idle node for its whole life. */
#define CBX_NODE_PATH_MAX 512
#define CBX_IFACE_ADDRS_MAX 8
#define CBX_MIN_MEMORY (4u << 20)
/* "userns": true maps a node's ids 0..65535 to the host's from here: far
 * above the ranges useradd hands out in /etc/subuid (100000 up). */
#define CBX_USERNS_DEFAULT_START 1000000000u
#define CBX_USERNS_DEFAULT_COUNT 65536u
/* A node's command and environment are exec'd (by its init): the kernel
 * takes each string up to MAX_ARG_STRLEN (128 KiB, with its NUL), and all of
 * them with their pointers up to a quarter of the stack limit (2 MiB under
 * the usual 8 MiB; 128 KiB at least). cboxlab keeps to 1 MiB in all, which
 * leaves room for its own few (PATH, HOSTNAME...). */
#define CBX_EXEC_STRING_MAX (128u << 10)
#define CBX_EXEC_TOTAL_MAX (1u << 20)
/* A Linux bridge numbers its ports 1 to 1023 (BR_MAX_PORTS - 1). */
#define CBX_BRIDGE_PORTS_MAX 1023

struct cbx_node;
struct cbx_network;
struct cbx_link;

struct cbx_limits {
	uint64_t memory;    /* bytes; 0 = no limit */
	uint32_t cpu_milli; /* thousandths of a CPU; 0 = no limit */
	uint32_t pids;      /* 0 = no limit */
};

/* Link impairments (netem, tbf). Percentages are 0..100. */
struct cbx_impair {
	uint64_t delay_us, jitter_us;
	double loss, duplicate, corrupt, reorder;
	uint64_t rate_bps; /* bits per second; 0 = no limit */
};

static inline bool cbx_impair_is_set(const struct cbx_impair *im)
{
	return im->delay_us || im->jitter_us || im->loss > 0 || im->duplicate > 0 ||
	       im->corrupt > 0 || im->reorder > 0 || im->rate_bps;
}

enum cbx_base_kind {
	CBX_BASE_BUSYBOX, /* the tiny rootfs built from the host's static busybox */
	CBX_BASE_HOST,    /* the host's programs read-only, private /etc /var /run /tmp /root */
	CBX_BASE_DIR,     /* a directory given by the user, used as the overlay's lower layer */
	CBX_BASE_MAX
};

/* Where a base's lower layer is. */
enum cbx_base_lower {
	CBX_LOWER_NONE,   /* none: the node's root is not an overlay */
	CBX_LOWER_ROOTFS, /* the default rootfs `make` builds, in the library directory */
	CBX_LOWER_PATH,   /* the directory the file names (cbx_node.base_dir) */
};

/* How the node's init builds its root from it (runtime/rootfs.c). */
enum cbx_base_root {
	CBX_ROOT_OVERLAY, /* a writable overlay over the lower layer */
	CBX_ROOT_HOST,    /* the host's own directories read-only, /etc and /var
			   * overlaid under the lab's mask (runtime/host_mask.h) */
};

/* One kind of base: the one table every layer reads a kind from, the file's
 * word for it (parse_nodes.c), the plan's, where `up` finds its lower layer
 * (lab/node_proc.c) and how init builds the root (runtime/rootfs.c). A new
 * kind is a row here and the code of what is new about it. */
struct cbx_base_info {
	const char *word;  /* "base": "busybox"; NULL: an absolute path */
	const char *shown; /* in the plan: "busybox rootfs" */
	enum cbx_base_lower lower;
	enum cbx_base_root root;
};

/* Indexed by enum cbx_base_kind. */
extern const struct cbx_base_info cbx_base_kinds[CBX_BASE_MAX];

struct cbx_kv {
	char *key;
	char *value;
};

struct cbx_iface {
	char name[CBX_IFNAMSIZ];
	struct cbx_node *node;
	struct cbx_network *network; /* attached to an L2 network, or */
	struct cbx_link *link;       /* one end of a point-to-point link */
	struct cbx_prefix addrs[CBX_IFACE_ADDRS_MAX];
	unsigned n_addrs;
	uint8_t mac[6];
	uint32_t mtu;
	int ifindex; /* in the node's netns: fixed by cboxlab, so no lookups are needed */
	/* The host end of a network interface's veth pair. */
	char host_name[CBX_IFNAMSIZ];
	uint8_t host_mac[6];
	struct cbx_impair impair;
	size_t index; /* in topo->ifaces */
	char *path;   /* JSON path, for messages */
};

struct cbx_route {
	struct cbx_prefix dst; /* len 0: default route */
	struct cbx_ip via;     /* family 0: on-link through dev */
	struct cbx_iface *dev; /* NULL: the kernel picks it from via */
	uint32_t metric;
	char *path;
};

struct cbx_publish {
	uint16_t host_port, node_port;
	uint8_t proto; /* IPPROTO_TCP or IPPROTO_UDP */
	struct cbx_node *node;
	struct cbx_ip addr; /* the node's IPv4 address on a network with a host gateway */
	char *path;
};

struct cbx_node {
	char *name;
	size_t index;
	enum cbx_base_kind base;
	char *base_dir; /* CBX_BASE_DIR only */
	struct cbx_iface **ifaces;
	size_t n_ifaces;
	struct cbx_route *routes;
	size_t n_routes;
	struct cbx_kv *sysctls;
	size_t n_sysctls;
	struct cbx_kv *env;
	size_t n_env;
	char **cmd; /* NULL-terminated argv; NULL: no startup command */
	struct cbx_limits limits;
	bool privileged;
	/* Capabilities (bit n: capability n) added to or dropped from the
	 * default set (runtime/caps.h). */
	uint64_t cap_add, cap_drop;
	bool seccomp_off; /* "seccomp": false (a privileged node has none either) */
	/* "userns": the node's root is host uid userns_start, and its ids the
	 * userns_count from there; count 0: the host's user namespace. */
	uint32_t userns_start, userns_count;
	/* "clock_offset": how far the node's CLOCK_MONOTONIC and CLOCK_BOOTTIME
	 * are ahead of the host's (negative: behind), through a time namespace
	 * of its own; 0: the host's clocks. */
	int64_t clock_offset_us;
	char *path;
};

/* What a network is made of on the host (lab/steps_network.c has each
 * kind's plan steps): today a bridge; VXLAN next. */
enum cbx_net_kind {
	CBX_NET_BRIDGE, /* a Linux bridge the nodes' veths attach to */
	CBX_NET_KIND_MAX
};

struct cbx_network {
	char *name;
	size_t index;
	enum cbx_net_kind kind;
	char bridge[CBX_IFNAMSIZ];
	uint8_t mac[6];
	bool has_subnet4, has_subnet6;
	struct cbx_prefix subnet4, subnet6;
	bool has_gw4, has_gw6; /* the host's address on the bridge */
	struct cbx_prefix gw4, gw6;
	bool nat;
	uint32_t mtu;
	struct cbx_iface **members;
	size_t n_members;
	char *path;
};

struct cbx_link {
	size_t index;
	struct cbx_iface *a, *b;
	bool has_subnet4, has_subnet6;
	struct cbx_prefix subnet4, subnet6;
	uint32_t mtu;
	char *path;
};

struct cbx_topo {
	char *name;
	char *source; /* file name, for messages */
	struct cbx_node *nodes;
	size_t n_nodes;
	struct cbx_network *networks;
	size_t n_networks;
	struct cbx_link *links;
	size_t n_links;
	struct cbx_iface *ifaces; /* every node interface, in file order */
	size_t n_ifaces;
	struct cbx_publish *publish;
	size_t n_publish;
	struct cbx_strmap node_by_name, network_by_name;
	struct cbx_arena *arena; /* owns every string and array above */
};

/* Parse and resolve a topology from a file or from memory (`source` names it
 * in messages). On bad input the error is CBX_ERR_INPUT. */
CBX_PUBLIC int cbx_topo_load(const char *path, struct cbx_topo **out, struct cbx_error *err);
CBX_PUBLIC int cbx_topo_load_text(const char *text, size_t len, const char *source,
				  struct cbx_topo **out, struct cbx_error *err);
/* cbx_topo_load that also hands over the file's text (malloc'd; `up`
 * saves it with the lab). */
CBX_PUBLIC int cbx_topo_load_file(const char *path, struct cbx_topo **out, char **text, size_t *len,
				  struct cbx_error *err);
CBX_PUBLIC void cbx_topo_free(struct cbx_topo *t);
/* A topology freed when its variable goes out of scope (common/cleanup.h):
 *   cleanup_topo struct cbx_topo *t = NULL; */
static inline void cbx_topo_freep(struct cbx_topo **t)
{
	cbx_topo_free(*t);
}
#define cleanup_topo __attribute__((cleanup(cbx_topo_freep)))

/* The one rule for a lab's name, in the file and on the command line:
 * 1 to 32 lowercase letters, digits and '_', starting with a letter or
 * digit. NULL when `name` is one, else why not. (A lab with host
 * interfaces needs a shorter name still: validate says so.) */
CBX_PUBLIC const char *cbx_lab_name_problem(const char *name);
/* The same as an error: "\"NAME\" is not a lab name: why" (CBX_ERR_INPUT). */
CBX_PUBLIC int cbx_lab_name_check(const char *name, struct cbx_error *err);

CBX_PUBLIC struct cbx_node *cbx_topo_node(const struct cbx_topo *t, const char *name);
CBX_PUBLIC struct cbx_iface *cbx_node_iface(const struct cbx_node *n, const char *name);
/* The address /etc/hosts gives the node's name: its first IPv4 address, else
 * its first IPv6 address; NULL for a node without addresses. */
CBX_PUBLIC const struct cbx_prefix *cbx_node_primary_addr(const struct cbx_node *n);

/* A JSON syntax error as the user should read it: the library's wording
 * for a NUL in a string ("\\u0000 is not allowed without JSON_ALLOW_NUL")
 * and the like put in the user's words; anything else as it is. Returns
 * buf, or text itself when it needs no change. */
const char *cbx_json_error_text(const char *text, char *buf, size_t size);

/* Values shared by the file format and the CLI (fault commands). Each returns
 * false on a malformed string and says why in `why`. */
CBX_PUBLIC bool cbx_parse_size(const char *s, uint64_t *bytes, const char **why);
CBX_PUBLIC bool cbx_parse_cpus(const char *s, uint32_t *milli, const char **why);
CBX_PUBLIC bool cbx_parse_duration_us(const char *s, uint64_t *us, const char **why);
/* A clock offset: a duration with an optional sign, "+30s", "-500ms", "2s". */
CBX_PUBLIC bool cbx_parse_clock_offset_us(const char *s, int64_t *us, const char **why);
CBX_PUBLIC bool cbx_parse_percent(const char *s, double *pct, const char **why);
CBX_PUBLIC bool cbx_parse_rate(const char *s, uint64_t *bps, const char **why);
CBX_PUBLIC bool cbx_parse_port(const char *s, uint16_t *port, const char **why);
/* One impairment setting "delay" = "50ms" into im. */
CBX_PUBLIC bool cbx_impair_set(struct cbx_impair *im, const char *key, const char *value,
			       const char **why);
/* Why a set of impairments cannot be applied (jitter or reorder without a
 * delay), or NULL when it can. The file, chaos plans and `impair` share it. */
CBX_PUBLIC const char *cbx_impair_problem(const struct cbx_impair *im);
/* "delay=50ms jitter=10ms loss=2%": the form `status` and `impair show` print. */
CBX_PUBLIC void cbx_impair_format(const struct cbx_impair *im, char *buf, size_t size);

#endif
