/*
 * fuzz_proxyproto.c: the PROXY header parser (lib/proxyproto.c) on the
 * first bytes of a connection from a load balancer, as the master reads
 * them (daemon/proxywait.c): the parser runs as root, so it is small and
 * fuzzed.
 *
 * Properties: a parsed header uses only its own bytes (the same result
 * from exactly those bytes, *used never past the input, and every
 * shorter prefix asks for more, so the master never consumes a byte of
 * the TLS stream behind it); an incomplete input stays incomplete when
 * cut shorter; a refused or incomplete one says nothing; a relayed
 * address, written again by the encoders (v2 and v1), parses back to the
 * same family, addresses and ports.
 */
#include <sys/socket.h>

#include <string.h>

#include "err.h"
#include "fuzz.h"
#include "proxyproto.h"

static void
fuzz_same(const struct proxyproto *a, const struct proxyproto *b)
{
	FUZZ_CHECK(a->command == b->command);
	FUZZ_CHECK(a->family == b->family);
	FUZZ_CHECK(memcmp(a->src, b->src, sizeof(a->src)) == 0);
	FUZZ_CHECK(memcmp(a->dst, b->dst, sizeof(a->dst)) == 0);
	FUZZ_CHECK(a->src_port == b->src_port);
	FUZZ_CHECK(a->dst_port == b->dst_port);
}

/* Encode pp both ways; each parses back to pp. */
static void
fuzz_reencode(const struct proxyproto *pp)
{
	struct proxyproto back;
	uint8_t buf[PROXYPROTO_MAX];
	char line[PROXYPROTO_V1_MAX + 1];
	size_t n, used;

	n = proxyproto_encode_v2(pp, buf, sizeof(buf));
	FUZZ_CHECK(n >= PROXYPROTO_V2_HEAD);
	FUZZ_CHECK(proxyproto_parse(buf, n, &back, &used) == 0);
	FUZZ_CHECK(used == n && back.version == 2);
	fuzz_same(pp, &back);
	if (pp->command != PROXYPROTO_PROXY)
		return; /* v1 has no LOCAL */
	n = proxyproto_encode_v1(pp, line, sizeof(line));
	FUZZ_CHECK(n > 0 && n <= PROXYPROTO_V1_MAX);
	FUZZ_CHECK(
	    proxyproto_parse((const uint8_t *)line, n, &back, &used) == 0);
	FUZZ_CHECK(used == n && back.version == 1);
	fuzz_same(pp, &back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proxyproto pp, again;
	uint8_t exact[PROXYPROTO_MAX];
	size_t used = 1, used2, k;
	int r;

	memset(&pp, 0x5a, sizeof(pp));
	r = proxyproto_parse(data, size, &pp, &used);
	FUZZ_CHECK(r == 0 || r == PROXYPROTO_MORE || r == ERR_VALUE ||
	    r == ERR_TOO_LONG);
	if (r != 0) {
		FUZZ_CHECK(used == 0);
		/* An incomplete header is incomplete at every shorter cut. */
		if (r == PROXYPROTO_MORE) {
			FUZZ_CHECK(size < PROXYPROTO_MAX);
			FUZZ_CHECK(proxyproto_parse(data, size / 2, &again,
				       &used2) == PROXYPROTO_MORE);
		}
		return 0;
	}
	FUZZ_CHECK(used > 0 && used <= size && used <= PROXYPROTO_MAX);
	FUZZ_CHECK(pp.version == 1 || pp.version == 2);
	FUZZ_CHECK(pp.version == 2 || used <= PROXYPROTO_V1_MAX);
	/* Its own bytes alone, in a buffer of exactly that size, say the
	 * same: nothing behind the header was looked at. */
	memcpy(exact, data, used);
	FUZZ_CHECK(proxyproto_parse(exact, used, &again, &used2) == 0);
	FUZZ_CHECK(used2 == used && again.version == pp.version);
	fuzz_same(&pp, &again);
	/* Cut short anywhere, it is a prefix to wait on, not an error. */
	for (k = 0; k < used; k += 1 + k / 8)
		FUZZ_CHECK(proxyproto_parse(exact, k, &again, &used2) ==
		    PROXYPROTO_MORE);
	FUZZ_CHECK(proxyproto_parse(exact, used - 1, &again, &used2) ==
	    PROXYPROTO_MORE);
	FUZZ_CHECK(
	    pp.command == PROXYPROTO_LOCAL || pp.command == PROXYPROTO_PROXY);
	FUZZ_CHECK(pp.family == AF_UNSPEC || pp.family == AF_INET ||
	    pp.family == AF_INET6);
	fuzz_reencode(&pp);
	return 0;
}
