/*
 * cmd_fs.c: REMOVE, RMDIR and RENAME, with the accounting file kept in
 * step.
 *
 * Runs as: the logged-in user, chrooted to the home.  Each request opens
 * the directory that holds its entry once (cmd_at_open) and works
 * relative to it.  What an entry counts for is taken as the count of
 * the home counts it (cmd_at_stat: quota_entry_bytes and one file, or
 * nothing for an entry not on the home's mount, a share bound into the
 * home), then the change is made and the count lowered under one hold
 * of the accounting file's lock (cmd_quota_change: the change first, the
 * count after it), so neither a kill nor a recount in between can leave
 * the count below the real usage.  Under the lock the entry is looked at
 * again (device, inode, type, counted size): if another session changed
 * it since it was priced, it is priced again.  A rename moves nothing
 * between homes, nor from one mount to another (EXDEV, bind mounts of
 * one file system too), so it frees only what it replaces.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "err.h"
#include "msg.h"
#include "proto.h"
#include "quota.h"
#include "session.h"
#include "upload.h"

/* How often a change is priced again when another session got between. */
#define CMD_FS_TRIES 5

/* One change, as priced: the entries it touches as fstatat saw them. */
struct cmd_fs_op {
	int dfd;
	const char *name;
	int dfd2;
	const char *name2;	/* NULL: a change of one entry */
	const struct stat *st;	/* name; NULL: nothing there */
	const struct stat *st2; /* name2; NULL: nothing there */
	int flags;		/* unlinkat's: AT_REMOVEDIR for RMDIR */
	int stale;		/* an entry changed since it was priced */
};

/* Under the lock: are the entries still as priced? */
static int
cmd_fs_check(struct cmd_fs_op *op)
{
	if (cmd_at_same(op->dfd, op->name, op->st) &&
	    (op->name2 == NULL || cmd_at_same(op->dfd2, op->name2, op->st2)))
		return 0;
	op->stale = 1;
	errno = EAGAIN;
	return -1;
}

static int
cmd_fs_unlink(void *arg)
{
	struct cmd_fs_op *op = arg;

	if (cmd_fs_check(op) == -1)
		return -1;
	return unlinkat(op->dfd, op->name, op->flags);
}

static int
cmd_fs_rename(void *arg)
{
	struct cmd_fs_op *op = arg;

	if (cmd_fs_check(op) == -1)
		return -1;
	return renameat(op->dfd, op->name, op->dfd2, op->name2);
}

static int
cmd_fs_changed(struct session *s, const char *path)
{
	return session_reply_error(s, MFTP_ST_IO,
	    "%s: changed by another session meanwhile; try again", path);
}

static int
cmd_fs_reserved(struct session *s, const char *path)
{
	return session_reply_error(s, MFTP_ST_INVALID,
	    "%s: names ending in .mftp-part are kept for uploads in progress",
	    path);
}

/*
 * An abandoned upload's partial may be discarded, but not one that an
 * upload holds (its OFD lock): that session would lose its data.  Only
 * the file locked here is removed (checked under the accounting lock).
 */
static int
cmd_remove_partial(
    struct session *s, const char *path, int dfd, const char *name)
{
	char why[SESSION_WHY_MAX];
	struct cmd_fs_op op;
	struct stat st;
	uint32_t status;
	int fd, ret, counted;

	fd = openat(
	    dfd, name, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd == -1)
		return session_reply_errno(s, errno, path);
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode))
		ret = cmd_fs_reserved(s, path);
	else if ((ret = upload_lock_partial(s, fd)) == ERR_STOPPED)
		; /* the session's end answers it (session_stop) */
	else if (ret == -1)
		ret = errno == EAGAIN ?
		    session_reply_error(s, MFTP_ST_LOCKED,
			"%s: an upload in progress is using it", path) :
		    session_reply_errno(s, errno, path);
	/* Its size, now no upload writes. */
	else if ((counted = cmd_at_stat(s, fd, "", &st)) == -1)
		ret = session_reply_errno(s, errno, path);
	else {
		memset(&op, 0, sizeof(op));
		op.dfd = dfd;
		op.name = name;
		op.st = &st;
		status = cmd_quota_change(s, path,
		    counted ? -(int64_t)quota_entry_bytes(&st) : 0, -counted,
		    cmd_fs_unlink, &op, why, sizeof(why));
		if (status != 0 && op.stale)
			/* Committed or replaced meanwhile: nothing to
			 * discard. */
			ret = session_reply_errno(s, ENOENT, path);
		else if (status != 0)
			ret = session_reply_error(s, status, "%s", why);
		else
			ret = session_reply_ok(s);
	}
	close(fd);
	return ret;
}

