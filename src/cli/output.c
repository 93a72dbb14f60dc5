/* Shared pieces of the CLI's output: errors, and a node's interfaces. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

/* The command running, and whether its errors are JSON (--json). */
static const char *running_cmd;
static bool json_errors;

void cli_output_init(const char *cmd, bool json)
{
	running_cmd = cmd;
	json_errors = json;
}

/* Messages carry the user's text (a topology's keys and values, arguments):
 * its control bytes are shown quoted, never sent to the terminal. */
static void print_quoted(const char *prefix, const char *msg)
{
	char shown[4 * CBX_ERROR_MSG_MAX];

	fprintf(stderr, "%s%s\n", prefix, cbx_text_escape(shown, sizeof(shown), msg));
}

/* An error as one JSON object on a line of its own (docs/json.md). */
static void print_json_error(const char *kind, const char *msg, int status, int errnum)
{
	json_t *o = json_pack("{s:s, s:s, s:s?, s:i}", "error", msg, "kind", kind, "command",
			      running_cmd, "exit_status", status);
	const char *name = errnum ? strerrorname_np(errnum) : NULL;

	if (name)
		json_object_set_new(o, "errno", json_string(name));
	json_dumpf(o, stderr, JSON_COMPACT | JSON_PRESERVE_ORDER);
	fputc('\n', stderr);
	json_decref(o);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	char msg[CBX_ERROR_MSG_MAX], prefix[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_progress_clear();
	if (json_errors) {
		print_json_error("usage", msg, 2, 0);
		return 2;
	}
	snprintf(prefix, sizeof(prefix), "cboxlab %s: ", cmd);
	print_quoted(prefix, msg);
	fprintf(stderr, "(see cboxlab help %s)\n", cmd);
	return 2;
}

int cli_error(const char *kind, int status, const char *fmt, ...)
{
	char msg[CBX_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_progress_clear();
	if (json_errors)
		print_json_error(kind, msg, status, 0);
	else
		print_quoted("cboxlab: ", msg);
	return status;
}

int cli_fail(const struct cbx_error *err)
{
	static const char *const kinds[] = {
		[CBX_ERR_NONE] = "error",
		[CBX_ERR_SYSTEM] = "system",
		[CBX_ERR_INPUT] = "input",
		[CBX_ERR_STATE] = "state",
	};
	int status = cbx_error_exit_status(err);

	cli_progress_clear();
	if (json_errors)
		print_json_error(err->kind < sizeof(kinds) / sizeof(kinds[0]) && kinds[err->kind]
					 ? kinds[err->kind]
					 : "error",
				 err->msg, status, err->kind == CBX_ERR_SYSTEM ? err->code : 0);
	else
		print_quoted("cboxlab: ", err->msg);
	return status;
}

void cli_warn(const char *msg)
{
	if (json_errors) {
		json_t *o = json_pack("{s:s}", "warning", msg);
		json_dumpf(o, stderr, JSON_COMPACT);
		fputc('\n', stderr);
		json_decref(o);
		return;
	}
	cli_progress_clear();
	print_quoted("cboxlab: warning: ", msg);
}

json_t *cli_ifaces_json(const struct cbx_node *n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n->n_ifaces; i++) {
		const struct cbx_iface *ifc = n->ifaces[i];
		json_t *addrs = json_array(), *o;
		char buf[CBX_PREFIX_STRLEN], mac[18];

		for (unsigned k = 0; k < ifc->n_addrs; k++)
			json_array_append_new(addrs, json_string(cbx_prefix_str(&ifc->addrs[k], buf,
										sizeof(buf))));
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", ifc->mac[0],
			 ifc->mac[1], ifc->mac[2], ifc->mac[3], ifc->mac[4], ifc->mac[5]);
		o = json_pack("{s:s, s:s, s:o}", "name", ifc->name, "mac", mac, "addresses", addrs);
		if (ifc->network) {
			json_object_set_new(o, "network", json_string(ifc->network->name));
			json_object_set_new(o, "host_interface", json_string(ifc->host_name));
			if (ifc->vlan)
				json_object_set_new(o, "vlan", json_integer(ifc->vlan));
			if (ifc->n_vlans) {
				json_t *vids = json_array();
				for (size_t k = 0; k < ifc->n_vlans; k++)
					json_array_append_new(vids, json_integer(ifc->vlans[k]));
				json_object_set_new(o, "vlans", vids);
			}
		} else if (ifc->parent) {
			json_object_set_new(o, "parent", json_string(ifc->parent->name));
			json_object_set_new(o, "vlan", json_integer(ifc->vlan));
		} else {
			const struct cbx_iface *peer =
				ifc->link->a == ifc ? ifc->link->b : ifc->link->a;
			char where[128];
			snprintf(where, sizeof(where), "%s:%s", peer->node->name, peer->name);
			json_object_set_new(o, "peer", json_string(where));
		}
		json_array_append_new(arr, o);
	}
	return arr;
}

void cli_ifaces_text(const struct cbx_node *n, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n->n_ifaces && len < size; i++) {
		const struct cbx_iface *ifc = n->ifaces[i];
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "", ifc->name);
		for (unsigned k = 0; k < ifc->n_addrs && len < size; k++) {
			char a[CBX_PREFIX_STRLEN];
			len += (size_t)snprintf(buf + len, size - len, " %s",
						cbx_prefix_str(&ifc->addrs[k], a, sizeof(a)));
		}
	}
}

void cli_print_json(json_t *v)
{
	json_dumpf(v, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(v);
}
