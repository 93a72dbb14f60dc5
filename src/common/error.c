#include "common/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void verror(struct cbx_error *err, enum cbx_error_kind kind, int errnum, const char *fmt,
		   va_list ap)
{
	int n;

	err->kind = kind;
	err->code = errnum;
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	if (n >= 0 && (size_t)n < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(errnum));
}

int cbx_error_sys(struct cbx_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(err, CBX_ERR_SYSTEM, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int cbx_error_errno(struct cbx_error *err, enum cbx_error_kind kind, int errnum, const char *fmt,
		    ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(err, kind, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int cbx_error_set(struct cbx_error *err, enum cbx_error_kind kind, const char *fmt, ...)
{
	va_list ap;

	err->kind = kind;
	err->code = 0;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int cbx_error_wrap(struct cbx_error *err, const char *fmt, ...)
{
	char prefix[CBX_ERROR_MSG_MAX / 2];
	size_t plen, mlen = strlen(err->msg);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	plen = strlen(prefix);
	if (plen + 2 + mlen >= sizeof(err->msg))
		mlen = sizeof(err->msg) - plen - 3;
	memmove(err->msg + plen + 2, err->msg, mlen);
	memcpy(err->msg, prefix, plen);
	err->msg[plen] = ':';
	err->msg[plen + 1] = ' ';
	err->msg[plen + 2 + mlen] = '\0';
	return -1;
}

void cbx_error_append(struct cbx_error *err, const char *fmt, ...)
{
	size_t len = strlen(err->msg);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg + len, sizeof(err->msg) - len, fmt, ap);
	va_end(ap);
}

void cbx_error_add_kernel_text(struct cbx_error *err, const char *text)
{
	if (text && *text)
		cbx_error_append(err, " (kernel: %s)", text);
}

void cbx_error_clear(struct cbx_error *err)
{
	err->kind = CBX_ERR_NONE;
	err->code = 0;
	err->msg[0] = '\0';
}

int cbx_error_keep_first(int rc, struct cbx_error *err, int rc_one, const struct cbx_error *one)
{
	if (rc_one >= 0 || rc < 0)
		return rc;
	if (err != one)
		*err = *one;
	return -1;
}

int cbx_error_exit_status(const struct cbx_error *err)
{
	return err->kind == CBX_ERR_INPUT ? 2 : 1;
}
