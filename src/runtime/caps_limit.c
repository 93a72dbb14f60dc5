/* The libc-only half of caps.h: limiting the calling process. */
#include <errno.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/caps.h"

int caps_bound_to(uint64_t keep, struct cbx_error *err)
{
	for (unsigned c = 0; c < 64; c++) {
		if (keep & CBX_CAP_BIT(c))
			continue;
		/* EINVAL: past the kernel's last capability. */
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return cbx_error_sys(err, errno, "drop capability %u from the bounding set",
					     c);
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	return 0;
}

int caps_limit_process(uint64_t keep, struct cbx_error *err)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		return cbx_error_sys(err, errno, "read the process's capabilities");
	for (int i = 0; i < 2; i++) {
		uint32_t k = (uint32_t)(keep >> (32 * i));
		d[i].permitted &= k;
		d[i].effective = d[i].permitted;
		d[i].inheritable = 0;
	}
	if (syscall(SYS_capset, &h, d) < 0)
		return cbx_error_sys(err, errno, "limit the process's capabilities");
	return 0;
}
