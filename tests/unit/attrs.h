/* Netlink attributes of a message or a nest, indexed by type, as the
 * builder tests read them back with libmnl. */
#ifndef CBX_TEST_ATTRS_H
#define CBX_TEST_ATTRS_H

#include <libmnl/libmnl.h>
#include <string.h>

#define MAXATTR 64

struct attrs {
	const struct nlattr *a[MAXATTR];
};

/* mnl_attr_parse* callback: file each attribute under its type (the last
 * one of a type wins; types past MAXATTR are left out). */
static inline int collect(const struct nlattr *attr, void *data)
{
	struct attrs *t = data;
	int type = mnl_attr_get_type(attr);

	if (type < MAXATTR)
		t->a[type] = attr;
	return MNL_CB_OK;
}

#endif
