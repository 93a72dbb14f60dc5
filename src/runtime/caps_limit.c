#include <errno.h>
#include <sys/prctl.h>

#include "runtime/caps.h"

int caps_drop_bounding(uint64_t mask, struct cbx_error *err)
{
	for (unsigned c = 0; c < 64; c++) {
		if (!(mask & (UINT64_C(1) << c)))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return cbx_error_sys(err, errno, "drop capability %u from the bounding set", c);
	}
	/* Root's inheritable and ambient sets are normally empty; make sure. */
	if (mask)
		prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	return 0;
}
