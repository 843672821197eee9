/*
 * preauth_tls.c: the pre-auth worker's TLS server, whose private key it
 * does not have.
 *
 * Runs as: root in the master (preauth_tls_ctx reads the certificate
 * chain once, at start and on reload; the context holds no secret), then
 * the pre-auth user in its empty chroot (the handshakes).
 * The context's key is the certificate's public key with an ECDSA method
 * whose sign operation sends the handshake digest to mftpd-sign and
 * returns its signature: a compromised worker can get one signature per
 * connection, over a digest of its choosing (mftpd-sign signs what it
 * is sent), never the key (DESIGN.md §1a, TLS-NOTES).
 *
 * EC_KEY_METHOD is deprecated in OpenSSL 3.0 but supported there; the
 * alternative is a provider of our own, far more code for the same hook.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <sys/types.h>

#include <stdio.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "err.h"
#include "hostkey.h"
#include "log.h"
#include "preauth_tls.h"
#include "privsep_msg.h"
#include "tls.h"

/* The socket to mftpd-sign, and whether its one signature was used. */
static int preauth_sign_fd = -1;
static int preauth_signed;

static int
preauth_tls_sign(int type, const unsigned char *dgst, int dlen,
    unsigned char *sig, unsigned int *siglen, const BIGNUM *kinv,
    const BIGNUM *r, EC_KEY *eckey)
{
	uint8_t out[MFTP_SIG_MAX];
	size_t n;
	int e;

	(void)type;
	(void)kinv;
	(void)r;
	if (preauth_signed++ || dlen <= 0 || dlen > MFTP_DIGEST_MAX) {
		log_warnx("host key: unexpected signature request");
		return 0;
	}
	/*
	 * A signer that could not start (its fork or exec lacked memory or
	 * pids) fails every connection's handshake here: a line of a
	 * connection that never logs in (log_noise_ok), not a warning each.
	 * Why it went is said once elsewhere: the master's "mftpd-sign
	 * ended at its start" for its spare, the monitor's for a stale key.
	 */
	if (privsep_send_sign_request(preauth_sign_fd, dgst, (size_t)dlen) ==
	    -1) {
		if (log_noise_ok())
			log_warn("host key: asking mftpd-sign");
		return 0;
	}
	e = privsep_recv_signature(
	    preauth_sign_fd, MFTP_SIGN_TIMEOUT_MS, out, &n);
	if (e != 0) {
		if (log_noise_ok())
			log_warnx("host key: no signature from mftpd-sign: %s",
			    err_str(e));
		return 0;
	}
	/* OpenSSL sized sig for this key's largest signature. */
	if (n > (size_t)ECDSA_size(eckey)) {
		log_warnx("host key: signature too long");
		return 0;
	}
	memcpy(sig, out, n);
	*siglen = (unsigned int)n;
	return 1;
}

/*
 * TLS 1.3 signs with ECDSA on P-256, P-384 and P-521 only (RFC 8446
 * 4.2.3): a key on another curve (secp256k1, brainpool) loads as an
 * ECDSA key, but no handshake could use it, and every login would fail
 * with "unsupported protocol".  0, or -1 with the reason in err.
 */
static int
preauth_tls_curve_ok(
    const EC_KEY *ec, const char *cert_file, char *err, size_t errlen)
{
	const EC_GROUP *g = EC_KEY_get0_group(ec);
	int nid = g != NULL ? EC_GROUP_get_curve_name(g) : NID_undef;
	const char *name;

	if (nid == NID_X9_62_prime256v1 || nid == NID_secp384r1 ||
	    nid == NID_secp521r1)
		return 0;
	name = nid != NID_undef ? OBJ_nid2sn(nid) : NULL;
	snprintf(err, errlen,
	    "host certificate %s: its key is on the curve %s, which TLS 1.3 "
	    "cannot sign with; make one on P-256 (or P-384, P-521)",
	    cert_file, name != NULL ? name : "(explicit parameters)");
	return -1;
}

/*
 * The certificate's public key, signing through mftpd-sign; NULL with
 * the reason in err.  Runs on a reload too: a failure of libcrypto
 * (memory) fails it, it does not end the master.
 */
