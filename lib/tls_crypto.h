/*
 * tls_crypto.h: the TLS helpers that need libcrypto alone
 * (tls_crypto.c): mftpd-sign uses these and links no libssl.
 *
 * Used by: mftpd, mftp, mftpd-sign and the tests (through tls.h too).
 */
#ifndef MFTP_TLS_CRYPTO_H
#define MFTP_TLS_CRYPTO_H

#include <openssl/x509.h>

/* "SHA256:" and 43 characters of unpadded base64, and a NUL. */
#define TLS_FP_LEN 51

/*
 * Set up libcrypto alone (its configuration file and providers, its
 * error texts) now, before a chroot.  tls_init() does this and libssl.
 */
void tls_init_crypto(void);

/* "SHA256:<base64>" of the certificate's SubjectPublicKeyInfo: 0 or -1. */
int tls_fingerprint(X509 *cert, char out[TLS_FP_LEN]);

/* The same of a SubjectPublicKeyInfo's DER, len bytes: 0 or -1. */
int
tls_fingerprint_der(const unsigned char *der, size_t len, char out[TLS_FP_LEN]);

/* The reason of the oldest queued OpenSSL error (queue cleared). */
const char *tls_error(void);

#endif
