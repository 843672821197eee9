/*
 * hashcache.c: the SHA-256 cache in the user.mftp.sha256 attribute
 * (hashcache.h).
 *
 * Runs as: the logged-in user, chrooted to the home.  The attribute is
 * 52 bytes, big-endian: the 32-byte hash, u64 size, i64 mtime seconds,
 * u32 mtime nanoseconds.  Anything else in it is ignored (and replaced
 * when the file is next hashed).
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <errno.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "hashcache.h"
#include "sha256.h"

#define HASHCACHE_LEN (SHA256_LEN + 8 + 8 + 4)

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

/* The attribute's bytes for hash and the file as st describes it. */
static void
hashcache_encode(
    uint8_t rec[HASHCACHE_LEN], const struct stat *st, const uint8_t *hash)
{
	memcpy(rec, hash, SHA256_LEN);
	hashcache_put(rec + SHA256_LEN, (uint64_t)st->st_size, 8);
	hashcache_put(rec + SHA256_LEN + 8, (uint64_t)st->st_mtim.tv_sec, 8);
	hashcache_put(rec + SHA256_LEN + 16, (uint64_t)st->st_mtim.tv_nsec, 4);
}

int
hashcache_lookup(int fd, const struct stat *st, uint8_t hash[32])
{
	uint8_t rec[HASHCACHE_LEN];
	ssize_t n;

	n = fgetxattr(fd, HASHCACHE_XATTR, rec, sizeof(rec));
	if (n != (ssize_t)sizeof(rec))
		return 0;
	if (hashcache_get(rec + SHA256_LEN, 8) != (uint64_t)st->st_size ||
	    hashcache_get(rec + SHA256_LEN + 8, 8) !=
		(uint64_t)st->st_mtim.tv_sec ||
	    hashcache_get(rec + SHA256_LEN + 16, 4) !=
		(uint64_t)st->st_mtim.tv_nsec)
		return 0;
	memcpy(hash, rec, SHA256_LEN);
	return 1;
}

void
hashcache_store(int fd, const struct stat *st, const uint8_t hash[32])
{
	uint8_t rec[HASHCACHE_LEN];

	hashcache_encode(rec, st, hash);
	/* Best effort: no support, or not the user's file, is fine. */
	(void)fsetxattr(fd, HASHCACHE_XATTR, rec, sizeof(rec), 0);
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
hashcache_file(
    int fd, const struct stat *st, struct sha256 *c, uint8_t hash[32])
{
	struct stat after;
	int r;

	if (hashcache_lookup(fd, st, hash))
		return 0;
	sha256_reset(c);
	if ((r = sha256_update_fd(c, fd, 0, (uint64_t)st->st_size)) != 0)
		return r;
	sha256_final(c, hash);
	if (fstat(fd, &after) == -1)
		return ERR_IO;
	if (after.st_size == st->st_size &&
	    after.st_mtim.tv_sec == st->st_mtim.tv_sec &&
	    after.st_mtim.tv_nsec == st->st_mtim.tv_nsec &&
	    hashcache_settled(st))
		hashcache_store(fd, st, hash);
	return 0;
}
