#include "common/text.h"

#include <stdio.h>
#include <string.h>

/* Append src[0..n) escaped; stops where buf is full, never mid-escape. */
static size_t put_escaped(char *buf, size_t size, size_t len, const char *src, size_t n)
{
	for (size_t i = 0; i < n && src[i]; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c < 0x20 || c == 0x7f) {
			if (len + 4 >= size)
				break;
			snprintf(buf + len, 5, "\\x%02x", c);
			len += 4;
		} else {
			if (len + 1 >= size)
				break;
			buf[len++] = (char)c;
		}
	}
	buf[len] = '\0';
	return len;
}

char *cbx_text_escape(char *buf, size_t size, const char *src)
{
	put_escaped(buf, size, 0, src, (size_t)-1);
	return buf;
}

char *cbx_text_excerpt(char *buf, size_t size, const char *src, size_t max)
{
	size_t n = strlen(src), len = put_escaped(buf, size, 0, src, max);

	if (n > max && len < size)
		snprintf(buf + len, size - len, "... (%zu bytes)", n);
	return buf;
}
