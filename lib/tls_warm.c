/*
 * tls_warm.c: one second handshake, in memory, at mftpd's start.
 *
 * Every serving process is a fork of the master and shares its heap
 * until it writes to a page.  libcrypto fills its caches (the method
 * store's fetch cache, the name map) on first use: were the first use
 * each session's own second handshake, every session would add the same
 * entries to the same tables and so copy the pages they live on (about
 * 50 KiB of private memory per idle session).  Filled once here, in the
 * master, those tables are only read afterwards and stay shared.
 *
 * Used by: mftpd's master, before it accepts.  Nothing secret is made:
 * the secret is random, used for this one exchange and wiped.
 */
#include <sys/types.h>

#include <string.h>

#include <openssl/bio.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "err.h"
#include "tls.h"

/* Enough rounds for a TLS 1.3 handshake and one record each way. */
#define TLS_WARM_ROUNDS 16

/* One step of ssl's handshake: 1 done, 0 not yet, -1 failed. */
static int
tls_warm_step(SSL *ssl)
{
	int r;

	if (SSL_is_init_finished(ssl))
		return 1;
	if ((r = SSL_do_handshake(ssl)) == 1)
		return 1;
	r = SSL_get_error(ssl, r);
	return r == SSL_ERROR_WANT_READ || r == SSL_ERROR_WANT_WRITE ? 0 : -1;
}

/* One record from a to b: 0 or -1. */
static int
tls_warm_record(SSL *a, SSL *b)
{
	static const char msg[] = "warm";
	char got[sizeof(msg)];

	if (SSL_write(a, msg, sizeof(msg)) != (int)sizeof(msg) ||
	    SSL_read(b, got, sizeof(got)) != (int)sizeof(got) ||
	    memcmp(msg, got, sizeof(msg)) != 0)
		return -1;
	return 0;
}

int
tls_psk_warm(SSL_CTX *server_ctx)
{
	uint8_t psk[MFTP_PSK_LEN];
	SSL_CTX *client_ctx;
	SSL *srv = NULL, *cli = NULL;
	BIO *sb = NULL, *cb = NULL;
	int i, s = 0, c = 0, r = ERR_TLS;

	if ((client_ctx = tls_psk_ctx(0)) == NULL)
		return ERR_TLS;
	if (RAND_bytes(psk, sizeof(psk)) != 1 ||
	    (srv = SSL_new(server_ctx)) == NULL ||
	    (cli = SSL_new(client_ctx)) == NULL ||
	    BIO_new_bio_pair(&sb, 0, &cb, 0) != 1)
		goto out;
	SSL_set_bio(srv, sb, sb);
	SSL_set_bio(cli, cb, cb);
	sb = cb = NULL;
	SSL_set_accept_state(srv);
	SSL_set_connect_state(cli);
	tls_set_psk(srv, psk);
	tls_set_psk(cli, psk);
	for (i = 0; i < TLS_WARM_ROUNDS && (s != 1 || c != 1); i++) {
		if ((c = tls_warm_step(cli)) == -1 ||
		    (s = tls_warm_step(srv)) == -1)
			goto out;
	}
	if (s == 1 && c == 1 && tls_check_psk_dhe(srv) == 0 &&
	    tls_warm_record(cli, srv) == 0 && tls_warm_record(srv, cli) == 0)
		r = 0;
out:
	explicit_bzero(psk, sizeof(psk));
	BIO_free(sb);
	BIO_free(cb);
	SSL_free(srv);
	SSL_free(cli);
	SSL_CTX_free(client_ctx);
	return r;
}
