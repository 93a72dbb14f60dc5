/* Running a chaos plan: each step at its time, logged as a JSON line, then
 * everything healed, however the run ends. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "chaos/chaos.h"
#include "common/clock.h"

/* A step that begins later than this after its time is logged as late: a
 * poll wakes within a millisecond or so, and a step of its own (a lock, a
 * netlink batch) takes a few. */
#define LATE_US 20000

/* One JSON line: monotonic seconds since the start (to line up with
 * application logs of the same run), the host's CLOCK_MONOTONIC in nanoseconds
 * (what a client's history records, e.g. Python's time.monotonic_ns():
 * `cboxlab timeline` merges on it) and wall-clock time (to line up with everything
 * else). */
static void log_event(FILE *log, uint64_t start_us, const char *event, json_t *fields)
{
	struct timespec now, mono;
	struct tm tm;
	char wall[96];

	if (!log) {
		json_decref(fields);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	snprintf(wall, sizeof(wall), "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (long)(now.tv_nsec / 1000) % 1000000);
	json_object_set_new(fields, "mono", json_real((double)(cbx_now_us() - start_us) / 1e6));
	json_object_set_new(fields, "monotonic_ns",
			    json_integer((json_int_t)mono.tv_sec * 1000000000 + mono.tv_nsec));
	json_object_set_new(fields, "wall", json_string(wall));
	json_object_set_new(fields, "event", json_string(event));
	json_dumpf(fields, log, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(9));
	fputc('\n', log);
	fflush(log);
	json_decref(fields);
}

/* One step, under the lab's lock (lab_faults_run), applied as the fault
 * commands apply theirs. Each step takes the lock for itself only, so
 * `status` and manual fault commands work while a timeline runs; the plan's
 * topology is the lab's, loaded once. */
static int apply_step(struct lab_faults *fl, void *arg, struct cbx_error *err)
{
	const struct chaos_step *s = arg;

	return s->end ? 0 : lab_fault_apply(fl, &s->fault, err);
}

static int heal_everything(struct lab_faults *fl, void *arg, struct cbx_error *err)
{
	(void)arg;
	return lab_fault_clear_all(fl, err);
}

int cbx_chaos_run(const struct cbx_ctx *cbx, const char *lab, const struct chaos_plan *p, FILE *log,
		  bool *interrupted, struct cbx_error *err)
{
	sigset_t mask, old;
	uint64_t start;
	int sfd, rc = 0;
	struct cbx_error heal_err;
	struct lab_fault_conns *keep;

	*interrupted = false;
	/* Ctrl-C, SIGTERM, SIGHUP end the run, never skip the healing. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, &old);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return cbx_error_sys(err, errno, "chaos: signalfd");
	}
	/* Sockets kept from step to step: each step closing its own waited
	 * for a grace period (cboxlab.h, lab_fault_conns). Made with the
	 * signals blocked: its closer thread keeps them so. */
	keep = lab_fault_conns_new();
	if (!keep) {
		close(sfd);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return cbx_error_sys(err, ENOMEM, "chaos: lab %s", lab);
	}
	start = cbx_now_us();
	log_event(log, start, "start",
		  json_pack("{s:s, s:I, s:s?, s:i}", "lab", lab, "seed", (json_int_t)p->seed,
			    "nemesis", p->nemesis, "steps", (int)p->n));
	for (size_t i = 0; i < p->n && rc == 0; i++) {
		const struct chaos_step *s = &p->steps[i];
		char what[4096];
		uint64_t began, late_us;
		json_t *done;

		for (;;) {
			uint64_t now = cbx_now_us(), due = start + s->at_us;
			struct pollfd pfd = { .fd = sfd, .events = POLLIN };
			int wait_ms = due > now ? (int)((due - now + 999) / 1000) : 0;
			if (poll(&pfd, 1, wait_ms) > 0) {
				struct signalfd_siginfo si;
				if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
					*interrupted = true;
					log_event(log, start, "interrupted",
						  json_pack("{s:i, s:s}", "step", (int)i + 1,
							    "signal",
							    strsignal((int)si.ssi_signo)));
				}
				break;
			}
			if (cbx_now_us() >= due)
				break;
		}
		if (*interrupted)
			break;
		chaos_step_describe(p, s, what, sizeof(what));
		began = cbx_now_us();
		late_us = began - start > s->at_us ? began - start - s->at_us : 0;
		if (lab_faults_run_keeping(cbx, lab, p->t, keep, apply_step, (void *)s, err) < 0) {
			log_event(log, start, "error",
				  json_pack("{s:i, s:s, s:s, s:s}", "step", (int)i + 1, "fault",
					    chaos_step_name(s), "what", what, "error", err->msg));
			rc = -1;
			break;
		}
		done = json_pack("{s:i, s:f, s:s, s:s, s:o}", "step", (int)i + 1, "at",
				 s->at_us / 1e6, "fault", chaos_step_name(s), "what", what, "nodes",
				 chaos_step_nodes(p, s));
		/* A step that began late says by how much (the "overrun" event
		 * before it says why, when the step above took too long). */
		if (late_us > LATE_US)
			json_object_set_new(done, "late", json_real(late_us / 1e6));
		/* The fault took effect between this and the event's own time:
		 * a partition of many nodes takes milliseconds, and a history
		 * that asks "before the fault?" needs both ends. */
		json_object_set_new(done, "began_monotonic_ns",
				    json_integer((json_int_t)began * 1000));
		log_event(log, start, chaos_step_removes(s) ? "remove" : "apply", done);
		/* A step runs at its time, unless the one before took longer
		 * than the gap between them (a stop waits for its node): then
		 * the log says so, before the next step runs late. (A step that
		 * is late only because the one before it began late is not
		 * blamed: its own "late" says by how much.) */
		if (i + 1 < p->n && cbx_now_us() - start > p->steps[i + 1].at_us + LATE_US &&
		    cbx_now_us() - began > p->steps[i + 1].at_us - s->at_us) {
			uint64_t took = cbx_now_us() - began,
				 gap = p->steps[i + 1].at_us - s->at_us;
			log_event(log, start, "overrun",
				  json_pack("{s:i, s:s, s:f, s:f, s:i, s:f}", "step", (int)i + 1,
					    "fault", chaos_step_name(s), "took", took / 1e6, "gap",
					    gap / 1e6, "delays", (int)i + 2, "late",
					    (cbx_now_us() - start - p->steps[i + 1].at_us) / 1e6));
		}
	}
	/* Always: partitions healed, impairments back to the topology's, links
	 * up, nodes resumed and started. */
	if (lab_faults_run_keeping(cbx, lab, p->t, keep, heal_everything, NULL, &heal_err) < 0) {
		log_event(log, start, "error",
			  json_pack("{s:s, s:s}", "fault", "heal-all", "error", heal_err.msg));
		rc = cbx_error_keep_first(rc, err, -1, &heal_err);
	} else {
		log_event(log, start, "remove",
			  json_pack("{s:s, s:s}", "fault", "heal-all", "what",
				    "every fault removed: partitions, impairments, links, full disks, clock skews, paused and stopped nodes"));
	}
	log_event(log, start, "end", json_pack("{s:b}", "interrupted", *interrupted));
	lab_fault_conns_free(keep);
	close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}
