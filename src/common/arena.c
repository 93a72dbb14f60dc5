#include "common/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE (64 * 1024)
#define ALIGN 16

struct chunk {
	struct chunk *next;
	size_t used, cap;
	_Alignas(ALIGN) unsigned char data[];
};

struct cbx_arena {
	struct chunk *head;
};

struct cbx_arena *cbx_arena_new(void)
{
	return calloc(1, sizeof(struct cbx_arena));
}

void cbx_arena_free(struct cbx_arena *a)
{
	if (!a)
		return;
	for (struct chunk *c = a->head, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

void *cbx_arena_alloc(struct cbx_arena *a, size_t size)
{
	struct chunk *c = a->head;
	size_t need = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	void *p;

	if (!c || c->cap - c->used < need) {
		size_t cap = need > CHUNK_SIZE ? need : CHUNK_SIZE;
		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = a->head;
		a->head = c;
	}
	p = c->data + c->used;
	c->used += need;
	memset(p, 0, size);
	return p;
}

void *cbx_arena_array(struct cbx_arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return cbx_arena_alloc(a, n * size > 0 ? n * size : 1);
}

char *cbx_arena_strdup(struct cbx_arena *a, const char *s)
{
	size_t len = strlen(s) + 1;
	char *p = cbx_arena_alloc(a, len);

	if (p)
		memcpy(p, s, len);
	return p;
}

char *cbx_arena_printf(struct cbx_arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	p = cbx_arena_alloc(a, (size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}
