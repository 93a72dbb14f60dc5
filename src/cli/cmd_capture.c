/* capture: pcap to a file or a pipe, or a line per packet. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "common/cleanup.h"

static volatile int stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void started(void *arg, const char *where)
{
	const char *filter = arg;

	fprintf(stderr, "cboxlab: capturing on %s%s%s (Ctrl-C stops)\n", where,
		filter ? ", filter: " : "", filter ? filter : "");
}

static void print_packet(void *arg, const struct timeval *ts, const uint8_t *data, uint32_t caplen,
			 uint32_t len)
{
	char line[256], when[32];
	struct tm tm;

	(void)arg;
	localtime_r(&ts->tv_sec, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	lab_packet_describe(data, caplen, line, sizeof(line));
	printf("%s.%06ld %s, length %u\n", when, (long)ts->tv_usec, line, len);
	fflush(stdout);
}

/* The filter's words, joined as tcpdump joins them. */
static char *join(char **words, int n)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < n; i++)
		len += strlen(words[i]) + 1;
	s = calloc(1, len);
	for (int i = 0; s && i < n; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, words[i]);
	}
	return s;
}

int cmd_capture(const struct cli_call *c)
{
	cleanup_topo struct cbx_topo *t = NULL;
	cleanup_free char *filter = NULL;
	struct lab_capture cap = { .target = c->argv[1], .stop = &stop_requested };
	struct lab_capture_report rep;
	struct sigaction sa = { .sa_handler = on_signal };
	struct cbx_error err;
	const char *why;

	if (c->opt[OPT_COUNT]) {
		char *end;
		unsigned long long n = strtoull(c->opt[OPT_COUNT], &end, 10);
		if (!*c->opt[OPT_COUNT] || *end || n == 0)
			return cli_usage_error("capture", "-c %s: expected a number of packets",
					       c->opt[OPT_COUNT]);
		cap.count = n;
	}
	if (c->opt[OPT_DURATION] &&
	    !cbx_parse_duration_us(c->opt[OPT_DURATION], &cap.duration_us, &why))
		return cli_usage_error("capture", "--duration %s: %s", c->opt[OPT_DURATION], why);
	if (c->argc > 2 && !(filter = join(c->argv + 2, c->argc - 2)))
		return cli_usage_error("capture", "out of memory");
	cap.filter = filter;
	if (lab_load_saved(&c->cbx, c->argv[0], &t, &err) < 0)
		return cli_fail(&err);
	if (c->opt[OPT_WRITE] && lab_capture_open_output(c->opt[OPT_WRITE], &cap.out, &err) < 0)
		return cli_fail(&err);
	cap.flush = cap.out == stdout;
	cap.started = c->opt[OPT_QUIET] ? NULL : started;
	cap.packet = print_packet;
	cap.arg = filter;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* A reader that goes (wireshark closed) ends the capture, quietly. */
	signal(SIGPIPE, SIG_IGN);
	if (lab_capture_run(&c->cbx, t, &cap, &rep, &err) < 0) {
		if (cap.out && cap.out != stdout)
			fclose(cap.out);
		return cli_fail(&err);
	}
	if (cap.out && cap.out != stdout && fclose(cap.out) != 0)
		rep.write_failed = true;
	if (!c->opt[OPT_QUIET] || rep.dropped)
		fprintf(stderr, "cboxlab: %llu packet(s) captured%s",
			(unsigned long long)rep.packets, rep.dropped ? "" : "\n");
	if (rep.dropped)
		fprintf(stderr, ", %llu dropped by the kernel (the reader was too slow)\n",
			(unsigned long long)rep.dropped);
	if (rep.write_failed && cap.out != stdout)
		return cli_error("system", 1, "capture: writing %s failed", c->opt[OPT_WRITE]);
	return 0;
}
