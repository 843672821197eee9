/*
 * cmd.h: request handlers of the serving process, by area.
 *
 * Runs as: the logged-in user, chrooted to the home.  Each handler gets
 * the decoded request, sends exactly one final reply (and any
 * intermediate frames and raw data before it), and returns 0 to go on or
 * -1 when the connection cannot go on (peer gone, stream out of step).
 */
#ifndef MFTP_CMD_H
#define MFTP_CMD_H

#include <stddef.h>
#include <stdint.h>

struct msg;
struct session;
struct stat;

/* cmd_dir.c */
int cmd_pwd(struct session *s, const struct msg *m);
int cmd_cwd(struct session *s, const struct msg *m);
int cmd_list(struct session *s, const struct msg *m);
int cmd_mkdir(struct session *s, const struct msg *m);
int cmd_stat(struct session *s, const struct msg *m);

/* cmd_file.c: downloads and hashes */
int cmd_get(struct session *s, const struct msg *m);
int cmd_hash(struct session *s, const struct msg *m);
int cmd_hash_alg(struct session *s, const struct msg *m);

/* cmd_put.c: uploads */
int cmd_put(struct session *s, const struct msg *m);
/*
 * Nonzero when the last component of path names an upload's partial
 * file ("*.mftp-part"): those names belong to the server, and requests
 * that would create, replace or move one are refused.  REMOVE may
 * discard one that no upload holds.
 */
int cmd_put_is_partial(const char *path);

/* cmd_fs.c: removing and renaming */
int cmd_remove(struct session *s, const struct msg *m);
int cmd_rmdir(struct session *s, const struct msg *m);
int cmd_rename(struct session *s, const struct msg *m);
/*
 * renameat(dfd, from, dfd2, to), freeing what to held, under one hold of
 * the accounting lock, after checking that from still is the entry fst
 * describes (NULL: whatever lstat finds now is priced) and that to is
 * still what was priced (RENAME, and PUT's commit).  0, or an MFTP_ST_*
 * status with a message in why, which names from and to as fromwhat and
 * towhat (the paths the request gave).  Either of those ending in '/'
 * (cmd_at_slashed) moves only a directory, onto nothing or a directory:
 * else NOT_DIR.
 */
uint32_t cmd_fs_move(struct session *s, int dfd, const char *from,
    const struct stat *fst, int dfd2, const char *to, const char *fromwhat,
    const char *towhat, char *why, size_t whylen);

/* cmd_link.c: permission bits and symbolic links */
int cmd_chmod(struct session *s, const struct msg *m);
/*
 * The bits that MKDIR and CHMOD keep on a directory whatever mode is
 * asked: its owner's read and search.  The count of the home that
 * settles a removal a killed session left under way is made as the user
 * (quota.h); a directory it could not read would keep the accounting
 * file high until an administrator's recount.
 */
#define CMD_DIR_KEPT_BITS 0500
int cmd_symlink(struct session *s, const struct msg *m);
int cmd_readlink(struct session *s, const struct msg *m);

/* cmd_at.c: a request's directory, opened once */
/*
 * Open the directory that holds the last component of path (O_PATH) and
 * give that component, without trailing slashes, in *name (free it with
 * cmd_at_close).  The descriptor, or -1 with errno (EINVAL when path
 * names no entry of a directory: "", ".", "..", "/").
 */
int cmd_at_open(const char *path, char **name);
void cmd_at_close(int dfd, char *name);
/*
 * The reply to a request whose cmd_at_open failed on path: EINVAL in
 * words ("." and the like name no entry), any other errno as such.
 */
int cmd_at_failed(struct session *s, const char *path);
/*
 * Does path end in '/'?  Then it names a directory, as in rename(2) and
 * unlink(2): the entry cmd_at_open gave, not followed, must be one (a
 * file or a link to a directory is ENOTDIR), though "d/" still names d.
 */
