#include "runtime/caps.h"

#include <linux/capability.h>
#include <sys/capability.h>

/* Docker's default set, plus what network labs use: NET_ADMIN (interfaces,
 * routes, nftables, tc), SYS_PTRACE (strace a daemon), IPC_LOCK, SYS_NICE
 * and SYS_RESOURCE (daemons that lock memory or raise limits). Left out:
 * SYS_ADMIN, SYS_MODULE, SYS_RAWIO, SYS_BOOT, SYS_TIME, MKNOD,
 * DAC_READ_SEARCH (open_by_handle_at escapes), MAC_*, SYSLOG, BPF, PERFMON. */
static const cap_value_t kept[] = {
	CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_SETGID, CAP_SETUID,
	CAP_SETPCAP, CAP_SETFCAP, CAP_NET_BIND_SERVICE, CAP_NET_RAW, CAP_NET_ADMIN,
	CAP_NET_BROADCAST, CAP_SYS_CHROOT, CAP_KILL, CAP_AUDIT_WRITE, CAP_IPC_LOCK,
	CAP_SYS_NICE, CAP_SYS_RESOURCE, CAP_SYS_PTRACE,
};

uint64_t caps_node_drop_mask(bool privileged)
{
	/* libcap asks the kernel how many capabilities it has. */
	unsigned bits = cap_max_bits();
	uint64_t mask = 0;

	if (privileged)
		return 0;
	for (unsigned c = 0; c < bits && c < 64; c++)
		mask |= UINT64_C(1) << c;
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		mask &= ~(UINT64_C(1) << kept[i]);
	return mask;
}

int caps_restrict_node(bool privileged, struct cbx_error *err)
{
	return caps_drop_bounding(caps_node_drop_mask(privileged), err);
}
