/* Fault timelines: `cboxlab chaos LAB PLAN.json` runs timed fault steps
 * against a running lab, written by hand or generated from a seed in the
 * shapes Jepsen's nemeses use, logs every fault applied and removed as a JSON
 * line, and always heals at the end, also on Ctrl-C or SIGTERM.
 *
 * A plan is parsed and checked whole before its first step (unknown nodes,
 * bad values, steps out of order: exit 2, nothing changed). The same seed on
 * the same lab gives the same steps, so a run that found a bug can be
 * replayed. */
#ifndef CBX_CHAOS_H
#define CBX_CHAOS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lab/cboxlab.h"

/* How long a plan's stop and restart give a node's processes after SIGTERM. */
#define CHAOS_STOP_GRACE_MS 5000
/* The largest wall-clock skew clock-skew-random gives, in seconds. */
#define CHAOS_SKEW_MAX_S 300

/* A step: a fault at its time (the lab's one fault operation, applied as
 * the fault commands apply it), or the end of the run. */
struct chaos_step {
	uint64_t at_us;
	bool end; /* nothing: the run lasts until here ("end") */
	struct lab_fault_op fault;
};

struct chaos_plan {
	const struct cbx_topo *t;
	struct chaos_step *steps;
	size_t n, cap;
	uint64_t seed;
	const char *nemesis; /* NULL for a hand-written plan */
};

/* A nemesis: generated faults in cycles of `interval` on, `interval` off,
 * for `duration`, over `nodes` (all the lab's when n_nodes is 0). */
struct nemesis_spec {
	const char *name;
	uint64_t interval_us, duration_us;
	const struct cbx_node **nodes;
	size_t n_nodes;
	double loss; /* flaky-links: percent */
};

/* Where a nemesis's settings come from, for how messages name them: a plan
 * file ({"nemesis": ..., "interval": "10s"}) or `chaos` flags (--interval 10s). */
enum nemesis_source {
	NEMESIS_FROM_PLAN,
	NEMESIS_FROM_FLAGS,
};

/* A spec from its settings as text (NULL: absent): interval and duration
 * are required, loss defaults to 20%. The node list is the caller's to
 * parse (spec->nodes starts empty: all the lab's nodes). Errors are
 * CBX_ERR_INPUT and begin with the setting, "interval: ..." or
 * "--interval: ..." as `from` spells it. */
int chaos_nemesis_spec_init(struct nemesis_spec *spec, const char *name, const char *interval,
			    const char *duration, const char *loss, enum nemesis_source from,
			    struct cbx_error *err);

/* The nemeses there are, NULL-terminated. */
extern const char *const chaos_nemeses[];

/* A plan from JSON: {"steps": [...]} written by hand, or {"nemesis": ...}
 * generated with `seed`. Errors name the JSON path; kind CBX_ERR_INPUT. */
int chaos_plan_parse(struct chaos_plan *p, const struct cbx_topo *t, json_t *doc, uint64_t seed,
		     const char *source, struct cbx_error *err);
int chaos_plan_generate(struct chaos_plan *p, const struct cbx_topo *t,
			const struct nemesis_spec *spec, uint64_t seed, struct cbx_error *err);
void chaos_plan_free(struct chaos_plan *p);
/* A new zeroed step at the end of the plan (the array grows as needed);
 * NULL with err on ENOMEM. */
struct chaos_step *chaos_plan_add_step(struct chaos_plan *p, struct cbx_error *err);

/* "partition n1,n2 | n3" and the like, and the nodes a step touches. */
void chaos_step_describe(const struct chaos_plan *p, const struct chaos_step *s, char *buf,
			 size_t size);
json_t *chaos_step_nodes(const struct chaos_plan *p, const struct chaos_step *s);
bool chaos_step_removes(const struct chaos_step *s);
/* Its "do": a fault's kind ("link-down"), or "end". */
const char *chaos_step_name(const struct chaos_step *s);

/* A deterministic generator: splitmix64, the same everywhere. */
struct chaos_rng {
	uint64_t state;
};
uint64_t chaos_rng_next(struct chaos_rng *r);
/* Uniform in [0, n). */
uint64_t chaos_rng_below(struct chaos_rng *r, uint64_t n);

#endif
