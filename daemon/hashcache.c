/*
 * hashcache.c: the checksum cache in the user.mftp.ALG attributes
 * (hashcache.h).
 *
 * Runs as: the logged-in user, chrooted to the home.  An attribute is
 * the value in its algorithm's canonical bytes (32 for SHA-256, 16 for
 * XXH3-128), then big-endian u64 size, i64 mtime seconds, u32 mtime
 * nanoseconds: 52 or 36 bytes.  Anything else in it is ignored (and
 * replaced when the file is next hashed).
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <errno.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "hashcache.h"
#include "session.h"
#include "util.h"

/* The key after the value: size, mtime seconds, mtime nanoseconds. */
#define HASHCACHE_KEY_LEN (8 + 8 + 4)
#define HASHCACHE_MAX (DIGEST_MAX_LEN + HASHCACHE_KEY_LEN)

static void
hashcache_put(uint8_t *p, uint64_t v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static uint64_t
hashcache_get(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static const char *
hashcache_name(enum digest_alg alg)
{
	return alg == DIGEST_SHA256 ? HASHCACHE_XATTR_SHA256 :
				      HASHCACHE_XATTR_XXH128;
}

/* The attribute's bytes for hash and the file as st describes it. */
static void
hashcache_encode(
    uint8_t *rec, size_t hlen, const struct stat *st, const uint8_t *hash)
{
	memcpy(rec, hash, hlen);
	hashcache_put(rec + hlen, (uint64_t)st->st_size, 8);
	hashcache_put(rec + hlen + 8, (uint64_t)st->st_mtim.tv_sec, 8);
	hashcache_put(rec + hlen + 16, (uint64_t)st->st_mtim.tv_nsec, 4);
}

int
hashcache_lookup(
    int fd, const struct stat *st, enum digest_alg alg, uint8_t *hash)
{
	uint8_t rec[HASHCACHE_MAX];
	size_t hlen = digest_len(alg);
	ssize_t n;

	n = fgetxattr(fd, hashcache_name(alg), rec, sizeof(rec));
	if (n != (ssize_t)(hlen + HASHCACHE_KEY_LEN))
		return 0;
	if (hashcache_get(rec + hlen, 8) != (uint64_t)st->st_size ||
	    hashcache_get(rec + hlen + 8, 8) != (uint64_t)st->st_mtim.tv_sec ||
	    hashcache_get(rec + hlen + 16, 4) != (uint64_t)st->st_mtim.tv_nsec)
		return 0;
	memcpy(hash, rec, hlen);
	return 1;
}

void
hashcache_store(
    int fd, const struct stat *st, enum digest_alg alg, const uint8_t *hash)
{
	uint8_t rec[HASHCACHE_MAX];
	size_t hlen = digest_len(alg);

	hashcache_encode(rec, hlen, st, hash);
	/* Best effort: no support, or not the user's file, is fine. */
	(void)fsetxattr(
	    fd, hashcache_name(alg), rec, hlen + HASHCACHE_KEY_LEN, 0);
}

void
hashcache_clear(int fd)
{
	(void)fremovexattr(fd, HASHCACHE_XATTR_SHA256);
	(void)fremovexattr(fd, HASHCACHE_XATTR_XXH128);
}

/*
 * Time stamps advance in ticks of a few milliseconds, so a change made
 * in the same tick as the hashing would leave size and time as they
 * were.  A time stamp at least this old cannot be shared with any
 * change still to come.
 */
#define HASHCACHE_SETTLE_SEC 2

static int
hashcache_settled(const struct stat *st)
{
	struct timespec now;

	if (clock_gettime(CLOCK_REALTIME, &now) == -1)
		return 0;
	return st->st_mtim.tv_sec <= now.tv_sec - HASHCACHE_SETTLE_SEC;
}

int
hashcache_file(struct session *s, int fd, const struct stat *st,
    enum digest_alg alg, uint8_t *hash, uint64_t paced)
{
	struct stat after;
	int r;

	if (hashcache_lookup(fd, st, alg, hash))
		return 0;
	digest_reset_alg(s->digest, alg);
	if ((r = session_hash(s, fd, 0, (uint64_t)st->st_size, paced)) != 0)
		return r;
	digest_final(s->digest, hash);
	if (fstat(fd, &after) == -1)
		return ERR_IO;
	/*
	 * Changed while it was read (stat_same_content: the change time
	 * too, or a rewrite in place with its modification time put back
	 * would leave a value of part old, part new content believed).
	 */
	if (!stat_same_content(st, &after) || !hashcache_settled(st))
		return 0;
	hashcache_store(fd, st, alg, hash);
	return 0;
}
