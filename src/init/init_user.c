/* An image's "User" for the startup command: "uid", "uid:gid", "name" or
 * "name:group", names looked up in the node's own /etc/passwd and
 * /etc/group (init is static: no NSS). */
#include "init/init_user.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool number(const char *s, unsigned long *out)
{
	char *end;

	if (!*s || *s == '-')
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return !errno && !*end && *out <= 0xfffffffful;
}

/* Field 3 (and 4) of the line of `file` whose field 1 is name, or whose
 * field 3 is it as a number. */
static bool lookup(const char *file, const char *name, unsigned long *id, unsigned long *gid)
{
	char line[1024];
	FILE *f = fopen(file, "re");
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *fields[4] = { 0 }, *save = NULL, *p = line;
		int n = 0;
		for (char *tok; n < 4 && (tok = strsep(&p, ":\n")); n++)
			fields[n] = tok;
		(void)save;
		if (n < 3 || strcmp(fields[0], name))
			continue;
		found = number(fields[2], id) && (!gid || (n == 4 && number(fields[3], gid)));
	}
	fclose(f);
	return found;
}

int init_user_resolve(const char *spec, uid_t *uid, gid_t *gid, char *why, size_t size)
{
	char user[256], *group;
	unsigned long u, g = 0;

	if (snprintf(user, sizeof(user), "%s", spec) >= (int)sizeof(user)) {
		snprintf(why, size, "user \"%.32s...\" is too long", spec);
		return -1;
	}
	group = strchr(user, ':');
	if (group)
		*group++ = '\0';
	if (!number(user, &u) && !lookup("/etc/passwd", user, &u, &g)) {
		snprintf(why, size, "user \"%s\" is not in the node's /etc/passwd", user);
		return -1;
	}
	if (number(user, &u) && !group && !lookup("/etc/passwd", user, &u, &g))
		g = u; /* a number with no passwd line: its own group, as docker does */
	if (group && !number(group, &g) && !lookup("/etc/group", group, &g, NULL)) {
		snprintf(why, size, "group \"%s\" is not in the node's /etc/group", group);
		return -1;
	}
	*uid = (uid_t)u;
	*gid = (gid_t)g;
	return 0;
}

int init_user_become(uid_t uid, gid_t gid)
{
	if (setgroups(1, &gid) < 0 || setgid(gid) < 0 || setuid(uid) < 0)
		return -1;
	return 0;
}
