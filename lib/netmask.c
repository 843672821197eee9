/*
 * netmask.c: address/prefix parsing and matching (see netmask.h).
 *
 * Runs in: the master, the per-connection monitor and the admin tools,
 * on the trusted configuration file, the user database, the
 * administrator's arguments, and client addresses: the kernel's from
 * accept(), or a listed balancer's PROXY header's (lib/proxyproto.c),
 * written as text by inet_ntop(3).  inet_pton(3) only: no name lookups, so nothing here waits
 * or reads a file.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <string.h>

#include "human.h"
#include "netmask.h"

/*
 * A network inside ::ffff:0:0/96 is the IPv4 network it maps, as a peer
 * in that form is the IPv4 address: "::ffff:192.0.2.7" then matches the
 * client 192.0.2.7, which an IPv6 network never would.
 */
static void
netmask_unmap(struct netmask *m)
{
	const uint8_t *v4;

	if (m->family != AF_INET6 || m->prefix < 96 ||
	    (v4 = netmask_mapped_v4(m->addr)) == NULL)
		return;
	memmove(m->addr, v4, 4);
	memset(m->addr + 4, 0, sizeof(m->addr) - 4);
	m->family = AF_INET;
	m->prefix -= 96;
	m->mapped = 1;
}

int
netmask_read(const char *s, struct netmask *m, int host)
{
	char text[INET6_ADDRSTRLEN + 8], *slash;
	uint64_t prefix;
	unsigned int bits, i;

	memset(m, 0, sizeof(*m));
	if (strlcpy(text, s, sizeof(text)) >= sizeof(text))
		return NETMASK_BAD_ADDR;
	if ((slash = strchr(text, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, text, m->addr) == 1) {
		m->family = AF_INET;
		bits = 32;
	} else if (inet_pton(AF_INET6, text, m->addr) == 1) {
		m->family = AF_INET6;
		bits = 128;
	} else
		return NETMASK_BAD_ADDR;
	m->prefix = bits;
	if (slash != NULL) {
		if (human_parse_count(slash, bits, &prefix) == -1)
			return NETMASK_BAD_PREFIX;
		m->prefix = (unsigned int)prefix;
	}
	/* Nothing may be set past the prefix: refused, or cleared. */
	for (i = m->prefix; i < bits; i++) {
		if ((m->addr[i / 8] & (0x80 >> (i % 8))) == 0)
			continue;
		if (host != NETMASK_HOST_CLEAR)
			return NETMASK_BAD_HOST;
		m->addr[i / 8] &= (uint8_t) ~(0x80 >> (i % 8));
	}
	netmask_unmap(m);
	return 0;
}

int
netmask_parse(const char *s, struct netmask *m)
{
	return netmask_read(s, m, NETMASK_HOST_REFUSE) == 0 ? 0 : -1;
}

const uint8_t *
netmask_mapped_v4(const uint8_t *a)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff,
		0xff };

	return memcmp(a, mapped, sizeof(mapped)) == 0 ? a + sizeof(mapped) :
							NULL;
}

int
netmask_match_addr(const struct netmask *m, int family, const uint8_t *a)
{
	const uint8_t *v4;
	unsigned int full, rest;

	/* A mapped peer is its IPv4 address, for every kind of network. */
	if (family == AF_INET6 && (v4 = netmask_mapped_v4(a)) != NULL) {
		family = AF_INET;
		a = v4;
	}
	if ((family != AF_INET && family != AF_INET6) || family != m->family)
		return 0;
	full = m->prefix / 8;
	rest = m->prefix % 8;
	if (memcmp(a, m->addr, full) != 0)
		return 0;
	return rest == 0 ||
	    ((a[full] ^ m->addr[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

int
netmask_match(const struct netmask *m, const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)ss;

		return netmask_match_addr(
		    m, AF_INET, (const uint8_t *)&sin->sin_addr);
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)ss;

		return netmask_match_addr(m, AF_INET6, sin6->sin6_addr.s6_addr);
	}
	return 0;
}
