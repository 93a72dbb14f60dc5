/* After the nodes' commands have started (lab/node_ready.h). A check command
 * runs in its node through a prober: a child of `up` that runs it (as `exec`
 * would) until it exits 0 or its time is up, with a backoff between tries;
 * each node's prober runs beside the others', and `up` waits on their
 * pidfds and the nodes' sync sockets in one poll(). A "tcp:PORT" check is
 * `up`'s own: the node's /proc/PID/net/tcp{,6}, read with a backoff, no
 * process started. */
#include "lab/node_ready.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/clock.h"
#include "common/text.h"
#include "init/init_proto.h"
#include "lab/lab.h"

#define TAIL_BYTES 4096
#define TAIL_LINES 3
#define TAIL_LINE_MAX 160
#define CHECK_FIRST_MS 5
#define CHECK_MAX_MS 250
/* A check command still running at its deadline gets this long to end. */
#define PROBE_GRACE_MS 2000

struct waiter {
	const struct cbx_node *node;
	struct node_rt *rt;
	bool ready;
	long deadline, next_check, interval;
	pid_t prober;
	int prober_fd; /* its pidfd, -1 when none */
	int out_fd;    /* the check's last output (a memfd), -1 when none */
};

bool lab_tcp_table_listens(const char *text, uint16_t port)
{
	const char *line = strchr(text, '\n'); /* the header goes */

	while (line && *++line) {
		unsigned sl, lport, state;
		char local[80], remote[80];

		if (sscanf(line, " %u: %79s %79s %x", &sl, local, remote, &state) == 4) {
			const char *colon = strrchr(local, ':');
			if (colon && sscanf(colon + 1, "%x", &lport) == 1 && lport == port &&
			    state == 0x0A /* TCP_LISTEN */)
				return true;
		}
		line = strchr(line, '\n');
	}
	return false;
}

static bool node_listens(pid_t pid, uint16_t port)
{
	static const char *const tables[] = { "tcp", "tcp6" };

	for (size_t i = 0; i < CBX_ARRAY_SIZE(tables); i++) {
		char path[64], *text = NULL;
		size_t len = 0;
		FILE *f;
		bool yes;

		snprintf(path, sizeof(path), "/proc/%d/net/%s", (int)pid, tables[i]);
		f = fopen(path, "re");
		if (!f)
			continue;
		/* The table of one netns: a lab's node has a few sockets. */
		len = 0;
		if (getdelim(&text, &len, '\0', f) < 0) {
			free(text);
			text = NULL;
		}
		fclose(f);
		yes = text && lab_tcp_table_listens(text, port);
		free(text);
		if (yes)
			return true;
	}
	return false;
}

