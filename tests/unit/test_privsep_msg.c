/*
 * test_privsep_msg: the privsep messages (privsep/privsep_msg.c), whose
 * decoders run in the root monitor and in mftpd-auth: a round trip of
 * each message, and every deviation refused: a wrong type, a truncated
 * or oversized packet, trailing bytes, a NUL in a string, root's ids.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "privsep_msg.h"

static int sv[2];
/* A session secret: 32 distinct bytes, so any slip shows. */
static const uint8_t test_psk[MFTP_PSK_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
	11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28,
	29, 30, 31, 32 };
/* A yescrypt string, as the user database holds one. */
static const char test_hash[] =
    "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7";

static int
pair_up(void **state)
{
	return socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
}

static int
pair_down(void **state)
{
	close(sv[0]);
	close(sv[1]);
	return 0;
}

/* Send raw bytes as one packet on sv[0]. */
static void
send_raw(const void *p, size_t len)
{
	assert_int_equal(send(sv[0], p, len, 0), (ssize_t)len);
}

static void
send_buf(struct buf *b)
{
	send_raw(buf_ptr(b), buf_len(b));
	buf_free(b);
}

static struct buf *
verdict_ok(const char *name, uint32_t uid, uint32_t gid, const char *home)
{
	struct buf *b = buf_new(PRIVSEP_MSG_MAX);

	assert_int_equal(buf_put_u8(b, PRIVSEP_VERDICT), 0);
	assert_int_equal(buf_put_u8(b, 1), 0);
	assert_int_equal(buf_put_cstring(b, name), 0);
	assert_int_equal(buf_put_u32(b, uid), 0);
	assert_int_equal(buf_put_u32(b, gid), 0);
	assert_int_equal(buf_put_cstring(b, home), 0);
	assert_int_equal(buf_put_u64(b, 1000), 0);
	assert_int_equal(buf_put_u64(b, 20), 0);
	assert_int_equal(buf_put_u32(b, 2), 0);
	assert_int_equal(buf_put_u64(b, 1 << 20), 0);
	assert_int_equal(buf_put_cstring(b, "127.0.0.2"), 0);
	assert_int_equal(buf_put(b, test_psk, MFTP_PSK_LEN), 0);
	assert_int_equal(buf_put_u64(b, 0), 0);
	assert_int_equal(buf_put_cstring(b, test_hash), 0);
	return b;
}

static void
test_request_round_trip(void **state)
{
	char *user = NULL, *secret = NULL;
	uint8_t psk[MFTP_PSK_LEN];
	uint64_t features = 0;

	assert_int_equal(
	    privsep_send_request(sv[0], "alice", "s3cret", test_psk, 0x8001),
	    0);
	assert_int_equal(
	    privsep_recv_request(sv[1], 1000, &user, &secret, psk, &features),
	    0);
	assert_string_equal(user, "alice");
	assert_string_equal(secret, "s3cret");
	assert_memory_equal(psk, test_psk, MFTP_PSK_LEN);
	assert_true(features == 0x8001);
	free(user);
	free(secret);
}

static void
test_failed_round_trip(void **state)
{
	assert_int_equal(privsep_send_failed(sv[0]), 0);
	assert_int_equal(privsep_recv_failed(sv[1], 1000), 0);
}

static void
test_verdict_round_trip(void **state)
{
	struct privsep_verdict v, got;

	memset(&v, 0, sizeof(v));
	v.ok = 1;
	strlcpy(v.name, "alice", sizeof(v.name));
	v.uid = 61000;
	v.gid = 61001;
	strlcpy(v.home, "/srv/mftp/alice", sizeof(v.home));
	v.quota_bytes = 1ULL << 40;
	v.quota_files = 7;
	v.max_sessions = 3;
	v.rate = 10ULL << 20;
	strlcpy(v.allow, "10.0.0.0/8,2001:db8::/32", sizeof(v.allow));
	memcpy(v.psk, test_psk, MFTP_PSK_LEN);
	v.features = 3;
	strlcpy(v.hash, test_hash, sizeof(v.hash));
	assert_int_equal(privsep_send_verdict(sv[0], &v), 0);
	assert_int_equal(privsep_recv_verdict(sv[1], 1000, &got), 0);
	assert_int_equal(got.ok, 1);
	assert_string_equal(got.name, "alice");
	assert_int_equal(got.uid, 61000);
	assert_int_equal(got.gid, 61001);
	assert_string_equal(got.home, "/srv/mftp/alice");
	assert_true(got.quota_bytes == 1ULL << 40);
	assert_true(got.quota_files == 7);
	assert_int_equal(got.max_sessions, 3);
	assert_true(got.rate == 10ULL << 20);
	assert_string_equal(got.allow, "10.0.0.0/8,2001:db8::/32");
	assert_memory_equal(got.psk, test_psk, MFTP_PSK_LEN);
	assert_true(got.features == 3);
	assert_string_equal(got.hash, test_hash);

	memset(&v, 0, sizeof(v));
	assert_int_equal(privsep_send_verdict(sv[0], &v), 0);
	assert_int_equal(privsep_recv_verdict(sv[1], 1000, &got), 0);
	assert_int_equal(got.ok, 0);
}

