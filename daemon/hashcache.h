/*
 * hashcache.h: a file's SHA-256 kept in an extended attribute, so that a
 * download needs no second pass over the data.
 *
 * Runs as: the logged-in user, chrooted to the home.  The attribute
 * user.mftp.sha256 holds the hash with the size and modification time
 * (seconds and nanoseconds) the file had when it was hashed; it is
 * believed only while the file still has exactly that size and time.
 * Where extended attributes are not supported, or the user may not set
 * them, every lookup misses and the hash is computed each time.
 */
#ifndef MFTP_HASHCACHE_H
#define MFTP_HASHCACHE_H

#include <sys/types.h>
#include <sys/stat.h>

#include <stdint.h>

struct sha256;

#define HASHCACHE_XATTR "user.mftp.sha256"

/* 1 with the hash in hash when fd's attribute matches st, else 0. */
int hashcache_lookup(int fd, const struct stat *st, uint8_t hash[32]);

/* Record hash for the file as st describes it (best effort). */
void hashcache_store(int fd, const struct stat *st, const uint8_t hash[32]);

/*
 * The SHA-256 of the whole file open on fd, whose fstat is st: from the
 * attribute if it matches, else computed with c (which is reset) and
 * stored, unless the file changed while it was read or was modified too
 * recently for its time stamp to tell a later change apart.  Returns 0,
 * ERR_IO with errno set, or ERR_SHORT when the file shrank meanwhile.
 */
int hashcache_file(
    int fd, const struct stat *st, struct sha256 *c, uint8_t hash[32]);

#endif
