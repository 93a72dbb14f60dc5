/* Namespaces held until every pin is gone (ns_holds.h). */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "lab/ns_holds.h"
#include "runtime/netns.h"

void lab_ns_holds_init(struct lab_ns_holds *h, size_t cap)
{
	h->fds = calloc(cap ? cap : 1, sizeof(*h->fds));
	h->n = 0;
	h->cap = h->fds ? cap : 0;
}

int lab_ns_unpin_held(struct lab_ns_holds *h, const char *pin, struct cbx_error *err)
{
	int fd;

	if (h->n < h->cap && (fd = open(pin, O_RDONLY | O_CLOEXEC)) >= 0)
		h->fds[h->n++] = fd;
	return netns_unpin(pin, err);
}

void lab_ns_holds_release(struct lab_ns_holds *h)
{
	for (size_t i = 0; i < h->n; i++)
		close(h->fds[i]);
	free(h->fds);
	h->fds = NULL;
	h->n = h->cap = 0;
}
