/*
 * quota.h: a user's accounting file (/var/lib/mftp/quota/NAME, root 0600).
 *
 * The file holds what the user uses now: bytes (the sizes of the regular
 * files below the home, partial uploads included, and QUOTA_ENTRY_BYTES
 * for each directory and symbolic link, so that a byte quota alone
 * bounds the disk a user can fill) and files (every entry below the
 * home: files, directories, links, partial uploads).  The home itself
 * counts for nothing, and so does a mount point in it with what is below
 * it (lib/samefs.h): a share bound into the home is not the user's.
 * Nothing there is charged or credited either, whoever made it: the
 * serving process prices each entry as the count does (the mount test of
 * samefs_statat), so an upload, a directory or a link made in a share
 * the user may write costs nothing, and removing or replacing anything
 * there gives nothing back (a credit for what the count left out would
 * take the file below the truth).  A rename cannot move an entry in or
 * out of it (EXDEV: one mount to another, bind mounts of one file system
 * too).  The quota does not bound a share: it needs a limit of its own.
 *
 * It is one fixed-width line, and while uploads are in progress a second
 * one with the bytes they announced and have not written yet (reserved:
 * room promised to them, which no other request may take) and the set
 * those reservations belong to, so every update rewrites it in place
 * with one pwrite:
 *
 *   "MFTPQ1 <bytes, 20 digits> <files, 20 digits>\n"
 *   "MFTPR2 <reserved, 20 digits> <set, 20 digits>\n"  only while reserved > 0
 *   "MFTPP1 <bytes, 20 digits> <files, 20 digits>\n"  only during a removal
 *
 * The set is a random number, drawn by the reservation that finds none
 * (and joined by those made while any is held): a recount, or a login's
 * drop of dead uploads' reservations, takes them all away at once, and
 * an upload that reserved before that must not go on taking its bytes
 * out of the reservations made since, which are other uploads' room
 * (quota_change_reserved).  A reservation line "MFTPR1 <reserved, 20
 * digits>\n" (no set), as versions before the sets wrote it, is read as
 * one of no set, which the next reservation gives one.
 *
 * The third line is written, with the lock held, just before an entry is
 * removed or replaced, and goes with the write that pays the removal
 * back just after.  Found later (the process was killed in between), it
 * says that the first line may still count that much which is gone: the
 * next change of any session of the user (the serving process, chrooted,
 * counts "/": quota_set_home), or the login's quota_settle, or a
 * recount, counts the home and writes the truth.  So a kill at any point
 * leaves the file high by at most one write chunk and the reservations,
 * and not for longer than the next change, as long as that count can
 * read the home (the serving process keeps every directory's owner's
 * read and search bits).  A count that fails leaves the file high, and
 * the process does not count that home again until quota_set_home names
 * it again (the next login): a recount makes it exact.
 *
 * A file of the first line alone (the only form before reservations) is
 * read as nothing reserved, and is what the file is again once nothing
 * is.  A reservation is not usage: bytes and files stay what a recount
 * finds (give or take an upload's chunk in flight); a process killed
 * during an upload leaves its reservation behind, which only makes the
 * room it is refused larger, until the recount, which writes the first
 * line alone, or a login that finds no other session of the user
 * (quota_settle's alone).
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

/* The length of the first line of an accounting file (the usage). */
#define QUOTA_LINE_LEN (7 + 20 + 1 + 20 + 1)
/* The length of the second line (reserved bytes and their set). */
#define QUOTA_RESERVE_LEN QUOTA_LINE_LEN
/* The longest valid accounting file: all three lines. */
#define QUOTA_FILE_MAX (QUOTA_LINE_LEN + QUOTA_RESERVE_LEN + QUOTA_LINE_LEN)

/* Errors beyond err.h's, returned by the functions below. */
#define QUOTA_ERR_EXCEEDED -100 /* the change would pass a limit */
#define QUOTA_ERR_CORRUPT -101	/* the file is not a valid line */
#define QUOTA_ERR_APPLY -102	/* the change it pays for failed (errno) */
#define QUOTA_ERR_BUSY -103	/* the lock was held all the time given */
#define QUOTA_ERR_STOPPED -104	/* quota_set_stop's stop ended the wait */
#define QUOTA_ERR_REMOVED -105	/* growth charged to a removed file */

