/*
 * allowlist.c: parse, format and match a user's allowed networks
 * (allowlist.h).  Addresses go through inet_pton(3) and inet_ntop(3)
 * only: no name lookups, so nothing here waits or reads a file.
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
#include "human.h"

/* ::ffff:0:0/96, where IPv6 sockets show IPv4 peers. */
static const uint8_t allowlist_v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0xff, 0xff };

static size_t
allowlist_addrlen(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* Clear the bits of addr past prefix. */
static void
allowlist_mask(uint8_t *addr, size_t len, unsigned int prefix)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (prefix >= 8 * (i + 1))
			continue;
		if (prefix <= 8 * i)
			addr[i] = 0;
		else
			addr[i] &= (uint8_t)(0xff << (8 - (prefix - 8 * i)));
	}
}

/* One "ADDR[/PREFIX]" of len bytes at s into n. */
static int
allowlist_parse_one(
    const char *s, size_t len, struct allownet *n, char *err, size_t errlen)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	uint64_t prefix;
	size_t max;

	if (len == 0 || len >= sizeof(buf)) {
		snprintf(err, errlen, "'%.*s' is not an address", (int)len, s);
		return -1;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	if ((slash = strchr(buf, '/')) != NULL)
		*slash = '\0';
	memset(n, 0, sizeof(*n));
	if (inet_pton(AF_INET, buf, n->addr) == 1)
		n->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, n->addr) == 1)
		n->family = AF_INET6;
	else {
		snprintf(
		    err, errlen, "'%s' is not an IPv4 or IPv6 address", buf);
		return -1;
	}
	max = 8 * allowlist_addrlen(n->family);
	n->prefix = (unsigned int)max;
	if (slash != NULL) {
		if (human_parse_count(slash + 1, max, &prefix) == -1) {
			snprintf(err, errlen,
			    "'%.*s': the prefix length is not a number "
			    "from 0 to %zu",
			    (int)len, s, max);
			return -1;
		}
		n->prefix = (unsigned int)prefix;
	}
	allowlist_mask(n->addr, allowlist_addrlen(n->family), n->prefix);
	return 0;
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
		if (inet_ntop(l->net[i].family, l->net[i].addr, a, sizeof(a)) ==
		    NULL)
			return -1;
		if (l->net[i].prefix == 8 * allowlist_addrlen(l->net[i].family))
			n = snprintf(out + used, outlen - used, "%s%s",
			    i > 0 ? "," : "", a);
		else
			n = snprintf(out + used, outlen - used, "%s%s/%u",
			    i > 0 ? "," : "", a, l->net[i].prefix);
		if (n < 0 || (size_t)n >= outlen - used)
			return -1;
		used += (size_t)n;
	}
	return 0;
}

/* 1 if the first prefix bits of a and b are the same. */
static int
allowlist_same_prefix(const uint8_t *a, const uint8_t *b, unsigned int prefix)
{
	unsigned int whole = prefix / 8, rest = prefix % 8;
	uint8_t mask;

	if (memcmp(a, b, whole) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (uint8_t)(0xff << (8 - rest));
	return (a[whole] & mask) == (b[whole] & mask);
}

int
allowlist_match(const struct allowlist *l, const char *addr)
{
	uint8_t a[16], v4[4];
	int family, mapped = 0;
	size_t i;

	if (l->n == 0)
		return 1;
	if (inet_pton(AF_INET, addr, a) == 1)
		family = AF_INET;
	else if (inet_pton(AF_INET6, addr, a) == 1) {
		family = AF_INET6;
		if (memcmp(a, allowlist_v4mapped, 12) == 0) {
			memcpy(v4, a + 12, 4);
			mapped = 1;
		}
	} else
		return 0;
	for (i = 0; i < l->n; i++) {
		const struct allownet *n = &l->net[i];

		if (n->family == family &&
		    allowlist_same_prefix(n->addr, a, n->prefix))
			return 1;
		if (mapped && n->family == AF_INET &&
		    allowlist_same_prefix(n->addr, v4, n->prefix))
			return 1;
	}
	return 0;
}
