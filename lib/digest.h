/*
 * digest.h: the whole-file checksum of a transfer, in either algorithm
 * the protocol knows: XXH3-128 (libxxhash, the default) or SHA-256
 * (OpenSSL, sha256.h).  doc/PROTOCOL.md says which one a session uses.
 *
 * Used by: mftpd's serving process (uploads, downloads, HASH, the hash
 * cache) and mftp.  Both ends of a session use the same calls, so they
 * cannot disagree on what is hashed or how the value is written: a hash
 * is always its algorithm's canonical bytes (XXH3-128: the big-endian
 * 128-bit value, as xxhsum -H2 prints it; SHA-256: its 32 bytes).
 * SHA-256 needs sha256_init_library() before a chroot (sha256.h);
 * libxxhash loads nothing.
 */
#ifndef MFTP_DIGEST_H
#define MFTP_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "mftp_limits.h"

/* The algorithms; the values are MFTP_DIGEST_* on the wire (proto.h). */
enum digest_alg {
	DIGEST_SHA256 = 1,
	DIGEST_XXH128 = 2,
};

#define DIGEST_MAX_LEN MFTP_HASH_LEN	    /* the longest: SHA-256 */
#define DIGEST_HEX_MAX (2 * DIGEST_MAX_LEN) /* without the NUL */

struct digest;

/* A new context for alg, ready for digest_update().  Fatal on failure. */
struct digest *digest_new(enum digest_alg alg);

/* Start over, as if new; with digest_reset_alg, in another algorithm. */
void digest_reset(struct digest *d);
void digest_reset_alg(struct digest *d, enum digest_alg alg);

void digest_update(struct digest *d, const void *p, size_t len);

/*
 * The value of everything given since new or reset, digest_len() bytes
 * into out (which has room for DIGEST_MAX_LEN); then reset.
 */
void digest_final(struct digest *d, uint8_t *out);

void digest_free(struct digest *d);

/* The context's algorithm. */
enum digest_alg digest_alg(const struct digest *d);

/* One call for a buffer in memory. */
void digest_buf(enum digest_alg alg, const void *p, size_t len, uint8_t *out);

/* The value's length in bytes: 16 or 32. */
size_t digest_len(enum digest_alg alg);

/* "xxh128" or "sha256": the name in configuration files and messages. */
const char *digest_name(enum digest_alg alg);

/* "XXH3-128" or "SHA-256": the name for people. */
const char *digest_title(enum digest_alg alg);

/* The algorithm named name ("sha256", "xxh128"; any case): 0 or -1. */
int digest_from_name(const char *name, enum digest_alg *alg);

/*
 * A wire value (MFTP_DIGEST_*) as an algorithm: 0, or -1 for one this
 * code does not know.
 */
int digest_from_wire(uint32_t v, enum digest_alg *alg);

/* Lower-case hex of len bytes, NUL-terminated (2 * len + 1 bytes). */
void digest_hex(const uint8_t *hash, size_t len, char *out);

#endif
