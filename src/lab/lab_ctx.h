/* What executing a plan needs besides the plan: the host's netlink sockets,
 * the cgroup layout, where the lab's state lives, and the running nodes. */
#ifndef CBX_LAB_CTX_H
#define CBX_LAB_CTX_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "common/arena.h"
#include "common/strmap.h"
#include "image/image.h"
#include "lab/cboxlab.h"
#include "lab/plan.h"
#include "netlink/transport.h"
#include "runtime/cgroup.h"
#include "runtime/node_spawn.h"
#include "topo/topo.h"

/* In a lab's state directory: the layer that keeps the host's secrets out
 * of its host-base nodes (runtime/host_mask.h). */
#define CBX_HOST_MASK_DIR "host-mask"
/* The folder the topology's relative paths were resolved against. */
#define CBX_TOPOLOGY_DIR_FILE "topology.dir"
/* The host whose part of a lab over hosts is up here (up --host). */
#define LAB_PART_FILE "part"
/* Each node's "files" with content, as written (files/NODE/INDEX): its init
 * copies them into the node (runtime/node_files.h). */
#define CBX_NODE_FILES_DIR "files"

struct node_rt {
	struct node_proc proc; /* pid 0, pidfd and sync_fd -1 until cloned */
	/* The node's own /proc/sys, from its 'N', until its sysctls are set; -1 */
	int sysctl_fd;
	/* A netns node's network namespace (it has no process); -1 */
	int netns_fd;
	bool pinned; /* this `up` pinned the netns (a failure may be EEXIST) */
	/* `restart --clock-offset`: this start's offset, not the topology's. */
	bool clock_set;
	int64_t clock_offset_us;
	/* `restart --clock-skew`, a plan's clock-skew: this start's wall-clock
	 * skew, not the topology's. */
	bool skew_set;
	int64_t clock_skew_us;
};

/* An image node's base: the image, and its layers as overlay lower
 * layers ("top:...:bottom"). */
struct lab_node_image {
	struct cbx_image img;
	char *lowers;
	const char *shown; /* "oci:/x:tag" */
};

/* Close a node's descriptors and forget its process (it is gone or given up). */
void lab_node_rt_reset(struct node_rt *rt);

/* Nodes' nftables sockets kept open at once by lab_nft_park: enough that a
 * partition of thousands of nodes waits a few grace periods, few enough to
 * leave the open-file limit to the nodes. */
#define LAB_NFT_PARKED_MAX 256

/* `down`: pidfds of the node inits it killed (lab/reap_watch.c). */
struct lab_reap_watch {
	int *fd;
	size_t n, cap;
};

