/* User text inside messages: a topology's keys and values, a command line's
 * arguments. They may hold terminal escapes or newlines (a file can write
 * into the user's terminal through an error message) and may be huge (a
 * 100 kB key would push the reason out of a message): both are shown
 * quoted, and long ones cut. */
#ifndef CBX_TEXT_H
#define CBX_TEXT_H

#include <stddef.h>
#include "common/public.h"

/* How much of a value a message shows. */
#define CBX_EXCERPT_MAX 64

/* Copy src into buf (of size > 0, always NUL-terminated), each control
 * byte (below 0x20, and 0x7f) written as \xNN. Returns buf. */
CBX_PUBLIC char *cbx_text_escape(char *buf, size_t size, const char *src);

/* Like cbx_text_escape, but at most `max` bytes of src: a longer one ends
 * in "... (N bytes)". buf should hold 4 * max + 32 bytes to show all of
 * them. Returns buf. */
CBX_PUBLIC char *cbx_text_excerpt(char *buf, size_t size, const char *src, size_t max);

#endif