/*
 * REMOVE (dir_wanted 0) and RMDIR (1): price the entry, then remove it
 * if it is still the one priced.
 */
static int
cmd_fs_remove(struct session *s, const char *path, int dir_wanted)
{
	char why[SESSION_WHY_MAX], *name;
	struct cmd_fs_op op;
	struct stat st;
	uint32_t status;
	int dfd, tries, ret, counted;

	if (path[0] == '\0')
		return session_reply_error(s, MFTP_ST_INVALID, "empty name");
	if ((dfd = cmd_at_open(path, &name)) == -1)
		return cmd_at_failed(s, path);
	if (!dir_wanted && cmd_put_is_partial(name) && !cmd_at_slashed(path)) {
		ret = cmd_remove_partial(s, path, dfd, name);
		cmd_at_close(dfd, name);
		return ret;
	}
	for (tries = 0; tries < CMD_FS_TRIES; tries++) {
		if ((counted = cmd_at_stat(s, dfd, name, &st)) == -1) {
			ret = session_reply_errno(s, errno, path);
			goto out;
		}
		if (!dir_wanted && S_ISDIR(st.st_mode)) {
			ret = session_reply_error(s, MFTP_ST_IS_DIR,
			    "%s: is a directory (use rmdir)", path);
			goto out;
		}
		/* "f/" is no name of a file, nor of a link. */
		if ((dir_wanted || cmd_at_slashed(path)) &&
		    !S_ISDIR(st.st_mode)) {
			ret = session_reply_errno(s, ENOTDIR, path);
			goto out;
		}
		memset(&op, 0, sizeof(op));
		op.dfd = dfd;
		op.name = name;
		op.st = &st;
		op.flags = dir_wanted ? AT_REMOVEDIR : 0;
		status = cmd_quota_change(s, path,
		    counted ? -(int64_t)quota_entry_bytes(&st) : 0, -counted,
		    cmd_fs_unlink, &op, why, sizeof(why));
		if (status == 0) {
			ret = session_reply_ok(s);
			goto out;
		}
		if (!op.stale) {
			/* POSIX lets rmdir say EEXIST for "not empty". */
			ret = dir_wanted && errno == EEXIST ?
			    session_reply_errno(s, ENOTEMPTY, path) :
			    session_reply_error(s, status, "%s", why);
			goto out;
		}
	}
	ret = cmd_fs_changed(s, path);
out:
	cmd_at_close(dfd, name);
	return ret;
}

int
cmd_remove(struct session *s, const struct msg *m)
{
	return cmd_fs_remove(s, m->path, 0);
}

int
cmd_rmdir(struct session *s, const struct msg *m)
{
	return cmd_fs_remove(s, m->path, 1);
}

