/* sock_diag request builders (NETLINK_SOCK_DIAG, linux/inet_diag.h): pure
 * functions like the rtnetlink ones, unit-tested by parsing them back
 * (tests/unit/test_diag_msg.c). */
#ifndef CBX_DIAG_MSG_H
#define CBX_DIAG_MSG_H

#include <stddef.h>
#include <stdint.h>

/* Dump the host's inet sockets of one family (AF_INET, AF_INET6) and
 * protocol (IPPROTO_TCP, IPPROTO_UDP) in the given states (a mask of
 * 1 << TCP_LISTEN and the like; UDP sockets are TCP_CLOSE when unconnected,
 * TCP_ESTABLISHED when connected). Returns the length or -ENOSPC. */
int diag_build_inet_dump(void *buf, size_t size, uint8_t family, uint8_t protocol, uint32_t states);

#endif
