/*
 * cmd_fs.c: REMOVE, RMDIR and RENAME, with the accounting file kept in
 * step.
 *
 * Runs as: the logged-in user, chrooted to the home.  What an entry
 * counts for (its size if it is a regular file, and one file) is taken
 * with lstat, then the change is made and the count lowered under one
 * hold of the accounting file's lock (cmd_quota_change: the change
 * first, the count after it), so neither a kill nor a recount in between
 * can leave the count below the real usage.  Under the lock the entry is
 * looked at again: if another session changed it since it was priced,
 * it is priced again.  A rename moves nothing between homes, so it frees
 * only what it replaces.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "msg.h"
#include "proto.h"
#include "session.h"

/* How often a change is priced again when another session got between. */
#define CMD_FS_TRIES 5

/* One change, as priced: the entries it touches as lstat saw them. */
struct cmd_fs_op {
	const char *path;
	const char *path2;
	const struct stat *st;	/* path; NULL: nothing there */
	const struct stat *st2; /* path2; NULL: nothing there */
	int stale;		/* an entry changed since it was priced */
};

/* Under the lock: are the entries still as priced? */
static int
cmd_fs_check(struct cmd_fs_op *op)
{
	if (cmd_quota_same(op->path, op->st) &&
	    (op->path2 == NULL || cmd_quota_same(op->path2, op->st2)))
		return 0;
	op->stale = 1;
	errno = EAGAIN;
	return -1;
}

static int
cmd_fs_unlink(void *arg)
{
	struct cmd_fs_op *op = arg;

	return cmd_fs_check(op) == -1 ? -1 : unlink(op->path);
}

static int
cmd_fs_rmdir(void *arg)
{
	const struct cmd_fs_op *op = arg;

	return rmdir(op->path);
}

static int
cmd_fs_rename(void *arg)
{
	struct cmd_fs_op *op = arg;

	return cmd_fs_check(op) == -1 ? -1 : rename(op->path, op->path2);
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

/* The partial's name still leads to the file locked (st). */
static int
cmd_fs_unlink_partial(void *arg)
{
	const struct cmd_fs_op *op = arg;
	struct stat named;

	if (lstat(op->path, &named) == -1 || named.st_ino != op->st->st_ino ||
	    named.st_dev != op->st->st_dev) {
		/* Committed or replaced meanwhile: nothing to discard. */
		errno = ENOENT;
		return -1;
	}
	return unlink(op->path);
}

/*
 * An abandoned upload's partial may be discarded, but not one that an
 * upload holds (its OFD lock): that session would lose its data.
 */
static int
cmd_remove_partial(struct session *s, const char *path)
{
	char why[MFTP_TEXT_MAX];
	struct cmd_fs_op op;
	struct flock fl;
	struct stat st;
	uint32_t status;
	int fd, ret;

	fd = open(
	    path, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd == -1)
		return session_reply_errno(s, errno, path);
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode))
		ret = cmd_fs_reserved(s, path);
	else if (fcntl(fd, F_OFD_SETLK, &fl) == -1)
		ret = errno == EAGAIN || errno == EACCES ?
		    session_reply_error(s, MFTP_ST_LOCKED,
			"%s: an upload in progress is using it", path) :
		    session_reply_errno(s, errno, path);
	else if (fstat(fd, &st) == -1) /* its size, now no upload writes */
		ret = session_reply_errno(s, errno, path);
	else {
		memset(&op, 0, sizeof(op));
		op.path = path;
		op.st = &st;
		status = cmd_quota_change(s, path,
		    -(int64_t)cmd_quota_bytes(&st), -1, cmd_fs_unlink_partial,
		    &op, why, sizeof(why));
		ret = status != 0 ? session_reply_error(s, status, "%s", why) :
				    session_reply_ok(s);
	}
	close(fd);
	return ret;
}

