/*
 * netmask.h: an IPv4 or IPv6 address with a prefix length ("10.0.0.0/8",
 * "2001:db8::5"), and whether a peer's address falls inside it.
 *
 * Used by: the configuration (proxy_protocol_from) and the master.
 */
#ifndef MFTP_NETMASK_H
#define MFTP_NETMASK_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stdint.h>

struct netmask {
	int family;	     /* AF_INET or AF_INET6 */
	uint8_t addr[16];    /* network order; the bits past prefix are 0 */
	unsigned int prefix; /* 0..32 or 0..128 */
};

/*
 * Parse "ADDR" or "ADDR/PREFIX" (numeric only; no names are looked up).
 * A bare address is a host: /32 or /128.  Host bits set under the prefix
 * ("10.0.0.1/8") are refused as a likely typo.  0, or -1.
 */
int netmask_parse(const char *s, struct netmask *m);

/*
 * Nonzero if the address in ss (AF_INET or AF_INET6; an IPv4-mapped
 * IPv6 address counts as the IPv4 one) is inside m.
 */
int netmask_match(const struct netmask *m, const struct sockaddr_storage *ss);

#endif
