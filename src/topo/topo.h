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
/* An image's lower layers, "top:...:bottom": the overlay's options, with
 * its upper and work folders, must fit a page (the mount's data). */
#define CBX_NODE_LOWERS_MAX 2816
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
/* A Linux bridge numbers its ports 1 to 1023 (BR_MAX_PORTS - 1). A network
 * with more interfaces is a tree of bridges (struct cbx_bridge_leaf). */
#define CBX_BRIDGE_PORTS_MAX 1023
/* 802.1Q: 0 and 4095 are reserved. */
#define CBX_VLAN_MIN 1
#define CBX_VLAN_MAX 4094

struct cbx_node;
struct cbx_network;
struct cbx_link;

/* A lab may span hosts ("hosts" in the file, a node's "host"): each runs
 * `cboxlab up FILE --host NAME` for its part, and the networks and links
 * that cross hosts become VXLAN tunnels between the hosts' addresses
 * (docs/multihost.md). */
#define CBX_VXLAN_PORT 4789   /* IANA's; the kernel's default is 8472 */
#define CBX_VNI_MAX 16777215u /* 24 bits */
/* What VXLAN adds to a frame: outer IP, UDP, VXLAN header and the inner
 * Ethernet header (the kernel's VXLAN_HEADROOM, VXLAN6_HEADROOM). */
#define CBX_VXLAN_HEADROOM4 50
#define CBX_VXLAN_HEADROOM6 70
#define CBX_HOST_MTU_DEFAULT 1500

struct cbx_host {
	char *name;
	size_t index;
	struct cbx_ip address; /* its underlay address: the tunnels' ends */
	char *dev;             /* the underlay device the tunnels use; NULL: routing picks */
	uint32_t mtu;          /* the underlay's MTU */
	char *path;
};

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
	/* Images (src/image): their layers, unpacked once into the cache, are
	 * the overlay's lower layers; their config the node's defaults. */
	CBX_BASE_OCI,            /* "oci:DIR[:TAG]": an OCI image layout */
	CBX_BASE_OCI_ARCHIVE,    /* "oci-archive:FILE[:TAG]": one in a tar */
	CBX_BASE_DOCKER_ARCHIVE, /* "docker-archive:FILE[:REPO:TAG]": docker save's tar */
	CBX_BASE_TARBALL,        /* "/x/rootfs.tar[.gz|.xz|.zst]": a root filesystem */
	CBX_BASE_MAX
};

/* Where a base's lower layer is. */
enum cbx_base_lower {
	CBX_LOWER_NONE,   /* none: the node's root is not an overlay */
	CBX_LOWER_ROOTFS, /* the default rootfs `make` builds, in the library directory */
	CBX_LOWER_PATH,   /* the directory the file names (cbx_node.base_dir) */
	CBX_LOWER_IMAGE,  /* the layers of the image the file names, in the cache */
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
	const char *word;   /* "base": "busybox"; NULL: an absolute path */
	const char *prefix; /* "base": "oci:..."; NULL: none */
	const char *shown;  /* in the plan: "busybox rootfs" */
	enum cbx_base_lower lower;
	enum cbx_base_root root;
};

/* Indexed by enum cbx_base_kind. */
extern const struct cbx_base_info cbx_base_kinds[CBX_BASE_MAX];

/* An image as "base" names it: "oci:DIR[:TAG]", "oci-archive:FILE[:TAG]",
 * "docker-archive:FILE[:REPO:TAG]" (split at the first ':' after the
 * prefix, as skopeo does), or an absolute path ending .tar, .tar.gz, .tgz,
 * .tar.xz, .txz, .tar.zst or .tzst. 1: it is one (*kind, the path where it
 * starts in s and its length, *tag or NULL); 0: it is not; -1: it is one,
 * badly written (why). Pure. */
int cbx_image_ref_parse(const char *s, enum cbx_base_kind *kind, const char **path,
			size_t *path_len, const char **tag, const char **why);

/* What a node is made of on the host ("kind"; lab/steps_node.c has each
 * kind's plan steps). One table, like the bases': a new kind is a row and
 * the code of what is new about it. */
