/* A bump allocator: many small allocations with one owner, freed together.
 * The topology and the plan live in arenas, so their builders need no
 * per-object cleanup on their many error paths. Allocations are zeroed. */
#ifndef CBX_ARENA_H
#define CBX_ARENA_H

#include <stddef.h>

struct cbx_arena;

struct cbx_arena *cbx_arena_new(void);
void cbx_arena_free(struct cbx_arena *a);
/* NULL only when memory is exhausted. */
void *cbx_arena_alloc(struct cbx_arena *a, size_t size);
void *cbx_arena_array(struct cbx_arena *a, size_t n, size_t size);
char *cbx_arena_strdup(struct cbx_arena *a, const char *s);
char *cbx_arena_printf(struct cbx_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
