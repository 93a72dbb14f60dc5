/* The lines of tmpfiles.d that make a host-base node's /run (runtime/
 * tmpfiles.h): folders under /run, /var/run or %t, with their mode and
 * owner; everything else, and anything that could step out of /run, left. */
#include <string.h>

#include "runtime/tmpfiles.h"
#include "tap.h"

static void takes(const char *line, const char *path, unsigned mode, const char *user,
		  const char *group)
{
	struct cbx_tmpfiles_dir d;
	bool ok_ = cbx_tmpfiles_parse_line(line, &d);

	ok(ok_, "taken: %s", line);
	if (!ok_)
		return;
	is_str(d.path, path, "its path: %s", line);
	is_int(d.mode, mode, "its mode: %s", line);
	is_str(d.user, user, "its user: %s", line);
	is_str(d.group, group, "its group: %s", line);
}

static void leaves(const char *line, const char *why)
{
	struct cbx_tmpfiles_dir d;

	ok(!cbx_tmpfiles_parse_line(line, &d), "left: %s (%s)", line, why);
}

int main(void)
{
	takes("d /run/frr 0755 frr frr", "/run/frr", 0755, "frr", "frr");
	takes("d /run/postgresql 2775 postgres postgres - -", "/run/postgresql", 02775, "postgres",
	      "postgres");
	takes("D /var/run/sshd 0755 root root -", "/run/sshd", 0755, "root", "root");
	takes("d!  %t/dbus/containers   0755 messagebus - -", "/run/dbus/containers", 0755,
	      "messagebus", "");
	takes("d /run/lock/subsys", "/run/lock/subsys", 0755, "", "");
	takes("d /run/x/ - - -", "/run/x", 0755, "", "");
	takes("d /run/y ~0700 a b", "/run/y", 0700, "a", "b");
	{
		struct cbx_tmpfiles_dir d;
		ok(cbx_tmpfiles_parse_line("d /run/nl 0750 a b\n", &d) && !strcmp(d.group, "b"),
		   "a line read with its newline");
	}
	leaves("# d /run/commented 0755 root root", "a comment");
	leaves("", "an empty line");
	leaves("f /run/utmp 0664 root utmp -", "a file, not a folder");
	leaves("L /var/run - - - - ../run", "a symlink");
	leaves("d /var/lib/x 0755 root root", "not under /run");
	leaves("d /run 0755 root root", "/run itself");
	leaves("d /runx/y 0755", "a sibling of /run");
	leaves("d /run/../etc/x 0755 root root", "a way out of /run");
	leaves("d /run/a/.. 0755 root root", "a trailing ..");
	leaves("d /run/./a 0755", "a . component");
	leaves("d /run//a 0755", "an empty component");
	leaves("d /run/user/%U 0700", "a specifier cboxlab does not expand");
	leaves("d /run/x 9999 root root", "a mode that is not octal");
	leaves("d /run/x 077777 root root", "a mode too large");
	leaves("q /run/x 0755", "another type");
	leaves("dd /run/x 0755", "a type with an unknown modifier");
	return tap_done();
}