/*
 * A user database that could not be read: neither ok nor a failed
 * login, with the reason, which the monitor logs: no control byte (a
 * newline would start a line of the helper's making), not too long.
 */
static void
test_verdict_unavailable(void **state)
{
	struct privsep_verdict v, got;
	struct buf *b;
	char longwhy[PRIVSEP_WHY_MAX + 2];

	memset(&v, 0, sizeof(v));
	v.unavailable = 1;
	strlcpy(
	    v.why, "/etc/mftp/users: No such file or directory", sizeof(v.why));
	assert_int_equal(privsep_send_verdict(sv[0], &v), 0);
	assert_int_equal(privsep_recv_verdict(sv[1], 1000, &got), 0);
	assert_int_equal(got.ok, 0);
	assert_int_equal(got.unavailable, 1);
	assert_string_equal(got.why, v.why);

	b = buf_new(PRIVSEP_MSG_MAX);
	assert_int_equal(buf_put_u8(b, PRIVSEP_VERDICT), 0);
	assert_int_equal(buf_put_u8(b, 2), 0);
	assert_int_equal(buf_put_cstring(b, "x\nmftpd[1]: login failed"), 0);
	send_buf(b);
	assert_int_equal(privsep_recv_verdict(sv[1], 1000, &got), ERR_VALUE);
	assert_int_equal(got.unavailable, 0);

	memset(longwhy, 'x', sizeof(longwhy) - 1);
	longwhy[sizeof(longwhy) - 1] = '\0';
	b = buf_new(PRIVSEP_MSG_MAX);
	assert_int_equal(buf_put_u8(b, PRIVSEP_VERDICT), 0);
	assert_int_equal(buf_put_u8(b, 2), 0);
	assert_int_equal(buf_put_cstring(b, longwhy), 0);
	send_buf(b);
	assert_int_not_equal(privsep_recv_verdict(sv[1], 1000, &got), 0);
	assert_int_equal(got.unavailable, 0);

	/* Without its reason, or with a byte behind it. */
	{
		const uint8_t bare[] = { PRIVSEP_VERDICT, 2 };
		const uint8_t trailing[] = { PRIVSEP_VERDICT, 2, 0, 0, 0, 1,
			'x', 0 };

		send_raw(bare, sizeof(bare));
		assert_int_not_equal(
		    privsep_recv_verdict(sv[1], 1000, &got), 0);
		send_raw(trailing, sizeof(trailing));
		assert_int_not_equal(
		    privsep_recv_verdict(sv[1], 1000, &got), 0);
		assert_int_equal(got.unavailable, 0);
	}
}

/* Every proper prefix of a good verdict is refused, and nothing leaks. */
static void
test_verdict_truncated(void **state)
{
	struct privsep_verdict got;
	struct buf *b = verdict_ok("alice", 61000, 61000, "/h");
	size_t len = buf_len(b), i;

	for (i = 1; i < len; i++) {
		send_raw(buf_ptr(b), i);
		assert_int_not_equal(
		    privsep_recv_verdict(sv[1], 1000, &got), 0);
		assert_int_equal(got.ok, 0);
	}
	buf_free(b);
}

