/*
 * fuzz_privsep.c: the privsep message decoders (privsep/privsep_msg.c)
 * on one packet from a peer process, as the auth helper reads
 * AUTH_REQUEST, the pre-auth worker AUTH_FAILED, LOGIN_DONE and
 * SIGNATURE, the monitor (root) VERDICT and mftpd-sign SIGN_REQUEST: the
 * input goes as one packet on a SOCK_SEQPACKET socket pair into the
 * matching privsep_recv_*.  The type byte picks the decoder that expects
 * it; other bytes go to one that does not.
 *
 * Properties: a message that decodes is sent back by the matching
 * privsep_send_* as exactly the same packet; a refused one leaves the
 * outputs as documented (no user or secret, a zeroed verdict) and
 * nothing allocated (LeakSanitizer); a good verdict never names root.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "fuzz.h"
#include "privsep_msg.h"

static int fuzz_sv[2] = { -1, -1 };

/* The packet the last privsep_send_* sent, into pkt; its length. */
static size_t
fuzz_sent(uint8_t *pkt, size_t len)
{
	ssize_t n;

	n = recv(fuzz_sv[1], pkt, len, MSG_DONTWAIT);
	FUZZ_CHECK(n >= 0);
	return (size_t)n;
}

static void
fuzz_same(const uint8_t *data, size_t size)
{
	uint8_t pkt[PRIVSEP_MSG_MAX + 1];

	FUZZ_CHECK(fuzz_sent(pkt, sizeof(pkt)) == size);
	FUZZ_CHECK(memcmp(pkt, data, size) == 0);
}

static void
fuzz_request(const uint8_t *data, size_t size)
{
	char *user = NULL, *secret = NULL;
	uint8_t psk[MFTP_PSK_LEN];
	uint64_t features = 0;
	int r;

	r = privsep_recv_request(
	    fuzz_sv[1], 1000, &user, &secret, psk, &features);
	if (r != 0) {
		FUZZ_CHECK(user == NULL && secret == NULL);
		return;
	}
	FUZZ_CHECK(user != NULL && secret != NULL);
	FUZZ_CHECK(strlen(user) <= MFTP_USER_MAX);
	FUZZ_CHECK(strlen(secret) <= MFTP_SECRET_MAX);
	FUZZ_CHECK(
	    privsep_send_request(fuzz_sv[0], user, secret, psk, features) == 0);
	fuzz_same(data, size);
	free(user);
	freezero(secret, strlen(secret) + 1);
}

static void
fuzz_failed(const uint8_t *data, size_t size)
{
	if (privsep_recv_failed(fuzz_sv[1], 1000) != 0)
		return;
	FUZZ_CHECK(privsep_send_failed(fuzz_sv[0]) == 0);
	fuzz_same(data, size);
}

static void
fuzz_verdict(const uint8_t *data, size_t size)
{
	static const struct privsep_verdict zero;
	struct privsep_verdict v;
	int r;

	memset(&v, 0xa5, sizeof(v));
	r = privsep_recv_verdict(fuzz_sv[1], 1000, &v);
	if (r != 0) {
		FUZZ_CHECK(memcmp(&v, &zero, sizeof(v)) == 0);
		return;
	}
	FUZZ_CHECK(!(v.ok && v.unavailable));
	if (v.ok) {
		FUZZ_CHECK(v.uid != 0 && v.gid != 0);
		FUZZ_CHECK(v.home[0] == '/');
	}
	FUZZ_CHECK(privsep_send_verdict(fuzz_sv[0], &v) == 0);
	fuzz_same(data, size);
}

static void
fuzz_login_done(const uint8_t *data, size_t size)
{
	char *text = NULL;
	uint32_t status = 7;

	if (privsep_recv_login_done(fuzz_sv[1], 1000, &status, &text) != 0) {
		/* A message that does not decode is a refusal. */
		FUZZ_CHECK(text == NULL && status == MFTP_ST_INTERNAL);
		return;
	}
	FUZZ_CHECK(status == 0 ?
		text == NULL :
		PRIVSEP_REFUSAL_OK(status) && strlen(text) <= MFTP_TEXT_MAX);
	FUZZ_CHECK(privsep_send_login_done(fuzz_sv[0], status, text) == 0);
	fuzz_same(data, size);
	free(text);
}

/* SIGN_REQUEST (to mftpd-sign) and SIGNATURE (to the worker). */
static void
fuzz_blob(const uint8_t *data, size_t size, int request)
{
	uint8_t out[MFTP_SIG_MAX];
	size_t n = 99;
	int r;

	r = request ? privsep_recv_sign_request(fuzz_sv[1], 1000, out, &n) :
		      privsep_recv_signature(fuzz_sv[1], 1000, out, &n);
	if (r != 0) {
		FUZZ_CHECK(n == 0);
		return;
	}
	FUZZ_CHECK(n >= 1 && n <= (request ? MFTP_DIGEST_MAX : MFTP_SIG_MAX));
	FUZZ_CHECK((request ? privsep_send_sign_request(fuzz_sv[0], out, n) :
			      privsep_send_signature(fuzz_sv[0], out, n)) == 0);
	fuzz_same(data, size);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t pkt[PRIVSEP_MSG_MAX + 1];
	int big = 1 << 20;

	if (fuzz_sv[0] == -1) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, fuzz_sv) == -1)
			abort();
		/* Room for any packet the fuzzer makes, oversized too. */
		(void)setsockopt(
		    fuzz_sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	}
	if (send(fuzz_sv[0], data, size, 0) != (ssize_t)size)
		abort();
	switch (size == 0 ? 0 : data[0] % 6) {
	case PRIVSEP_AUTH_REQUEST % 6:
		fuzz_request(data, size);
		break;
	case PRIVSEP_AUTH_FAILED % 6:
		fuzz_failed(data, size);
		break;
	case PRIVSEP_LOGIN_DONE % 6:
		fuzz_login_done(data, size);
		break;
	case PRIVSEP_SIGN_REQUEST % 6:
		fuzz_blob(data, size, 1);
		break;
	case PRIVSEP_SIGNATURE % 6:
		fuzz_blob(data, size, 0);
		break;
	default:
		fuzz_verdict(data, size);
		break;
	}
	/* Every packet is read whole, whatever the decoder made of it. */
	FUZZ_CHECK(recv(fuzz_sv[1], pkt, sizeof(pkt), MSG_DONTWAIT) == -1 &&
	    errno == EAGAIN);
	return 0;
}
