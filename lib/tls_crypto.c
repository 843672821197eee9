/*
 * tls_crypto.c: the TLS helpers that need libcrypto alone: the text of
 * OpenSSL's last error, libcrypto's set-up, and a certificate key's
 * fingerprint.
 *
 * Runs in: mftpd, mftp and mftpd-sign.  They are apart from tls.c so
 * that mftpd-sign, the one process that holds the host key, links no
 * libssl: it signs digests, and has no TLS code to load, relocate and
 * set up at each start (one per connection), nor to be reached through.
 */
#include <sys/types.h>

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "log.h"
#include "tls_crypto.h"
#include "util.h"

void
tls_init_crypto(void)
{
	if (OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CRYPTO_STRINGS |
		    OPENSSL_INIT_LOAD_CONFIG | OPENSSL_INIT_NO_ATEXIT,
		NULL) != 1)
		fatalx("cannot initialise OpenSSL");
}

const char *
tls_error(void)
{
	static char text[256];
	unsigned long e = ERR_get_error();

	if (e == 0)
		strlcpy(text, "no further detail", sizeof(text));
	else
		ERR_error_string_n(e, text, sizeof(text));
	ERR_clear_error();
	return text;
}

int
tls_fingerprint_der(const unsigned char *der, size_t len, char out[TLS_FP_LEN])
{
	unsigned char md[EVP_MAX_MD_SIZE], b64[64];
	unsigned int mdlen = 0;

	if (EVP_Digest(der, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32)
		return -1;
	/* 32 bytes: 44 base64 characters, the last one padding. */
	if (EVP_EncodeBlock(b64, md, (int)mdlen) != 44)
		return -1;
	memcpy(out, "SHA256:", 7);
	memcpy(out + 7, b64, 43);
	out[50] = '\0';
	return 0;
}

/*
 * The DER comes from the certificate's own SubjectPublicKeyInfo
 * structure, not from the key object: i2d_PUBKEY on a key goes through
 * OpenSSL 3's encoder lookup, which took 0.33-0.49 ms in a fresh
 * process here, on every client's connection; this takes some
 * microseconds, for the same bytes.
 */
int
tls_fingerprint(X509 *cert, char out[TLS_FP_LEN])
{
	unsigned char *der = NULL;
	X509_PUBKEY *spki;
	int len, r;

	if ((spki = X509_get_X509_PUBKEY(cert)) == NULL ||
	    (len = i2d_X509_PUBKEY(spki, &der)) <= 0)
		return -1;
	r = tls_fingerprint_der(der, (size_t)len, out);
	OPENSSL_free(der);
	return r;
}