int cmd_at_slashed(const char *path);
/*
 * Does name in dfd, not followed, still lead to what st described when
 * the change was priced (st NULL: nothing there)?  Same device, inode,
 * type and counted bytes: 1 yes, 0 no (price it again).  Called under
 * the accounting lock, where every accounted change of the user waits,
 * so a yes holds until the lock is released.
 */
int cmd_at_same(int dfd, const char *name, const struct stat *st);
/*
 * Stat name in dfd without following it (name "": dfd itself), filling
 * *st as fstatat does, and tell whether the count of the home counts it
 * (quota.h): 1 it does, and it is priced quota_entry_bytes and one
 * file; 0 it is not on the home's mount (a mount point, or anything
 * below one: a share bound into the home), and it is neither charged
 * nor credited; -1 with errno.
 */
int cmd_at_stat(
    const struct session *s, int dfd, const char *name, struct stat *st);
/*
 * Does the count of the home count a new entry made in dfd: 1, or 0
 * when dfd is not on the home's mount (0 only when that is sure).
 */
int cmd_at_counts(const struct session *s, int dfd);

/* cmd_quota.c: the QUOTA request and the accounting every write does */
int cmd_quota(struct session *s, const struct msg *m);
/*
 * " (n more failures to read the accounting file were not logged)", or
 * "" when none was left out, into buf (96 bytes will do); the count
 * starts again.
 */
const char *cmd_quota_unlogged(char *buf, size_t len);
/*
 * May the usage grow by bytes and files?  0 yes; else an MFTP_ST_*
 * status (QUOTA, IO) with a message for the user in why.  Reads without
 * changing anything: the charge that follows may still be refused.
 */
/*
 * The accounting file the session holds was removed (ftpuser-del, or
 * the removal before ftpuser-quota --recount makes a new one): nothing
 * more is charged to it, and the session ends at its next look at the
 * account.  MFTP_ST_PERM, and why.
 */
uint32_t cmd_quota_removed(struct session *s, char *why, size_t whylen);
uint32_t cmd_quota_check(struct session *s, uint64_t bytes, uint64_t files,
    char *why, size_t whylen);
/*
 * Change the usage by dbytes and dfiles and make the change of the home
 * it pays for, apply(arg) (0, or -1 with errno having changed nothing),
 * under one hold of the accounting file's lock: quota_change, whose
 * order errs toward "more used".  apply must not wait for the network.
 * Returns 0 when done; else an MFTP_ST_* status with a message for the
 * user in why: QUOTA (past a limit, or the accounting damaged while the
 * change grows), IO (the accounting unreadable while it grows), or, when
 * apply failed, the status for its errno with "what: reason" (errno
 * kept).  With the accounting damaged or unreadable a change that only
 * frees is still made, unrecorded.
 */
uint32_t cmd_quota_change(struct session *s, const char *what, int64_t dbytes,
    int64_t dfiles, int (*apply)(void *arg), void *arg, char *why,
    size_t whylen);
/*
 * cmd_quota_change for a new directory or symbolic link made in dfd by
 * apply: charged QUOTA_ENTRY_BYTES and one file, or nothing when dfd is
 * not on the home's mount (cmd_at_counts), though refused all the same
 * while the accounting file is damaged.
 */
uint32_t cmd_quota_new_entry(struct session *s, int dfd, const char *what,
    int (*apply)(void *arg), void *arg, char *why, size_t whylen);
/*
 * cmd_quota_change that also changes the bytes reserved for uploads in
 * progress by dreserved (quota_change_reserved): PUT reserves what it
 * announced before PUT_READY, moves each chunk it writes from the
 * reservation to the usage, and gives back what it did not write.  set
 * is the upload's hold on the reservations (quota_change_reserved): 0
 * on return once a recount or a login dropped its reservation.
 */
uint32_t cmd_quota_change_reserved(struct session *s, const char *what,
    int64_t dbytes, int64_t dfiles, int64_t dreserved, uint64_t *set,
    int (*apply)(void *arg), void *arg, char *why, size_t whylen);

#endif
