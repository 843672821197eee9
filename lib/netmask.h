/*
 * netmask.h: an IPv4 or IPv6 address with a prefix length ("10.0.0.0/8",
 * "2001:db8::5"), and whether a peer's address falls inside it.  The one
 * implementation of both: an IPv4-mapped IPv6 address (::ffff:a.b.c.d)
 * is always matched as the IPv4 address.
 *
 * Used by: the configuration (proxy_protocol_from), the master, and the
 * users' allowed networks (allowlist.c).
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
	int mapped; /* written as ::ffff:a.b.c.d: shown so, matched as IPv4 */
};

/* netmask_read's host argument: what to do with host bits under the prefix. */
#define NETMASK_HOST_REFUSE 0 /* "10.0.0.1/8" is a likely typo: refuse it */
#define NETMASK_HOST_CLEAR 1  /* "10.0.0.1/8" means 10.0.0.0/8 */

/* netmask_read's failures, so that a caller can say which part is wrong. */
#define NETMASK_BAD_ADDR (-1)	/* not a numeric IPv4 or IPv6 address */
#define NETMASK_BAD_PREFIX (-2) /* m->family is set; prefix not 0..max */
#define NETMASK_BAD_HOST (-3)	/* host bits set, with NETMASK_HOST_REFUSE */

/*
 * Parse "ADDR" or "ADDR/PREFIX" (numeric only; no names are looked up;
 * PREFIX is decimal digits only).  A bare address is a host: /32 or
 * /128.  A network inside ::ffff:0:0/96 comes back as the IPv4 network
 * it maps ("::ffff:192.0.2.0/120" is 192.0.2.0/24), with mapped set so
 * that it is written back as it was given.  host is
 * NETMASK_HOST_REFUSE or NETMASK_HOST_CLEAR.  0, or one of
 * NETMASK_BAD_*.
 */
int netmask_read(const char *s, struct netmask *m, int host);

/*
 * netmask_read with NETMASK_HOST_REFUSE: host bits set under the prefix
 * ("10.0.0.1/8") are refused as a likely typo.  0, or -1.
 */
int netmask_parse(const char *s, struct netmask *m);

/*
 * Nonzero if the address of family (AF_INET: 4 bytes, AF_INET6: 16) at
 * addr, in network order, is inside m; an IPv4-mapped IPv6 address
 * counts as the IPv4 one.  Any other family matches nothing.
 */
int
netmask_match_addr(const struct netmask *m, int family, const uint8_t *addr);

/*
 * The IPv4 address (4 bytes) inside the IPv6 address a (16 bytes) when a
 * is IPv4-mapped (::ffff:a.b.c.d), else NULL.
 */
const uint8_t *netmask_mapped_v4(const uint8_t *a);

/* netmask_match_addr on the address in ss (AF_INET or AF_INET6). */
int netmask_match(const struct netmask *m, const struct sockaddr_storage *ss);

#endif