struct lab_ctx {
	const struct cbx_ctx *cbx; /* the caller's: where the labs' state is */
	const struct cbx_topo *t;
	struct cbx_arena *arena;
	struct cbx_cgroups cg;
	struct nl_conn rtnl; /* host netns; opened on first use */
	struct nl_conn nft;
	/* Nodes' nftables sockets done with, closed together (lab_nft_park). */
	struct nl_conn parked_nft[LAB_NFT_PARKED_MAX];
	size_t n_parked_nft;
	char state_dir[256]; /* <state root>/<lab> */
	char libdir[PATH_MAX / 2];
	const char *topology_text; /* saved as the lab's topology.json */
	size_t topology_len;
	int lock_fd;
	bool state_owned; /* the state directory is this lab's to remove */
	/* `down`: undo everything named for the lab. Otherwise (a failed `up`)
	 * undo only what this process made. */
	bool teardown;
	/* The nodes' host ends are gone (down waited for them in nodes_undo). */
	bool host_ends_gone;
	int init_fd;
	/* The mount namespace new nodes start from (runtime/mntns.h), while
	 * nodes are being cloned; -1: none. */
	int node_mntns_fd;
	size_t pins_left_out; /* pins it was made without (--timings); 0: none */
	struct rlimit nofile; /* the limit before `up` raised its own: the nodes' */
	/* Nodes cloned whose first process may still share our descriptor
	 * table (node_spawn_detach), at most; set by lab_check_descriptors. */
	size_t max_undetached;
	int nice;              /* the priority before `up` raised its own: the nodes' */
	struct node_rt *nodes; /* indexed like t->nodes */
	int *net_ifindex;      /* the device each network's veths attach to (its bridge),
				* indexed like t->networks */
	int *leaf_ifindex;     /* each leaf bridge's (topo.h), by network's first_leaf + k */
	const char *warnings[LAB_WARNINGS_MAX];
	size_t n_warnings;
	/* The seccomp filter last looked up, for the next node with the same
	 * capabilities (runtime/seccomp_profile.h). */
	uint64_t filter_key;
	char filter_path[PATH_MAX / 2];
	/* `down`: the lab's record of its netns pins (lab/pins.h), read once. */
	bool pins_loaded;
	bool pins_begun; /* `up`: this process has written the record */
	char *pins_text;
	struct cbx_strmap pins; /* node name -> "<major>:<minor> <inode>" in pins_text */
	/* The image nodes' bases (lab/images.c): indexed like t->nodes, NULL
	 * for the others; NULL until prepared, and for a lab without images.
	 * The cache stays locked (shared) while they are in use. */
	struct lab_node_image **images;
	struct cbx_image_cache cache;
	/* Time spent in each kind of step, run and undo (microseconds). */
	uint64_t phase_us[STEP_KIND_COUNT];
	struct lab_reap_watch reap;
	/* The phase being run or undone, for progress (lab_progress). */
	struct cbx_progress progress;
};

/* For `up` (libdir needed) and `down` (libdir optional). */
int lab_ctx_init(struct lab_ctx *ctx, const struct cbx_ctx *cbx, const struct cbx_topo *t,
		 bool need_libdir, struct cbx_error *err);
void lab_ctx_fini(struct lab_ctx *ctx);
/* A killed node init's pidfd: in `down`, kept for lab_reap_wait; else closed. */
void lab_reap_keep(struct lab_ctx *ctx, int pidfd);
/* Wait up to wait_ms until the host's init has reaped every init kept;
 * returns how many it has not. */
size_t lab_reap_wait(struct lab_ctx *ctx, long wait_ms);
void lab_reap_fini(struct lab_ctx *ctx);
/* Will the open-file limit hold this lab's `up`? It keeps a descriptor per
 * node (its sync socket) and a second for a node with sysctls until they
 * are set, while each node's first process holds two more of ours (its
 * pidfd, its end of the socket) until it has a table of its own; with a
 * tight limit `up` lets fewer of those pile up (max_undetached). Fails,
 * before anything is made, with how many the lab needs and how many this
 * process may open. */
int lab_check_descriptors(struct lab_ctx *ctx, struct cbx_error *err);
/* Close node_mntns_fd: every node cloned from it has made its own (or
 * failed to, and is being torn down). */
void lab_drop_node_mntns(struct lab_ctx *ctx);
/* Close a node's nftables socket after its transactions, later: with the
 * next ones parked, or at lab_ctx_fini. Closing an nftables socket waits
 * for its netns' transactions to be freed, an RCU grace period after the
 * commit (the kernel's nft_rcv_nl_event flushes its destroy work): about 10
 * ms on this 2-core VM, for each node in turn when closed one by one (a
 * partition of a 200-node lab took 2.9 s). Parked, they wait for grace
 * periods that have mostly passed. *c is zero after. */
void lab_nft_park(struct lab_ctx *ctx, struct nl_conn *c);
/* Open the host's rtnetlink / nftables sockets the first time they are needed. */
struct nl_conn *lab_rtnl(struct lab_ctx *ctx, struct cbx_error *err);
/* The ifindex of this host's underlay device (its "dev" in "hosts"), 0 when
 * it names none or the lab has no hosts (net_bridge.c). */
