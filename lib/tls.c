/*
 * tls.c: TLS 1.3 settings, the handshake loop, the exported session
 * secret and the PSK handshake that carries a session across login.
 *
 * Runs in the pre-auth worker (first handshake, as the pre-auth user),
 * the serving process (second handshake, as the logged-in user) and the
 * client.  Why two handshakes: OpenSSL cannot move a live connection
 * from one process to another, and the process that serves the user must
 * not be the one that held the host certificate's signer (DESIGN.md §1a).
 */
#include <sys/types.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "err.h"
#include "log.h"
#include "tls.h"
#include "util.h"

#define TLS_GROUPS "X25519:P-256"
/*
 * Read-ahead room of the second session once its handshake is done
 * (tls_read_ahead): four records and their headers.  Not more: before
 * each record libssl moves whatever it has read ahead to the front of
 * this buffer (to align the payload), so the bytes it copies grow with
 * the room: with 16 records a third of the client's user-space CPU in a
 * 1 GiB download was memmove.  The handshake itself reads with libssl's
 * own one-record buffer: four records from the start left an idle
 * serving process 24 KiB larger (t_session_memory, t_session_cow).  Six
 * downloads of 1 GiB, twice each way, eight records against four after
 * the handshake: 0.97 and 1.10 s against 0.88 and 0.98 s.
 */
#define TLS_READ_BUFFER (4 * (16384 + 256))
/* TLS_AES_128_GCM_SHA256: the suite the PSK session is bound to. */
static const unsigned char tls_psk_suite[2] = { 0x13, 0x01 };

/*
 * No OPENSSL_cleanup at exit (OPENSSL_INIT_NO_ATEXIT): it only frees
 * what the exit frees anyway, and it was 5% of a client's instructions
 * for a whole session (callgrind: 25.7 million against 24.3), spent
 * after the session's last reply while a script waits for the client to
 * end.  Keys are wiped where they are freed (SSL_free, explicit_bzero),
 * not by it.  Only the first initialisation of a process decides this,
 * so the client calls tls_init_client before its first use of libcrypto.
 */
static void
tls_init_opts(uint64_t opts)
{
	if (OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS |
		    OPENSSL_INIT_LOAD_CRYPTO_STRINGS |
		    OPENSSL_INIT_LOAD_CONFIG | OPENSSL_INIT_NO_ATEXIT | opts,
		NULL) != 1)
		fatalx("cannot initialise OpenSSL");
}

void
tls_init(void)
{
	tls_init_opts(0);
}

/*
 * The client, a new process for every session, also skips the table of
 * every cipher by its legacy name (OPENSSL_INIT_NO_ADD_ALL_CIPHERS),
 * which libssl otherwise fills at its start: libssl fetches its ciphers
 * from the provider, and only reading an encrypted PEM or PKCS#12 file,
 * which the client never does, looks ciphers up by those names.  It was
 * 2.4 million of the 24.3 million instructions of a whole session
 * (callgrind, login + ls + quit), spent before the ClientHello leaves,
 * while the server waits.  The digests' table stays: verifying a CA's
 * certificate chain looks digests up by name.
 */
void
tls_init_client(void)
{
	tls_init_opts(OPENSSL_INIT_NO_ADD_ALL_CIPHERS);
}

int
tls_ctx_common(SSL_CTX *ctx)
{
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_set_ciphersuites(ctx, tls_suites()) != 1 ||
	    SSL_CTX_set1_groups_list(ctx, TLS_GROUPS) != 1)
		return -1;
	/*
	 * No tickets (a resumption secret would outlive the session), no
	 * early data (replayable), no renegotiation.
	 */
	SSL_CTX_set_options(ctx,
	    SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
		SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_max_early_data(ctx, 0);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	return 0;
}

