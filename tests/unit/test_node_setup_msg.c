/* The node setup message `up` hands a node's init: everything survives the
 * round trip, and a damaged message is refused with what is wrong. */
#include <stdio.h>
#include <string.h>

#include "runtime/caps.h"
#include "runtime/node_setup.h"
#include "tap.h"

static struct node_setup sample(void)
{
	struct node_setup s = {
		.name = "r1",
		.rootfs = { .base = CBX_BASE_DIR,
			    .lower = "/srv/base dir/with=equals",
			    .node_dir = "/run/cboxlab/lab/nodes/r1",
			    .hosts_file = "/run/cboxlab/lab/hosts",
			    .hostname = "r1" },
		.join_netns = true,
		.caps = 0x1ffffffffeULL,
		.seccomp = "/run/cboxlab/lab/seccomp/00000000008c0000.bpf",
		.nofile = { 1024, 524288 },
		.join_cgroups = true,
		.lab = "lab",
	};
	s.cg.n_hier = 2;
	strcpy(s.cg.hier[0], "/sys/fs/cgroup/memory");
	strcpy(s.cg.hier[1], "/sys/fs/cgroup/pids");
	s.cg.lab_only = 1u << 1;
	return s;
}

/* The message of a sample with a user namespace, its "userns=" value
 * replaced by `value`; decoded into out. */
static int decode_userns(const char *value, struct node_setup *out, struct cbx_error *err)
{
	struct node_setup in = sample();
	char buf[CBX_NODE_SETUP_MSG_MAX], edited[CBX_NODE_SETUP_MSG_MAX + 64];
	long len;
	char *at, *end;
	size_t head, tail;

	in.rootfs.userns = (struct userns_map){ 1000000000, 65536 };
	len = node_setup_encode(&in, buf, sizeof(buf));
	at = len > 0 ? memmem(buf, (size_t)len, "userns=", 7) : NULL;
	if (!at)
		return -2;
	end = at + strlen(at) + 1;
	head = (size_t)(at - buf);
	tail = (size_t)(buf + len - end);
	memcpy(edited, buf, head);
	head += (size_t)sprintf(edited + head, "userns=%s", value) + 1;
	memcpy(edited + head, end, tail);
	return node_setup_decode(edited, head + tail, out, err);
}