enum cbx_node_kind {
	CBX_NODE_CONTAINER, /* the default: its own PID, mount, net, UTS, IPC and cgroup
			     * namespaces, a root filesystem, an init, cgroups */
	CBX_NODE_NETNS,     /* a network namespace and nothing else, as Mininet's hosts:
			     * its commands run as root in the host's filesystem */
	CBX_NODE_KIND_MAX
};

struct cbx_node_kind_info {
	const char *word;  /* "kind": "netns" */
	const char *shown; /* in the plan and messages */
	/* Has processes of its own (an init, a command, cgroups): what the
	 * node faults (pause, stop, fill...) and most node keys act on. */
	bool processes;
};

/* Indexed by enum cbx_node_kind. */
CBX_PUBLIC extern const struct cbx_node_kind_info cbx_node_kinds[CBX_NODE_KIND_MAX];

/* The node keys ("defaults" and a node's own) that need a kind with
 * processes; NULL-terminated. */
extern const char *const cbx_process_node_keys[];

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
	size_t leaf; /* the leaf bridge of its network it is on, if a tree */
	/* 802.1Q VLANs (topo/vlans.c). On a network, an access port: `vlan`,
	 * its VLAN, untagged in the node (0: the default VLAN, 1); or a trunk:
	 * `vlans`, the VLANs it carries tagged (sorted, each once, never 1:
	 * the default VLAN is untagged on every port). A VLAN sub-interface
	 * ("eth0.10": on no network and in no link) is VLAN `vlan` of
	 * `parent`, a trunk of the same node that carries it. */
	uint16_t vlan;
	const uint16_t *vlans;
	size_t n_vlans;
	struct cbx_iface *parent;
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

/* "binds": ["SRC:DST", "SRC:DST:rw"]: a host file or folder at DST in the
 * node, read-only unless rw. */
struct cbx_bind {
	char *src; /* absolute (a relative one is resolved against cbx_topo.dir) */
	char *dst; /* absolute and normalized: no "//", "." or ".." */
	bool rw;
	char *path; /* JSON path, for messages */
};

/* "files": {"DST": {...}}: a private copy written into the node's writable
 * layer before its command starts. */
struct cbx_file {
	char *dst;     /* as cbx_bind.dst */
	char *content; /* variables substituted; NULL: a copy of source */
	char *source;  /* a host file, absolute */
	uint32_t mode; /* permission bits (0 to 0777) */
	char *path;
};

/* "volumes": ["DST:SIZE"]: a tmpfs of the node's own of SIZE bytes at DST,
 * which `fill --path DST` can make full (lab/fault_disk.c). */
struct cbx_volume {
	char *dst;     /* as cbx_bind.dst */
	uint64_t size; /* bytes, at least CBX_STORAGE_SIZE_MIN */
	char *path;
};

/* At most this many binds and files per node: each is a line of the node's
 * setup message (runtime/node_setup.h). Volumes are binds there: binds and
 * volumes together are at most CBX_NODE_BINDS_MAX. */
#define CBX_NODE_BINDS_MAX 32
#define CBX_NODE_FILES_MAX 32

/* "restart": what the node's init does when its startup command ends. */
enum cbx_restart {
	CBX_RESTART_NO,         /* leave it ended (the default) */
	CBX_RESTART_ON_FAILURE, /* start it again unless it exited 0 */
	CBX_RESTART_ALWAYS,     /* start it again whatever its end */
	CBX_RESTART_MAX
};

/* "ready": when `up` may consider the node's service up. */
enum cbx_ready_kind {
	CBX_READY_NONE, /* once its command has started (the default) */
	CBX_READY_CMD,  /* once a command run in the node exits 0 */
	CBX_READY_TCP,  /* once something in the node listens on a TCP port */
};

/* "no", "on-failure", "always", by enum cbx_restart. */
extern const char *const cbx_restart_names[CBX_RESTART_MAX];

struct cbx_ready {
	enum cbx_ready_kind kind;
	char *cmd;     /* CBX_READY_CMD: run with /bin/sh -c in the node */
	uint16_t port; /* CBX_READY_TCP */
	uint64_t timeout_ms;
};

#define CBX_READY_TIMEOUT_DEFAULT_MS 30000
/* An hour: a check that takes longer is a mistake. */
#define CBX_READY_TIMEOUT_MAX_MS 3600000