/* A session holding only the external PSK, for either end. */
static SSL_SESSION *
tls_psk_session(SSL *ssl)
{
	const uint8_t *psk = SSL_get_app_data(ssl);
	const SSL_CIPHER *suite;
	SSL_SESSION *s;

	if (psk == NULL ||
	    (suite = SSL_CIPHER_find(ssl, tls_psk_suite)) == NULL ||
	    (s = SSL_SESSION_new()) == NULL)
		return NULL;
	if (SSL_SESSION_set1_master_key(s, psk, MFTP_PSK_LEN) != 1 ||
	    SSL_SESSION_set_cipher(s, suite) != 1 ||
	    SSL_SESSION_set_protocol_version(s, TLS1_3_VERSION) != 1) {
		SSL_SESSION_free(s);
		return NULL;
	}
	return s;
}

static int
tls_psk_find(
    SSL *ssl, const unsigned char *id, size_t idlen, SSL_SESSION **sess)
{
	*sess = NULL;
	/* Another identity finds nothing, and the handshake fails. */
	if (idlen != strlen(TLS_PSK_IDENTITY) ||
	    memcmp(id, TLS_PSK_IDENTITY, idlen) != 0)
		return 1;
	*sess = tls_psk_session(ssl);
	return *sess != NULL;
}

static int
tls_psk_use(SSL *ssl, const EVP_MD *md, const unsigned char **id, size_t *idlen,
    SSL_SESSION **sess)
{
	*sess = NULL;
	/*
	 * By name, not by pointer: after a HelloRetryRequest libssl passes
	 * a fetched SHA-256, not the object EVP_sha256() returns.
	 */
	if (md != NULL && !EVP_MD_is_a(md, "SHA2-256"))
		return 1; /* a suite the PSK cannot serve: offer none */
	if ((*sess = tls_psk_session(ssl)) == NULL)
		return 0;
	*id = (const unsigned char *)TLS_PSK_IDENTITY;
	*idlen = strlen(TLS_PSK_IDENTITY);
	return 1;
}

SSL_CTX *
tls_psk_ctx(int server)
{
	SSL_CTX *ctx;

	ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	if (ctx == NULL)
		fatalx("TLS context: %s", tls_error());
	if (tls_ctx_common(ctx) == -1)
		fatalx("TLS settings: %s", tls_error());
	/*
	 * SSL_OP_ALLOW_NO_DHE_KEX stays off: the PSK authenticates, X25519
	 * makes the keys fresh.  kTLS, where the kernel has it, lets
	 * downloads use sendfile (the transport checks per connection).
	 */
	if (server) {
		SSL_CTX_set_psk_find_session_callback(ctx, tls_psk_find);
		SSL_CTX_set_options(ctx, SSL_OP_ENABLE_KTLS);
	} else
		SSL_CTX_set_psk_use_session_callback(ctx, tls_psk_use);
	/* An idle session keeps no buffer at all. */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	return ctx;
}

void
tls_read_ahead(SSL *ssl)
{
	SSL_set_default_read_buffer_len(ssl, TLS_READ_BUFFER);
}

void
tls_set_psk(SSL *ssl, const uint8_t *psk)
{
	SSL_set_app_data(ssl, (void *)psk);
}

int
tls_check_psk_dhe(SSL *ssl)
{
	if (!SSL_session_reused(ssl) || SSL_get_negotiated_group(ssl) == 0 ||
	    SSL_version(ssl) != TLS1_3_VERSION)
		return ERR_TLS;
	return 0;
}

int
tls_export_psk(SSL *ssl, uint8_t psk[MFTP_PSK_LEN])
{
	if (SSL_export_keying_material(ssl, psk, MFTP_PSK_LEN, TLS_PSK_LABEL,
		strlen(TLS_PSK_LABEL), NULL, 0, 0) != 1)
		return ERR_TLS;
	return 0;
}

static int (*tls_stop)(void);

void
tls_set_stop(int (*fn)(void))
{
	tls_stop = fn;
}

/*
 * Wait for events on fd until deadline: 0 ready, ERR_TIMEOUT, ERR_IO,
 * or ERR_STOPPED (tls_set_stop).
 */
static int
tls_poll(int fd, short events, uint64_t deadline_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	uint64_t now;
	int r;

	for (;;) {
		if (tls_stop != NULL && tls_stop())
			return ERR_STOPPED;
		now = mono_ms();
		if (now >= deadline_ms)
			return ERR_TIMEOUT;
		r = poll(&pfd, 1, (int)(deadline_ms - now));
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return ERR_IO;
		if (r > 0)
			return 0;
	}
}

