/*
 * allowlist.c: parse, format and match a user's allowed networks
 * (allowlist.h).  Each network is a struct netmask, parsed and matched
 * by netmask.c; this file keeps the list, its text form and limits.
 * Addresses go through inet_pton(3) and inet_ntop(3) only: no name
 * lookups, so nothing here waits or reads a file.
 *
 * Used by: the admin tools, the user database parser, and the
 * per-connection monitor (root).
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <string.h>

#include "allowlist.h"
#include "netmask.h"

static size_t
allowlist_addrlen(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* One "ADDR[/PREFIX]" of len bytes at s into n. */
static int
allowlist_parse_one(
    const char *s, size_t len, struct netmask *n, char *err, size_t errlen)
{
	char buf[INET6_ADDRSTRLEN + 8];

	if (len == 0 || len >= sizeof(buf)) {
		snprintf(err, errlen, "'%.*s' is not an address", (int)len, s);
		return -1;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	/* The canonical form has the host bits cleared: 10.1.2.3/16 is
	 * 10.1.0.0/16, not a mistake. */
	switch (netmask_read(buf, n, NETMASK_HOST_CLEAR)) {
	case 0:
		return 0;
	case NETMASK_BAD_PREFIX:
		snprintf(err, errlen,
		    "'%.*s': the prefix length is not a number from 0 to %zu",
		    (int)len, s, 8 * allowlist_addrlen(n->family));
		return -1;
	default:
		snprintf(err, errlen, "'%.*s' is not an IPv4 or IPv6 address",
		    (int)strcspn(buf, "/"), buf);
		return -1;
	}
}

int
allowlist_parse(const char *text, struct allowlist *l, char *err, size_t errlen)
{
	const char *p, *comma;
	size_t len;

	memset(l, 0, sizeof(*l));
	if (strlen(text) > MFTP_ALLOW_TEXT_MAX) {
		snprintf(
		    err, errlen, "longer than %d bytes", MFTP_ALLOW_TEXT_MAX);
		return -1;
	}
	if (text[0] == '\0')
		return 0;
	for (p = text;; p = comma + 1) {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (l->n == MFTP_ALLOW_MAX) {
			snprintf(err, errlen, "more than %d networks",
			    MFTP_ALLOW_MAX);
			return -1;
		}
		if (allowlist_parse_one(p, len, &l->net[l->n], err, errlen) ==
		    -1)
			return -1;
		l->n++;
		if (comma == NULL)
			return 0;
	}
}

int
allowlist_format(const struct allowlist *l, char *out, size_t outlen)
{
	char a[INET6_ADDRSTRLEN];
	size_t i, used = 0;
	int n;

	if (outlen == 0)
		return -1;
	out[0] = '\0';
	for (i = 0; i < l->n; i++) {
		const struct netmask *m = &l->net[i];
		/*
		 * A network written in IPv4-mapped form is matched as the
		 * IPv4 one but written back as it came: the form the users
		 * files of earlier versions hold, which must read back the
		 * same.
		 */
		const char *pre = m->mapped ? "::ffff:" : "";
		unsigned int bits = m->mapped ?
		    128 :
		    8 * allowlist_addrlen(m->family);
		unsigned int prefix = m->mapped ? m->prefix + 96 : m->prefix;

		if (inet_ntop(m->family, m->addr, a, sizeof(a)) == NULL)
			return -1;
		if (prefix == bits)
			n = snprintf(out + used, outlen - used, "%s%s%s",
			    i > 0 ? "," : "", pre, a);
		else
			n = snprintf(out + used, outlen - used, "%s%s%s/%u",
			    i > 0 ? "," : "", pre, a, prefix);
		if (n < 0 || (size_t)n >= outlen - used)
			return -1;
		used += (size_t)n;
	}
	return 0;
}

int
allowlist_match(const struct allowlist *l, const char *addr)
{
	uint8_t a[16];
	int family;
	size_t i;

	if (l->n == 0)
		return 1;
	if (inet_pton(AF_INET, addr, a) == 1)
		family = AF_INET;
	else if (inet_pton(AF_INET6, addr, a) == 1)
		family = AF_INET6;
	else
		return 0;
	for (i = 0; i < l->n; i++)
		if (netmask_match_addr(&l->net[i], family, a))
			return 1;
	return 0;
}
