/*
 * hostkey.h: the server's TLS key pair and certificate on disk.
 *
 * Used by: mftpd-sign (loads the private key to sign one handshake, and
 * checks a pair) and mftpd (--generate-host-key, --fingerprint: one-shot
 * commands; the daemon only opens the key file for its signers with
 * hostkey_open_key and never reads it: it holds no private key).  Runs
 * as root.
 */
#ifndef MFTP_HOSTKEY_H
#define MFTP_HOSTKEY_H

#include <stddef.h>
#include <stdio.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tls_crypto.h"

/*
 * The private key at path: a regular file owned by root that no one else
 * may read or write, PEM, an EC key (the signing helper signs ECDSA).
 * NULL with a reason in err.
 */
EVP_PKEY *hostkey_load_private(const char *path, char *err, size_t errlen);

/*
 * The key file at path, open (O_CLOEXEC) and checked as above, for
 * hostkey_load_private_fd: the master keeps it so that each signer
 * reads the file it checked, not whatever is at path by then.  The
 * caller never reads it.  A descriptor, or -1 with a reason in err.
 */
int hostkey_open_key(const char *path, char *err, size_t errlen);

/*
 * The private key in the open file fd (read from its start; path names
 * it in err), checked as hostkey_load_private checks it.
 */
EVP_PKEY *
hostkey_load_private_fd(int fd, const char *path, char *err, size_t errlen);

/*
 * The SHA-256 fingerprint of key's public half, its point written
 * uncompressed whatever form the file had it in (as tls_fingerprint
 * gives it for a certificate that writes it so, as nearly all do): 0,
 * or -1.
 */
int hostkey_fingerprint(EVP_PKEY *key, char out[TLS_FP_LEN]);

/*
 * The same for the public key of cert, whichever form the certificate
 * writes its point in (RFC 5480 allows a compressed one): what
 * mftpd-sign -p compares hostkey_fingerprint of its key with.  0, or -1.
 */
int hostkey_cert_key_fingerprint(X509 *cert, char out[TLS_FP_LEN]);

/*
 * The file at path, open to read: a regular file (never waited on: a
 * FIFO is refused at once) and, when secret, owned by root and readable
 * by no one else.  NULL with a reason in err.
 */
FILE *hostkey_open(const char *path, int secret, char *err, size_t errlen);

/* The first (the server's own) certificate of a PEM chain file. */
X509 *hostkey_load_cert(const char *path, char *err, size_t errlen);

/* 0 when key is the private half of cert's public key, else -1 + err. */
int hostkey_check_pair(EVP_PKEY *key, X509 *cert, char *err, size_t errlen);

/*
 * Make a new ECDSA P-256 key (root 0600) and a self-signed certificate for
 * name (0644), valid for 100 years: the pin, not the dates, is what the
 * client checks.  Never replaces an existing file: 1 when both existed
 * already (nothing done), 0 when made, -1 with err.
 */
int hostkey_generate(const char *key_path, const char *cert_path,
    const char *name, char *err, size_t errlen);

#endif
