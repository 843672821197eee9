/*
 * test_proxyproto.c: unit tests for lib/proxyproto.c (the PROXY header a
 * load balancer sends) and lib/netmask.c (which peers may send one).
 *
 * Every vector is also tried cut short at each length: a prefix of a
 * good header must ask for more (never parse, never fail), so that the
 * master neither acts on half a header nor drops a slow balancer early.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "netmask.h"
#include "proxyproto.h"

static const uint8_t sig[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51,
	0x55, 0x49, 0x54, 0x0a };

/* A v2 header: the signature, ver_cmd, fam, then body of blen bytes. */
static size_t
v2(uint8_t *out, uint8_t ver_cmd, uint8_t fam, const uint8_t *body, size_t blen)
{
	memcpy(out, sig, 12);
	out[12] = ver_cmd;
	out[13] = fam;
	out[14] = (uint8_t)(blen >> 8);
	out[15] = (uint8_t)blen;
	if (blen > 0)
		memcpy(out + 16, body, blen);
	return 16 + blen;
}

/* buf[0..len) with trailing stream bytes parses with *used == hlen. */
static void
expect_header(const uint8_t *buf, size_t hlen, struct proxyproto *pp)
{
	uint8_t more[PROXYPROTO_MAX + 64];
	size_t used = 99, k;

	for (k = 0; k < hlen; k++)
		assert_int_equal(
		    proxyproto_parse(buf, k, pp, &used), PROXYPROTO_MORE);
	assert_int_equal(used, 0);
	assert_int_equal(proxyproto_parse(buf, hlen, pp, &used), 0);
	assert_int_equal(used, hlen);
	/* A TLS ClientHello right behind it is not the header's. */
	memcpy(more, buf, hlen);
	memset(more + hlen, 0x16, 64);
	assert_int_equal(proxyproto_parse(more, hlen + 64, pp, &used), 0);
	assert_int_equal(used, hlen);
}

static void
expect_bad(const void *buf, size_t len, int want)
{
	struct proxyproto pp;
	size_t used = 99;

	assert_int_equal(proxyproto_parse(buf, len, &pp, &used), want);
	assert_int_equal(used, 0);
}

static void
test_v2_inet(void **state)
{
	const uint8_t body[12] = { 192, 0, 2, 7, 198, 51, 100, 1, 0xc3, 0x50,
		0x08, 0x49 };
	uint8_t buf[64];
	struct proxyproto pp;
	size_t n;

	(void)state;
	n = v2(buf, 0x21, 0x11, body, sizeof(body));
	expect_header(buf, n, &pp);
	assert_int_equal(pp.version, 2);
	assert_int_equal(pp.command, PROXYPROTO_PROXY);
	assert_int_equal(pp.family, AF_INET);
	assert_memory_equal(pp.src, body, 4);
	assert_memory_equal(pp.dst, body + 4, 4);
	assert_int_equal(pp.src_port, 50000);
	assert_int_equal(pp.dst_port, 2121);
}

static void
test_v2_inet6(void **state)
{
	uint8_t body[36], buf[64];
	struct proxyproto pp;
	size_t n;

	(void)state;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", body), 1);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::2", body + 16), 1);
	body[32] = 0x01;
	body[33] = 0x02;
	body[34] = 0x08;
	body[35] = 0x49;
	n = v2(buf, 0x21, 0x21, body, sizeof(body));
	expect_header(buf, n, &pp);
	assert_int_equal(pp.family, AF_INET6);
	assert_memory_equal(pp.src, body, 16);
	assert_memory_equal(pp.dst, body + 16, 16);
	assert_int_equal(pp.src_port, 0x0102);
	assert_int_equal(pp.dst_port, 2121);
}

