/* seccomp-gen DIR: writes the seccomp filters nodes use most (the default
 * capability set, and with SYS_ADMIN added, as routing suites are granted)
 * into DIR, at build time, so that `up` never waits for libseccomp for them
 * (runtime/seccomp_profile.h). */
#include <linux/capability.h>
#include <limits.h>
#include <stdio.h>

#include "runtime/caps.h"
#include "runtime/seccomp_profile.h"

int main(int argc, char **argv)
{
	const uint64_t sets[] = { caps_node_default(),
				  caps_node_default() | CBX_CAP_BIT(CAP_SYS_ADMIN) };
	struct cbx_error err;
	char path[PATH_MAX];

	if (argc != 2) {
		fprintf(stderr, "usage: seccomp-gen DIR\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		if (seccomp_profile_make(sets[i], argv[1], path, sizeof(path), &err) < 0) {
			fprintf(stderr, "seccomp-gen: %s\n", err.msg);
			return 1;
		}
	return 0;
}
