/* The nodes' device policy: the v1 rules, and the v2 program run through a
 * small interpreter of the instructions it uses, device by device. */
#include <stdio.h>
#include <string.h>

#include "runtime/cgroup_devices.h"
#include "tap.h"

/* Runs what cbx_devices_bpf_build emits: 32-bit loads from the context,
 * and, mov, jne with constants, exit. -1 on anything else. */
static int run(const struct bpf_insn *p, size_t n, unsigned type, unsigned major, unsigned minor)
{
	struct bpf_cgroup_dev_ctx ctx = { .access_type = (BPF_DEVCG_ACC_READ << 16) | type,
					  .major = major,
					  .minor = minor };
	uint64_t r[11] = { 0 };

	for (size_t pc = 0; pc < n; pc++) {
		const struct bpf_insn *i = &p[pc];
		switch (i->code) {
		case BPF_LDX | BPF_MEM | BPF_W:
			if (i->src_reg != BPF_REG_1 || i->off < 0 || i->off + 4 > (int)sizeof(ctx))
				return -1;
			r[i->dst_reg] = *(const uint32_t *)((const char *)&ctx + i->off);
			break;
		case BPF_ALU64 | BPF_AND | BPF_K:
			r[i->dst_reg] &= (uint64_t)(int64_t)i->imm;
			break;
		case BPF_ALU64 | BPF_MOV | BPF_K:
			r[i->dst_reg] = (uint64_t)(int64_t)i->imm;
			break;
		case BPF_JMP | BPF_JNE | BPF_K:
			if (r[i->dst_reg] != (uint64_t)(int64_t)i->imm)
				pc += (size_t)i->off;
			break;
		case BPF_JMP | BPF_EXIT:
			return (int)r[0];
		default:
			return -1;
		}
	}
	return -1; /* fell off the end */
}

int main(void)
{
	struct bpf_insn p[64];
	size_t n = cbx_devices_bpf_build(false, p, 64), all;
	char rule[32];

	ok(n > 0, "the policy program builds (%zu instructions)", n);
	is_int(run(p, n, BPF_DEVCG_DEV_CHAR, 1, 3), 1, "/dev/null is allowed");
	is_int(run(p, n, BPF_DEVCG_DEV_CHAR, 1, 9), 1, "/dev/urandom is allowed");
	is_int(run(p, n, BPF_DEVCG_DEV_CHAR, 5, 2), 1, "/dev/ptmx is allowed");
	is_int(run(p, n, BPF_DEVCG_DEV_CHAR, 136, 7), 1,
	       "any pseudo-terminal of the node's is allowed");
	is_int(run(p, n, BPF_DEVCG_DEV_CHAR, 1, 1), 0, "/dev/mem is refused");
	is_int(run(p, n, BPF_DEVCG_DEV_CHAR, 1, 2), 0, "/dev/kmem is refused");
	is_int(run(p, n, BPF_DEVCG_DEV_CHAR, 10, 200), 0, "/dev/net/tun is refused");
	is_int(run(p, n, BPF_DEVCG_DEV_CHAR, 4, 1), 0, "the host's consoles are refused");
	is_int(run(p, n, BPF_DEVCG_DEV_BLOCK, 8, 0), 0, "a disk is refused");
	is_int(run(p, n, BPF_DEVCG_DEV_BLOCK, 1, 3), 0, "even as a block device of null's numbers");
	all = cbx_devices_bpf_build(true, p, 64);
	is_int(run(p, all, BPF_DEVCG_DEV_BLOCK, 254, 0), 1,
	       "a privileged node's program allows a disk");
	ok(cbx_devices_bpf_build(false, p, 4) == 0, "a buffer too small is refused");
	ok(cbx_devices_v1_rule(0, rule, sizeof(rule)) && !strcmp(rule, "c 1:3 rwm"),
	   "v1's first rule: %s", rule);
	{
		size_t i = 0;
		while (cbx_devices_v1_rule(i, rule, sizeof(rule)))
			i++;
		is_int(i, cbx_node_devices_count, "one v1 rule per device");
		cbx_devices_v1_rule(i - 1, rule, sizeof(rule));
		is_str(rule, "c 136:* rwm", "the pseudo-terminals' rule takes every minor");
	}
	return tap_done();
}
