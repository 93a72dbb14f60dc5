/* The one error type: messages with context, kinds, exit statuses, and
 * keeping the first of several failures. */
#include <errno.h>
#include <string.h>

#include "common/error.h"
#include "common/fsutil.h"
#include "tap.h"

static int fail_with(struct cbx_error *err, const char *what)
{
	return cbx_error_set(err, CBX_ERR_STATE, "%s failed", what);
}

int main(void)
{
	struct cbx_error err, one;
	char *text;
	int rc;

	ok(cbx_error_sys(&err, ENOENT, "open %s", "x.json") == -1, "cbx_error_sys returns -1");
	is_str(err.msg, "open x.json: No such file or directory", "the cause is appended");
	ok(err.kind == CBX_ERR_SYSTEM && err.code == ENOENT, "a system error with its errno");
	is_int(cbx_error_exit_status(&err), 1, "a system error exits 1");

	cbx_error_errno(&err, CBX_ERR_INPUT, ENOENT, "open %s", "x.json");
	ok(err.kind == CBX_ERR_INPUT && err.code == ENOENT,
	   "cbx_error_errno sets the kind it is given");
	is_str(err.msg, "open x.json: No such file or directory", "with the same message");
	is_int(cbx_error_exit_status(&err), 2, "an input error exits 2");

	cbx_error_set(&err, CBX_ERR_INPUT, "bad %s", "thing");
	cbx_error_wrap(&err, "node %s", "a");
	is_str(err.msg, "node a: bad thing", "wrap prefixes the context");
	cbx_error_append(&err, " (%s)", "why");
	is_str(err.msg, "node a: bad thing (why)", "append adds at the end");
	cbx_error_add_kernel_text(&err, "");
	is_str(err.msg, "node a: bad thing (why)", "no kernel text, nothing added");

	rc = 0;
	cbx_error_clear(&err);
	rc = cbx_error_keep_first(rc, &err, 0, &one);
	ok(rc == 0 && err.kind == CBX_ERR_NONE, "a step that succeeds keeps nothing");
	rc = cbx_error_keep_first(rc, &err, fail_with(&one, "first"), &one);
	rc = cbx_error_keep_first(rc, &err, fail_with(&one, "second"), &one);
	rc = cbx_error_keep_first(rc, &err, 0, &one);
	is_int(rc, -1,
	       "a failed step makes the result a failure, and a later success does not undo it");
	is_str(err.msg, "first failed", "the first failure is the one kept");
	ok(err.kind == CBX_ERR_STATE, "with its kind");

	ok(cbx_read_file_as("/nonexistent/cbx-test", CBX_ERR_INPUT, &text, NULL, &err) < 0 &&
		   err.kind == CBX_ERR_INPUT,
	   "a file read for the user fails as bad input");
	ok(cbx_read_file("/nonexistent/cbx-test", &text, NULL, &err) < 0 &&
		   err.kind == CBX_ERR_SYSTEM,
	   "one read for us as a system error");
	return tap_done();
}
