/*
 * netmask.c: address/prefix parsing and matching (see netmask.h).
 *
 * Runs in: the master and the admin tools, on the trusted configuration
 * file and on addresses the kernel returned from accept().
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdlib.h>
#include <string.h>

#include "netmask.h"

int
netmask_parse(const char *s, struct netmask *m)
{
	char text[INET6_ADDRSTRLEN + 5], *slash;
	const char *errstr;
	unsigned int bits, i;

	memset(m, 0, sizeof(*m));
	if (strlcpy(text, s, sizeof(text)) >= sizeof(text))
		return -1;
	if ((slash = strchr(text, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, text, m->addr) == 1) {
		m->family = AF_INET;
		bits = 32;
	} else if (inet_pton(AF_INET6, text, m->addr) == 1) {
		m->family = AF_INET6;
		bits = 128;
	} else
		return -1;
	m->prefix = bits;
	if (slash != NULL) {
		m->prefix = (unsigned int)strtonum(slash, 0, bits, &errstr);
		if (errstr != NULL)
			return -1;
	}
	/* Nothing may be set past the prefix. */
	for (i = m->prefix; i < bits; i++)
		if (m->addr[i / 8] & (0x80 >> (i % 8)))
			return -1;
	return 0;
}

int
netmask_match(const struct netmask *m, const struct sockaddr_storage *ss)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff,
		0xff };
	const uint8_t *a;
	unsigned int full, rest;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)ss;

		a = (const uint8_t *)&sin->sin_addr;
		if (m->family != AF_INET)
			return 0;
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)ss;

		a = sin6->sin6_addr.s6_addr;
		if (m->family == AF_INET) {
			if (memcmp(a, mapped, sizeof(mapped)) != 0)
				return 0;
			a += sizeof(mapped);
		}
	} else
		return 0;
	full = m->prefix / 8;
	rest = m->prefix % 8;
	if (memcmp(a, m->addr, full) != 0)
		return 0;
	return rest == 0 ||
	    ((a[full] ^ m->addr[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}
