/* Whether a lab fits the host's neighbour tables (lab/neigh_budget.h). */
#include <string.h>

#include "lab/neigh_budget.h"
#include "tap.h"
#include "topo/topo.h"

/* Three nodes on a network with the host's gateway on it, two of them
 * linked: 3 + 2 interfaces, and the host's side speaks to 3. */
static const char *lab =
	"{\"name\": \"tnb\", \"networks\": {\"lan\": {\"subnet\": \"10.0.0.0/24\","
	" \"gateway\": \"10.0.0.1\"}},"
	" \"nodes\": {\"a\": {\"interfaces\": {\"eth0\": {\"network\": \"lan\"}}},"
	"  \"b\": {\"interfaces\": {\"eth0\": {\"network\": \"lan\"}}},"
	"  \"c\": {\"interfaces\": {\"eth0\": {\"network\": \"lan\"}}}},"
	" \"links\": [{\"endpoints\": [\"a:eth1\", \"b:eth1\"], \"subnet\": \"10.9.0.0/30\"}]}";

int main(void)
{
	struct cbx_topo *t = NULL;
	struct cbx_error err;
	char buf[512];
	const char *w;

	if (!ok(cbx_topo_load_text(lab, strlen(lab), "lab.json", &t, &err) == 0, "the lab loads")) {
		printf("#   %s\n", err.msg);
		return tap_done();
	}
	is_int(lab_neigh_entries_floor(t), 8,
	       "an entry per interface, and one per member on the host's side");
	ok(lab_neigh_budget_warning(t, 1024, buf, sizeof(buf)) == NULL, "fits the default 1024");
	ok(lab_neigh_budget_warning(t, 8, buf, sizeof(buf)) == NULL, "fits exactly");
	w = lab_neigh_budget_warning(t, 7, buf, sizeof(buf));
	ok(w != NULL, "one over the limit: a warning");
	has_str(w ? w : "", "needs at least 8 neighbour (ARP, NDP) entries", "saying how many");
	has_str(w ? w : "", "hold 7 for every namespace together", "and the host's limit");
	has_str(w ? w : "", "sysctl -w net.ipv4.neigh.default.gc_thresh3=16",
		"and how to raise it");
	ok(lab_neigh_budget_warning(t, 0, buf, sizeof(buf)) == NULL, "no limit known: no warning");
	cbx_topo_free(t);
	return tap_done();
}
