/*
 * hashcache.h: a file's whole-file checksums kept in extended attributes,
 * so that a download needs no second pass over the data.
 *
 * Runs as: the logged-in user, chrooted to the home.  Each algorithm has
 * its own attribute (user.mftp.xxh128, user.mftp.sha256), holding the
 * value with the size and modification time (seconds and nanoseconds)
 * the file had when it was hashed, and its change time once the value
 * was written; a value is believed only while the file still has
 * exactly that size and time and a change time at most 0.1 s later: a
 * rewrite whose modification time was put back changes it
 * (hashcache.c).  Where extended attributes
 * are not supported, or the user may not set them, every lookup misses
 * and the checksum is computed each time.
 */
#ifndef MFTP_HASHCACHE_H
#define MFTP_HASHCACHE_H

#include <sys/types.h>
#include <sys/stat.h>

#include <stdint.h>

#include "digest.h"

struct session;

#define HASHCACHE_XATTR_SHA256 "user.mftp.sha256"
#define HASHCACHE_XATTR_XXH128 "user.mftp.xxh128"

/*
 * 1 with alg's value (digest_len(alg) bytes) in hash when fd's attribute
 * for alg matches st, else 0.
 */
int hashcache_lookup(
    int fd, const struct stat *st, enum digest_alg alg, uint8_t *hash);

/* Record alg's value for the file as st describes it (best effort). */
void hashcache_store(
    int fd, const struct stat *st, enum digest_alg alg, const uint8_t *hash);

/*
 * Remove every algorithm's value from fd (best effort): for a file whose
 * content is about to change in ways its size and time may not show.
 */
void hashcache_clear(int fd);

/*
 * alg's checksum of the whole file open on fd, whose fstat is st: from
 * the attribute if it matches, else computed with s->digest (reset to
 * alg) by session_hash (a SHA-256 session hashes in its thread; the
 * client hears WORKING meanwhile, if it asked), and
 * stored, unless the file changed while it was read (its size,
 * modification or change time differ after it) or was modified too
 * recently for its time stamp to tell a later change apart.  Returns 0,
 * ERR_IO with errno set, ERR_SHORT when the file shrank meanwhile, or
 * ERR_GONE when the client is gone, ERR_STOPPED when the session is to
 * end (session_hash).  paced: how many of the bytes read, if it is read,
 * the user's rate paces (session_hash: those the client will not be
 * sent).
 */
int hashcache_file(struct session *s, int fd, const struct stat *st,
    enum digest_alg alg, uint8_t *hash, uint64_t paced);

#endif
