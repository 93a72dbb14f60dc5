/* `graph`: a topology drawn as Graphviz dot or Mermaid text: nodes, networks
 * (an ellipse each, its members joined to it), point-to-point links, the
 * addresses; and for a running lab, each node's state and the faults in
 * force (links down, impairments, who drops whose packets). Text only: the
 * CLI hands dot to Graphviz for SVG. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/cboxlab.h"

/* Labels are the topology's names and addresses, which its parser keeps to
 * letters, digits and a few signs; quotes and backslashes are escaped all
 * the same, and control bytes dropped. */
static void label_dot(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, f);
	}
}

static void label_mermaid(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '"')
			fputs("#quot;", f);
		else if (*s == '<')
			fputs("#lt;", f);
		else if (*s == '>')
			fputs("#gt;", f);
		else if ((unsigned char)*s >= 0x20)
			fputc(*s, f);
	}
}

static void label(FILE *f, enum lab_graph_format fmt, const char *s)
{
	if (fmt == LAB_GRAPH_DOT)
		label_dot(f, s);
	else
		label_mermaid(f, s);
}

/* "10.1.0.1/24 fd00::1/64" */
static void addrs_text(const struct cbx_iface *ifc, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned k = 0; k < ifc->n_addrs && len < size; k++) {
		char ip[CBX_PREFIX_STRLEN];
		len += (size_t)snprintf(buf + len, size - len, "%s%s", k ? " " : "",
					cbx_prefix_str(&ifc->addrs[k], ip, sizeof(ip)));
	}
}

/* "eth0 10.1.0.1/24", and what is done to it: "down", "delay=50ms". */
static void iface_text(const struct cbx_iface *ifc, const struct lab_fault_view *fv, char *buf,
		       size_t size)
{
	char addrs[256], im[128] = "";

	addrs_text(ifc, addrs, sizeof(addrs));
	if (fv && cbx_impair_is_set(&fv->impair[ifc->index]))
		cbx_impair_format(&fv->impair[ifc->index], im, sizeof(im));
	snprintf(buf, size, "%s%s%s%s%s%s", ifc->name, addrs[0] ? " " : "", addrs,
		 fv && fv->link_down[ifc->index] ? " DOWN" : "", im[0] ? " " : "", im);
}

static bool faulty(const struct cbx_iface *ifc, const struct lab_fault_view *fv)
{
	return fv && (fv->link_down[ifc->index] || cbx_impair_is_set(&fv->impair[ifc->index]));
}

static void nodes(FILE *f, const struct cbx_topo *t, const struct lab_graph_state *st,
		  enum lab_graph_format fmt)
{
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct cbx_node *n = &t->nodes[i];
		enum lab_node_state s = st ? st->nodes[i].state : LAB_NODE_RUNNING;
		const char *state = st ? lab_node_state_name(s) : NULL;

		if (fmt == LAB_GRAPH_DOT) {
			fprintf(f,
				"  n%zu [shape=box, style=\"rounded,filled\", fillcolor=\"%s\", label=\"",
				i,
				!st                     ? "white"
				: s == LAB_NODE_RUNNING ? "palegreen"
				: s == LAB_NODE_PAUSED  ? "lightblue"
							: "lightgray");
			label(f, fmt, n->name);
			if (state)
				fprintf(f, "\\n(%s)", state);
			fprintf(f, "\"];\n");
		} else {
			fprintf(f, "  n%zu[\"", i);
			label(f, fmt, n->name);
			if (state)
				fprintf(f, "<br/>(%s)", state);
			fprintf(f, "\"]\n");
			if (st)
				fprintf(f, "  class n%zu %s\n", i, state);
		}
	}
}

/* An interface's edge: a node to its network (one label), or a link
 * between two nodes (a label at each end); red and dashed when faulty. */
static void edge(FILE *f, enum lab_graph_format fmt, const char *from, const char *to,
		 const char *tail, const char *head, bool bad)
{
	if (fmt == LAB_GRAPH_DOT) {
		fprintf(f, "  %s -- %s [%s=\"", from, to, head ? "taillabel" : "label");
		label(f, fmt, tail);
		if (head) {
			fputs("\", headlabel=\"", f);
			label(f, fmt, head);
		}
		fprintf(f, "\"%s];\n", bad ? ", color=red, fontcolor=red, style=dashed" : "");
	} else {
		fprintf(f, "  %s %s|\"", from, bad ? "-.-" : "---");
		label(f, fmt, tail);
		if (head) {
			fputs(" / ", f);
			label(f, fmt, head);
		}
		fprintf(f, "\"| %s\n", to);
	}
}

static void networks(FILE *f, const struct cbx_topo *t, const struct lab_fault_view *fv,
		     enum lab_graph_format fmt)
{
	char text[512], sub[2 * CBX_PREFIX_STRLEN + 2];