int main(void)
{
	struct node_setup in = sample(), out;
	struct cbx_error err;
	char buf[CBX_NODE_SETUP_MSG_MAX], small[64];
	long len = node_setup_encode(&in, buf, sizeof(buf));

	ok(len > 0, "a setup encodes (%ld bytes)", len);
	ok(node_setup_decode(buf, (size_t)len, &out, &err) == 0, "and decodes");
	is_str(out.name, "r1", "name");
	is_int(out.rootfs.base, CBX_BASE_DIR, "base");
	is_str(out.rootfs.lower, "/srv/base dir/with=equals", "a lower dir with spaces and '='");
	is_str(out.rootfs.node_dir, "/run/cboxlab/lab/nodes/r1", "node dir");
	is_str(out.rootfs.hosts_file, "/run/cboxlab/lab/hosts", "hosts file");
	is_str(out.rootfs.hostname, "r1", "hostname");
	ok(out.join_netns, "join the kept netns");
	ok(out.caps == in.caps, "capability mask");
	is_str(out.seccomp, "/run/cboxlab/lab/seccomp/00000000008c0000.bpf", "seccomp filter");
	ok(out.nofile.rlim_cur == 1024 && out.nofile.rlim_max == 524288, "open-file limit");
	ok(out.join_cgroups && !out.cg.v2 && out.cg.ops == &cbx_cgroup_v1_ops,
	   "v1 cgroups to join");
	is_int(out.cg.n_hier, 2, "both hierarchies");
	is_str(out.cg.hier[1], "/sys/fs/cgroup/pids", "second hierarchy");
	is_int(out.cg.lab_only, 1u << 1, "the second joined at the lab's directory");
	is_str(out.lab, "lab", "lab");
	is_int(out.clock_offset_us, 0, "no clock offset: the host's clocks");
	in.clock_offset_us = -1500000;
	len = node_setup_encode(&in, buf, sizeof(buf));
	ok(len > 0 && node_setup_decode(buf, (size_t)len, &out, &err) == 0, "with a clock offset");
	is_int(out.clock_offset_us, -1500000, "a negative clock offset");

	/* The host base has no lower dir; v2 nodes join no cgroups. */
	in = sample();
	in.rootfs.base = CBX_BASE_HOST;
	in.rootfs.lower = NULL;
	in.rootfs.host_mask = "/run/cboxlab/lab/host-mask";
	in.join_cgroups = false;
	in.join_netns = false;
	len = node_setup_encode(&in, buf, sizeof(buf));
	ok(len > 0 && node_setup_decode(buf, (size_t)len, &out, &err) == 0, "a host-base v2 node");
	ok(!out.rootfs.lower && !out.join_cgroups && !out.join_netns && !out.lab,
	   "no lower dir, no cgroups, a new netns, a copy of the host's mounts");

	ok(node_setup_encode(&in, small, sizeof(small)) == -1,
	   "a message that does not fit is refused");

	len = node_setup_encode(&in, buf, sizeof(buf));
	ok(node_setup_decode(buf, (size_t)len - 1, &out, &err) == -1, "a cut message is refused");
	has_str(err.msg, "not NUL-terminated", "and says so");

	memcpy(buf, "nome", 4); /* "name=r1" becomes "nome=r1" */
	ok(node_setup_decode(buf, (size_t)len, &out, &err) == -1, "an unknown key is refused");
	has_str(err.msg, "unknown key \"nome\"", "and named");

	ok(decode_userns("1000000000:65536", &out, &err) == 0 &&
		   out.rootfs.userns.start == 1000000000 && out.rootfs.userns.count == 65536,
	   "a user namespace's range: start and count");
	{
		static const char *const bad_ranges[] = {
			"0:65536", "1000:0", "1000", ":5", "5:", "4294967295:2", "-1:5", "1:2:3"
		};
		for (size_t i = 0; i < sizeof(bad_ranges) / sizeof(*bad_ranges); i++)
			ok(decode_userns(bad_ranges[i], &out, &err) == -1 &&
				   strstr(err.msg, "bad userns"),
			   "a bad range is refused: \"%s\"", bad_ranges[i]);
	}

	in = sample();
	len = node_setup_encode(&in, buf, sizeof(buf));
	{
		char *netns = memmem(buf, (size_t)len, "netns=1", 8);
		ok(netns != NULL, "the netns flag is in the message");
		if (netns)
			netns[6] = 'x';
	}
	ok(node_setup_decode(buf, (size_t)len, &out, &err) == -1, "a bad number is refused");
	has_str(err.msg, "bad netns \"x\"", "with the key and value");

	{
		/* cboxlab-init builds its paths on a small stack; an image's
		 * layers, "top:...:bottom", go to the overlay's options whole. */
		char lower[CBX_NODE_PATH_MAX + 1], lowers[CBX_NODE_LOWERS_MAX + 1];
		memset(lower, 'l', sizeof(lower) - 1);
		lower[0] = '/';
		lower[sizeof(lower) - 1] = '\0';
		memset(lowers, 'l', sizeof(lowers) - 1);
		lowers[0] = '/';
		lowers[sizeof(lowers) - 1] = '\0';
		in = sample();
		in.rootfs.lower = lowers;
		ok(node_setup_encode(&in, buf, sizeof(buf)) == -1,
		   "lower layers of CBX_NODE_LOWERS_MAX bytes are refused");
		lowers[sizeof(lowers) - 2] = '\0';
		ok(node_setup_encode(&in, buf, sizeof(buf)) > 0 &&
			   node_setup_decode(buf, (size_t)node_setup_encode(&in, buf, sizeof(buf)),
					     &out, &err) == 0 &&
			   strlen(out.rootfs.lower) == CBX_NODE_LOWERS_MAX - 1,
		   "one byte fewer go through");
		in = sample();
		in.rootfs.node_dir = lower;
		ok(node_setup_encode(&in, buf, sizeof(buf)) == -1, "so is a node dir");
		in = sample();
		in.rootfs.hosts_file = lower;
		ok(node_setup_encode(&in, buf, sizeof(buf)) == -1, "and a hosts file");
		in = sample();
		in.rootfs.lower = lower;
		lower[CBX_NODE_PATH_MAX - 1] = '\0';
		len = node_setup_encode(&in, buf, sizeof(buf));
		ok(len > 0 && node_setup_decode(buf, (size_t)len, &out, &err) == 0 &&
			   strlen(out.rootfs.lower) == CBX_NODE_PATH_MAX - 1,
		   "one character shorter passes");
		/* A message from elsewhere is checked too. */
		{
			char big[CBX_NODE_SETUP_MSG_MAX];
			int n = snprintf(big, sizeof(big),
					 "name=r1%cbase=0%clower=/l%chosts=/h%chostname=r1%cdir=",
					 0, 0, 0, 0, 0);
			memset(big + n, 'd', CBX_NODE_PATH_MAX);
			big[n] = '/';
			big[n + CBX_NODE_PATH_MAX] = '\0';
			ok(node_setup_decode(big, (size_t)n + CBX_NODE_PATH_MAX + 1, &out, &err) ==
				   -1,
			   "a decoded node dir that long is refused");
			has_str(err.msg, "bad dir", "and named");
		}
	}

	/* Binds, files and the overlay folder: every field survives, a path
	 * with spaces and '=' too; a field missing or a bad flag is refused. */
	{
		static const struct rootfs_put binds[] = {
			{ .src = "/srv/conf dir", .dst = "/etc/frr", .rw = false },
			{ .src = "/srv/data=1", .dst = "/data", .rw = true },
		};
		static const struct rootfs_put files[] = {
			{ .src = "/run/cboxlab/lab/files/r1/0", .dst = "/etc/x.conf", .mode = 0600 },
		};
		in = sample();
		in.rootfs.binds = binds;
		in.rootfs.n_binds = 2;
		in.rootfs.files = files;
		in.rootfs.n_files = 1;
		in.rootfs.overlay = "/srv/lab/nodes/r1";
		len = node_setup_encode(&in, buf, sizeof(buf));
		ok(len > 0 && node_setup_decode(buf, (size_t)len, &out, &err) == 0,
		   "binds, files and an overlay folder round-trip");
		is_int(out.rootfs.n_binds, 2, "two binds");
		is_str(out.rootfs.binds[0].src, "/srv/conf dir", "bind source with a space");
		is_str(out.rootfs.binds[0].dst, "/etc/frr", "bind DST");
		ok(!out.rootfs.binds[0].rw && out.rootfs.binds[1].rw, "read-only, then writable");
		is_str(out.rootfs.binds[1].src, "/srv/data=1", "bind source with '='");
		is_int(out.rootfs.n_files, 1, "one file");
		is_str(out.rootfs.files[0].src, "/run/cboxlab/lab/files/r1/0", "file source");
		is_str(out.rootfs.files[0].dst, "/etc/x.conf", "file DST");
		is_int(out.rootfs.files[0].mode, 0600, "file mode");
		is_str(out.rootfs.overlay, "/srv/lab/nodes/r1", "overlay folder");

		len = node_setup_encode(&in, buf, sizeof(buf));
		{
			char *flag = memmem(buf, (size_t)len, "bind=ro", 7);
			if (flag)
				flag[5] = 'x';
		}
		ok(node_setup_decode(buf, (size_t)len, &out, &err) == -1,
		   "a bind that is neither ro nor rw is refused");
		has_str(err.msg, "bad bind", "and named");
		len = node_setup_encode(&in, buf, sizeof(buf));
		{
			char *mode = memmem(buf, (size_t)len, "file=0600", 9);
			if (mode)
				mode[6] = '9';
		}
		ok(node_setup_decode(buf, (size_t)len, &out, &err) == -1,
		   "a file mode that is not octal is refused");
		{
			char one[] =
				"name=r1\0lower=/l\0dir=/d\0hosts=/h\0hostname=r1\0bind=ro\t/src";
			ok(node_setup_decode(one, sizeof(one), &out, &err) == -1,
			   "a bind without its DST is refused");
			has_str(err.msg, "bad bind", "and named");
		}
		{
			char one[] =
				"name=r1\0lower=/l\0dir=/d\0hosts=/h\0hostname=r1\0file=0644\t/s\trel";
			ok(node_setup_decode(one, sizeof(one), &out, &err) == -1,
			   "a file whose DST is not absolute is refused");
			has_str(err.msg, "bad file", "and named");
		}
	}

	/* A node's set: everything the kernel has for a privileged node; for
	 * the others, never without a capability the lab needs, never with
	 * SYS_ADMIN unless added; cap_drop applies to both. */
	ok(caps_node_set(true, 0, 0) == caps_kernel_all(),
	   "a privileged node holds every capability");
	ok(caps_node_set(false, 0, 0) & (1ULL << 12), "NET_ADMIN (12) is held");
	ok(!(caps_node_set(false, 0, 0) & (1ULL << 21)), "SYS_ADMIN (21) is not");
	ok(caps_node_set(false, 1ULL << 21, 0) & (1ULL << 21), "unless added");
	ok(!(caps_node_set(false, 0, 1ULL << 12) & (1ULL << 12)), "cap_drop takes one away");
	ok(!(caps_node_set(true, 0, 1ULL << 12) & (1ULL << 12)), "from a privileged node too");
	ok(!(caps_node_set(false, 1ULL << 63, 0) & (1ULL << 63)), "never one the kernel lacks");
	return tap_done();
}
