/* libarchive, opened the first time an image needs it (see the Makefile:
 * linked in, it would cost every command its start). ar->archive_x(...)
 * calls libarchive's archive_x. */
#ifndef CBX_ARCHIVE_DL_H
#define CBX_ARCHIVE_DL_H

#include <archive.h>
#include <archive_entry.h>

#include "common/error.h"

#define CBX_ARCHIVE_FUNCS(X) \
	X(struct archive *, archive_read_new, (void)) \
	X(int, archive_read_support_filter_all, (struct archive *)) \
	X(int, archive_read_support_format_tar, (struct archive *)) \
	X(int, archive_read_open_fd, (struct archive *, int, size_t)) \
	X(int, archive_read_open, \
	  (struct archive *, void *, archive_open_callback *, archive_read_callback *, \
	   archive_close_callback *)) \
	X(int, archive_read_next_header, (struct archive *, struct archive_entry **)) \
	X(la_ssize_t, archive_read_data, (struct archive *, void *, size_t)) \
	X(int, archive_read_data_skip, (struct archive *)) \
	X(int, archive_read_extract2, \
	  (struct archive *, struct archive_entry *, struct archive *)) \
	X(int, archive_read_free, (struct archive *)) \
	X(struct archive *, archive_write_disk_new, (void)) \
	X(int, archive_write_disk_set_options, (struct archive *, int)) \
	X(int, archive_write_close, (struct archive *)) \
	X(int, archive_write_free, (struct archive *)) \
	X(const char *, archive_error_string, (struct archive *)) \
	X(const char *, archive_entry_pathname, (struct archive_entry *)) \
	X(void, archive_entry_set_pathname, (struct archive_entry *, const char *)) \
	X(const char *, archive_entry_hardlink, (struct archive_entry *)) \
	X(void, archive_entry_set_hardlink, (struct archive_entry *, const char *)) \
	X(__LA_MODE_T, archive_entry_filetype, (struct archive_entry *)) \
	X(la_int64_t, archive_entry_size, (struct archive_entry *)) \
	X(int, archive_entry_xattr_reset, (struct archive_entry *)) \
	X(int, archive_entry_xattr_next, \
	  (struct archive_entry *, const char **, const void **, size_t *)) \
	X(void, archive_entry_xattr_clear, (struct archive_entry *)) \
	X(void, archive_entry_xattr_add_entry, \
	  (struct archive_entry *, const char *, const void *, size_t))

struct cbx_archive_lib {
#define CBX_ARCHIVE_FIELD(ret, name, args) ret(*name) args;
	CBX_ARCHIVE_FUNCS(CBX_ARCHIVE_FIELD)
#undef CBX_ARCHIVE_FIELD
};

/* The library, loaded once; NULL when it cannot be (err says why). */
const struct cbx_archive_lib *cbx_archive_lib(struct cbx_error *err);

#endif