/* TLVs after the addresses (here ALPN and a NOOP) are skipped. */
static void
test_v2_tlvs(void **state)
{
	const uint8_t body[] = { 10, 1, 2, 3, 10, 9, 9, 9, 0x04, 0x00, 0x08,
		0x49, 0x01, 0x00, 0x02, 'h', '2', 0x04, 0x00, 0x03, 0, 0, 0 };
	uint8_t buf[64];
	struct proxyproto pp;
	size_t n;

	(void)state;
	n = v2(buf, 0x21, 0x11, body, sizeof(body));
	expect_header(buf, n, &pp);
	assert_int_equal(pp.family, AF_INET);
	assert_int_equal(pp.src[0], 10);
	assert_int_equal(pp.src_port, 1024);
}

/* LOCAL: a health check; its family and addresses are ignored. */
static void
test_v2_local(void **state)
{
	const uint8_t body[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	uint8_t buf[64];
	struct proxyproto pp;
	size_t n;

	(void)state;
	n = v2(buf, 0x20, 0x00, NULL, 0);
	expect_header(buf, n, &pp);
	assert_int_equal(pp.command, PROXYPROTO_LOCAL);
	assert_int_equal(pp.family, AF_UNSPEC);
	n = v2(buf, 0x20, 0x11, body, sizeof(body));
	expect_header(buf, n, &pp);
	assert_int_equal(pp.command, PROXYPROTO_LOCAL);
	assert_int_equal(pp.family, AF_UNSPEC);
}

/* PROXY with an unknown or UNIX source: accepted, no address. */
static void
test_v2_unspec(void **state)
{
	uint8_t body[216], buf[256];
	struct proxyproto pp;
	size_t n;

	(void)state;
	n = v2(buf, 0x21, 0x00, NULL, 0);
	expect_header(buf, n, &pp);
	assert_int_equal(pp.command, PROXYPROTO_PROXY);
	assert_int_equal(pp.family, AF_UNSPEC);
	memset(body, 'u', sizeof(body));
	n = v2(buf, 0x21, 0x31, body, sizeof(body));
	expect_header(buf, n, &pp);
	assert_int_equal(pp.family, AF_UNSPEC);
}

static void
test_v2_bad(void **state)
{
	static const struct {
		uint8_t ver_cmd, fam;
		size_t blen;
	} bad[] = {
		{ 0x11, 0x11, 12 }, /* version 1 in the v2 preamble */
		{ 0x31, 0x11, 12 }, /* version 3 */
		{ 0x22, 0x11, 12 }, /* commands 2..15 */
		{ 0x2f, 0x11, 12 },
		{ 0x21, 0x12, 12 }, /* UDP */
		{ 0x21, 0x22, 36 },
		{ 0x21, 0x41, 36 }, /* families the specification lacks */
		{ 0x21, 0x10, 12 },
		{ 0x21, 0x11, 11 }, /* too short for the addresses */
		{ 0x21, 0x21, 35 },
		{ 0x21, 0x31, 215 },
	};
	uint8_t body[PROXYPROTO_MAX], buf[PROXYPROTO_MAX + 32];
	size_t i, n;

	(void)state;
	memset(body, 0, sizeof(body));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = v2(buf, bad[i].ver_cmd, bad[i].fam, body, bad[i].blen);
		expect_bad(buf, n, ERR_VALUE);
		/* Refused from the 16 bytes, before the rest is waited for. */
		expect_bad(buf, 16, ERR_VALUE);
	}
	/* A signature off by one bit, refused as soon as it differs. */
	n = v2(buf, 0x21, 0x11, body, 12);
	buf[7] ^= 1;
	expect_bad(buf, n, ERR_VALUE);
	expect_bad(buf, 8, ERR_VALUE);
}

/* Oversized: refused from the 16 bytes alone, never waited for. */
static void
test_v2_oversized(void **state)
{
	uint8_t body[PROXYPROTO_MAX], buf[PROXYPROTO_MAX + 32];
	struct proxyproto pp;
	size_t n;

	(void)state;
	memset(body, 0, sizeof(body));
	n = v2(buf, 0x21, 0x11, body, PROXYPROTO_MAX - 16);
	expect_header(buf, n, &pp);
	n = v2(buf, 0x21, 0x11, body, PROXYPROTO_MAX - 15);
	expect_bad(buf, 16, ERR_TOO_LONG);
	buf[14] = 0xff;
	buf[15] = 0xff;
	expect_bad(buf, 16, ERR_TOO_LONG);
}

