/*
 * sha256.h: SHA-256 over OpenSSL's libcrypto (EVP), for end-to-end
 * verification of transfers.
 *
 * Used by: mftpd's serving process (uploads, downloads, HASH) and mftp.
 * OpenSSL may load a configuration file and provider modules lazily, the
 * first time a digest is fetched.  A process that will chroot into a
 * directory its user can write must call sha256_init_library() before
 * the chroot, so that nothing is ever loaded from there.
 */
#ifndef MFTP_SHA256_H
#define MFTP_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32	  /* == MFTP_HASH_LEN */
#define SHA256_HEX_LEN 64 /* without the NUL */

struct sha256;

/*
 * Initialise libcrypto without reading its configuration file and fetch
 * the SHA-256 implementation once.  Fatal on failure.  Idempotent;
 * sha256_new() calls it too, for programs that never chroot.
 */
void sha256_init_library(void);

/* A new context, ready for sha256_update().  Allocation failure is fatal. */
struct sha256 *sha256_new(void);

/* Start over, as if new. */
void sha256_reset(struct sha256 *c);

void sha256_update(struct sha256 *c, const void *p, size_t len);

/* The digest of everything given since new or reset; then reset. */
void sha256_final(struct sha256 *c, uint8_t out[SHA256_LEN]);

void sha256_free(struct sha256 *c);

/* One call for a buffer in memory. */
void sha256_buf(const void *p, size_t len, uint8_t out[SHA256_LEN]);

/* Lower-case hex, NUL-terminated, into out (SHA256_HEX_LEN + 1 bytes). */
void sha256_hex(const uint8_t hash[SHA256_LEN], char out[SHA256_HEX_LEN + 1]);

#endif
