/* Reading a node's answer: a node that fails sends why, then dies. If it
 * dies with something of ours unread, the kernel reports ECONNRESET before
 * the queued message; the reason must still be the one shown (seen in the
 * slow test VM as "read its answer: Connection reset by peer"). */
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "init/init_proto.h"
#include "runtime/node_spawn.h"
#include "tap.h"

int main(void)
{
	struct node_proc p = { .sync_fd = -1, .pidfd = -1 };
	struct cbx_error err;
	char why[] = "E/etc/hosts: Not a directory";
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		ok(0, "socketpair");
		return tap_done();
	}
	why[0] = CBX_SYNC_ERROR;
	/* up's message the node never reads, the node's last words, its end. */
	ok(write(sv[0], "G", 1) == 1 && write(sv[1], why, sizeof(why)) == (ssize_t)sizeof(why),
	   "messages both ways");
	close(sv[1]);
	p.sync_fd = sv[0];
	cbx_error_clear(&err);
	ok(node_read_answer(&p, "a", CBX_SYNC_READY, NULL, &err) == -1, "the answer is a failure");
	is_str(err.msg, "node a: /etc/hosts: Not a directory",
	       "and says why, though the node died with a message of ours unread");
	cbx_error_clear(&err);
	ok(node_read_answer(&p, "a", CBX_SYNC_READY, NULL, &err) == -1 &&
		   strstr(err.msg, "died while starting"),
	   "a read after that finds the end: the node died (%s)", err.msg);
	close(sv[0]);
	return tap_done();
}