uint32_t
cmd_fs_move(struct session *s, int dfd, const char *from,
    const struct stat *fst, int dfd2, const char *to, const char *fromwhat,
    const char *towhat, char *why, size_t whylen)
{
	struct cmd_fs_op op;
	struct stat now, tst;
	uint32_t status;
	int tries, exists, replaces, counted;

	for (tries = 0; tries < CMD_FS_TRIES; tries++) {
		if (fst == NULL &&
		    fstatat(dfd, from, &now, AT_SYMLINK_NOFOLLOW) == -1) {
			snprintf(
			    why, whylen, "%s: %s", fromwhat, strerror(errno));
			return session_status(errno);
		}
		exists = (counted = cmd_at_stat(s, dfd2, to, &tst)) != -1;
		/*
		 * Only "nothing there" is a target to rename onto; a name
		 * that cannot be looked at (too long, a directory without
		 * search permission) would fail the check under the lock
		 * every time and read as another session's doing.
		 */
		if (!exists && errno != ENOENT) {
			snprintf(
			    why, whylen, "%s: %s", towhat, strerror(errno));
			return session_status(errno);
		}
		/* "d/" on either side: a directory onto nothing or one
		 * (checked again under the lock with the rest). */
		if (cmd_at_slashed(fromwhat) || cmd_at_slashed(towhat)) {
			/*
			 * The entry moved is no directory: its own "d/" is
			 * said as such, else the target's '/' is why.
			 */
			if (!S_ISDIR((fst != NULL ? fst : &now)->st_mode)) {
				if (cmd_at_slashed(fromwhat))
					snprintf(why, whylen, "%s: %s",
					    fromwhat, strerror(ENOTDIR));
				else
					snprintf(why, whylen,
					    "%s: not a directory, which a "
					    "name that ends in '/' (%s) "
					    "must be",
					    fromwhat, towhat);
				return MFTP_ST_NOT_DIR;
			}
			if (exists && !S_ISDIR(tst.st_mode)) {
				snprintf(why, whylen, "%s: %s", towhat,
				    strerror(ENOTDIR));
				return MFTP_ST_NOT_DIR;
			}
		}
		memset(&op, 0, sizeof(op));
		op.dfd = dfd;
		op.name = from;
		op.st = fst != NULL ? fst : &now;
		op.dfd2 = dfd2;
		op.name2 = to;
		op.st2 = exists ? &tst : NULL;
		/* Two names of one file: rename(2) does nothing, frees
		 * nothing; nor does replacing what the count leaves out. */
		replaces = exists && counted &&
		    (tst.st_dev != op.st->st_dev ||
			tst.st_ino != op.st->st_ino);
		status = cmd_quota_change(s, towhat,
		    replaces ? -(int64_t)quota_entry_bytes(&tst) : 0,
		    replaces ? -1 : 0, cmd_fs_rename, &op, why, whylen);
		if (status == 0 || !op.stale)
			return status;
		/* The entry moved is fixed: if it is no longer there, the
		 * rename has nothing to move. */
		if (fst != NULL && !cmd_at_same(dfd, from, fst))
			break;
	}
	snprintf(why, whylen,
	    "%s: changed by another session meanwhile; try again", towhat);
	return MFTP_ST_IO;
}

int
cmd_rename(struct session *s, const struct msg *m)
{
	char why[SESSION_WHY_MAX], *from = NULL, *to = NULL;
	uint32_t status;
	int dfd = -1, dfd2 = -1, ret;

	if (m->path[0] == '\0' || m->path2[0] == '\0')
		return session_reply_error(s, MFTP_ST_INVALID, "empty name");
	if (cmd_put_is_partial(m->path))
		return cmd_fs_reserved(s, m->path);
	if (cmd_put_is_partial(m->path2))
		return cmd_fs_reserved(s, m->path2);
	/* A write like any other: refused while the accounting is damaged. */
	if ((status = cmd_quota_check(s, 0, 0, why, sizeof(why))) != 0)
		return session_reply_error(s, status, "%s", why);
	if ((dfd = cmd_at_open(m->path, &from)) == -1) {
		ret = cmd_at_failed(s, m->path);
		goto out;
	}
	if ((dfd2 = cmd_at_open(m->path2, &to)) == -1) {
		ret = cmd_at_failed(s, m->path2);
		goto out;
	}
	status = cmd_fs_move(
	    s, dfd, from, NULL, dfd2, to, m->path, m->path2, why, sizeof(why));
	if (status == MFTP_ST_IO && errno == EXDEV)
		ret = session_reply_error(s, MFTP_ST_INVALID,
		    "%s, %s: one is on another mount than the other (a "
		    "directory mounted into the home); a rename cannot move "
		    "an entry between them: download and upload it instead",
		    m->path, m->path2);
	/* rename(2)'s EINVAL: a directory into itself or below itself. */
	else if (status == MFTP_ST_INVALID && errno == EINVAL)
		ret = session_reply_error(s, MFTP_ST_INVALID,
		    "%s: %s cannot be moved into itself", m->path2, m->path);
	else if (status != 0)
		ret = session_reply_error(s, status, "%s", why);
	else
		ret = session_reply_ok(s);
out:
	cmd_at_close(dfd, from);
	cmd_at_close(dfd2, to);
	return ret;
}
