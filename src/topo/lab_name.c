/* The one rule for lab names, for the file (validate, up) and for every
 * command that takes a LAB. A lab's name becomes paths under /run/cboxlab
 * and /run/netns, cgroup and nftables table names and the prefix of its host
 * interfaces; '-' is kept out of it so that "<lab>-<node>" can always be
 * split back. */
#include <ctype.h>
#include <string.h>

#include "common/text.h"
#include "topo/topo.h"

const char *cbx_lab_name_problem(const char *name)
{
	if (!*name)
		return "a lab name cannot be empty";
	if (strlen(name) > CBX_LAB_NAME_MAX)
		return "a lab name is at most 32 characters";
	if (!islower((unsigned char)name[0]) && !isdigit((unsigned char)name[0]))
		return "a lab name starts with a lowercase letter or digit";
	for (const char *c = name; *c; c++)
		if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) && *c != '_')
			return "a lab name has only lowercase letters, digits and '_'";
	return NULL;
}

int cbx_lab_name_check(const char *name, struct cbx_error *err)
{
	const char *why = cbx_lab_name_problem(name);
	char shown[4 * CBX_EXCERPT_MAX + 32];

	if (!why)
		return 0;
	return cbx_error_set(err, CBX_ERR_INPUT, "\"%s\" is not a lab name: %s",
			     cbx_text_excerpt(shown, sizeof(shown), name, CBX_EXCERPT_MAX), why);
}