static void
test_verdict_deviations(void **state)
{
	struct privsep_verdict got;
	struct buf *b;
	const uint8_t bad_ok[] = { PRIVSEP_VERDICT, 3 };
	const uint8_t trailing[] = { PRIVSEP_VERDICT, 0, 0 };
	const uint8_t wrong_type[] = { PRIVSEP_AUTH_FAILED };
	const char nul_name[] = "ali\0ce";

	send_raw(bad_ok, sizeof(bad_ok));
	assert_int_equal(privsep_recv_verdict(sv[1], 1000, &got), ERR_VALUE);
	send_raw(trailing, sizeof(trailing));
	assert_int_equal(privsep_recv_verdict(sv[1], 1000, &got), ERR_TRAILING);
	send_raw(wrong_type, sizeof(wrong_type));
	assert_int_equal(privsep_recv_verdict(sv[1], 1000, &got), ERR_TYPE);

	/* Root is never a session's identity; a home must be absolute. */
	send_buf(verdict_ok("alice", 0, 61000, "/h"));
	assert_int_equal(privsep_recv_verdict(sv[1], 1000, &got), ERR_VALUE);
	send_buf(verdict_ok("alice", 61000, 0, "/h"));
	assert_int_equal(privsep_recv_verdict(sv[1], 1000, &got), ERR_VALUE);
	send_buf(verdict_ok("alice", 61000, 61000, "h"));
	assert_int_equal(privsep_recv_verdict(sv[1], 1000, &got), ERR_VALUE);
	assert_int_equal(got.ok, 0);

	/* A password hash longer than any crypt(3) string. */
	{
		char longhash[MFTP_CRYPT_MAX + 2];

		memset(longhash, 'x', sizeof(longhash) - 1);
		longhash[sizeof(longhash) - 1] = '\0';
		b = buf_new(PRIVSEP_MSG_MAX);
		assert_int_equal(buf_put_u8(b, PRIVSEP_VERDICT), 0);
		assert_int_equal(buf_put_u8(b, 1), 0);
		assert_int_equal(buf_put_cstring(b, "alice"), 0);
		assert_int_equal(buf_put_u32(b, 61000), 0);
		assert_int_equal(buf_put_u32(b, 61000), 0);
		assert_int_equal(buf_put_cstring(b, "/h"), 0);
		assert_int_equal(buf_put_u64(b, 0), 0);
		assert_int_equal(buf_put_u64(b, 0), 0);
		assert_int_equal(buf_put_u32(b, 0), 0);
		assert_int_equal(buf_put_u64(b, 0), 0);
		assert_int_equal(buf_put_cstring(b, ""), 0);
		assert_int_equal(buf_put(b, test_psk, MFTP_PSK_LEN), 0);
		assert_int_equal(buf_put_u64(b, 0), 0);
		assert_int_equal(buf_put_cstring(b, longhash), 0);
	}
	send_buf(b);
	assert_int_equal(privsep_recv_verdict(sv[1], 1000, &got), ERR_TOO_LONG);
	assert_int_equal(got.ok, 0);

	/* A NUL inside the name. */
	b = buf_new(PRIVSEP_MSG_MAX);
	assert_int_equal(buf_put_u8(b, PRIVSEP_VERDICT), 0);
	assert_int_equal(buf_put_u8(b, 1), 0);
	assert_int_equal(buf_put_string(b, nul_name, sizeof(nul_name) - 1), 0);
	send_buf(b);
	assert_int_equal(privsep_recv_verdict(sv[1], 1000, &got), ERR_NUL);
}