int
cmd_remove(struct session *s, const struct msg *m)
{
	char why[MFTP_TEXT_MAX];
	struct cmd_fs_op op;
	struct stat st;
	uint32_t status;
	int tries;

	if (m->path[0] == '\0')
		return session_reply_error(s, MFTP_ST_INVALID, "empty name");
	if (cmd_put_is_partial(m->path))
		return cmd_remove_partial(s, m->path);
	for (tries = 0; tries < CMD_FS_TRIES; tries++) {
		if (lstat(m->path, &st) == -1)
			return session_reply_errno(s, errno, m->path);
		if (S_ISDIR(st.st_mode))
			return session_reply_error(s, MFTP_ST_IS_DIR,
			    "%s: is a directory (use rmdir)", m->path);
		memset(&op, 0, sizeof(op));
		op.path = m->path;
		op.st = &st;
		status = cmd_quota_change(s, m->path,
		    -(int64_t)cmd_quota_bytes(&st), -1, cmd_fs_unlink, &op, why,
		    sizeof(why));
		if (status == 0)
			return session_reply_ok(s);
		if (!op.stale)
			return session_reply_error(s, status, "%s", why);
	}
	return cmd_fs_changed(s, m->path);
}

int
cmd_rmdir(struct session *s, const struct msg *m)
{
	char why[MFTP_TEXT_MAX];
	struct cmd_fs_op op;

	if (m->path[0] == '\0')
		return session_reply_error(s, MFTP_ST_INVALID, "empty name");
	memset(&op, 0, sizeof(op));
	op.path = m->path;
	if (cmd_quota_change(
		s, m->path, 0, -1, cmd_fs_rmdir, &op, why, sizeof(why)) != 0) {
		/* POSIX lets rmdir say EEXIST for "not empty". */
		return session_reply_errno(
		    s, errno == EEXIST ? ENOTEMPTY : errno, m->path);
	}
	return session_reply_ok(s);
}

uint32_t
cmd_fs_move(struct session *s, const char *from, const char *to, char *why,
    size_t whylen)
{
	struct cmd_fs_op op;
	struct stat fst, tst;
	uint32_t status;
	int tries, exists, replaces;

	for (tries = 0; tries < CMD_FS_TRIES; tries++) {
		if (lstat(from, &fst) == -1) {
			snprintf(why, whylen, "%s: %s", from, strerror(errno));
			return session_status(errno);
		}
		exists = lstat(to, &tst) == 0;
		/* Two names of one file: rename(2) does nothing, frees
		 * nothing. */
		replaces = exists &&
		    (tst.st_dev != fst.st_dev || tst.st_ino != fst.st_ino);
		memset(&op, 0, sizeof(op));
		op.path = from;
		op.path2 = to;
		op.st = &fst;
		op.st2 = exists ? &tst : NULL;
		status = cmd_quota_change(s, to,
		    replaces ? -(int64_t)cmd_quota_bytes(&tst) : 0,
		    replaces ? -1 : 0, cmd_fs_rename, &op, why, whylen);
		if (status == 0 || !op.stale)
			return status;
	}
	snprintf(why, whylen,
	    "%s: changed by another session meanwhile; try again", to);
	return MFTP_ST_IO;
}

int
cmd_rename(struct session *s, const struct msg *m)
{
	char why[MFTP_TEXT_MAX];
	uint32_t status;

	if (m->path[0] == '\0' || m->path2[0] == '\0')
		return session_reply_error(s, MFTP_ST_INVALID, "empty name");
	if (cmd_put_is_partial(m->path))
		return cmd_fs_reserved(s, m->path);
	if (cmd_put_is_partial(m->path2))
		return cmd_fs_reserved(s, m->path2);
	/* A write like any other: refused while the accounting is damaged. */
	if ((status = cmd_quota_check(s, 0, 0, why, sizeof(why))) != 0 ||
	    (status = cmd_fs_move(s, m->path, m->path2, why, sizeof(why))) != 0)
		return session_reply_error(s, status, "%s", why);
	return session_reply_ok(s);
}