static EVP_PKEY *
preauth_tls_remote_key(
    X509 *cert, const char *cert_file, char *err, size_t errlen)
{
	static EC_KEY_METHOD *meth;
	EVP_PKEY *pub = X509_get0_pubkey(cert), *key = NULL;
	EC_KEY *ec;
	int (*sign_setup)(EC_KEY *, BN_CTX *, BIGNUM **, BIGNUM **);
	ECDSA_SIG *(*sign_sig)(const unsigned char *, int, const BIGNUM *,
	    const BIGNUM *, EC_KEY *);

	if (pub == NULL || (ec = EVP_PKEY_get1_EC_KEY(pub)) == NULL) {
		snprintf(err, errlen,
		    "host certificate %s: its key is not an ECDSA key",
		    cert_file);
		return NULL;
	}
	if (preauth_tls_curve_ok(ec, cert_file, err, errlen) == -1) {
		EC_KEY_free(ec);
		return NULL;
	}
	if (meth == NULL &&
	    (meth = EC_KEY_METHOD_new(EC_KEY_get_default_method())) != NULL) {
		EC_KEY_METHOD_get_sign(meth, NULL, &sign_setup, &sign_sig);
		EC_KEY_METHOD_set_sign(
		    meth, preauth_tls_sign, sign_setup, sign_sig);
	}
	if (meth == NULL || EC_KEY_set_method(ec, meth) != 1 ||
	    (key = EVP_PKEY_new()) == NULL ||
	    EVP_PKEY_assign_EC_KEY(key, ec) != 1) {
		snprintf(err, errlen, "host key method: %s", tls_error());
		EVP_PKEY_free(key);
		EC_KEY_free(ec);
		return NULL;
	}
	return key;
}

/*
 * The certificate chain of cert_file, as SSL_CTX_use_certificate_chain_file
 * reads it (the server's certificate, then the CAs' up the chain), but
 * from the file hostkey_open opened and checked: a regular file, never a
 * FIFO waited on by the master.  0, or -1 with the reason in err.
 */
static int
preauth_tls_use_chain(
    SSL_CTX *ctx, const char *cert_file, char *err, size_t errlen)
{
	unsigned long e;
	X509 *x = NULL;
	FILE *f;
	BIO *in;
	int ok = 0;

	if ((f = hostkey_open(cert_file, 0, err, errlen)) == NULL)
		return -1;
	if ((in = BIO_new_fp(f, BIO_CLOSE)) == NULL) {
		fclose(f);
		goto out;
	}
	ERR_clear_error();
	if ((x = PEM_read_bio_X509_AUX(in, NULL, NULL, NULL)) == NULL ||
	    SSL_CTX_use_certificate(ctx, x) != 1 ||
	    SSL_CTX_clear_chain_certs(ctx) != 1)
		goto out;
	for (;;) {
		X509 *ca = PEM_read_bio_X509(in, NULL, NULL, NULL);

		if (ca == NULL)
			break;
		if (SSL_CTX_add0_chain_cert(ctx, ca) != 1) {
			X509_free(ca);
			goto out;
		}
	}
	/* The end of the file, and nothing else, ends the chain. */
	e = ERR_peek_last_error();
	if (ERR_GET_LIB(e) == ERR_LIB_PEM &&
	    ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
		ERR_clear_error();
		ok = 1;
	}
out:
	if (!ok)
		snprintf(err, errlen, "host certificate %s: %s", cert_file,
		    tls_error());
	X509_free(x);
	BIO_free(in);
	return ok ? 0 : -1;
}

SSL_CTX *
preauth_tls_ctx(const char *cert_file, char *err, size_t errlen)
{
	SSL_CTX *ctx;
	EVP_PKEY *key;

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL ||
	    tls_ctx_common(ctx) == -1) {
		snprintf(err, errlen, "TLS context: %s", tls_error());
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (preauth_tls_use_chain(ctx, cert_file, err, errlen) == -1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	if ((key = preauth_tls_remote_key(SSL_CTX_get0_certificate(ctx),
		 cert_file, err, errlen)) == NULL) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (SSL_CTX_use_PrivateKey(ctx, key) != 1) {
		snprintf(err, errlen, "host certificate %s: %s", cert_file,
		    tls_error());
		EVP_PKEY_free(key);
		SSL_CTX_free(ctx);
		return NULL;
	}
	EVP_PKEY_free(key);
	return ctx;
}

void
preauth_tls_set_signer(int sign_fd)
{
	preauth_sign_fd = sign_fd;
}