struct quota_usage {
	uint64_t bytes;
	uint64_t files;
	uint64_t reserved; /* bytes promised to uploads in progress */
	/* A removal under way: bytes and files may count this much more
	 * than is there (a recount tells). */
	uint64_t pending_bytes;
	uint64_t pending_files;
	/* The set the reservations belong to (top); 0 when none. */
	uint64_t reserve_set;
};

/* Does u say that a removal was under way?  1 or 0. */
int quota_pending(const struct quota_usage *u);

struct quota_limits {
	uint64_t bytes; /* 0: no limit */
	uint64_t files; /* 0: no limit */
};

/*
 * The arithmetic, without any file: may usage u grow by add_bytes and
 * add_files within limits l, the bytes reserved counted as used?  1 yes,
 * 0 no.  Safe for values near UINT64_MAX (no overflow: a sum that would
 * wrap is "no").
 */
int quota_fits(const struct quota_usage *u, const struct quota_limits *l,
    uint64_t add_bytes, uint64_t add_files);

/*
 * Format u as the file's contents into out: the first line
 * (QUOTA_LINE_LEN bytes), and the second if u->reserved > 0.  Returns
 * the length (without the NUL); outlen must be more than that
 * (QUOTA_FILE_MAX + 1 is always enough).
 */
size_t quota_format(const struct quota_usage *u, char *out, size_t outlen);

/*
 * Parse the file's contents: the first line, then at most one
 * reservation line and one removal line, in that order (what is absent
 * is 0); anything else is QUOTA_ERR_CORRUPT.
 */
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

/*
 * The same, read-only: a file marked locked (0400, below) where root
 * has no CAP_DAC_OVERRIDE (the shipped unit) opens no other way, and
 * the session needs it to see the mark.
 */
int quota_open_read(const char *dir, const char *name);

/*
 * What the administrator did to the account, as the accounting file
 * that every session of the user holds open shows it, on this machine
 * and on every node that shares the storage (the serving process can
 * open nothing outside its home, but it keeps this descriptor):
 * ftpuser-del removes the file (no name left: st_nlink 0, or ESTALE
 * over NFS), ftpuser-mod --lock takes its owner's write bit away (root
 * writes it all the same) and --unlock gives it back.  fresh: from the
 * file server itself (one GETATTR over NFS, whose attribute cache can be
 * a minute old); else what the kernel has, which costs nothing.
 */
/* How often a session asks the file server for that state (at most):
 * what a lock made on another machine waits for at worst. */
#define QUOTA_ACCOUNT_FRESH_MS 5000
#define QUOTA_ACCOUNT_OPEN 0
#define QUOTA_ACCOUNT_LOCKED 1
#define QUOTA_ACCOUNT_REMOVED 2
int quota_account_state(int fd, int fresh);

/*
 * Whether the accounting file open on fd was removed (or, over NFS, is
 * stale).  One fstat: under the file's lock, which over NFS makes the
 * client fetch the attributes anew (locking is a point of cache
 * coherency there), it is fresh; after it, what the kernel has.
 */
int quota_removed(int fd);

/*
 * Mark dir/name locked (mode 0400) or open (0600), without following a
 * link.  0, or -1 with errno (ENOENT: no accounting file).
 */
int quota_set_locked(const char *dir, const char *name, int locked);

/*
 * The waits for an accounting file's lock, below, end when stop(arg)
 * returns non-zero while another process holds the lock: the function
 * waiting then returns QUOTA_ERR_STOPPED, having done nothing.  A lock
 * that is free is taken whatever stop says.  For the serving process,
 * whose SIGTERM must end its session even while a recount's walk, or a
 * node of the shared storage that hangs, holds the lock, and for a tool
 * that says that it waits (its stop returns 0); NULL (the default)
 * waits for as long as the lock is held, without a look.
 */
void quota_set_stop(int (*stop)(void *arg), void *arg);

/*
 * Read the usage under a shared lock.  0, QUOTA_ERR_CORRUPT, ERR_IO or
 * QUOTA_ERR_STOPPED.
 */
int quota_read(int fd, struct quota_usage *u);

/*
 * The same, waiting at most timeout_ms for the lock (a recount holds it
 * for its whole walk): QUOTA_ERR_BUSY when it was held all that time.
 * For those who only look (ftpuser-list), and must not hang.
 */
