/* What keeps the host's secrets out of "host"-base nodes.
 *
 * Such a node's /etc and /var are overlays over the host's own (its daemons
 * find their configuration and state directories), so without care a
 * student's shell would read /etc/shadow, the SSH host keys and the TLS
 * private keys of the machine. `up` makes one read-only layer per lab, laid
 * over the host's /etc and /var in every host-base node, which:
 *   - replaces /etc/shadow and /etc/gshadow by copies whose every password
 *     is locked ("!*"): the users are there, for daemons that look
 *     themselves up, their hashes are not;
 *   - removes (overlayfs whiteouts) the files and empties (opaque
 *     directories) the folders of the list in host_mask.c: the backup
 *     shadow files, SSH host private keys, /etc/ssl/private, Kerberos and
 *     IPsec keys, Wi-Fi and VPN secrets, /var/backups, the host's mail and
 *     cron spools, authentication logs, cboxlab's own state and cache, and
 *     the data of the database servers a node would otherwise read.
 * docs/security.md lists them. A path the host does not have is skipped. */
#ifndef CBX_HOST_MASK_H
#define CBX_HOST_MASK_H

#include <stddef.h>

#include "common/error.h"

/* Make the layer in dir (dir/etc and dir/var) from the host whose root is
 * host_root ("/"; tests give a fake one). Needs CAP_MKNOD for whiteouts. */
int host_mask_make(const char *host_root, const char *dir, struct cbx_error *err);

/* A shadow or gshadow file's text with every password field (the second)
 * replaced by "!*"; malloc'd, NULL when out of memory. Pure. */
char *host_mask_lock_passwords(const char *text, size_t len, size_t *out_len);

#endif
