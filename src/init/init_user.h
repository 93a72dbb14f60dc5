#ifndef CBX_INIT_USER_H
#define CBX_INIT_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The ids `spec` ("uid[:gid]", "name[:group]") names in the node's root;
 * -1 with why. */
int init_user_resolve(const char *spec, uid_t *uid, gid_t *gid, char *why, size_t size);
/* Drop to them (supplementary groups: gid only). */
int init_user_become(uid_t uid, gid_t gid);

#endif