/* The smallest "storage_size": a node's init writes a few files at its start. */
#define CBX_STORAGE_SIZE_MIN (1024 * 1024)

/* "storage": where the node's writable layer lives. */
enum cbx_storage {
	CBX_STORAGE_MEMORY, /* the lab's tmpfs (the default): counted in its memory */
	CBX_STORAGE_DISK,   /* a folder on disk under the state root's disk side */
};

struct cbx_node {
	char *name;
	size_t index;
	enum cbx_node_kind kind;
	enum cbx_base_kind base;
	char *base_dir;  /* CBX_BASE_DIR: the directory; an image: its file or folder */
	char *image_tag; /* an image's TAG, or NULL */
	struct cbx_iface **ifaces;
	size_t n_ifaces;
	/* Interfaces by name: a clos's spine has thousands (cbx_node_iface). */
	struct cbx_strmap iface_by_name;
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
	struct cbx_bind *binds;
	size_t n_binds;
	struct cbx_file *files;
	size_t n_files;
	struct cbx_volume *volumes;
	size_t n_volumes;
	/* "overlay": a host folder laid over the node's root as a read-only
	 * layer; NULL: none. From "defaults", a missing folder is no error
	 * (overlay_optional): the node then has none. */
	char *overlay;
	bool overlay_optional;

	enum cbx_restart restart;
	struct cbx_ready ready;
	enum cbx_storage storage;
	/* "storage_size": the node's writable layers (and its /run, /tmp) in a
	 * tmpfs of their own of this many bytes, which `fill` can make full;
	 * 0: in the lab's tmpfs. */
	uint64_t storage_size;

	/* "clock_offset": how far the node's CLOCK_MONOTONIC and CLOCK_BOOTTIME
	 * are ahead of the host's (negative: behind), through a time namespace
	 * of its own; 0: the host's clocks. */
	int64_t clock_offset_us;
	struct cbx_host *host; /* NULL: the lab has no hosts */
	/* "clock_skew": how far the wall clock (CLOCK_REALTIME) the node's
	 * dynamically linked programs read is ahead of the host's, through
	 * libfaketime (LD_PRELOAD); 0: none. */
	int64_t clock_skew_us;
	char *path;
};

/* What a network is made of on the host (lab/steps_network.c has each
 * kind's plan steps): today a bridge; VXLAN next. */
enum cbx_net_kind {
	CBX_NET_BRIDGE, /* a Linux bridge the nodes' veths attach to */
	CBX_NET_KIND_MAX
};

/* A network with more interfaces than one bridge holds (its
 * ports_per_bridge) is a tree, invisible in the topology: the network's
 * bridge (its host side: gateway, NAT) holds one uplink per leaf bridge, a
 * veth pair whose ends are `uplink` (on the network's bridge) and
 * `downlink` (on the leaf), and the leaves hold the interfaces. One
 * broadcast domain, no loops (a tree), faults still per interface. */
struct cbx_bridge_leaf {
	char bridge[CBX_IFNAMSIZ], uplink[CBX_IFNAMSIZ], downlink[CBX_IFNAMSIZ];
	uint8_t mac[6], uplink_mac[6], downlink_mac[6];
};

struct cbx_network {
	char *name;
	size_t index;
	enum cbx_net_kind kind;
	char bridge[CBX_IFNAMSIZ];
	uint8_t mac[6];
	uint32_t ports_per_bridge;      /* 0: the kernel's most, CBX_BRIDGE_PORTS_MAX */
	struct cbx_bridge_leaf *leaves; /* NULL unless a tree */
	size_t n_leaves, first_leaf;    /* first_leaf: its leaves' place among the lab's */
	bool has_subnet4, has_subnet6;
	struct cbx_prefix subnet4, subnet6;
	bool has_gw4, has_gw6; /* the host's address on the bridge */
	struct cbx_prefix gw4, gw6;
	bool nat;
	uint32_t mtu;
	/* Every VLAN but the default one its interfaces use, sorted: a tree's
	 * uplinks carry them all, tagged. n_vlans > 0: the network is VLAN
	 * aware (its bridges filter by VLAN); has_trunk: some interface is a
	 * trunk, which only the kernel's bridge VLAN filtering can serve. */
	uint16_t *vlans;
	size_t n_vlans;
	bool has_trunk;
	struct cbx_iface **members;
	size_t n_members;
	/* The hosts with members on it, in the file's order; more than one:
	 * it crosses hosts, and each of them has a VXLAN device `vxlan` on
	 * its bridge, VNI `vni`, MAC vxlan_macs[host index]. */
	struct cbx_host **hosts;
	size_t n_hosts;
	uint32_t vni;
	char vxlan[CBX_IFNAMSIZ];
	uint8_t (*vxlan_macs)[6];
	char *path;
};