void lab_node_log_tail(const struct lab_ctx *ctx, const struct cbx_node *node, unsigned lines,
		       char *buf, size_t size)
{
	char dir[512], path[600], tail[TAIL_BYTES + 1];
	const char *starts[TAIL_LINES + 1];
	cleanup_close int fd = -1;
	unsigned found = 0;
	struct stat st;
	ssize_t n;
	size_t len = 0;

	buf[0] = '\0';
	if (lines > TAIL_LINES)
		lines = TAIL_LINES;
	if (lab_node_dir(ctx, node, dir, sizeof(dir)) < 0)
		return;
	snprintf(path, sizeof(path), "%s/console.log", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return;
	n = pread(fd, tail, TAIL_BYTES, st.st_size > TAIL_BYTES ? st.st_size - TAIL_BYTES : 0);
	if (n <= 0)
		return;
	tail[n] = '\0';
	/* Backwards, the lines that are not init's own, NULs cut. */
	for (ssize_t end = n; end > 0 && found < lines;) {
		ssize_t start = end - 1;

		while (start > 0 && tail[start - 1] != '\n')
			start--;
		if (tail[end - 1] == '\n')
			tail[end - 1] = '\0';
		if (tail[start] && strncmp(tail + start, "cboxlab-init: ", 14))
			starts[found++] = tail + start;
		end = start;
	}
	for (unsigned i = found; i-- > 0 && len + 1 < size;) {
		char line[4 * TAIL_LINE_MAX + 32];
		int w = snprintf(buf + len, size - len, "%s\"%s\"", len ? " | " : "",
				 cbx_text_excerpt(line, sizeof(line), starts[i], TAIL_LINE_MAX));
		if (w < 0 || (size_t)w >= size - len)
			break;
		len += (size_t)w;
	}
}

/* The prober, in a child of `up`: the check until it passes or time is up. */
__attribute__((noreturn)) static void probe(struct lab_ctx *ctx, const struct cbx_node *node,
					    int out_fd, long deadline)
{
	char *argv[] = { "/bin/sh", "-c", node->ready.cmd, NULL };
	struct lab_exec x = { .node = node, .argv = argv };
	long delay = CHECK_FIRST_MS;
	int null_fd = open("/dev/null", O_RDONLY);

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
		_exit(2);
	/* `up` runs at the highest priority; the check needs none of it. */
	setpriority(PRIO_PROCESS, 0, 0);
	for (;;) {
		struct cbx_error e;
		int status = -1;
		long now;

		if (ftruncate(1, 0) < 0 || lseek(1, 0, SEEK_SET) < 0)
			_exit(2);
		if (lab_exec(ctx->cbx, ctx->t, &x, &status, &e) < 0)
			dprintf(2, "%s\n", e.msg);
		else if (status == 0)
			_exit(0);
		now = cbx_now_ms();
		if (now >= deadline)
			_exit(1);
		usleep((useconds_t)(delay < deadline - now ? delay : deadline - now) * 1000);
		delay = delay * 2 > CHECK_MAX_MS ? CHECK_MAX_MS : delay * 2;
	}
}

static int start_prober(struct lab_ctx *ctx, struct waiter *w, struct cbx_error *err)
{
	pid_t pid;

	w->out_fd = memfd_create("cboxlab-ready", MFD_CLOEXEC);
	if (w->out_fd < 0)
		return cbx_error_sys(err, errno, "node %s: ready check", w->node->name);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return cbx_error_sys(err, errno, "node %s: ready check: fork", w->node->name);
	if (pid == 0)
		probe(ctx, w->node, w->out_fd, w->deadline);
	w->prober = pid;
	w->prober_fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (w->prober_fd < 0)
		return cbx_error_sys(err, errno, "node %s: ready check: pidfd", w->node->name);
	return 0;
}

static void stop_prober(struct waiter *w)
{
	if (w->prober > 0) {
		kill(w->prober, SIGKILL);
		while (waitpid(w->prober, NULL, 0) < 0 && errno == EINTR)
			;
		w->prober = 0;
	}
	if (w->prober_fd >= 0)
		close(w->prober_fd);
	w->prober_fd = -1;
}

/* The last output of the node's check, quoted, in buf. */
static void check_output(const struct waiter *w, char *buf, size_t size)
{
	char text[512];
	struct stat st;
	ssize_t n = -1;

	buf[0] = '\0';
	if (w->out_fd >= 0 && fstat(w->out_fd, &st) == 0)
		n = pread(w->out_fd, text, sizeof(text) - 1,
			  st.st_size > (off_t)sizeof(text) - 1
				  ? st.st_size - (off_t)sizeof(text) + 1
				  : 0);
	if (n <= 0) {
		snprintf(buf, size, "nothing");
		return;
	}
	text[n] = '\0';
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
		text[--n] = '\0';
	snprintf(buf, size, "\"");
	cbx_text_escape(buf + 1, size - 2, text);
	strncat(buf, "\"", size - strlen(buf) - 1);
}

static int not_ready(struct lab_ctx *ctx, const struct waiter *w, struct cbx_error *err)
{
	const struct cbx_ready *r = &w->node->ready;
	char out[800], cmd[4 * CBX_EXCERPT_MAX + 32];

	(void)ctx;
	if (r->kind == CBX_READY_TCP)
		return cbx_error_set(err, CBX_ERR_SYSTEM,
				     "node %s is not ready: nothing listens on TCP port %u after %.3g s",
				     w->node->name, r->port, (double)r->timeout_ms / 1000);
	check_output(w, out, sizeof(out));
	return cbx_error_set(err, CBX_ERR_SYSTEM,
			     "node %s is not ready: its check (%s) did not pass within %.3g s; it last said: %s",
			     w->node->name,
			     cbx_text_excerpt(cmd, sizeof(cmd), r->cmd, CBX_EXCERPT_MAX),
			     (double)r->timeout_ms / 1000, out);
}

/* What a node's sync socket said after 'R': 0 to go on, -1 when its command
 * ended badly (no restart) or its init is gone. Its socket is closed when
 * it has nothing more to say. */
static int heard(struct lab_ctx *ctx, struct waiter *w, struct cbx_error *err)
{
	char msg[CBX_SYNC_MSG_MAX + 1], tail[600];
	ssize_t n = recv(w->rt->proc.sync_fd, msg, sizeof(msg) - 1, MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		close(w->rt->proc.sync_fd);
		w->rt->proc.sync_fd = -1;
		if (n < 0)
			return cbx_error_sys(err, errno, "node %s: read its socket", w->node->name);
		lab_node_log_tail(ctx, w->node, TAIL_LINES, tail, sizeof(tail));
		return cbx_error_set(err, CBX_ERR_SYSTEM, "node %s died while starting%s%s",
				     w->node->name, tail[0] ? "; its last output: " : "", tail);
	}
	msg[n] = '\0';
	if (msg[0] != CBX_SYNC_EXITED || w->node->restart != CBX_RESTART_NO ||
	    !strcmp(msg + 1, "exited 0"))
		return 0;
	lab_node_log_tail(ctx, w->node, TAIL_LINES, tail, sizeof(tail));
	if (!strncmp(msg + 1, "killed ", 7)) {
		int sig = atoi(msg + 8);
		const struct cbx_cgroups *cg = &ctx->cg;

		if (sig == SIGKILL && cg->ops->oom_kills &&
		    cg->ops->oom_kills(cg, ctx->t->name, w->node->name) > 0)
			return cbx_error_set(err, CBX_ERR_SYSTEM,
					     "node %s: its startup command was OOM-killed (limits.memory) before the lab was up%s%s",
					     w->node->name, tail[0] ? "; its last output: " : "",
					     tail);
		return cbx_error_set(err, CBX_ERR_SYSTEM,
				     "node %s: its startup command was killed by SIG%s before the lab was up%s%s",
				     w->node->name, sigabbrev_np(sig) ? sigabbrev_np(sig) : "?",
				     tail[0] ? "; its last output: " : "", tail);
	}
	return cbx_error_set(err, CBX_ERR_SYSTEM,
			     "node %s: its startup command %s before the lab was up%s%s",
			     w->node->name, !strncmp(msg + 1, "exited ", 7) ? msg + 1 : "ended",
			     tail[0] ? "; its last output: " : "", tail);
}

/* Read every sync socket with something to say now: one poll() over all
 * of them (a 100-node `up` without checks pays one system call, not 100). */
static int hear_all(struct lab_ctx *ctx, struct waiter *w, size_t n, struct cbx_error *err)
{
	cleanup_free struct pollfd *p = calloc(n ? n : 1, sizeof(*p));

	if (!p)
		return cbx_error_sys(err, ENOMEM, "wait for the nodes to be ready");
	/* A few rounds: a node says at most a few things at a time. */
	for (int round = 0; round < 16; round++) {
		int ready;

		for (size_t i = 0; i < n; i++)
			p[i] = (struct pollfd){ .fd = w[i].rt->proc.sync_fd, .events = POLLIN };
		ready = poll(p, n, 0);
		if (ready <= 0)
			return 0;
		for (size_t i = 0; i < n; i++)
			if (p[i].fd >= 0 && p[i].revents && heard(ctx, &w[i], err) < 0)
				return -1;
	}
	return 0;
}

/* A tcp check due now; -1 when its time is up. */
static int check_tcp(struct lab_ctx *ctx, struct waiter *w, long now, struct cbx_error *err)
{
	if (w->next_check > now)
		return 0;
	if (node_listens(w->rt->proc.pid, w->node->ready.port)) {
		w->ready = true;
		return 0;
	}
	if (now >= w->deadline)
		return not_ready(ctx, w, err);
	w->next_check = now + w->interval;
	w->interval = w->interval * 2 > CHECK_MAX_MS ? CHECK_MAX_MS : w->interval * 2;
	return 0;
}

/* One round: tcp checks due, then a poll() of the probers and the nodes'
 * sockets until the next thing due. 1 when every node is ready. */
static int round_once(struct lab_ctx *ctx, struct waiter *w, size_t n, struct pollfd *p,
		      struct cbx_error *err)
{
	long now = cbx_now_ms(), wake = now + 60000;
	size_t left = 0;

	for (size_t i = 0; i < n; i++) {
		if (w[i].ready)
			continue;
		if (w[i].node->ready.kind == CBX_READY_TCP) {
			if (check_tcp(ctx, &w[i], now, err) < 0)
				return -1;
			if (!w[i].ready && w[i].next_check < wake)
				wake = w[i].next_check;
		} else {
			if (now >= w[i].deadline + PROBE_GRACE_MS)
				return not_ready(ctx, &w[i], err);
			if (w[i].deadline + PROBE_GRACE_MS < wake)
				wake = w[i].deadline + PROBE_GRACE_MS;
		}
		left += !w[i].ready;
	}
	if (!left)
		return 1;
	lab_progress(ctx, n - left);
	for (size_t i = 0; i < n; i++) {
		p[i] = (struct pollfd){ .fd = w[i].rt->proc.sync_fd, .events = POLLIN };
		p[n + i] =
			(struct pollfd){ .fd = w[i].ready ? -1 : w[i].prober_fd, .events = POLLIN };
	}
	/* Someone watching (progress) is told at least every 100 ms. */
	if (ctx->cbx && ctx->cbx->progress && wake > now + 100)
		wake = now + 100;
	if (poll(p, 2 * n, wake > now ? (int)(wake - now) : 0) < 0 && errno != EINTR)
		return cbx_error_sys(err, errno, "wait for the nodes to be ready");
	if (hear_all(ctx, w, n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int status = 0;

		if (p[n + i].fd < 0 || !p[n + i].revents)
			continue;
		while (waitpid(w[i].prober, &status, 0) < 0 && errno == EINTR)
			;
		w[i].prober = 0;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			return not_ready(ctx, &w[i], err);
		w[i].ready = true;
		close(w[i].prober_fd);
		w[i].prober_fd = -1;
	}
	return 0;
}

static int settle(struct lab_ctx *ctx, struct waiter *w, size_t n, struct cbx_error *err)
{
	cleanup_free struct pollfd *p = NULL;
	bool any = false;
	long now = cbx_now_ms();
	int rc;

	for (size_t i = 0; i < n; i++) {
		const struct cbx_ready *r = &w[i].node->ready;

		w[i].ready = r->kind == CBX_READY_NONE;
		w[i].deadline = now + (long)r->timeout_ms;
		w[i].next_check = now;
		w[i].interval = CHECK_FIRST_MS;
		any |= !w[i].ready;
		if (r->kind == CBX_READY_CMD && start_prober(ctx, &w[i], err) < 0)
			return -1;
	}
	/* Without checks, only what the sockets say already: no wait. */
	if (!any)
		return hear_all(ctx, w, n, err);
	p = calloc(2 * n, sizeof(*p));
	if (!p)
		return cbx_error_sys(err, ENOMEM, "wait for the nodes to be ready");
	while ((rc = round_once(ctx, w, n, p, err)) == 0)
		;
	return rc < 0 ? -1 : hear_all(ctx, w, n, err);
}

int lab_nodes_settle(struct lab_ctx *ctx, const struct cbx_node *const *nodes, size_t n,
		     struct cbx_error *err)
{
	cleanup_free struct waiter *w = calloc(n ? n : 1, sizeof(*w));
	int rc;

	if (!w)
		return cbx_error_sys(err, ENOMEM, "wait for the nodes to be ready");
	for (size_t i = 0; i < n; i++)
		w[i] = (struct waiter){ .node = nodes[i],
					.rt = &ctx->nodes[nodes[i]->index],
					.prober_fd = -1,
					.out_fd = -1 };
	rc = settle(ctx, w, n, err);
	for (size_t i = 0; i < n; i++) {
		stop_prober(&w[i]);
		if (w[i].out_fd >= 0)
			close(w[i].out_fd);
		if (w[i].rt->proc.sync_fd >= 0)
			close(w[i].rt->proc.sync_fd);
		w[i].rt->proc.sync_fd = -1;
	}
	return rc;
}
