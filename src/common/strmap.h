/* A string-keyed hash map to pointers, so name lookups stay O(1) in labs of
 * thousands of nodes. Keys are borrowed: they must outlive the map. */
#ifndef CBX_STRMAP_H
#define CBX_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

struct cbx_strmap {
	struct cbx_strmap_slot {
		const char *key;
		void *value;
	} * slots;
	size_t cap, len;
};

void cbx_strmap_init(struct cbx_strmap *m);
void cbx_strmap_free(struct cbx_strmap *m);
/* Insert; returns false if the key is already there (value unchanged) or on
 * allocation failure (then *oom is set when oom is given). */
bool cbx_strmap_put(struct cbx_strmap *m, const char *key, void *value, bool *oom);
void *cbx_strmap_get(const struct cbx_strmap *m, const char *key);

#endif
