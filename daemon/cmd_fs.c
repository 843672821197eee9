/*
 * cmd_fs.c: REMOVE, RMDIR and RENAME, with the accounting file kept in
 * step.
 *
 * Runs as: the logged-in user, chrooted to the home.  What an entry
 * counts for (its size if it is a regular file, and one file) is taken
 * with lstat just before the change and given back once the change has
 * succeeded: a process killed in between leaves the count above the
 * real usage, never below.  A rename moves nothing between homes, so it
 * frees only what it replaces.
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

/* Bytes an entry counts for: regular files only. */
static uint64_t
cmd_fs_bytes(const struct stat *st)
{
	return S_ISREG(st->st_mode) ? (uint64_t)st->st_size : 0;
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
 * upload holds (its OFD lock): that session would lose its data.
 */
static int
cmd_remove_partial(struct session *s, const char *path)
{
	struct flock fl;
	struct stat st, named;
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
	else if (lstat(path, &named) == -1 || named.st_ino != st.st_ino ||
	    named.st_dev != st.st_dev)
		/* Committed or replaced meanwhile: nothing to discard. */
		ret = session_reply_errno(s, ENOENT, path);
	else if (unlink(path) == -1)
		ret = session_reply_errno(s, errno, path);
	else {
		cmd_quota_release(s, cmd_fs_bytes(&st), 1);
		ret = session_reply_ok(s);
	}
	close(fd);
	return ret;
}

int
cmd_remove(struct session *s, const struct msg *m)
{
	struct stat st;

	if (m->path[0] == '\0')
		return session_reply_error(s, MFTP_ST_INVALID, "empty name");
	if (cmd_put_is_partial(m->path))
		return cmd_remove_partial(s, m->path);
	if (lstat(m->path, &st) == -1)
		return session_reply_errno(s, errno, m->path);
	if (S_ISDIR(st.st_mode))
		return session_reply_error(s, MFTP_ST_IS_DIR,
		    "%s: is a directory (use rmdir)", m->path);
	if (unlink(m->path) == -1)
		return session_reply_errno(s, errno, m->path);
	cmd_quota_release(s, cmd_fs_bytes(&st), 1);
	return session_reply_ok(s);
}

int
cmd_rmdir(struct session *s, const struct msg *m)
{
	if (m->path[0] == '\0')
		return session_reply_error(s, MFTP_ST_INVALID, "empty name");
	if (rmdir(m->path) == -1) {
		/* POSIX lets rmdir say EEXIST for "not empty". */
		return session_reply_errno(
		    s, errno == EEXIST ? ENOTEMPTY : errno, m->path);
	}
	cmd_quota_release(s, 0, 1);
	return session_reply_ok(s);
}

int
cmd_rename(struct session *s, const struct msg *m)
{
	char why[MFTP_TEXT_MAX];
	struct stat from, to;
	uint32_t status;
	int replaces;

	if (m->path[0] == '\0' || m->path2[0] == '\0')
		return session_reply_error(s, MFTP_ST_INVALID, "empty name");
	if (cmd_put_is_partial(m->path))
		return cmd_fs_reserved(s, m->path);
	if (cmd_put_is_partial(m->path2))
		return cmd_fs_reserved(s, m->path2);
	/* A write like any other: refused while the accounting is damaged. */
	if ((status = cmd_quota_check(s, 0, 0, why, sizeof(why))) != 0)
		return session_reply_error(s, status, "%s", why);
	if (lstat(m->path, &from) == -1)
		return session_reply_errno(s, errno, m->path);
	/* Two names of one file: rename(2) does nothing, nothing is freed. */
	replaces = lstat(m->path2, &to) == 0 &&
	    (to.st_dev != from.st_dev || to.st_ino != from.st_ino);
	if (rename(m->path, m->path2) == -1)
		return session_reply_errno(s, errno, m->path2);
	if (replaces)
		cmd_quota_release(s, cmd_fs_bytes(&to), 1);
	return session_reply_ok(s);
}
