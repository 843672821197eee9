/*
 * hashcache.c: the checksum cache in the user.mftp.ALG attributes
 * (hashcache.h).
 *
 * Runs as: the logged-in user, chrooted to the home.  An attribute is
 * the value in its algorithm's canonical bytes (32 for SHA-256, 16 for
 * XXH3-128), then big-endian u64 size, i64 mtime seconds, u32 mtime
 * nanoseconds, i64 ctime seconds, u32 ctime nanoseconds: 64 or 48
 * bytes.  Anything else in it is ignored (and replaced when the file is
 * next hashed).
 *
 * Size and modification time alone do not tell a rewrite whose time was
 * put back (cp -p of a copy of the same size and time, touch -r, rsync
 * --inplace -t): a value of the old content would be believed, and
 * every download of the file fail its check.  The change time tells it,
 * as no user can set it back; but writing the attribute changes it too.
 * So the attribute is written twice, the second time with the change
 * time the first one gave the file, read back (in the file system's own
 * clock), and a value is believed while the change time is at most
 * HASHCACHE_CTIME_SLACK_NS later than that.
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

/* The key after the value: size, mtime seconds and nanoseconds, ctime
 * seconds and nanoseconds. */
#define HASHCACHE_KEY_LEN (8 + 8 + 4 + 8 + 4)

/*
 * How much later than the recorded change time the file's may be and
 * the value still be believed: the attribute's second write, and the
 * mode an upload's commit gives the file, come microseconds after the
 * first one, a tick of the kernel's clock at most later in its time
 * stamps.  A rewrite with its time put back that comes this soon after
 * the value was cached is not told.
 */
#define HASHCACHE_CTIME_SLACK_NS 100000000L
#define HASHCACHE_MAX (DIGEST_MAX_LEN + HASHCACHE_KEY_LEN)

/*
 * No value is kept for a smaller file.  An attribute that does not fit
 * in the inode (SHA-256's 64 bytes do not, on ext4's default 256-byte
 * inodes) takes a disk block of its own, which no quota counts: on
 * empty files, a user with a byte quota alone could fill the disk with
 * them.  From 1 MiB up that block is at most 0.4% more than the file's
 * own bytes, which the quota counts; below it, hashing the file again
 * costs well under a millisecond.
 */
#define HASHCACHE_MIN_SIZE (1024 * 1024)

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

/* The attribute's bytes for hash, the file as st describes it and the
 * change time ctime that caching the value gave it. */
static void
hashcache_encode(uint8_t *rec, size_t hlen, const struct stat *st,
    const struct timespec *ctime, const uint8_t *hash)
{
	memcpy(rec, hash, hlen);
	hashcache_put(rec + hlen, (uint64_t)st->st_size, 8);
	hashcache_put(rec + hlen + 8, (uint64_t)st->st_mtim.tv_sec, 8);
	hashcache_put(rec + hlen + 16, (uint64_t)st->st_mtim.tv_nsec, 4);
	hashcache_put(rec + hlen + 20, (uint64_t)ctime->tv_sec, 8);
	hashcache_put(rec + hlen + 28, (uint64_t)ctime->tv_nsec, 4);
}

/* Write alg's attribute (best effort: no support, or not the user's
 * file, is fine). */
static void
hashcache_set(int fd, const struct stat *st, const struct timespec *ctime,
    enum digest_alg alg, const uint8_t *hash)
{
	uint8_t rec[HASHCACHE_MAX];
	size_t hlen = digest_len(alg);

	hashcache_encode(rec, hlen, st, ctime, hash);
	(void)fsetxattr(
	    fd, hashcache_name(alg), rec, hlen + HASHCACHE_KEY_LEN, 0);
}

/*
 * Whether st's change time is more than HASHCACHE_CTIME_SLACK_NS past
 * t, a time read from an attribute (any value: no overflow).
 */
static int
hashcache_changed_since(const struct stat *st, const struct timespec *t)
{
	uint64_t sec;

	if (st->st_ctim.tv_sec < t->tv_sec)
		return 0;
	sec = (uint64_t)st->st_ctim.tv_sec - (uint64_t)t->tv_sec;
	if (sec > 1)
		return 1;
	return (int64_t)sec * 1000000000 + st->st_ctim.tv_nsec - t->tv_nsec >
	    HASHCACHE_CTIME_SLACK_NS;
}

/*
 * alg's value and the change time it was cached at, when fd's
 * attribute for alg has st's size and modification time: 1, else 0.
 */
static int
hashcache_read(int fd, const struct stat *st, enum digest_alg alg,
    uint8_t *hash, struct timespec *ctime)
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
	ctime->tv_sec = (time_t)hashcache_get(rec + hlen + 20, 8);
	ctime->tv_nsec = (long)hashcache_get(rec + hlen + 28, 4);
	memcpy(hash, rec, hlen);
	return 1;
}

int
hashcache_lookup(
    int fd, const struct stat *st, enum digest_alg alg, uint8_t *hash)
{
	uint8_t v[DIGEST_MAX_LEN];
	struct timespec at;

	/* Changed since it was cached: a later change time. */
	if (!hashcache_read(fd, st, alg, v, &at) ||
	    hashcache_changed_since(st, &at))
		return 0;
	memcpy(hash, v, digest_len(alg));
	return 1;
}

void
hashcache_store(
    int fd, const struct stat *st, enum digest_alg alg, const uint8_t *hash)
{
	enum digest_alg other = alg == DIGEST_SHA256 ? DIGEST_XXH128 :
						       DIGEST_SHA256;
	uint8_t keep[DIGEST_MAX_LEN];
	struct timespec at = { 0, 0 };
	struct stat was, now;
	int kept;

	if (st->st_size < HASHCACHE_MIN_SIZE)
		return;
	/* The other algorithm's value, if believed: written again below,
	 * as this one's writes change the time it is believed from. */
	kept = fstat(fd, &was) == 0 && hashcache_lookup(fd, &was, other, keep);
	/* Not believed yet (a change time of 0), and the time it gives. */
	hashcache_set(fd, st, &at, alg, hash);
	if (fstat(fd, &now) == -1)
		return;
	at = now.st_ctim;
	hashcache_set(fd, st, &at, alg, hash);
	if (kept)
		hashcache_set(fd, &was, &at, other, keep);
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
