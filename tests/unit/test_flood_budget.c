/* Whether a broadcast fits the host's receive backlog (lab/flood_budget.h). */
#include <string.h>

#include "lab/flood_budget.h"
#include "tap.h"
#include "topo/topo.h"

/* "big": five interfaces on a tree of bridges of three ports each (two
 * interfaces and the uplink per leaf: three leaves), "small": two,
 * "empty": none. */
static const char *lab =
	"{\"name\": \"tfb\", \"networks\": {"
	"  \"empty\": {\"subnet\": \"10.0.2.0/24\"},"
	"  \"small\": {\"subnet\": \"10.0.1.0/24\"},"
	"  \"big\": {\"subnet\": \"10.0.0.0/24\", \"ports_per_bridge\": 3}},"
	" \"nodes\": {\"a\": {\"interfaces\": {\"eth0\": {\"network\": \"big\"},"
	"                                     \"eth1\": {\"network\": \"small\"}}},"
	"  \"b\": {\"interfaces\": {\"eth0\": {\"network\": \"big\"},"
	"                          \"eth1\": {\"network\": \"small\"}}},"
	"  \"c\": {\"interfaces\": {\"eth0\": {\"network\": \"big\"}}},"
	"  \"d\": {\"interfaces\": {\"eth0\": {\"network\": \"big\"}}},"
	"  \"e\": {\"interfaces\": {\"eth0\": {\"network\": \"big\"}}}}}";

/* A lab whose only network has no interface. */
static const char *empty = "{\"name\": \"tfe\", \"networks\": {\"lan\": {\"subnet\": "
			   "\"10.0.0.0/24\"}}, \"nodes\": {\"a\": {}}}";

int main(void)
{
	const struct cbx_network *net;
	struct cbx_topo *t = NULL;
	struct cbx_error err;
	char buf[512];
	const char *w;
	size_t copies;

	if (!ok(cbx_topo_load_text(lab, strlen(lab), "lab.json", &t, &err) == 0, "the lab loads")) {
		printf("#   %s\n", err.msg);
		return tap_done();
	}
	net = lab_flood_widest(t, &copies);
	ok(net && strcmp(net->name, "big") == 0, "the widest network is the one with most ports");
	is_int((long)copies, 8, "a copy per interface and per leaf's uplink");
	ok(lab_flood_budget_warning(t, 1000, buf, sizeof(buf)) == NULL, "fits the default 1000");
	ok(lab_flood_budget_warning(t, 8, buf, sizeof(buf)) == NULL, "fits exactly");
	w = lab_flood_budget_warning(t, 7, buf, sizeof(buf));
	ok(w != NULL, "one over the backlog: a warning");
	has_str(w ? w : "", "network big copies each broadcast (an ARP request) to 8 interfaces",
		"naming the network and how many copies");
	has_str(w ? w : "", "backlog holds 7 packets (net.core.netdev_max_backlog)",
		"and the host's limit");
	has_str(w ? w : "", "sysctl -w net.core.netdev_max_backlog=16", "and how to raise it");
	ok(lab_flood_budget_warning(t, 0, buf, sizeof(buf)) == NULL,
	   "no backlog known: no warning");
	cbx_topo_free(t);

	t = NULL;
	if (ok(cbx_topo_load_text(empty, strlen(empty), "empty.json", &t, &err) == 0,
	       "a lab whose only network has no interface loads")) {
		ok(lab_flood_widest(t, &copies) == NULL && copies == 0,
		   "an empty network makes no copies");
		ok(lab_flood_budget_warning(t, 1, buf, sizeof(buf)) == NULL,
		   "and no warning, however small the backlog");
		cbx_topo_free(t);
	}
	return tap_done();
}
