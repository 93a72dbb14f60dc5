/* libpcap, loaded when a capture starts rather than linked: Debian's
 * libpcap.so.0.8 brings libdbus, libsystemd, libgcrypt, liblzma, libzstd and
 * more, and every command would map and relocate them at its start (about 5
 * ms on this machine, against a 6.5 ms `up`; docs/performance.md). Its
 * header, from libpcap-dev, gives the types and the prototypes the pointers
 * below are checked against. */
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>

#include "kit/pcap_dl.h"

struct kit_pcap kit_pcap;

#define LOAD(name) \
	do { \
		*(void **)&kit_pcap.name = dlsym(h, "pcap_" #name); \
		if (!kit_pcap.name) \
			return cbx_error_set(err, CBX_ERR_SYSTEM, \
					     "libpcap has no pcap_" #name ": too old?"); \
	} while (0)

int kit_pcap_load(struct cbx_error *err)
{
	static const char *const names[] = { "libpcap.so.0.8", "libpcap.so.1", "libpcap.so" };
	void *h = NULL;

	if (kit_pcap.create)
		return 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !h; i++)
		h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return cbx_error_set(err, CBX_ERR_STATE,
				     "capture needs libpcap, which is not installed (Debian: apt install libpcap0.8)");
	LOAD(create);
	LOAD(set_snaplen);
	LOAD(set_promisc);
	LOAD(set_timeout);
	LOAD(set_immediate_mode);
	LOAD(activate);
	LOAD(compile);
	LOAD(setfilter);
	LOAD(freecode);
	LOAD(geterr);
	LOAD(dispatch);
	LOAD(breakloop);
	LOAD(get_selectable_fd);
	LOAD(setnonblock);
	LOAD(stats);
	LOAD(close);
	LOAD(dump_fopen);
	LOAD(dump);
	LOAD(dump_flush);
	LOAD(dump_close);
	LOAD(datalink);
	return 0;
}
