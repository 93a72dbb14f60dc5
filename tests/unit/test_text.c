/* User text in messages: control bytes quoted, long values cut. */
#include <string.h>

#include "common/text.h"
#include "tap.h"

int main(void)
{
	char buf[512], big[100001];

	is_str(cbx_text_escape(buf, sizeof(buf), "a\x1b[31mred\nx\x7f"), "a\\x1b[31mred\\x0ax\\x7f",
	       "ESC, newline and DEL are quoted as \\xNN");
	is_str(cbx_text_escape(buf, sizeof(buf), "plain é"), "plain é",
	       "printable text and UTF-8 stay");
	is_str(cbx_text_escape(buf, 6,
			       "ab\x1b"
			       "cd"),
	       "ab", "a full buffer never ends in half an escape");
	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	is_str(cbx_text_excerpt(buf, sizeof(buf), big, 8), "kkkkkkkk... (100000 bytes)",
	       "a long value is cut and its length given");
	is_str(cbx_text_excerpt(buf, sizeof(buf), "short", 8), "short", "a short value is whole");
	is_str(cbx_text_excerpt(buf, sizeof(buf), "\x1b\x1b\x1b", 2), "\\x1b\\x1b... (3 bytes)",
	       "the cut counts bytes of the value, quoted after");
	return tap_done();
}
