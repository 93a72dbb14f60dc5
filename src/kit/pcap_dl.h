/* libpcap's functions, as pointers filled by kit_pcap_load (pcap_dl.c). */
#ifndef CBX_KIT_PCAP_DL_H
#define CBX_KIT_PCAP_DL_H

#include <pcap/pcap.h>

#include "common/error.h"

struct kit_pcap {
	__typeof__(pcap_create) *create;
	__typeof__(pcap_set_snaplen) *set_snaplen;
	__typeof__(pcap_set_promisc) *set_promisc;
	__typeof__(pcap_set_timeout) *set_timeout;
	__typeof__(pcap_set_immediate_mode) *set_immediate_mode;
	__typeof__(pcap_activate) *activate;
	__typeof__(pcap_compile) *compile;
	__typeof__(pcap_setfilter) *setfilter;
	__typeof__(pcap_freecode) *freecode;
	__typeof__(pcap_geterr) *geterr;
	__typeof__(pcap_dispatch) *dispatch;
	__typeof__(pcap_breakloop) *breakloop;
	__typeof__(pcap_get_selectable_fd) *get_selectable_fd;
	__typeof__(pcap_setnonblock) *setnonblock;
	__typeof__(pcap_stats) *stats;
	__typeof__(pcap_close) *close;
	__typeof__(pcap_dump_fopen) *dump_fopen;
	__typeof__(pcap_dump) *dump;
	__typeof__(pcap_dump_flush) *dump_flush;
	__typeof__(pcap_dump_close) *dump_close;
	__typeof__(pcap_datalink) *datalink;
};

extern struct kit_pcap kit_pcap;

/* dlopen libpcap once; CBX_ERR_STATE when it is not installed. */
int kit_pcap_load(struct cbx_error *err);

#endif