static void
test_v1_tcp4(void **state)
{
	const char *h = "PROXY TCP4 192.0.2.7 198.51.100.1 50000 2121\r\n";
	struct proxyproto pp;

	(void)state;
	expect_header((const uint8_t *)h, strlen(h), &pp);
	assert_int_equal(pp.version, 1);
	assert_int_equal(pp.command, PROXYPROTO_PROXY);
	assert_int_equal(pp.family, AF_INET);
	assert_int_equal(pp.src[0], 192);
	assert_int_equal(pp.src[3], 7);
	assert_int_equal(pp.dst[3], 1);
	assert_int_equal(pp.src_port, 50000);
	assert_int_equal(pp.dst_port, 2121);
}

static void
test_v1_tcp6(void **state)
{
	const char *h = "PROXY TCP6 2001:db8::1 ::1 65535 0\r\n";
	uint8_t a[16];
	struct proxyproto pp;

	(void)state;
	expect_header((const uint8_t *)h, strlen(h), &pp);
	assert_int_equal(pp.family, AF_INET6);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", a), 1);
	assert_memory_equal(pp.src, a, 16);
	assert_int_equal(pp.src_port, 65535);
	assert_int_equal(pp.dst_port, 0);
}

static void
test_v1_unknown(void **state)
{
	const char *h1 = "PROXY UNKNOWN\r\n";
	const char *h2 = "PROXY UNKNOWN ffff::1 ::2 1 2\r\n";
	struct proxyproto pp;

	(void)state;
	expect_header((const uint8_t *)h1, strlen(h1), &pp);
	assert_int_equal(pp.family, AF_UNSPEC);
	expect_header((const uint8_t *)h2, strlen(h2), &pp);
	assert_int_equal(pp.family, AF_UNSPEC);
}

/* The longest v1 line is 107 bytes; one byte more is refused. */
static void
test_v1_length(void **state)
{
	char h[200];
	struct proxyproto pp;
	size_t n;

	(void)state;
	n = (size_t)snprintf(h, sizeof(h), "PROXY UNKNOWN %0*d\r\n", 91, 0);
	assert_int_equal(n, PROXYPROTO_V1_MAX);
	expect_header((const uint8_t *)h, n, &pp);
	n = (size_t)snprintf(h, sizeof(h), "PROXY UNKNOWN %0*d\r\n", 92, 0);
	expect_bad(h, n, ERR_TOO_LONG);
	/* No line end in sight: refused at the limit, not waited for. */
	memset(h, 'x', sizeof(h));
	memcpy(h, "PROXY ", 6);
	expect_bad(h, PROXYPROTO_V1_MAX, ERR_TOO_LONG);
}

