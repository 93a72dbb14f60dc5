#include "common/strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

void cbx_strmap_init(struct cbx_strmap *m)
{
	memset(m, 0, sizeof(*m));
}

void cbx_strmap_free(struct cbx_strmap *m)
{
	free(m->slots);
	cbx_strmap_init(m);
}

static struct cbx_strmap_slot *find(const struct cbx_strmap *m, const char *key)
{
	size_t i = (size_t)hash(key) & (m->cap - 1);

	while (m->slots[i].key && strcmp(m->slots[i].key, key))
		i = (i + 1) & (m->cap - 1);
	return &m->slots[i];
}

static bool grow(struct cbx_strmap *m)
{
	struct cbx_strmap old = *m;

	m->cap = old.cap ? old.cap * 2 : 16;
	m->slots = calloc(m->cap, sizeof(*m->slots));
	if (!m->slots) {
		*m = old;
		return false;
	}
	for (size_t i = 0; i < old.cap; i++)
		if (old.slots[i].key)
			*find(m, old.slots[i].key) = old.slots[i];
	free(old.slots);
	return true;
}

bool cbx_strmap_put(struct cbx_strmap *m, const char *key, void *value, bool *oom)
{
	struct cbx_strmap_slot *slot;

	if ((m->len + 1) * 2 > m->cap && !grow(m)) {
		if (oom)
			*oom = true;
		return false;
	}
	slot = find(m, key);
	if (slot->key)
		return false;
	slot->key = key;
	slot->value = value;
	m->len++;
	return true;
}

void *cbx_strmap_get(const struct cbx_strmap *m, const char *key)
{
	if (!m->cap)
		return NULL;
	return find(m, key)->value;
}
