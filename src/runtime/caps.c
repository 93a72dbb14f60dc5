#include "runtime/caps.h"

#include <errno.h>
#include <linux/capability.h>
#include <sys/capability.h>
#include <sys/prctl.h>

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

static bool is_kept(cap_value_t c)
{
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		if (kept[i] == c)
			return true;
	return false;
}

int caps_restrict_node(bool privileged, struct cbx_error *err)
{
	int last = (int)cap_max_bits() - 1;

	if (privileged)
		return 0;
	for (cap_value_t c = 0; c <= last; c++) {
		if (is_kept(c))
			continue;
		if (cap_drop_bound(c) < 0 && errno != EINVAL)
			return cbx_error_sys(err, errno, "drop capability %d from the bounding set",
					     (int)c);
	}
	/* Root's inheritable and ambient sets are normally empty; make sure. */
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	return 0;
}
