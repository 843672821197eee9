/*
 * digest.c: the whole-file checksum in XXH3-128 or SHA-256 (digest.h).
 *
 * Runs in: mftpd's serving process (the user, chrooted) and mftp.
 * SHA-256 comes from sha256.c (OpenSSL's EVP, set up before the chroot);
 * XXH3-128 from libxxhash's streaming interface, whose state is plain
 * memory.  Nothing here does I/O (a file is hashed by hash_pipe_fd).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <xxhash.h>

#include "digest.h"
#include "log.h"
#include "proto.h"
#include "sha256.h"
#include "util.h"

#define DIGEST_XXH128_LEN 16

struct digest {
	enum digest_alg alg;
	struct sha256 *sha; /* made on first use of SHA-256 */
	XXH3_state_t *xxh;  /* made on first use of XXH3-128 */
};

static void
digest_start(struct digest *d)
{
	switch (d->alg) {
	case DIGEST_SHA256:
		if (d->sha == NULL)
			d->sha = sha256_new();
		else
			sha256_reset(d->sha);
		return;
	case DIGEST_XXH128:
		if (d->xxh == NULL && (d->xxh = XXH3_createState()) == NULL)
			fatalx("out of memory for an XXH3 state");
		if (XXH3_128bits_reset(d->xxh) != XXH_OK)
			fatalx("XXH3-128 initialisation failed");
		return;
	}
	fatalx("digest: unknown algorithm %d", (int)d->alg);
}

struct digest *
digest_new(enum digest_alg alg)
{
	struct digest *d;

	d = xcalloc(1, sizeof(*d));
	d->alg = alg;
	digest_start(d);
	return d;
}

void
digest_reset(struct digest *d)
{
	digest_start(d);
}

void
digest_reset_alg(struct digest *d, enum digest_alg alg)
{
	d->alg = alg;
	digest_start(d);
}

void
digest_update(struct digest *d, const void *p, size_t len)
{
	if (len == 0)
		return;
	if (d->alg == DIGEST_SHA256)
		sha256_update(d->sha, p, len);
	else if (XXH3_128bits_update(d->xxh, p, len) != XXH_OK)
		fatalx("XXH3-128 update failed");
}

void
digest_final(struct digest *d, uint8_t *out)
{
	XXH128_canonical_t c;

	if (d->alg == DIGEST_SHA256) {
		sha256_final(d->sha, out);
		return;
	}
	/* The canonical form is big-endian: what xxhsum prints. */
	XXH128_canonicalFromHash(&c, XXH3_128bits_digest(d->xxh));
	memcpy(out, c.digest, DIGEST_XXH128_LEN);
	digest_start(d);
}

void
digest_free(struct digest *d)
{
	if (d == NULL)
		return;
	sha256_free(d->sha);
	if (d->xxh != NULL)
		XXH3_freeState(d->xxh);
	free(d);
}

enum digest_alg
digest_alg(const struct digest *d)
{
	return d->alg;
}

void
digest_buf(enum digest_alg alg, const void *p, size_t len, uint8_t *out)
{
	struct digest *d = digest_new(alg);

	digest_update(d, p, len);
	digest_final(d, out);
	digest_free(d);
}

size_t
digest_len(enum digest_alg alg)
{
	return alg == DIGEST_SHA256 ? SHA256_LEN : DIGEST_XXH128_LEN;
}

const char *
digest_name(enum digest_alg alg)
{
	return alg == DIGEST_SHA256 ? "sha256" : "xxh128";
}

const char *
digest_title(enum digest_alg alg)
{
	return alg == DIGEST_SHA256 ? "SHA-256" : "XXH3-128";
}

int
digest_from_name(const char *name, enum digest_alg *alg)
{
	if (strcasecmp(name, "sha256") == 0)
		*alg = DIGEST_SHA256;
	else if (strcasecmp(name, "xxh128") == 0)
		*alg = DIGEST_XXH128;
	else
		return -1;
	return 0;
}

int
digest_from_wire(uint32_t v, enum digest_alg *alg)
{
	switch (v) {
	case MFTP_DIGEST_SHA256:
		*alg = DIGEST_SHA256;
		return 0;
	case MFTP_DIGEST_XXH128:
		*alg = DIGEST_XXH128;
		return 0;
	}
	return -1;
}

void
digest_hex(const uint8_t *hash, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[hash[i] >> 4];
		out[2 * i + 1] = digits[hash[i] & 0xf];
	}
	out[2 * len] = '\0';
}