struct cbx_link {
	size_t index;
	struct cbx_iface *a, *b;
	bool has_subnet4, has_subnet6;
	struct cbx_prefix subnet4, subnet6;
	uint32_t mtu;
	/* Its ends on two hosts: each end is a VXLAN device in its node, VNI
	 * `vni` (0: it does not cross). */
	uint32_t vni;
	char *path;
};

/* A declared assertion about a running lab ("checks": [...] in the file,
 * or a file of its own), which `cboxlab check` verifies. */
enum cbx_check_kind {
	CBX_CHECK_REACH,    /* from reaches `to` (every address of a node), ICMP */
	CBX_CHECK_NO_REACH, /* from reaches no address of `to` */
	CBX_CHECK_TCP,      /* from connects to to:port (open false: is refused or unanswered) */
	CBX_CHECK_UDP,      /* to:port answers no ICMP port unreachable (open false: it does) */
	CBX_CHECK_EXEC,     /* argv run on `on` exits 0, its output matching `match` */
	CBX_CHECK_ROUTE,    /* `on` has a route to `route` (through `via`, when given) */
	CBX_CHECK_KIND_MAX
};

struct cbx_check {
	enum cbx_check_kind kind;
	char *name;            /* as reports show it: "h1 reaches h3" */
	struct cbx_node *from; /* reach, no-reach, tcp, udp */
	struct cbx_node *on;   /* exec, route */
	struct cbx_node *to;   /* the target node, or NULL: the address to_ip */
	struct cbx_ip to_ip;   /* family 0 with a node: each of its addresses */
	uint8_t family;        /* reach, no-reach, tcp, udp: AF_INET(6) only; 0: both */
	uint16_t port;         /* tcp, udp */
	bool open;             /* tcp, udp: the port is to be open (default) */
	char **argv;           /* exec */
	char *match;           /* exec: an extended regular expression, or NULL */
	struct cbx_prefix dst; /* route: len 0 is the default route */
	struct cbx_ip via;     /* route: family 0: any gateway */
	char *path;            /* where it is in the file */
};

struct cbx_topo {
	char *name;
	char *source; /* file name, for messages */
	/* The folder relative paths in the file (binds, files, overlay) are
	 * resolved against: the file's own, absolute. */
	char *dir;
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
	size_t n_leaves; /* leaf bridges of every network (struct cbx_bridge_leaf) */
	struct cbx_check *checks;
	size_t n_checks;
	struct cbx_host *hosts;
	size_t n_hosts;
	/* The top level's "limits": {"pids": N}: the most processes the
	 * lab's nodes may hold at once, all together; 0 when the file sets
	 * none (then up bounds them at cbx_lab_pids_default's). */
	uint32_t lab_pids;
	/* The host whose part this is (cbx_topo_opts.host); NULL: the whole
	 * lab (a lab without hosts, or a file only validated). */
	const struct cbx_host *local;
	struct cbx_strmap node_by_name, network_by_name, host_by_name;
	struct cbx_arena *arena; /* owns every string and array above */
};

/* How many of the lab's nodes have processes of their own (container
 * nodes; cbx_node_kinds). */
static inline size_t cbx_topo_nodes_with_processes(const struct cbx_topo *t)
{
	size_t n = 0;

	for (size_t i = 0; i < t->n_nodes; i++)
		n += cbx_node_kinds[t->nodes[i].kind].processes;
	return n;
}

