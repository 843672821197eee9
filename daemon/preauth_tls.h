/*
 * preauth_tls.h: the pre-auth worker's TLS context (preauth_tls.c).
 *
 * Runs as: root (the call), then the pre-auth user (the handshakes).
 */
#ifndef MFTP_PREAUTH_TLS_H
#define MFTP_PREAUTH_TLS_H

#include <openssl/ssl.h>

/*
 * A TLS 1.3 server context with the certificate chain in cert_file and
 * a key that signs through mftpd-sign (preauth_tls_set_signer).  The
 * master makes it once (and again on reload) and every worker inherits
 * it: it holds no secret.  NULL with the reason in err.
 */
SSL_CTX *preauth_tls_ctx(const char *cert_file, char *err, size_t errlen);

/* In the worker: the socket to this connection's mftpd-sign. */
void preauth_tls_set_signer(int sign_fd);

#endif
