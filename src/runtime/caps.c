#include "runtime/caps.h"

#include <linux/capability.h>
#include <sys/capability.h>

/* Docker's default set (moby's caps/defaults.go), plus what network labs
 * use: NET_ADMIN (interfaces, routes, nftables, tc), SYS_PTRACE (strace a
 * daemon), IPC_LOCK and SYS_RESOURCE (daemons that lock memory or raise
 * limits), NET_BROADCAST. Left out: SYS_ADMIN, SYS_MODULE, SYS_RAWIO,
 * SYS_BOOT, SYS_TIME, MKNOD, DAC_READ_SEARCH (open_by_handle_at escapes),
 * MAC_*, SYSLOG, BPF, PERFMON, and SYS_NICE: a real-time priority
 * (SCHED_FIFO) or nice -20 takes the host's CPUs from everything else on
 * it, other nodes and the students' own shells included, and neither
 * limits.cpus nor the CPU controller bounds a real-time task. */
static const int kept[] = {
	CAP_CHOWN,      CAP_DAC_OVERRIDE, CAP_FSETID,
	CAP_FOWNER,     CAP_SETGID,       CAP_SETUID,
	CAP_SETPCAP,    CAP_SETFCAP,      CAP_NET_BIND_SERVICE,
	CAP_NET_RAW,    CAP_NET_ADMIN,    CAP_NET_BROADCAST,
	CAP_SYS_CHROOT, CAP_KILL,         CAP_AUDIT_WRITE,
	CAP_IPC_LOCK,   CAP_SYS_RESOURCE, CAP_SYS_PTRACE,
};

uint64_t caps_node_default(void)
{
	uint64_t mask = 0;

	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		mask |= CBX_CAP_BIT(kept[i]);
	return mask;
}

uint64_t caps_kernel_all(void)
{
	unsigned bits = cap_max_bits();

	return bits >= 64 ? UINT64_MAX : CBX_CAP_BIT(bits) - 1;
}

uint64_t caps_node_set(bool privileged, uint64_t add, uint64_t drop)
{
	uint64_t set = privileged ? UINT64_MAX : caps_node_default() | add;

	return set & ~drop & caps_kernel_all();
}
