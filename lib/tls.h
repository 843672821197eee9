/*
 * tls.h: what the daemon and the client share about their TLS 1.3
 * sessions (doc/PROTOCOL.md, "TLS"): the one set of protocol settings,
 * the handshake loop with a deadline, the exported per-session secret
 * and the second handshake keyed by it; and, from tls_crypto.h, key
 * fingerprints and OpenSSL's error text.
 *
 * Used by: mftpd (pre-auth worker, serving process), mftp and the tests.
 * OpenSSL (libssl) does all the cryptography; nothing here is a cipher.
 */
#ifndef MFTP_TLS_H
#define MFTP_TLS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "mftp_limits.h"
#include "tls_crypto.h"

/* SSL_export_keying_material label of the per-session secret. */
#define TLS_PSK_LABEL "EXPORTER-mftp-session-psk"
/* The identity both ends name the external PSK by. */
#define TLS_PSK_IDENTITY "mftp-session"

/*
 * Set up libssl (its configuration file and providers) now.  Call it
 * before a chroot: afterwards nothing would be found, and in a home
 * something planted could be.
 */
void tls_init(void);
void tls_init_client(void);

/*
 * Settings every mftp context shares: TLS 1.3 only, the cipher suites
 * in tls_suites() order, X25519 first, no session tickets, no early
 * data, no renegotiation.  0, or -1 if libssl refused one (the reason
 * in tls_error()).
 */
int tls_ctx_common(SSL_CTX *ctx);

/*
 * The TLS 1.3 suites, both with SHA-256 (the PSK's hash).  The client
 * offers them in the default order; mftpd's master times both AEADs at
 * its start and prefers the faster (tls_suites.c).
 */
#define TLS_SUITES_DEFAULT "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"

/* Bytes per second of one core sealing 16 KiB records; 0: not timed. */
struct tls_suites_rates {
	double chacha_bps;
	double aes_bps;
};

/* The suite list tls_ctx_common sets: the default until measured. */
const char *tls_suites(void);

/*
 * The client's Ciphers (-o, or ciphers in its config file): a
 * comma-separated list of chacha20-poly1305 and aes128-gcm (any case).
 * Into out (len bytes, at least sizeof(TLS_SUITES_DEFAULT)) as
 * OpenSSL's suite list, in that order: 0, or -1 (out untouched) for a
 * name not one of them, an empty one, or one named twice.
 */
int tls_suites_parse(const char *names, char *out, size_t len);

/* The same list offered by every context made afterwards: 0, or -1
 * (nothing changed). */
int tls_suites_choose(const char *names);

/* The list for these rates: the faster AEAD's suite first. */
const char *tls_suites_order(double chacha_bps, double aes_bps);

/*
 * Time both AEADs on this CPU and make the faster the first suite of
 * every context made afterwards.  Where either cannot be timed, the
 * default order stays and r is all 0.
 */
void tls_suites_measure(struct tls_suites_rates *r);

/* For the log: the first suite and the rates it was chosen by. */
void
tls_suites_describe(const struct tls_suites_rates *r, char *out, size_t len);

/*
 * A context for the second handshake, keyed by the secret given to each
 * connection with tls_set_psk(): external PSK with (EC)DHE, so the keys
 * are fresh and forward secret.  server: 1 for mftpd, 0 for mftp.
 */
SSL_CTX *tls_psk_ctx(int server);
/*
 * One second handshake with server_ctx, in memory, so that libcrypto's
 * caches are filled before the master forks (tls_warm.c): 0 or ERR_TLS.
 */
int tls_psk_warm(SSL_CTX *server_ctx);
/*
 * After the second handshake: read ahead several records at a time
 * (the handshake itself reads with libssl's one-record buffer).
 */
void tls_read_ahead(SSL *ssl);
/* The secret for ssl's second handshake; psk must outlive it. */
void tls_set_psk(SSL *ssl, const uint8_t *psk);
/*
 * After that handshake: 0 when the PSK was used with a key exchange
 * (never PSK alone), ERR_TLS otherwise.
 */
int tls_check_psk_dhe(SSL *ssl);

/* The per-session secret of a finished first handshake: 0 or ERR_TLS. */
int tls_export_psk(SSL *ssl, uint8_t psk[MFTP_PSK_LEN]);

/*
 * Drive ssl's handshake on non-blocking socket fd until it completes or
 * the monotonic clock reaches deadline_ms.  0, ERR_TIMEOUT, ERR_EOF (the
 * peer closed), ERR_IO or ERR_TLS (why: tls_error()), or ERR_STOPPED
 * (tls_set_stop).
 */
int tls_handshake(SSL *ssl, int fd, uint64_t deadline_ms);

/*
 * fn() is asked before each wait of a handshake and when a signal
 * interrupts one; non-zero ends the handshake with ERR_STOPPED.  The
 * client's Ctrl-C at its prompt, whose handler does not restart system
 * calls: a server that takes the connection and then says nothing would
 * otherwise hold the prompt for the whole timeout.  NULL (the default,
 * and the server's): waits run to their deadline.
 */
void tls_set_stop(int (*fn)(void));

/*
 * The client's side of a first handshake on non-blocking socket fd:
 * the ClientHello goes out, and the server's first byte is looked at
 * before TLS reads anything, because a server refusing the connection
 * over its limits, or one older than TLS, answers with a clear
 * protocol-1 frame (first byte 0x00).  Then *plain is 1 and the frame is
 * still unread on fd.  A first byte that starts no TLS record (an SSH
 * banner, an HTTP error page) is ERR_NOT_TLS, with those bytes unread
 * on fd too; otherwise the handshake is completed as tls_handshake does.
 */
int tls_connect(SSL *ssl, int fd, uint64_t deadline_ms, int *plain);

/*
 * Wait until fd has a byte to read and return it without consuming it:
 * 0 with *b set, ERR_EOF, ERR_TIMEOUT or ERR_IO.  Tells a TLS record
 * (0x16) from a protocol-1 frame (0x00) before either side commits.
 */
int tls_peek_byte(int fd, uint64_t deadline_ms, uint8_t *b);

/* "TLSv1.3 TLS_AES_128_GCM_SHA256 X25519" for ssl. */
void tls_describe(SSL *ssl, char *out, size_t len);

#endif