static void
test_v1_bad(void **state)
{
	static const char *const bad[] = {
		"PROXY TCP4 192.0.2.7 198.51.100.1 50000 2121\n",
		"PROXY TCP4 192.0.2.7 198.51.100.1 50000 2121\r\r\n",
		"PROXY TCP4 192.0.2.7 198.51.100.1 50000\r\n",
		"PROXY TCP4 192.0.2.7 198.51.100.1 50000 2121 7\r\n",
		"PROXY TCP4  192.0.2.7 198.51.100.1 50000 2121\r\n",
		"PROXY TCP4 192.0.2.7 198.51.100.1 65536 2121\r\n",
		"PROXY TCP4 192.0.2.7 198.51.100.1 050000 2121\r\n",
		"PROXY TCP4 192.0.2.7 198.51.100.1 -1 2121\r\n",
		"PROXY TCP4 2001:db8::1 198.51.100.1 1 2\r\n",
		"PROXY TCP6 192.0.2.7 ::1 1 2\r\n",
		"PROXY TCP4 192.0.2.256 198.51.100.1 1 2\r\n",
		"PROXY UDP4 192.0.2.7 198.51.100.1 1 2\r\n",
		"PROXY UNKNOWNX\r\n",
		"PROXY\r\n",
		"PROXY \r\n",
		"PROXY TCP4 192.0.2.7\t198.51.100.1 1 2\r\n",
		"PROXX TCP4 192.0.2.7 198.51.100.1 1 2\r\n",
		"proxy TCP4 192.0.2.7 198.51.100.1 1 2\r\n",
		/* Not a header at all: a TLS record, a protocol-1 frame. */
		"\x16\x03\x01\x02\x00\x01",
		"\x00\x00\x00\x20\x01",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_bad(
		    bad[i], strlen(bad[i]) + (bad[i][0] == '\0'), ERR_VALUE);
	/* A NUL inside the line. */
	expect_bad("PROXY TCP4 1.2.3.4\0 5.6.7.8 1 2\r\n", 33, ERR_VALUE);
}

/* What the encoders write parses back to the same header. */
static void
test_roundtrip(void **state)
{
	struct proxyproto pp, back;
	uint8_t buf[PROXYPROTO_MAX];
	char line[PROXYPROTO_V1_MAX + 1];
	size_t n, used;
	int af;

	(void)state;
	for (af = 0; af < 2; af++) {
		memset(&pp, 0, sizeof(pp));
		pp.command = PROXYPROTO_PROXY;
		pp.family = af == 0 ? AF_INET : AF_INET6;
		memset(pp.src, 0xab, af == 0 ? 4 : 16);
		memset(pp.dst, 0x01, af == 0 ? 4 : 16);
		pp.src_port = 40000;
		pp.dst_port = 2121;
		n = proxyproto_encode_v2(&pp, buf, sizeof(buf));
		assert_int_equal(n, af == 0 ? 28 : 52);
		assert_int_equal(proxyproto_parse(buf, n, &back, &used), 0);
		assert_int_equal(used, n);
		assert_int_equal(back.family, pp.family);
		assert_memory_equal(back.src, pp.src, 16);
		assert_int_equal(back.src_port, 40000);
		n = proxyproto_encode_v1(&pp, line, sizeof(line));
		assert_true(n > 0);
		assert_int_equal(
		    proxyproto_parse((const uint8_t *)line, n, &back, &used),
		    0);
		assert_int_equal(used, n);
		assert_memory_equal(back.src, pp.src, 16);
		assert_int_equal(back.dst_port, 2121);
	}
	/* Too small an output buffer: nothing written, 0. */
	assert_int_equal(proxyproto_encode_v2(&pp, buf, 51), 0);
	assert_int_equal(proxyproto_encode_v1(&pp, line, 20), 0);
	pp.command = PROXYPROTO_LOCAL;
	assert_int_equal(proxyproto_encode_v2(&pp, buf, sizeof(buf)), 16);
	assert_int_equal(proxyproto_encode_v1(&pp, line, sizeof(line)), 0);
}

static struct sockaddr_storage
sa(const char *addr)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(addr, ':') != NULL) {
		struct sockaddr_in6 *s6 = (void *)&ss;

		s6->sin6_family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, addr, &s6->sin6_addr), 1);
	} else {
		struct sockaddr_in *s4 = (void *)&ss;

		s4->sin_family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, addr, &s4->sin_addr), 1);
	}
	return ss;
}

static int
match(const char *mask, const char *addr)
{
	struct sockaddr_storage ss = sa(addr);
	struct netmask m;

	assert_int_equal(netmask_parse(mask, &m), 0);
	return netmask_match(&m, &ss);
}

