/* One error type for the whole program.
 *
 * Every fallible function takes a `struct cbx_error *` and returns a negative
 * value on failure after filling it. Callers add context as the error climbs
 * (cbx_error_wrap), so the message the CLI finally prints names the operation,
 * the object and the cause:
 *   "create veth r1:eth1 in netns of r1: File exists (kernel: ...)".
 * Only the CLI prints errors.
 */
#ifndef CBX_ERROR_H
#define CBX_ERROR_H

#include <stddef.h>
#include "common/public.h"

#define CBX_ERROR_MSG_MAX 2048

enum cbx_error_kind {
	CBX_ERR_NONE = 0,
	CBX_ERR_SYSTEM, /* a syscall or kernel request failed; code is errno */
	CBX_ERR_INPUT,  /* the user's input is wrong (exit status 2) */
	CBX_ERR_STATE,  /* the lab is in the wrong state (already up, not up) */
};

struct cbx_error {
	enum cbx_error_kind kind;
	int code; /* errno for CBX_ERR_SYSTEM, 0 otherwise */
	char msg[CBX_ERROR_MSG_MAX];
};

/* Fill `err` with a message and strerror(errnum); returns -1. */
CBX_PUBLIC int cbx_error_sys(struct cbx_error *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The same with another kind than CBX_ERR_SYSTEM, for a failed call whose
 * cause is the user's (a topology file that cannot be read: CBX_ERR_INPUT)
 * or the lab's (a node without a log: CBX_ERR_STATE): the kind is set where
 * the error is made, never patched after. */
CBX_PUBLIC int cbx_error_errno(struct cbx_error *err, enum cbx_error_kind kind, int errnum,
			       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Fill `err` with a plain message of the given kind; returns -1. */
CBX_PUBLIC int cbx_error_set(struct cbx_error *err, enum cbx_error_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefix the existing message with "<context>: "; returns -1. */
CBX_PUBLIC int cbx_error_wrap(struct cbx_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Append printf-style text to the message (truncating at the buffer's end). */
CBX_PUBLIC void cbx_error_append(struct cbx_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Append " (kernel: <text>)" when the kernel gave an extended-ACK message. */
CBX_PUBLIC void cbx_error_add_kernel_text(struct cbx_error *err, const char *text);

CBX_PUBLIC void cbx_error_clear(struct cbx_error *err);

/* Keep the first failure of several steps that all run (an undo, a heal),
 * as systemd's RET_GATHER does: with rc still 0 and the step failed
 * (rc_one < 0), *err takes the step's error `one` and -1 is returned; else
 * rc. Later failures are dropped: the first is the one that explains.
 *   rc = cbx_error_keep_first(rc, err, step(..., &one), &one);
 */
CBX_PUBLIC int cbx_error_keep_first(int rc, struct cbx_error *err, int rc_one,
				    const struct cbx_error *one);

/* Exit status the CLI uses for an error: 2 for bad input, 1 otherwise. */
CBX_PUBLIC int cbx_error_exit_status(const struct cbx_error *err);

#endif