/* Is node n part of what this host runs (cbx_topo.local)? */
static inline bool cbx_node_here(const struct cbx_topo *t, const struct cbx_node *n)
{
	return !t->local || n->host == t->local;
}
/* Does this host make network net (a member of it is here)? */
CBX_PUBLIC bool cbx_network_here(const struct cbx_topo *t, const struct cbx_network *net);
/* How many of network net's interfaces are on nodes this host runs. */
static inline size_t cbx_network_members_here(const struct cbx_topo *t,
					      const struct cbx_network *net)
{
	size_t n = 0;

	for (size_t k = 0; k < net->n_members; k++)
		n += cbx_node_here(t, net->members[k]->node);
	return n;
}
/* Does this host make link l (one of its ends is here)? */
static inline bool cbx_link_here(const struct cbx_topo *t, const struct cbx_link *l)
{
	return cbx_node_here(t, l->a->node) || cbx_node_here(t, l->b->node);
}
/* The VNI for a crossing network or link from the lab's name and `key`
 * (its name; a link's ends), salted on a collision: pure. */
CBX_PUBLIC uint32_t cbx_vni_derive(const char *lab, const char *kind, const char *key,
				   unsigned salt);

/* The bridge an interface's host end is attached to: its network's, or the
 * leaf it is on when the network is a tree. */
const char *cbx_iface_bridge(const struct cbx_iface *ifc);

/* Parse and resolve a topology from a file or from memory (`source` names it
 * in messages), in JSON or YAML (by the name: .json, .yaml, .yml; else by
 * the text: JSON starts with '{'). On bad input the error is CBX_ERR_INPUT. */
CBX_PUBLIC int cbx_topo_load(const char *path, struct cbx_topo **out, struct cbx_error *err);
CBX_PUBLIC int cbx_topo_load_text(const char *text, size_t len, const char *source,
				  struct cbx_topo **out, struct cbx_error *err);
/* cbx_topo_load that also hands over the file's text (malloc'd; `up`
 * saves it with the lab). */
CBX_PUBLIC int cbx_topo_load_file(const char *path, struct cbx_topo **out, char **text, size_t *len,
				  struct cbx_error *err);
/* Every error a load found, in the order found (cbx_topo_opts.errors). */
struct cbx_topo_errors {
	char **msgs; /* malloc'd, as cbx_error's messages */
	size_t n;
};
/* A file with more errors than this lists the first ones. */
#define CBX_TOPO_ERRORS_MAX 100
CBX_PUBLIC void cbx_topo_errors_free(struct cbx_topo_errors *e);

/* How a load may look at the host. By default it looks at nothing: the
 * topology of a lab that is up (`down`, a node's restart) loads the same
 * whatever became of the files it names. */
struct cbx_topo_opts {
	/* The folder relative paths are resolved against; NULL: the file's
	 * (cbx_topo_load_text: the working directory). */
	const char *dir;
	/* Check what the file names on the host (validate, up): every bind's
	 * and file's source exists, a node's own overlay folder too, and none
	 * is inside the labs' state root (NULL: not checked). */
	bool check_host;
	const char *state_root;
	/* Non-NULL: go on after an error and list each one here (validate);
	 * the load's own error is the first. */
	struct cbx_topo_errors *errors;
	/* The host whose part is wanted (up --host): one of the file's
	 * "hosts"; NULL: the whole lab. */
	const char *host;
};
CBX_PUBLIC int cbx_topo_load_opts(const char *path, const struct cbx_topo_opts *o,
				  struct cbx_topo **out, char **text, size_t *len,
				  struct cbx_error *err);
CBX_PUBLIC int cbx_topo_load_text_opts(const char *text, size_t len, const char *source,
				       const struct cbx_topo_opts *o, struct cbx_topo **out,
				       struct cbx_error *err);
CBX_PUBLIC void cbx_topo_free(struct cbx_topo *t);
/* A topology file (or - for standard input) in the other form, unchecked
 * but for its syntax: to_yaml, YAML; else JSON. Keys keep their order, with
 * 2 spaces of indent. *out is malloc'd. */
CBX_PUBLIC int cbx_topo_convert(const char *path, bool to_yaml, char **out, struct cbx_error *err);
/* Checks from a file of their own ({"checks": [...]}, or the array alone),
 * about topology t: they replace t's own (the arena of t holds them). */
CBX_PUBLIC int cbx_topo_load_checks(struct cbx_topo *t, const char *path, struct cbx_error *err);
/* "reach", "no-reach", "tcp", "udp", "exec", "route" */
CBX_PUBLIC const char *cbx_check_kind_name(enum cbx_check_kind k);
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