int lab_underlay_ifindex(const struct cbx_topo *t, int *out, struct cbx_error *err);
struct nl_conn *lab_nft(struct lab_ctx *ctx, struct cbx_error *err);
void lab_warn(struct lab_ctx *ctx, const char *msg);
/* Tell the caller (cbx_ctx's progress) that `done` steps of the current
 * phase are done; nothing when it did not ask. */
void lab_progress(struct lab_ctx *ctx, size_t done);

/* A node's capabilities. */
uint64_t lab_node_caps(const struct cbx_node *n);
/* The wall-clock skew the node starts with: this start's, else the
 * topology's "clock_skew". */
int64_t lab_node_skew(const struct lab_ctx *ctx, const struct cbx_node *n);
/* Its seccomp filter's file in the lab's state (made there when missing):
 * *path NULL when the node has none. */
int lab_node_filter(struct lab_ctx *ctx, const struct cbx_node *n, const char **path,
		    struct cbx_error *err);
/* Where `up` put that file, for `exec` (0, and buf empty, for none). */
int lab_node_filter_name(const struct cbx_ctx *cbx, const char *lab, const struct cbx_node *n,
			 char *buf, size_t size);

/* Load every image node's image, unpacking what the cache lacks (before
 * anything is made: a bad image fails `up` with nothing to undo); nothing
 * to do in a lab without images. The lab's record of the layers it uses
 * (lab_images_record) keeps `images prune` from them. */
int lab_images_prepare(struct lab_ctx *ctx, struct cbx_error *err);
int lab_images_record(struct lab_ctx *ctx, struct cbx_error *err);
/* The node's image, or NULL. */
const struct cbx_image *lab_node_image(const struct lab_ctx *ctx, const struct cbx_node *n);

/* Paths in the lab's state directory. */
int lab_node_dir(const struct lab_ctx *ctx, const struct cbx_node *n, char *buf, size_t size);
/* The nodes' folders (<state dir>/nodes) are a tmpfs of their own, under
 * the lab's: their writable layers, /dev, logs and PIDs. Mounted by the
 * state phase; unmounted (lazily, with what is mounted in it) once every
 * node is gone, so that the kernel frees their files while it tears the
 * nodes' namespaces down rather than after. Not a mount (a lab an older
 * cboxlab brought up): nothing to do. */
int lab_nodes_dir_mount(const struct lab_ctx *ctx, struct cbx_error *err);
int lab_nodes_dir_unmount(const struct lab_ctx *ctx, struct cbx_error *err);
/* The host's folder of the node's volume i ("volumes"), a tmpfs of its own
 * in the node's folder: <node dir>/volumes/<i>. It is mounted with this
 * many inodes (a count, allocated as files come), so that `unfill` can give
 * back the number `fill` took away. */
#define LAB_VOLUME_INODES 1048576
int lab_node_volume_dir(const struct lab_ctx *ctx, const struct cbx_node *n, size_t i, char *buf,
			size_t size);
/* "storage": "disk": the lab's folder on disk (<disk root>/<lab>), and a
 * node's in it; -1 when too long. Does the lab have any such node? */
int lab_disk_dir(const struct lab_ctx *ctx, char *buf, size_t size);
int lab_node_disk_dir(const struct lab_ctx *ctx, const struct cbx_node *n, char *buf, size_t size);
bool lab_uses_disk(const struct cbx_topo *t);
/* <state root>/<lab>[/<file>]; -1 when it does not fit. */
int lab_state_path(const struct cbx_ctx *cbx, const char *lab, const char *file, char *buf,
		   size_t size);

/* Where cboxlab-init and the default rootfs are: $CBOXLAB_LIBDIR, next to
 * the executable (a build tree), or the installed lib/cboxlab. */
int lab_find_libdir(char *buf, size_t size, struct cbx_error *err);

#endif
