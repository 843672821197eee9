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
 * a key that signs through mftpd-sign on sign_fd.  Reads cert_file: call
 * it before the chroot.  Fatal on any error.
 */
SSL_CTX *preauth_tls_ctx(const char *cert_file, int sign_fd);

#endif