static void
test_netmask(void **state)
{
	struct netmask m;

	(void)state;
	assert_true(match("127.0.0.1", "127.0.0.1"));
	assert_false(match("127.0.0.1", "127.0.0.2"));
	assert_true(match("10.0.0.0/8", "10.255.1.2"));
	assert_false(match("10.0.0.0/8", "11.0.0.1"));
	assert_true(match("10.1.2.0/23", "10.1.3.255"));
	assert_false(match("10.1.2.0/23", "10.1.4.0"));
	assert_true(match("0.0.0.0/0", "203.0.113.9"));
	assert_false(match("0.0.0.0/0", "2001:db8::1"));
	assert_true(match("2001:db8::/32", "2001:db8:ffff::1"));
	assert_false(match("2001:db8::/32", "2001:db9::1"));
	assert_true(match("::1", "::1"));
	/* An IPv4-mapped peer is the IPv4 address. */
	assert_true(match("192.0.2.0/24", "::ffff:192.0.2.5"));
	assert_false(match("192.0.2.0/24", "::ffff:192.0.3.5"));
	assert_true(match("::ffff:192.0.2.0/120", "192.0.2.5"));
	assert_true(match("::ffff:192.0.2.0/120", "::ffff:192.0.2.5"));
	assert_false(match("::/0", "::ffff:192.0.2.5"));
	assert_false(match("::/0", "192.0.2.5"));
	assert_int_equal(netmask_parse("10.0.0.1/8", &m), -1);
	assert_int_equal(netmask_parse("10.0.0.0/33", &m), -1);
	assert_int_equal(netmask_parse("10.0.0.0/", &m), -1);
	assert_int_equal(netmask_parse("::/129", &m), -1);
	assert_int_equal(netmask_parse("lb.example", &m), -1);
	assert_int_equal(netmask_parse("", &m), -1);
	assert_int_equal(netmask_parse("10.0.0.0/+8", &m), -1);
}

/* The allow-list's mode clears host bits; each failure says its part. */
static void
test_netmask_read(void **state)
{
	static const uint8_t net[4] = { 10, 1, 0, 0 };
	struct netmask m;

	(void)state;
	assert_int_equal(
	    netmask_read("10.1.2.3/16", &m, NETMASK_HOST_CLEAR), 0);
	assert_int_equal(m.family, AF_INET);
	assert_int_equal(m.prefix, 16);
	assert_memory_equal(m.addr, net, sizeof(net));
	assert_int_equal(netmask_read("10.1.2.3/16", &m, NETMASK_HOST_REFUSE),
	    NETMASK_BAD_HOST);
	assert_int_equal(netmask_read("10.1.2.3/33", &m, NETMASK_HOST_CLEAR),
	    NETMASK_BAD_PREFIX);
	assert_int_equal(m.family, AF_INET);
	assert_int_equal(
	    netmask_read("::/129", &m, NETMASK_HOST_CLEAR), NETMASK_BAD_PREFIX);
	assert_int_equal(m.family, AF_INET6);
	assert_int_equal(netmask_read("10.0.0.0/ 8", &m, NETMASK_HOST_CLEAR),
	    NETMASK_BAD_PREFIX);
	assert_int_equal(
	    netmask_read("lb/8", &m, NETMASK_HOST_CLEAR), NETMASK_BAD_ADDR);
	/* Raw bytes, as the allow-list matches them. */
	assert_true(netmask_match_addr(&m, AF_INET, net) == 0);
	assert_int_equal(
	    netmask_read("10.1.0.0/16", &m, NETMASK_HOST_REFUSE), 0);
	assert_true(netmask_match_addr(&m, AF_INET, net));
	assert_false(netmask_match_addr(&m, AF_UNIX, net));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v2_inet),
		cmocka_unit_test(test_v2_inet6),
		cmocka_unit_test(test_v2_tlvs),
		cmocka_unit_test(test_v2_local),
		cmocka_unit_test(test_v2_unspec),
		cmocka_unit_test(test_v2_bad),
		cmocka_unit_test(test_v2_oversized),
		cmocka_unit_test(test_v1_tcp4),
		cmocka_unit_test(test_v1_tcp6),
		cmocka_unit_test(test_v1_unknown),
		cmocka_unit_test(test_v1_length),
		cmocka_unit_test(test_v1_bad),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_netmask),
		cmocka_unit_test(test_netmask_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
