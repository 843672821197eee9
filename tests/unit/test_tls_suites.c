/*
 * test_tls_suites.c: the server's suite order (lib/tls_suites.c).  The
 * faster AEAD's suite goes first; both AEADs are timed on this CPU; and
 * a server made after the timing picks its first suite even from a
 * client that offers the other one first, while still taking the other
 * from a client that offers nothing else; and the client's choice
 * (-o Ciphers) is what its contexts offer.
 */
#include <sys/types.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/ssl.h>

#include "tls.h"

#define AES "TLS_AES_128_GCM_SHA256"
#define CHACHA "TLS_CHACHA20_POLY1305_SHA256"

static const uint8_t psk[MFTP_PSK_LEN] = { 7, 1, 7 };

static void
test_order(void **state)
{
	(void)state;
	assert_string_equal(tls_suites_order(3.9e9, 2.8e9), CHACHA ":" AES);
	assert_string_equal(tls_suites_order(3.7e9, 5.8e9), AES ":" CHACHA);
	/* A tie or no timing: the default order. */
	assert_string_equal(tls_suites_order(4e9, 4e9), TLS_SUITES_DEFAULT);
	assert_string_equal(tls_suites_order(0, 0), TLS_SUITES_DEFAULT);
}

/* The suite a PSK handshake in memory agrees on, or "" if it fails. */
static const char *
negotiate(const char *client_suites)
{
	static char name[64];
	SSL_CTX *sctx = tls_psk_ctx(1), *cctx = tls_psk_ctx(0);
	SSL *srv = SSL_new(sctx), *cli = SSL_new(cctx);
	BIO *sb, *cb;
	int i, s = 0, c = 0;

	assert_non_null(srv);
	assert_non_null(cli);
	assert_int_equal(SSL_set_ciphersuites(cli, client_suites), 1);
	assert_int_equal(BIO_new_bio_pair(&sb, 0, &cb, 0), 1);
	SSL_set_bio(srv, sb, sb);
	SSL_set_bio(cli, cb, cb);
	SSL_set_accept_state(srv);
	SSL_set_connect_state(cli);
	tls_set_psk(srv, psk);
	tls_set_psk(cli, psk);
	for (i = 0; i < 16 && (s != 1 || c != 1); i++) {
		c = SSL_do_handshake(cli);
		s = SSL_do_handshake(srv);
	}
	name[0] = '\0';
	if (s == 1 && c == 1)
		strncpy(name, SSL_CIPHER_get_name(SSL_get_current_cipher(srv)),
		    sizeof(name) - 1);
	SSL_free(srv);
	SSL_free(cli);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
	return name;
}

static void
test_measured(void **state)
{
	struct tls_suites_rates r;
	char first[64], other[64], line[256];
	const char *order;
	size_t n;

	(void)state;
	assert_string_equal(tls_suites(), TLS_SUITES_DEFAULT);
	tls_suites_measure(&r);
	/* Both timed, at a rate a core with either can reach at all. */
	assert_true(r.aes_bps > 1e7);
	assert_true(r.chacha_bps > 1e7);
	order = tls_suites();
	assert_string_equal(order, tls_suites_order(r.chacha_bps, r.aes_bps));
	n = strcspn(order, ":");
	memcpy(first, order, n);
	first[n] = '\0';
	strcpy(other, order + n + 1);
	assert_string_equal(first, r.aes_bps > r.chacha_bps ? AES : CHACHA);

	/* The server's order decides, whatever the client's. */
	assert_string_equal(negotiate(AES ":" CHACHA), first);
	assert_string_equal(negotiate(CHACHA ":" AES), first);
	/* The other suite is still served to a client with nothing else. */
	assert_string_equal(negotiate(other), other);

	tls_suites_describe(&r, line, sizeof(line));
	assert_non_null(strstr(line, first));
	assert_non_null(strstr(line, "GB/s"));
}

/* How many TLS 1.3 suites ctx offers; the last one's name into name. */
static int
tls13_suites_of(SSL_CTX *ctx, char name[64])
{
	STACK_OF(SSL_CIPHER) * sk;
	const SSL_CIPHER *c;
	int i, n = 0;

	assert_non_null(ctx);
	sk = SSL_CTX_get_ciphers(ctx);
	for (i = 0; i < sk_SSL_CIPHER_num(sk); i++) {
		c = sk_SSL_CIPHER_value(sk, i);
		/* TLS 1.3's suites are 0x1301-0x1305 (RFC 8446, B.4). */
		if (SSL_CIPHER_get_protocol_id(c) < 0x1301 ||
		    SSL_CIPHER_get_protocol_id(c) > 0x1305)
			continue;
		snprintf(name, 64, "%s", SSL_CIPHER_get_name(c));
		n++;
	}
	return n;
}

/* The client's -o Ciphers: its names, in its order; nothing else. */
static void
test_choose(void **state)
{
	SSL_CTX *ctx;
	char names[64];
	static const char *const refused[] = { "", ",", "aes128-gcm,",
		",aes128-gcm", "aes128-gcm,aes128-gcm", "aes256-gcm",
		"aes128-gcm@openssh.com", "aes128", "chacha20-poly1305 ",
		"aes128-gcm,chacha20-poly1305,aes128-gcm" };
	size_t i;

	(void)state;
	assert_int_equal(tls_suites_choose("aes128-gcm"), 0);
	assert_string_equal(tls_suites(), AES);
	assert_int_equal(tls_suites_choose("CHACHA20-Poly1305"), 0);
	assert_string_equal(tls_suites(), CHACHA);
	assert_int_equal(tls_suites_choose("aes128-gcm,chacha20-poly1305"), 0);
	assert_string_equal(tls_suites(), AES ":" CHACHA);
	assert_int_equal(tls_suites_choose("chacha20-poly1305,aes128-gcm"), 0);
	assert_string_equal(tls_suites(), CHACHA ":" AES);
	/* A refused list changes nothing. */
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		assert_int_equal(tls_suites_choose(refused[i]), -1);
		assert_string_equal(tls_suites(), CHACHA ":" AES);
	}
	/* A context made afterwards offers that one alone. */
	assert_int_equal(tls_suites_choose("aes128-gcm"), 0);
	ctx = tls_psk_ctx(0);
	assert_int_equal(tls13_suites_of(ctx, names), 1);
	assert_string_equal(names, AES);
	SSL_CTX_free(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_measured),
		/* After test_measured, which starts from the default. */
		cmocka_unit_test(test_choose),
	};

	tls_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