static void
test_request_deviations(void **state)
{
	char *user = NULL, *secret = NULL, *big;
	uint8_t psk[MFTP_PSK_LEN];
	uint64_t features = 0;
	struct buf *b;
	const uint8_t only_type[] = { PRIVSEP_AUTH_REQUEST };

	send_raw(only_type, sizeof(only_type));
	assert_int_equal(
	    privsep_recv_request(sv[1], 1000, &user, &secret, psk, &features),
	    ERR_SHORT);

	/* A user name over the limit is refused before any copy. */
	b = buf_new(PRIVSEP_MSG_MAX);
	assert_int_equal(buf_put_u8(b, PRIVSEP_AUTH_REQUEST), 0);
	assert_int_equal(buf_put_u32(b, 0xfffffff0), 0);
	send_buf(b);
	assert_int_equal(
	    privsep_recv_request(sv[1], 1000, &user, &secret, psk, &features),
	    ERR_TOO_LONG);

	/* Trailing bytes after the secret. */
	b = buf_new(PRIVSEP_MSG_MAX);
	assert_int_equal(buf_put_u8(b, PRIVSEP_AUTH_REQUEST), 0);
	assert_int_equal(buf_put_cstring(b, "alice"), 0);
	assert_int_equal(buf_put_cstring(b, "pw"), 0);
	assert_int_equal(buf_put(b, test_psk, MFTP_PSK_LEN), 0);
	assert_int_equal(buf_put_u64(b, 0), 0);
	assert_int_equal(buf_put_u8(b, 0), 0);
	send_buf(b);
	assert_int_equal(
	    privsep_recv_request(sv[1], 1000, &user, &secret, psk, &features),
	    ERR_TRAILING);

	/* A packet longer than any message. */
	big = calloc(1, PRIVSEP_MSG_MAX + 10);
	assert_non_null(big);
	big[0] = PRIVSEP_AUTH_REQUEST;
	send_raw(big, PRIVSEP_MSG_MAX + 10);
	free(big);
	assert_int_equal(
	    privsep_recv_request(sv[1], 1000, &user, &secret, psk, &features),
	    ERR_TOO_LONG);
	assert_null(user);
	assert_null(secret);
}

static void
test_eof_and_timeout(void **state)
{
	char *user = NULL, *secret = NULL;
	uint8_t psk[MFTP_PSK_LEN];
	uint64_t features = 0;

	assert_int_equal(privsep_recv_failed(sv[1], 50), ERR_TIMEOUT);
	close(sv[0]);
	sv[0] = -1;
	assert_int_equal(
	    privsep_recv_request(sv[1], 1000, &user, &secret, psk, &features),
	    ERR_EOF);
}

/* A request without its session secret is refused. */
static void
test_request_without_psk(void **state)
{
	char *user = NULL, *secret = NULL;
	uint8_t psk[MFTP_PSK_LEN];
	uint64_t features = 0;
	struct buf *b = buf_new(PRIVSEP_MSG_MAX);

	assert_int_equal(buf_put_u8(b, PRIVSEP_AUTH_REQUEST), 0);
	assert_int_equal(buf_put_cstring(b, "alice"), 0);
	assert_int_equal(buf_put_cstring(b, "pw"), 0);
	assert_int_equal(buf_put(b, test_psk, MFTP_PSK_LEN - 1), 0);
	send_buf(b);
	assert_int_equal(
	    privsep_recv_request(sv[1], 1000, &user, &secret, psk, &features),
	    ERR_SHORT);
	assert_null(user);
	assert_null(secret);
}

static void
test_login_done(void **state)
{
	/* A status no refusal may carry: AUTH is the helper's, not S's. */
	const uint8_t bad_status[] = { PRIVSEP_LOGIN_DONE, MFTP_ST_AUTH, 0 };
	const uint8_t trailing[] = { PRIVSEP_LOGIN_DONE, 0, 0 };
	const uint8_t no_text[] = { PRIVSEP_LOGIN_DONE, MFTP_ST_BUSY };
	const uint32_t refusals[] = { MFTP_ST_PERM, MFTP_ST_BUSY,
		MFTP_ST_INTERNAL };
	uint32_t status;
	char *text;
	size_t i;

	assert_int_equal(privsep_send_login_done(sv[0], 0, NULL), 0);
	assert_int_equal(
	    privsep_recv_login_done(sv[1], 1000, &status, &text), 0);
	assert_int_equal(status, 0);
	assert_null(text);
	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		assert_int_equal(
		    privsep_send_login_done(sv[0], refusals[i], "no home"), 0);
		assert_int_equal(
		    privsep_recv_login_done(sv[1], 1000, &status, &text), 0);
		assert_int_equal(status, refusals[i]);
		assert_string_equal(text, "no home");
		free(text);
	}
	/* The sender refuses a status the receiver would refuse. */
	assert_int_equal(privsep_send_login_done(sv[0], MFTP_ST_AUTH, "x"), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(privsep_send_login_done(sv[0], 300, "x"), -1);

	send_raw(bad_status, sizeof(bad_status));
	assert_int_equal(
	    privsep_recv_login_done(sv[1], 1000, &status, &text), ERR_VALUE);
	assert_int_equal(status, MFTP_ST_INTERNAL);
	send_raw(trailing, sizeof(trailing));
	assert_int_equal(
	    privsep_recv_login_done(sv[1], 1000, &status, &text), ERR_TRAILING);
	send_raw(no_text, sizeof(no_text));
	assert_int_equal(
	    privsep_recv_login_done(sv[1], 1000, &status, &text), ERR_SHORT);
	assert_int_equal(status, MFTP_ST_INTERNAL);
	assert_null(text);
}

