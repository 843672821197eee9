/*
 * proxyproto.c: parse and write the PROXY protocol header (v1 and v2),
 * see proxyproto.h and doc/PROTOCOL.md.
 *
 * Runs in: the master (root), on bytes from a configured load balancer
 * only, before anything else of the connection is read.  That is why it
 * is this small: fixed-size fields, every length checked against what is
 * there before it is used, no allocation, no state, and fuzzed
 * (tests/fuzz/fuzz_proxyproto.c).  It never looks past the header, so
 * the TLS bytes behind it stay for the pre-auth worker.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "proxyproto.h"

static const uint8_t proxyproto_sig[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
	0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };

/* v2 address block sizes: two addresses and two ports (UNIX: paths). */
#define PROXYPROTO_V2_INET 12
#define PROXYPROTO_V2_INET6 36
#define PROXYPROTO_V2_UNIX 216

static size_t
proxyproto_min(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* A v1 port: "0", or 1..5 digits without a leading zero, <= 65535. */
static int
proxyproto_v1_port(const char *s, size_t n, uint16_t *port)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0 || n > 5 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* A v1 address of family af, n bytes at s (not NUL-terminated). */
static int
proxyproto_v1_addr(int af, const char *s, size_t n, uint8_t *out)
{
	char text[INET6_ADDRSTRLEN];

	if (n == 0 || n >= sizeof(text))
		return -1;
	memcpy(text, s, n);
	text[n] = '\0';
	return inet_pton(af, text, out) == 1 ? 0 : -1;
}

/*
 * The fields of a whole v1 line, CRLF excluded: "PROXY UNKNOWN..." or
 * "PROXY TCP4|TCP6 SRC DST SPORT DPORT", single spaces.
 */
static int
proxyproto_v1_fields(const char *line, size_t n, struct proxyproto *pp)
{
	const char *f[6], *p = line, *end = line + n;
	size_t flen[6], i;
	int af;

	/* Whatever follows UNKNOWN is to be ignored (the specification). */
	if (n >= 13 && memcmp(line, "PROXY UNKNOWN", 13) == 0 &&
	    (n == 13 || line[13] == ' ')) {
		pp->family = AF_UNSPEC;
		return 0;
	}
	for (i = 0; i < 6; i++) {
		const char *sp = memchr(p, ' ', (size_t)(end - p));

		if (i < 5 && sp == NULL)
			return ERR_VALUE;
		if (i == 5 && sp != NULL)
			return ERR_VALUE; /* a seventh field */
		f[i] = p;
		flen[i] = (size_t)((i < 5 ? sp : end) - p);
		p = i < 5 ? sp + 1 : end;
	}
	if (flen[0] != 5 || memcmp(f[0], "PROXY", 5) != 0 || flen[1] != 4)
		return ERR_VALUE;
	if (memcmp(f[1], "TCP4", 4) == 0)
		af = AF_INET;
	else if (memcmp(f[1], "TCP6", 4) == 0)
		af = AF_INET6;
	else
		return ERR_VALUE;
	if (proxyproto_v1_addr(af, f[2], flen[2], pp->src) != 0 ||
	    proxyproto_v1_addr(af, f[3], flen[3], pp->dst) != 0 ||
	    proxyproto_v1_port(f[4], flen[4], &pp->src_port) != 0 ||
	    proxyproto_v1_port(f[5], flen[5], &pp->dst_port) != 0)
		return ERR_VALUE;
	pp->family = af;
	return 0;
}

static int
proxyproto_v1(
    const uint8_t *buf, size_t len, struct proxyproto *pp, size_t *used)
{
	size_t i, n = proxyproto_min(len, PROXYPROTO_V1_MAX);
	int r;

	if (memcmp(buf, "PROXY ", proxyproto_min(len, 6)) != 0)
		return ERR_VALUE;
	for (i = 0; i < n; i++) {
		if (buf[i] == '\n')
			break;
		/* A CR only right before the LF; nothing else unprintable. */
		if (buf[i] == '\r' && i + 1 < len && buf[i + 1] != '\n')
			return ERR_VALUE;
		if (buf[i] != '\r' && (buf[i] < 0x20 || buf[i] > 0x7e))
			return ERR_VALUE;
	}
	if (i == n)
		return len >= PROXYPROTO_V1_MAX ? ERR_TOO_LONG :
						  PROXYPROTO_MORE;
	if (i == 0 || buf[i - 1] != '\r')
		return ERR_VALUE;
	pp->version = 1;
	pp->command = PROXYPROTO_PROXY;
	if ((r = proxyproto_v1_fields((const char *)buf, i - 1, pp)) != 0)
		return r;
	*used = i + 1;
	return 0;
}

static int
proxyproto_v2(
    const uint8_t *buf, size_t len, struct proxyproto *pp, size_t *used)
{
	size_t hlen, need;
	uint8_t cmd, fam;

	if (memcmp(buf, proxyproto_sig,
		proxyproto_min(len, sizeof(proxyproto_sig))) != 0)
		return ERR_VALUE;
	if (len < PROXYPROTO_V2_HEAD)
		return PROXYPROTO_MORE;
	/* Everything in the 16 bytes is checked before waiting for more. */
	if ((buf[12] >> 4) != 2)
		return ERR_VALUE;
	cmd = buf[12] & 0x0f;
	fam = buf[13];
	hlen = (size_t)buf[14] << 8 | buf[15];
	if (hlen > PROXYPROTO_MAX - PROXYPROTO_V2_HEAD)
		return ERR_TOO_LONG;
	if (cmd > PROXYPROTO_PROXY)
		return ERR_VALUE;
	pp->version = 2;
	pp->command = cmd;
	pp->family = AF_UNSPEC;
	need = 0;
	/* LOCAL: the family and the addresses are to be ignored. */
	if (cmd == PROXYPROTO_PROXY) {
		switch (fam) {
		case 0x00: /* UNSPEC */
			break;
		case 0x11: /* TCP over IPv4 */
			pp->family = AF_INET;
			need = PROXYPROTO_V2_INET;
			break;
		case 0x21: /* TCP over IPv6 */
			pp->family = AF_INET6;
			need = PROXYPROTO_V2_INET6;
			break;
		case 0x31: /* a UNIX stream: no address to use */
			need = PROXYPROTO_V2_UNIX;
			break;
		default: /* datagrams, or values the specification lacks */
			return ERR_VALUE;
		}
	}
	if (hlen < need)
		return ERR_VALUE;
	if (len - PROXYPROTO_V2_HEAD < hlen)
		return PROXYPROTO_MORE;
	buf += PROXYPROTO_V2_HEAD;
	if (pp->family == AF_INET) {
		memcpy(pp->src, buf, 4);
		memcpy(pp->dst, buf + 4, 4);
		buf += 8;
	} else if (pp->family == AF_INET6) {
		memcpy(pp->src, buf, 16);
		memcpy(pp->dst, buf + 16, 16);
		buf += 32;
	}
	if (pp->family != AF_UNSPEC) {
		pp->src_port = (uint16_t)(buf[0] << 8 | buf[1]);
		pp->dst_port = (uint16_t)(buf[2] << 8 | buf[3]);
	}
	/* The rest, TLVs, is skipped: nothing here needs them. */
	*used = PROXYPROTO_V2_HEAD + hlen;
	return 0;
}

int
proxyproto_parse(
    const uint8_t *buf, size_t len, struct proxyproto *pp, size_t *used)
{
	struct proxyproto tmp;
	int r;

	*used = 0;
	if (len == 0)
		return PROXYPROTO_MORE;
	memset(&tmp, 0, sizeof(tmp));
	if (buf[0] == 'P')
		r = proxyproto_v1(buf, len, &tmp, used);
	else if (buf[0] == proxyproto_sig[0])
		r = proxyproto_v2(buf, len, &tmp, used);
	else
		r = ERR_VALUE;
	if (r == 0)
		*pp = tmp;
	else
		*used = 0;
	return r;
}

size_t
proxyproto_encode_v2(const struct proxyproto *pp, uint8_t *out, size_t outlen)
{
	size_t alen = 0, n;
	uint8_t fam = 0x00; /* LOCAL, or PROXY from an unknown source */

	if (pp->command != PROXYPROTO_LOCAL && pp->command != PROXYPROTO_PROXY)
		return 0;
	if (pp->command == PROXYPROTO_PROXY) {
		if (pp->family == AF_INET) {
			fam = 0x11;
			alen = 4;
		} else if (pp->family == AF_INET6) {
			fam = 0x21;
			alen = 16;
		} else if (pp->family != AF_UNSPEC)
			return 0;
	}
	n = alen == 0 ? 0 : 2 * alen + 4;
	if (outlen < PROXYPROTO_V2_HEAD + n)
		return 0;
	memcpy(out, proxyproto_sig, sizeof(proxyproto_sig));
	out[12] = (uint8_t)(0x20 | pp->command);
	out[13] = fam;
	out[14] = (uint8_t)(n >> 8);
	out[15] = (uint8_t)n;
	if (alen != 0) {
		memcpy(out + 16, pp->src, alen);
		memcpy(out + 16 + alen, pp->dst, alen);
		out[16 + 2 * alen] = (uint8_t)(pp->src_port >> 8);
		out[17 + 2 * alen] = (uint8_t)pp->src_port;
		out[18 + 2 * alen] = (uint8_t)(pp->dst_port >> 8);
		out[19 + 2 * alen] = (uint8_t)pp->dst_port;
	}
	return PROXYPROTO_V2_HEAD + n;
}

size_t
proxyproto_encode_v1(const struct proxyproto *pp, char *out, size_t outlen)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	int n;

	if (pp->command != PROXYPROTO_PROXY)
		return 0; /* v1 has no LOCAL */
	if (pp->family == AF_UNSPEC)
		n = snprintf(out, outlen, "PROXY UNKNOWN\r\n");
	else if ((pp->family == AF_INET || pp->family == AF_INET6) &&
	    inet_ntop(pp->family, pp->src, src, sizeof(src)) != NULL &&
	    inet_ntop(pp->family, pp->dst, dst, sizeof(dst)) != NULL)
		n = snprintf(out, outlen, "PROXY %s %s %s %u %u\r\n",
		    pp->family == AF_INET ? "TCP4" : "TCP6", src, dst,
		    (unsigned int)pp->src_port, (unsigned int)pp->dst_port);
	else
		return 0;
	return n < 0 || (size_t)n >= outlen ? 0 : (size_t)n;
}
