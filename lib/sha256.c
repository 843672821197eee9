/*
 * sha256.c: SHA-256 over OpenSSL's EVP interface (sha256.h).
 *
 * Runs in: mftpd's monitor (sha256_init_library, as root, before the
 * chroot), the serving process (the user, chrooted) and mftp.  libcrypto
 * is used for its speed (SHA-NI, ~1.7 GB/s per core), never for its
 * configuration: the config file is not read, and the one digest is
 * fetched up front so no provider is loaded later from inside a home.
 */
#include <sys/types.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "err.h"
#include "log.h"
#include "sha256.h"
#include "util.h"

/* Read size for hashing a file: big enough to keep the digest busy. */

struct sha256 {
	EVP_MD_CTX *ctx;
};

/* Fetched once, before any chroot; never freed (lives as the process). */
static EVP_MD *sha256_md;

void
sha256_init_library(void)
{
	if (sha256_md != NULL)
		return;
	/* No openssl.cnf: it could name modules to load from anywhere. */
	if (OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL) != 1)
		fatalx("libcrypto initialisation failed");
	if ((sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		fatalx("libcrypto has no SHA-256");
}

static void
sha256_start(struct sha256 *c)
{
	if (EVP_DigestInit_ex(c->ctx, sha256_md, NULL) != 1)
		fatalx("SHA-256 initialisation failed");
}

struct sha256 *
sha256_new(void)
{
	struct sha256 *c;

	sha256_init_library();
	c = xcalloc(1, sizeof(*c));
	if ((c->ctx = EVP_MD_CTX_new()) == NULL)
		fatalx("out of memory for a SHA-256 context");
	sha256_start(c);
	return c;
}

void
sha256_reset(struct sha256 *c)
{
	sha256_start(c);
}

void
sha256_update(struct sha256 *c, const void *p, size_t len)
{
	if (len > 0 && EVP_DigestUpdate(c->ctx, p, len) != 1)
		fatalx("SHA-256 update failed");
}

void
sha256_final(struct sha256 *c, uint8_t out[SHA256_LEN])
{
	unsigned int n = 0;

	if (EVP_DigestFinal_ex(c->ctx, out, &n) != 1 || n != SHA256_LEN)
		fatalx("SHA-256 final failed");
	sha256_start(c);
}

void
sha256_free(struct sha256 *c)
{
	if (c == NULL)
		return;
	EVP_MD_CTX_free(c->ctx);
	free(c);
}

void
sha256_buf(const void *p, size_t len, uint8_t out[SHA256_LEN])
{
	struct sha256 *c = sha256_new();

	sha256_update(c, p, len);
	sha256_final(c, out);
	sha256_free(c);
}

void
sha256_hex(const uint8_t hash[SHA256_LEN], char out[SHA256_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < SHA256_LEN; i++) {
		out[2 * i] = digits[hash[i] >> 4];
		out[2 * i + 1] = digits[hash[i] & 0xf];
	}
	out[SHA256_HEX_LEN] = '\0';
}