int quota_read_timed(int fd, struct quota_usage *u, int timeout_ms);

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
 *    that only grows writes the new line and then applies; one that
 *    shrinks first writes the removal line that says so, then applies,
 *    then writes the new line without it: see the top);
 *  - a removal line that another process left is settled first, when
 *    quota_set_home named the home;
 *  - growth, and any change with an apply, is refused with
 *    QUOTA_ERR_REMOVED, nothing written or applied, when fd is a file
 *    removed since it was opened: ftpuser-quota --recount then makes a
 *    new one, whose lock this one's holders do not share, and what they
 *    charged to the old one, or moved, after its walk would be counted
 *    nowhere;
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
 * QUOTA_ERR_EXCEEDED, QUOTA_ERR_APPLY, QUOTA_ERR_REMOVED,
 * QUOTA_ERR_CORRUPT, ERR_IO or QUOTA_ERR_STOPPED (the last four before
 * anything was done).
 */
int quota_change(int fd, const struct quota_limits *l, int64_t dbytes,
    int64_t dfiles, struct quota_usage *after, int (*apply)(void *arg),
    void *arg);

/*
 * quota_change that also changes the bytes reserved by dreserved
 * (stopping at 0), in the same write: an upload reserves what it
 * announces (dreserved > 0), and each chunk it writes moves from
 * reserved to bytes (dbytes = the chunk, dreserved = minus as much of
 * it as the upload still holds), which grows bytes + reserved by
 * nothing.  The limit check is on bytes + reserved: only what grows
 * that sum is checked (so a chunk already reserved is never refused,
 * and one whose reservation a recount dropped is checked like any
 * growth).  The reserved figure is written with the growth, before
 * apply; the bytes and files that shrink after it.
 *
 * set (may be NULL) is the caller's hold on the reservations (top): 0
 * before it reserves, then the set its reservation joined, which a
 * reservation (dreserved > 0, once made) writes back.  A dreserved < 0
 * while the file holds no reservation of *set (a recount or a login
 * dropped it, and what is reserved now, if anything, is other uploads'
 * room) moves and gives back nothing: it counts as 0, so the chunk is
 * checked like any growth, and *set becomes 0, which tells the caller
 * that it holds nothing any more.  NULL: any reservation is the
 * caller's.
 */
int quota_change_reserved(int fd, const struct quota_limits *l, int64_t dbytes,
    int64_t dfiles, int64_t dreserved, uint64_t *set, struct quota_usage *after,
    int (*apply)(void *arg), void *arg);

/*
 * The home that this process's changes count when they find a removal
 * left under way (see the top): "/" in the serving process, chrooted to
 * it.  NULL (the default): such a file is left as it is, high.  Once a
 * count of it fails (here or in quota_settle of the same root), neither
 * counts it again until it is named again: the file stays high.
 */
void quota_set_home(const char *root);

/*
 * Why the count of the home that quota_set_home named last failed (a
 * path and its error), or NULL when it has not failed since.
 */
const char *quota_home_failed(void);

/*
 * Under the exclusive lock: if the file says a removal was under way,
 * count the home at root and write the truth (the reservation kept).
 * Then, if bytes are reserved and alone (may be NULL) says, under that
 * same lock, that no other session of the user runs anywhere (so no
 * upload of a running session can hold a reservation: every one was
 * left by a session killed mid-upload), the reservation is dropped; how
 * much in *dropped (may be NULL).  u (may be NULL) gets the usage.  0,
 * QUOTA_ERR_CORRUPT, ERR_IO or QUOTA_ERR_STOPPED; a count that fails leaves the file as it
 * was (high), and is no error (root the home quota_set_home named: not
 * counted again, quota_home_failed says why), and so does alone's -1
 * (cannot tell).
 */
int quota_settle(int fd, const char *root, int (*alone)(void *arg), void *arg,
    struct quota_usage *u, uint64_t *dropped);

/* quota_change with no change of the home to apply (apply NULL). */
int quota_charge(int fd, const struct quota_limits *l, int64_t dbytes,
    int64_t dfiles, struct quota_usage *after);

/*
 * Count the tree below root as the file counts it (above), without
 * following links, entering no mount point, and without a lock.  0, or
 * -1 with a reason (and path) in err (errlen may be 0).
 */
int quota_count_tree(
    const char *root, struct quota_usage *u, char *err, size_t errlen);

/*
 * Recount: take the exclusive lock, walk the tree below root without
 * following links, count it as described above, write the result (the
 * first line alone: nothing reserved) and release the lock.  Sessions that charge meanwhile wait for it.  u (may
 * be NULL) gets the result.  0, or -1 with a reason (and path) in err.
 */
int quota_recount(
    int fd, const char *root, struct quota_usage *u, char *err, size_t errlen);

#endif
