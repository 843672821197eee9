/*
 * quota.h: a user's accounting file (/var/lib/mftp/quota/NAME, root 0600).
 *
 * The file holds what the user uses now: bytes (the sizes of the regular
 * files below the home, partial uploads included, and QUOTA_ENTRY_BYTES
 * for each directory and symbolic link, so that a byte quota alone
 * bounds the disk a user can fill) and files (every entry below the
 * home: files, directories, links, partial uploads).  The home itself
 * counts for nothing.  It is one fixed-width
 * line, so every update rewrites it in place with one pwrite of the same
 * length:
 *
 *   "MFTPQ1 <bytes, 20 digits> <files, 20 digits>\n"
 *
 * Anything else (empty, truncated, other bytes) is corrupt: it is never
 * read as "nothing used", the session refuses writes, and a recount
 * repairs it.  Every read-modify-write happens under an exclusive
 * open-file-description lock (F_OFD_SETLKW) on the whole file, so
 * concurrent sessions of one user, on one machine or on several sharing
 * the storage, see one truth.
 *
 * Used by: the monitor (opens the file as root before the chroot), the
 * serving process (changes it through the kept descriptor), ftpuser-add,
 * ftpuser-quota and ftpuser-list.
 */
#ifndef MFTP_QUOTA_H
#define MFTP_QUOTA_H

#include <sys/types.h>
#include <sys/stat.h>

#include <stddef.h>
#include <stdint.h>

/* The length of the one line of an accounting file. */
#define QUOTA_LINE_LEN (7 + 20 + 1 + 20 + 1)

/* Errors beyond err.h's, returned by the functions below. */
#define QUOTA_ERR_EXCEEDED -100 /* the change would pass a limit */
#define QUOTA_ERR_CORRUPT -101	/* the file is not a valid line */
#define QUOTA_ERR_APPLY -102	/* the change it pays for failed (errno) */

struct quota_usage {
	uint64_t bytes;
	uint64_t files;
};

struct quota_limits {
	uint64_t bytes; /* 0: no limit */
	uint64_t files; /* 0: no limit */
};

/*
 * The arithmetic, without any file: may usage u grow by add_bytes and
 * add_files within limits l?  1 yes, 0 no.  Safe for values near
 * UINT64_MAX (no overflow: a sum that would wrap is "no").
 */
int quota_fits(const struct quota_usage *u, const struct quota_limits *l,
    uint64_t add_bytes, uint64_t add_files);

/* Format u as the file's line (QUOTA_LINE_LEN bytes + NUL) into out. */
void quota_format(const struct quota_usage *u, char *out, size_t outlen);

/* Parse exactly one line of QUOTA_LINE_LEN bytes; QUOTA_ERR_CORRUPT. */
int quota_parse(const char *data, size_t len, struct quota_usage *u);

/*
 * What a directory or a symbolic link counts for in bytes: about the
 * block it takes, whatever the file system really uses (a fixed amount,
 * so that an accounting file can equal a recount on any file system).
 */
#define QUOTA_ENTRY_BYTES 4096

/*
 * What one entry below the home counts for in bytes, as the recount
 * counts it: a regular file its size, a directory or a symbolic link
 * QUOTA_ENTRY_BYTES, anything else (a FIFO, a device) nothing.
 */
uint64_t quota_entry_bytes(const struct stat *st);

/*
 * Create dir/name (root, 0600) holding zero usage, failing if it exists.
 * Returns 0 or -1 with errno.
 */
int quota_create(const char *dir, const char *name);

/*
 * Open dir/name read-write without following links.  Returns the
 * descriptor or -1 with errno.
 */
int quota_open(const char *dir, const char *name);

/* Read the usage under a shared lock.  0, QUOTA_ERR_CORRUPT or ERR_IO. */
int quota_read(int fd, struct quota_usage *u);

/*
 * Change the usage, and under the same hold of the exclusive lock make
 * the change of the home it pays for: apply(arg), which returns 0, or -1
 * with errno when it changed nothing.  The order errs toward "more
 * used", so that neither a process killed at any point nor a recount
 * (which waits for the lock) ever leaves the count below the real usage:
 *
 *  - growth (dbytes or dfiles > 0) is checked against l first: past a
 *    limit the result is QUOTA_ERR_EXCEEDED, nothing is written and apply
 *    is not called; shrinking never fails on limits and stops at 0;
 *  - what grows is written BEFORE apply, what shrinks AFTER it (a change
 *    that only grows writes the new line and then applies; one that only
 *    shrinks, or is zero, applies and then writes);
 *  - if apply fails, the line is written back as it was and the result
 *    is QUOTA_ERR_APPLY, with apply's errno.  Once apply has succeeded
 *    the result is 0, even if the last write fails: the file then says
 *    more than the truth, and a recount repairs it.
 *
 * apply runs with the lock held, and every other session of the user
 * and the recount wait for it: it must be short and never wait for the
 * network or another process.  apply may be NULL: only the usage
 * changes.  *after (may be NULL) gets the usage after the change, or the
 * current usage when refused or when apply failed.  Returns 0,
 * QUOTA_ERR_EXCEEDED, QUOTA_ERR_APPLY, QUOTA_ERR_CORRUPT or ERR_IO (the
 * last two before anything was done).
 */
int quota_change(int fd, const struct quota_limits *l, int64_t dbytes,
    int64_t dfiles, struct quota_usage *after, int (*apply)(void *arg),
    void *arg);

/* quota_change with no change of the home to apply (apply NULL). */
int quota_charge(int fd, const struct quota_limits *l, int64_t dbytes,
    int64_t dfiles, struct quota_usage *after);

/*
 * Recount: take the exclusive lock, walk the tree below root without
 * following links, count it as described above, write the result and
 * release the lock.  Sessions that charge meanwhile wait for it.  u (may
 * be NULL) gets the result.  0, or -1 with a reason (and path) in err.
 */
int quota_recount(
    int fd, const char *root, struct quota_usage *u, char *err, size_t errlen);

#endif
