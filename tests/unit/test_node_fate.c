/* A node's fate line (runtime/node_fate.h) and the tables `up` reads a
 * "ready": "tcp:PORT" check from: written and read back, and anything else
 * refused (a reader trusts no file of a node's). */
#include <string.h>

#include "lab/node_ready.h"
#include "runtime/node_fate.h"
#include "tap.h"

static void round_trip(struct node_fate f, const char *what)
{
	char line[CBX_FATE_LINE + 1];
	struct node_fate back = { 0 };

	node_fate_format(&f, line);
	is_int(strlen(line), CBX_FATE_LINE, "%s: a fixed-width line", what);
	ok(line[CBX_FATE_LINE - 1] == '\n', "%s: ends in a newline", what);
	ok(node_fate_parse(line, CBX_FATE_LINE, &back), "%s: read back", what);
	is_int(back.state, f.state, "%s: state", what);
	is_int(back.code, f.code, "%s: code", what);
	ok(back.since_ms == f.since_ms, "%s: time", what);
	is_int(back.restarts, f.restarts, "%s: restarts", what);
}

static void refused(const char *text, const char *what)
{
	char line[CBX_FATE_LINE + 8];
	struct node_fate f;
	size_t len = strlen(text);

	memset(line, ' ', sizeof(line));
	memcpy(line, text, len);
	line[CBX_FATE_LINE - 1] = '\n';
	ok(!node_fate_parse(line, CBX_FATE_LINE, &f), "refused: %s", what);
}

static void test_fate(void)
{
	struct node_fate f;
	char line[CBX_FATE_LINE + 1];

	round_trip((struct node_fate){ NODE_FATE_RUNNING, 0, 1765000000123, 0 }, "running");
	round_trip((struct node_fate){ NODE_FATE_EXITED, 3, 1765000000456, 2 }, "exited 3");
	round_trip((struct node_fate){ NODE_FATE_KILLED, 9, 1, 4294967295u }, "killed 9");
	refused("exited 3 12", "a field missing");
	refused("exited -3 12 0", "a negative code");
	refused("exited 300 12 0", "an exit code above 255");
	refused("killed 0 12 0", "signal 0");
	refused("killed 65 12 0", "a signal past 64");
	refused("running 1 12 0", "running with a code");
	refused("stopped 0 12 0", "an unknown state");
	refused("exited 3 12 0 x", "trailing text");
	refused("exited 3 99999999999999999999 0", "a time out of range");
	refused("exited 3 12 4294967296", "restarts out of range");
	refused("exited\t3 12 0", "a tab for a space");
	node_fate_format(&(struct node_fate){ NODE_FATE_EXITED, 1, 5, 0 }, line);
	ok(!node_fate_parse(line, CBX_FATE_LINE - 1, &f), "refused: a short read");
	ok(!node_fate_parse(line, 0, &f), "refused: an empty file");
	line[CBX_FATE_LINE - 1] = 'x';
	ok(!node_fate_parse(line, CBX_FATE_LINE, &f), "refused: no newline at the end");
}

static void test_tcp_table(void)
{
	const char *v4 =
		"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
		"   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0\n"
		"   1: 0100007F:0035 0100007F:D2A4 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0\n";
	const char *v6 =
		"  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
		"   0: 00000000000000000000000000000000:01BB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3 1 0\n";

	ok(lab_tcp_table_listens(v4, 8080), "IPv4: a listener on 8080 (0x1F90)");
	ok(!lab_tcp_table_listens(v4, 53), "IPv4: 53 is an established connection, not a listener");
	ok(!lab_tcp_table_listens(v4, 80), "IPv4: nothing on 80");
	ok(lab_tcp_table_listens(v6, 443), "IPv6: a listener on 443");
	ok(!lab_tcp_table_listens("", 80), "an empty table");
	ok(!lab_tcp_table_listens("header only\n", 80), "a header alone");
	ok(!lab_tcp_table_listens("h\n garbage :: 0A\n 0: nocolon x 0A\n", 80), "garbage lines");
}

int main(void)
{
	test_fate();
	test_tcp_table();
	return tap_done();
}