static void
test_sign_messages(void **state)
{
	uint8_t dgst[MFTP_DIGEST_MAX], sig[MFTP_SIG_MAX];
	uint8_t big[MFTP_SIG_MAX + 1];
	const uint8_t empty[] = { PRIVSEP_SIGN_REQUEST, 0, 0, 0, 0 };
	const uint8_t wrong[] = { PRIVSEP_SIGNATURE, 0, 0, 0, 1, 7 };
	struct buf *b;
	size_t n;

	assert_int_equal(privsep_send_sign_request(sv[0], test_psk, 32), 0);
	assert_int_equal(privsep_recv_sign_request(sv[1], 1000, dgst, &n), 0);
	assert_int_equal(n, 32);
	assert_memory_equal(dgst, test_psk, 32);
	memset(big, 0xab, sizeof(big));
	assert_int_equal(privsep_send_signature(sv[0], big, MFTP_SIG_MAX), 0);
	assert_int_equal(privsep_recv_signature(sv[1], 1000, sig, &n), 0);
	assert_int_equal(n, MFTP_SIG_MAX);

	/* Sizes out of range are refused by the sender and the receiver. */
	assert_int_equal(privsep_send_sign_request(sv[0], big, 0), -1);
	assert_int_equal(
	    privsep_send_sign_request(sv[0], big, MFTP_DIGEST_MAX + 1), -1);
	assert_int_equal(
	    privsep_send_signature(sv[0], big, MFTP_SIG_MAX + 1), -1);
	send_raw(empty, sizeof(empty));
	assert_int_equal(
	    privsep_recv_sign_request(sv[1], 1000, dgst, &n), ERR_VALUE);
	b = buf_new(PRIVSEP_MSG_MAX);
	assert_int_equal(buf_put_u8(b, PRIVSEP_SIGN_REQUEST), 0);
	assert_int_equal(buf_put_string(b, big, MFTP_DIGEST_MAX + 1), 0);
	send_buf(b);
	assert_int_equal(
	    privsep_recv_sign_request(sv[1], 1000, dgst, &n), ERR_TOO_LONG);
	assert_int_equal(n, 0);
	send_raw(wrong, sizeof(wrong));
	assert_int_equal(
	    privsep_recv_sign_request(sv[1], 1000, dgst, &n), ERR_TYPE);
	/* Every truncation of a good request. */
	b = buf_new(PRIVSEP_MSG_MAX);
	assert_int_equal(buf_put_u8(b, PRIVSEP_SIGN_REQUEST), 0);
	assert_int_equal(buf_put_string(b, test_psk, 32), 0);
	for (n = 1; n < buf_len(b); n++) {
		size_t got = 99;

		send_raw(buf_ptr(b), n);
		assert_int_not_equal(
		    privsep_recv_sign_request(sv[1], 1000, dgst, &got), 0);
		assert_int_equal(got, 0);
	}
	buf_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_request_round_trip, pair_up, pair_down),
		cmocka_unit_test_setup_teardown(
		    test_failed_round_trip, pair_up, pair_down),
		cmocka_unit_test_setup_teardown(
		    test_verdict_round_trip, pair_up, pair_down),
		cmocka_unit_test_setup_teardown(
		    test_verdict_unavailable, pair_up, pair_down),
		cmocka_unit_test_setup_teardown(
		    test_verdict_truncated, pair_up, pair_down),
		cmocka_unit_test_setup_teardown(
		    test_verdict_deviations, pair_up, pair_down),
		cmocka_unit_test_setup_teardown(
		    test_request_deviations, pair_up, pair_down),
		cmocka_unit_test_setup_teardown(
		    test_eof_and_timeout, pair_up, pair_down),
		cmocka_unit_test_setup_teardown(
		    test_request_without_psk, pair_up, pair_down),
		cmocka_unit_test_setup_teardown(
		    test_login_done, pair_up, pair_down),
		cmocka_unit_test_setup_teardown(
		    test_sign_messages, pair_up, pair_down),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
