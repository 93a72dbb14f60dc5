#include "runtime/cgroup_devices.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fsutil.h"

const struct cbx_device cbx_node_devices[] = {
	{ 1, 3 },    /* null */
	{ 1, 5 },    /* zero */
	{ 1, 7 },    /* full */
	{ 1, 8 },    /* random */
	{ 1, 9 },    /* urandom */
	{ 5, 0 },    /* tty */
	{ 5, 2 },    /* ptmx */
	{ 136, -1 }, /* its devpts's terminals */
};
const size_t cbx_node_devices_count = CBX_ARRAY_SIZE(cbx_node_devices);

bool cbx_devices_v1_rule(size_t i, char *buf, size_t size)
{
	const struct cbx_device *d = &cbx_node_devices[i];

	if (i >= cbx_node_devices_count)
		return false;
	if (d->minor < 0)
		snprintf(buf, size, "c %u:* rwm", d->major);
	else
		snprintf(buf, size, "c %u:%d rwm", d->major, d->minor);
	return true;
}

/* The few eBPF instructions the program needs. */
static struct bpf_insn ldx_w(int dst, int src, short off)
{
	return (struct bpf_insn){
		.code = BPF_LDX | BPF_MEM | BPF_W, .dst_reg = dst, .src_reg = src, .off = off
	};
}

static struct bpf_insn and_k(int dst, int imm)
{
	return (struct bpf_insn){ .code = BPF_ALU64 | BPF_AND | BPF_K, .dst_reg = dst, .imm = imm };
}

static struct bpf_insn jne_k(int dst, int imm, short off)
{
	return (struct bpf_insn){
		.code = BPF_JMP | BPF_JNE | BPF_K, .dst_reg = dst, .off = off, .imm = imm
	};
}

static struct bpf_insn mov_k(int dst, int imm)
{
	return (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = dst, .imm = imm };
}

static struct bpf_insn exit_insn(void)
{
	return (struct bpf_insn){ .code = BPF_JMP | BPF_EXIT };
}

/* r2 = device type, r3 = major, r4 = minor; per device "if major (and
 * minor) match, return 1"; a block device or no match, return 0. */
size_t cbx_devices_bpf_build(bool allow_all, struct bpf_insn *insns, size_t max)
{
	size_t n = 0;

	if (max < 4 + 4 * cbx_node_devices_count + 2)
		return 0;
	if (allow_all) {
		insns[n++] = mov_k(BPF_REG_0, 1);
		insns[n++] = exit_insn();
		return n;
	}
	insns[n++] = ldx_w(BPF_REG_2, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, access_type));
	insns[n++] = and_k(BPF_REG_2, 0xffff);
	insns[n++] = ldx_w(BPF_REG_3, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, major));
	insns[n++] = ldx_w(BPF_REG_4, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, minor));
	/* Not a character device: to the end, which denies. */
	insns[n] = jne_k(BPF_REG_2, BPF_DEVCG_DEV_CHAR, 0);
	size_t to_deny = n++;
	for (size_t i = 0; i < cbx_node_devices_count; i++) {
		const struct cbx_device *d = &cbx_node_devices[i];
		bool any = d->minor < 0;

		insns[n++] = jne_k(BPF_REG_3, (int)d->major, any ? 2 : 3);
		if (!any)
			insns[n++] = jne_k(BPF_REG_4, d->minor, 2);
		insns[n++] = mov_k(BPF_REG_0, 1);
		insns[n++] = exit_insn();
	}
	insns[to_deny].off = (short)(n - to_deny - 1);
	insns[n++] = mov_k(BPF_REG_0, 0);
	insns[n++] = exit_insn();
	return n;
}

int cbx_devices_v2_attach(int cgroup_fd, bool allow_all, struct cbx_error *err)
{
	struct bpf_insn insns[64];
	size_t n = cbx_devices_bpf_build(allow_all, insns, CBX_ARRAY_SIZE(insns));
	union bpf_attr attr;
	cleanup_close int prog = -1;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)insns;
	attr.insn_cnt = (uint32_t)n;
	attr.license = (uint64_t)(uintptr_t) "GPL";
	prog = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (prog < 0)
		return cbx_error_sys(err, errno, "load the device policy (a cgroup BPF program)");
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)cgroup_fd;
	attr.attach_bpf_fd = (uint32_t)prog;
	attr.attach_type = BPF_CGROUP_DEVICE;
	/* Override allowed: a privileged node's own program wins in its cgroup. */
	attr.attach_flags = BPF_F_ALLOW_OVERRIDE;
	if (syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof(attr)) < 0)
		return cbx_error_sys(err, errno, "attach the device policy to its cgroup");
	return 0;
}

static int open_cgroup(const struct cbx_cgroups *cg, const char *lab, const char *node,
		       struct cbx_error *err)
{
	char path[512];
	int fd;

	cbx_cgroup_path(path, sizeof(path), cg, 0, lab, node, NULL);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? cbx_error_sys(err, errno, "open cgroup %s", path) : fd;
}

int cbx_devices_lab(const struct cbx_cgroups *cg, const char *lab, struct cbx_error *err)
{
	cleanup_close int fd = -1;

	if (!cg->v2)
		return 0;
	if ((fd = open_cgroup(cg, lab, NULL, err)) < 0)
		return -1;
	return cbx_devices_v2_attach(fd, false, err);
}

/* v1: "a" denies everything (and drops the rules inherited from the lab's
 * cgroup), then one rule per device. */
static int v1_rules(const struct cbx_cgroups *cg, const char *lab, const char *node,
		    struct cbx_error *err)
{
	int h = cbx_cgroups_hier_of(cg, "devices.allow");
	char path[512], rule[32];

	if (h < 0)
		return cbx_error_set(err, CBX_ERR_SYSTEM,
				     "node %s: no cgroup v1 devices controller mounted: its device policy cannot be applied (privileged nodes need none)",
				     node);
	cbx_cgroup_path(path, sizeof(path), cg, (size_t)h, lab, node, "devices.deny");
	if (cbx_write_str(path, "a", err) < 0)
		return -1;
	cbx_cgroup_path(path, sizeof(path), cg, (size_t)h, lab, node, "devices.allow");
	for (size_t i = 0; cbx_devices_v1_rule(i, rule, sizeof(rule)); i++)
		if (cbx_write_str(path, rule, err) < 0)
			return -1;
	return 0;
}

int cbx_devices_node(const struct cbx_cgroups *cg, const char *lab, const char *node,
		     bool privileged, struct cbx_error *err)
{
	cleanup_close int fd = -1;

	if (!cg->v2)
		return privileged ? 0 : v1_rules(cg, lab, node, err);
	if (!privileged)
		return 0; /* the lab's program covers it */
	if ((fd = open_cgroup(cg, lab, node, err)) < 0)
		return -1;
	return cbx_devices_v2_attach(fd, true, err);
}
