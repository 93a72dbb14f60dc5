/* A tiny TAP producer for the unit tests: each check prints "ok N - name" or
 * "not ok N - name" with where and why; tap_done() prints the plan and
 * returns the exit status. tests/run counts the results. */
#ifndef CBX_TAP_H
#define CBX_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, #cond, __VA_ARGS__)

static inline int tap_ok(int pass, const char *file, int line, const char *expr, const char *fmt,
			 ...) __attribute__((format(printf, 5, 6)));

#include <stdarg.h>
static inline int tap_ok(int pass, const char *file, int line, const char *expr, const char *fmt,
			 ...)
{
	va_list ap;

	tap_n++;
	printf("%s %d - ", pass ? "ok" : "not ok", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s:%d: %s\n", file, line, expr);
	}
	return pass;
}

/* String equality with both values shown on failure. */
#define is_str(got, want, ...) \
	do { \
		const char *g_ = (got), *w_ = (want); \
		if (!ok(g_ && w_ && !strcmp(g_, w_), __VA_ARGS__)) \
			printf("#   got: '%s'\n#   want: '%s'\n", g_ ? g_ : "(null)", \
			       w_ ? w_ : "(null)"); \
	} while (0)

/* Does `hay` contain `needle`? Shows the text on failure. */
#define has_str(hay, needle, ...) \
	do { \
		const char *h_ = (hay), *n_ = (needle); \
		if (!ok(h_ && strstr(h_, n_), __VA_ARGS__)) \
			printf("#   '%s'\n#   does not contain '%s'\n", h_ ? h_ : "(null)", n_); \
	} while (0)

#define is_int(got, want, ...) \
	do { \
		long long g_ = (long long)(got), w_ = (long long)(want); \
		if (!ok(g_ == w_, __VA_ARGS__)) \
			printf("#   got: %lld\n#   want: %lld\n", g_, w_); \
	} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