	for (size_t i = 0; i < t->n_networks; i++) {
		const struct cbx_network *w = &t->networks[i];
		char a[CBX_PREFIX_STRLEN] = "", b[CBX_PREFIX_STRLEN] = "";

		if (w->has_subnet4)
			cbx_prefix_str(&w->subnet4, a, sizeof(a));
		if (w->has_subnet6)
			cbx_prefix_str(&w->subnet6, b, sizeof(b));
		snprintf(sub, sizeof(sub), "%s%s%s", a, a[0] && b[0] ? " " : "", b);
		if (fmt == LAB_GRAPH_DOT) {
			fprintf(f, "  w%zu [shape=ellipse, style=dashed, label=\"", i);
			label(f, fmt, w->name);
			if (sub[0]) {
				fputs("\\n", f);
				label(f, fmt, sub);
			}
			fprintf(f, "\"];\n");
		} else {
			fprintf(f, "  w%zu((\"", i);
			label(f, fmt, w->name);
			if (sub[0]) {
				fputs("<br/>", f);
				label(f, fmt, sub);
			}
			fprintf(f, "\"))\n");
		}
		for (size_t k = 0; k < w->n_members; k++) {
			const struct cbx_iface *m = w->members[k];
			char from[24], to[24];

			iface_text(m, fv, text, sizeof(text));
			snprintf(from, sizeof(from), "n%zu", m->node->index);
			snprintf(to, sizeof(to), "w%zu", i);
			edge(f, fmt, from, to, text, NULL, faulty(m, fv));
		}
	}
}

static void links(FILE *f, const struct cbx_topo *t, const struct lab_fault_view *fv,
		  enum lab_graph_format fmt)
{
	char ta[512], tb[512];

	for (size_t i = 0; i < t->n_links; i++) {
		const struct cbx_link *l = &t->links[i];
		bool bad = faulty(l->a, fv) || faulty(l->b, fv);

		char from[24], to[24];

		iface_text(l->a, fv, ta, sizeof(ta));
		iface_text(l->b, fv, tb, sizeof(tb));
		snprintf(from, sizeof(from), "n%zu", l->a->node->index);
		snprintf(to, sizeof(to), "n%zu", l->b->node->index);
		edge(f, fmt, from, to, ta, tb, bad);
	}
}

/* Who drops whose packets: one edge per pair, both ways or one. */
static void partition(FILE *f, const struct cbx_topo *t, const struct lab_fault_view *fv,
		      enum lab_graph_format fmt)
{
	const struct lab_grudge *g = &fv->partition;

	for (size_t i = 0; i < t->n_nodes; i++)
		for (size_t j = i + 1; j < t->n_nodes; j++) {
			bool i_drops = g->drops[i * g->n + j], j_drops = g->drops[j * g->n + i];
			/* The edge points the way packets no longer go. */
			size_t from = j_drops && !i_drops ? i : j, to = from == i ? j : i;

			if (!i_drops && !j_drops)
				continue;
			if (fmt == LAB_GRAPH_DOT)
				fprintf(f,
					"  n%zu -- n%zu [style=dotted, color=red, fontcolor=red, constraint=false, label=\"cut\"%s];\n",
					from, to, i_drops && j_drops ? "" : ", dir=forward");
			else
				fprintf(f, "  n%zu %s n%zu\n", from,
					i_drops && j_drops ? "x-. cut .-x" : "-. cut .-x", to);
		}
}

int lab_graph(const struct cbx_topo *t, const struct lab_graph_state *st, enum lab_graph_format fmt,
	      char **out, size_t *len, struct cbx_error *err)
{
	const struct lab_fault_view *fv = st ? st->faults : NULL;
	FILE *f = open_memstream(out, len);

	if (!f)
		return cbx_error_sys(err, errno, "graph");
	if (fmt == LAB_GRAPH_DOT) {
		fprintf(f, "graph \"");
		label(f, fmt, t->name);
		fprintf(f, "\" {\n  graph [label=\"lab ");
		label(f, fmt, t->name);
		fprintf(f, "%s\", labelloc=t, fontname=\"Helvetica\", nodesep=0.8, ranksep=0.9];\n",
			st ? " (running)" : "");
		fprintf(f,
			"  node [fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10, labelfontsize=9, labeldistance=2.5];\n");
	} else {
		fprintf(f, "---\ntitle: lab ");
		label(f, fmt, t->name);
		fprintf(f, "%s\n---\ngraph LR\n", st ? " (running)" : "");
		if (st)
			fprintf(f,
				"  classDef running fill:#9f9\n  classDef paused fill:#9cf\n  classDef stopped fill:#ccc\n");
	}
	nodes(f, t, st, fmt);
	networks(f, t, fv, fmt);
	links(f, t, fv, fmt);
	if (fv && fv->partition.drops)
		partition(f, t, fv, fmt);
	if (fmt == LAB_GRAPH_DOT)
		fprintf(f, "}\n");
	if (fclose(f) != 0) {
		free(*out);
		*out = NULL;
		return cbx_error_sys(err, ENOMEM, "graph");
	}
	return 0;
}