int
tls_handshake(SSL *ssl, int fd, uint64_t deadline_ms)
{
	int r, e;

	for (;;) {
		ERR_clear_error();
		if ((r = SSL_do_handshake(ssl)) == 1)
			return 0;
		switch ((e = SSL_get_error(ssl, r))) {
		case SSL_ERROR_WANT_READ:
		case SSL_ERROR_WANT_WRITE:
			r = tls_poll(fd,
			    e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,
			    deadline_ms);
			if (r != 0)
				return r;
			break;
		case SSL_ERROR_SYSCALL:
			if (ERR_peek_error() == 0)
				return errno == 0 ? ERR_EOF : ERR_IO;
			return ERR_TLS;
		case SSL_ERROR_ZERO_RETURN:
			return ERR_EOF;
		default:
			if (ERR_GET_REASON(ERR_peek_error()) ==
			    SSL_R_UNEXPECTED_EOF_WHILE_READING)
				return ERR_EOF;
			return ERR_TLS;
		}
	}
}

/*
 * A server's first byte that starts a TLS record it may send first: a
 * handshake (its ServerHello) or an alert (a refusal of the hello).
 */
static int
tls_first_is_tls(uint8_t first)
{
	return first == 0x16 || first == 0x15;
}

int
tls_connect(SSL *ssl, int fd, uint64_t deadline_ms, int *plain)
{
	BIO *sock, *empty;
	uint8_t first;
	int r;

	*plain = 0;
	/*
	 * Reads come from an empty memory BIO until the first byte was
	 * seen: OpenSSL must not consume a clear frame as a TLS header.
	 */
	if ((sock = BIO_new_socket(fd, BIO_NOCLOSE)) == NULL ||
	    (empty = BIO_new(BIO_s_mem())) == NULL)
		fatalx("BIO_new: %s", tls_error());
	BIO_set_mem_eof_return(empty, -1);
	SSL_set_bio(ssl, empty, sock);
	SSL_set_connect_state(ssl);
	ERR_clear_error();
	r = SSL_do_handshake(ssl);
	/*
	 * A refusal may have come, and the connection closed, before the
	 * ClientHello could be sent: the frame is still there to read.
	 */
	if (r != 1 && SSL_get_error(ssl, r) != SSL_ERROR_WANT_READ) {
		if (tls_peek_byte(fd, mono_ms(), &first) != 0)
			return ERR_TLS;
		if (first == 0x00) {
			*plain = 1;
			return 0;
		}
		return tls_first_is_tls(first) ? ERR_TLS : ERR_NOT_TLS;
	}
	if ((r = tls_peek_byte(fd, deadline_ms, &first)) != 0)
		return r;
	if (first == 0x00) {
		*plain = 1;
		return 0;
	}
	/* Not a record a TLS server sends first: not TLS at all. */
	if (!tls_first_is_tls(first))
		return ERR_NOT_TLS;
	BIO_up_ref(sock);
	SSL_set0_rbio(ssl, sock);
	return tls_handshake(ssl, fd, deadline_ms);
}

int
tls_peek_byte(int fd, uint64_t deadline_ms, uint8_t *b)
{
	ssize_t n;
	int r;

	for (;;) {
		n = recv(fd, b, 1, MSG_PEEK);
		if (n == 1)
			return 0;
		if (n == 0)
			return ERR_EOF;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return ERR_IO;
		if ((r = tls_poll(fd, POLLIN, deadline_ms)) != 0)
			return r;
	}
}

void
tls_describe(SSL *ssl, char *out, size_t len)
{
	int nid = SSL_get_negotiated_group(ssl);
	const char *group = nid != 0 ? OBJ_nid2sn(nid) : "no key exchange";

	snprintf(out, len, "%s %s %s", SSL_get_version(ssl),
	    SSL_get_cipher_name(ssl), group != NULL ? group : "unknown");
}
