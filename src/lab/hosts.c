#include "lab/hosts.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/fsutil.h"

int lab_write_hosts(const struct cbx_topo *t, const char *path, struct cbx_error *err)
{
	char tmp[512];
	FILE *f;

	/* Written whole under a temporary name and renamed: a reader never
	 * sees half a file. */
	if (cbx_path(tmp, sizeof(tmp), err, "%s.tmp", path) < 0)
		return -1;
	f = fopen(tmp, "we");
	if (!f)
		return cbx_error_sys(err, errno, "create %s", tmp);
	fprintf(f, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
	fprintf(f, "# cboxlab lab %s\n", t->name);
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct cbx_node *n = &t->nodes[i];
		const struct cbx_prefix *primary = cbx_node_primary_addr(n);
		bool named6 = false;

		for (size_t k = 0; k < n->n_ifaces; k++) {
			const struct cbx_iface *ifc = n->ifaces[k];
			for (unsigned a = 0; a < ifc->n_addrs; a++) {
				const struct cbx_prefix *addr = &ifc->addrs[a];
				char ip[CBX_PREFIX_STRLEN];
				/* The name goes with the primary address and the
				 * first IPv6 one, so `ping6 NODE` works too. */
				bool named =
					addr == primary || (addr->ip.family == AF_INET6 && !named6);
				if (addr->ip.family == AF_INET6 && named)
					named6 = true;
				fprintf(f, "%s\t%s%s%s-%s\n", cbx_ip_str(&addr->ip, ip, sizeof(ip)),
					named ? n->name : "", named ? " " : "", n->name, ifc->name);
			}
		}
	}
	if (fclose(f) != 0)
		return cbx_error_sys(err, errno, "write %s", tmp);
	if (rename(tmp, path) < 0)
		return cbx_error_sys(err, errno, "rename %s", tmp);
	return 0;
}
