/*
 * upload.c: the partial file of an upload (PUT, cmd_put.c) and its share
 * of the quota: opened or made in the directory the PUT named, locked,
 * resumed or emptied, dropped, and the reservation of the bytes still
 * to come.
 *
 * Runs as: the logged-in user, chrooted to the home.  Every step works
 * relative to the directory opened at the start (cmd_at_open) and on the
 * partial through the descriptor it opened and locked: another session
 * renaming a directory meanwhile cannot make it act on another file.
 * Each change of the partial (made, emptied, deleted) is made under one
 * hold of the accounting lock with the change of the count
 * (cmd_quota_change); never across a network wait.  An upload into a
 * directory that is not on the home's mount (a share bound into the
 * home) is neither charged nor credited, nor does it reserve: the count
 * of the home leaves it out (quota.h).
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "err.h"
#include "hashcache.h"
#include "log.h"
#include "msg.h"
#include "ofdlock.h"
#include "proto.h"
#include "session.h"
#include "transport.h"
#include "upload.h"
#include "util.h"

/*
 * Open the target's directory, once: every later step works relative to
 * it, so that another session renaming a directory on the path
 * meanwhile cannot make two steps act on two different partials.  0, or
 * -1 with p->status set.
 */
int
upload_at(struct session *s, struct upload *p)
{
	const char *path = p->m->path;
	struct stat st;

	/* A directory that is missing, a file or unsearchable is said as
	 * such; only a path that names no file (d/, ..) is INVALID. */
	if (path[strlen(path) - 1] != '/' &&
	    (p->dfd = cmd_at_open(path, &p->name)) == -1 && errno != EINVAL) {
		upload_fail_errno(p, errno, path);
		return -1;
	}
	if (p->dfd == -1) {
		upload_fail(p, MFTP_ST_INVALID, "%s: not a file name", path);
		return -1;
	}
	/* Anything there but nothing (a file, a name that cannot be looked
	 * at): PUT_DATA's store replaces it as any upload does. */
	if (fstatat(p->dfd, p->name, &st, 0) == 0) {
		if (S_ISDIR(st.st_mode)) {
			upload_fail(
			    p, MFTP_ST_IS_DIR, "%s: is a directory", path);
			return -1;
		}
		p->target_seen = 1;
	} else
		p->target_seen = errno != ENOENT;
	p->part = partial_name(p->name);
	p->counted = cmd_at_counts(s, p->dfd);
	return 0;
}

/* Keep the first failure: it is the one the client is told. */
void
upload_fail(struct upload *p, uint32_t status, const char *fmt, ...)
{
	va_list ap;

	if (p->status != 0)
		return;
	p->status = status;
	va_start(ap, fmt);
	vsnprintf(p->why, sizeof(p->why), fmt, ap);
	va_end(ap);
}

void
upload_fail_errno(struct upload *p, int err, const char *what)
{
	upload_fail(p, session_status(err), "%s: %s", what, strerror(err));
}

/*
 * How long a request waits for a partial another session holds, and the
 * longest pause between two looks.  The usual holder is the user's own
 * session whose client just stopped (Ctrl-C, then the same command again
 * at once): it lets go as soon as it has seen the reset and stored what
 * its socket held, which on a busy machine can come after the next
 * session has logged in and asked.  One that goes on uploading holds it
 * for as long as that takes: the wait is short, and the refusal comes
 * after it.
 */
#define UPLOAD_LOCK_WAIT_MS 5000
#define UPLOAD_LOCK_PAUSE_MAX_MS 20

/* A session told to end (session_watch) stops waiting. */
static int
upload_lock_stop(void *arg)
{
	struct session *s = arg;

	return transport_check(s->t) != 0;
}

int
upload_lock_partial(struct session *s, int fd)
{
	struct flock fl;
	int r;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	r = ofd_lock_poll(fd, &fl, mono_ms() + UPLOAD_LOCK_WAIT_MS,
	    UPLOAD_LOCK_PAUSE_MAX_MS, upload_lock_stop, s);
	if (r == ERR_TIMEOUT) {
		errno = EAGAIN;
		return -1;
	}
	return r == ERR_IO ? -1 : r;
}

/*
 * Take the partial's lock; then make sure the name still leads to what
 * is locked (the last holder may have committed or deleted it).
 * 1 locked, 0 stale (try again), -1 failed (p->status set).
 */
static int
upload_lock(struct session *s, struct upload *p, const struct stat *st)
{
	struct stat named;
	int r;

	if ((r = upload_lock_partial(s, p->fd)) == ERR_STOPPED) {
		/* No reply: the session's end answers the request. */
		p->stopped = 1;
		upload_fail(
		    p, MFTP_ST_LOCKED, "%s: the session is ending", p->m->path);
		return -1;
	}
	if (r == -1) {
		/*
		 * It may be the user's own, whose connection was lost
		 * without a word (a laptop's network gone): how long that
		 * holds it, so that the user knows when to try again.
		 */
		if (errno == EAGAIN)
			upload_fail(p, MFTP_ST_LOCKED,
			    "%s: another session is uploading this file (one "
			    "that lost its connection holds it for up to %u s)",
			    p->m->path, s->lost_within);
		else
			upload_fail_errno(p, errno, p->part);
		return -1;
	}
	if (fstatat(p->dfd, p->part, &named, AT_SYMLINK_NOFOLLOW) == -1 ||
	    named.st_dev != st->st_dev || named.st_ino != st->st_ino)
		return 0;
	return 1;
}

/* Create the partial (under the accounting lock, charged one file). */
static int
upload_create(void *arg)
{
	const int flags = O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC | O_CREAT | O_EXCL;
	struct upload *p = arg;

	if ((p->fd = openat(p->dfd, p->part, flags, 0600)) == -1) {
		p->exists = errno == EEXIST;
		return -1;
	}
	return 0;
}

/*
 * Open (or create) the partial and lock it.  A new one is charged one
 * file as it is created, a PUT's after checking there is room for the
 * whole upload.  0, or -1 with p->status set.
 */
int
upload_open(struct session *s, struct upload *p)
{
	const int flags = O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC;
	struct stat st;
	uint32_t status;
	int tries, r;

	for (tries = 0; tries < 3; tries++) {
		p->created = 0;
		/* O_NONBLOCK: a FIFO in its place must not hang the open. */
		if ((p->fd = openat(p->dfd, p->part, flags)) == -1 &&
		    errno == ENOENT) {
			/*
			 * A PUT's room is looked at first: it is refused
			 * before a partial is made.  PUT_DATA's bytes are
			 * on their way already, and are checked as they
			 * are charged: a look would be one more hold of
			 * the lock for each small file.
			 */
			if (!p->inline_data &&
			    (status = cmd_quota_check(s,
				 p->counted ? p->m->size : 0, p->counted,
				 p->why, sizeof(p->why))) != 0) {
				p->status = status;
				return -1;
			}
			p->exists = 0;
			status = cmd_quota_change(s, p->m->path, 0, p->counted,
			    upload_create, p, p->why, sizeof(p->why));
			if (status != 0) {
				if (p->exists)
					continue;
				p->status = status;
				return -1;
			}
			p->created = 1;
		}
		if (p->fd == -1) {
			if (errno == ELOOP)
				upload_fail(p, MFTP_ST_INVALID,
				    "%s: %s is not a regular file", p->m->path,
				    p->part);
			else
				upload_fail_errno(p, errno, p->m->path);
			return -1;
		}
		/* Never write through a link or into a device or FIFO. */
		if (fstat(p->fd, &st) == -1) {
			upload_fail_errno(p, errno, p->part);
			return -1;
		}
		if (!S_ISREG(st.st_mode) || st.st_nlink != 1) {
			upload_fail(p, MFTP_ST_INVALID,
			    "%s: %s is not a plain file", p->m->path, p->part);
			return -1;
		}
		/*
		 * Another uid's (in a share that others may write): the
		 * upload would end as that uid's file, whose mode and
		 * contents it controls.
		 */
		if (st.st_uid != s->uid) {
			upload_fail(p, MFTP_ST_PERM,
			    "%s: %s belongs to another user", p->m->path,
			    p->part);
			return -1;
		}
		if ((r = upload_lock(s, p, &st)) == -1)
			return -1;
		/*
		 * Its size once locked: the last holder may have written
		 * its last chunk after the fstat above.
		 */
		if (r == 1 && fstat(p->fd, &st) == -1) {
			upload_fail_errno(p, errno, p->part);
			return -1;
		}
		if (r == 1) {
			p->written = (uint64_t)st.st_size;
			return 0;
		}
		close(p->fd);
		p->fd = -1;
	}
	upload_fail(p, MFTP_ST_LOCKED, "%s: another session is uploading it",
	    p->m->path);
	return -1;
}

static void
upload_key(uint8_t key[UPLOAD_KEY_LEN], uint64_t size, int64_t mtime)
{
	int i;

	for (i = 0; i < 8; i++) {
		key[i] = (uint8_t)(size >> (56 - 8 * i));
		key[8 + i] = (uint8_t)((uint64_t)mtime >> (56 - 8 * i));
	}
}

/* Empty the partial through its descriptor: exactly what was counted. */
static int
upload_empty(void *arg)
{
	const struct upload *p = arg;

	return ftruncate(p->fd, 0);
}

/* Remove the partial's name, if it still leads to the file held. */
static int
upload_unlink(void *arg)
{
	const struct upload *p = arg;
	struct stat st;

	if (fstat(p->fd, &st) == -1)
		return -1;
	if (!cmd_at_same(p->dfd, p->part, &st)) {
		errno = ENOENT;
		return -1;
	}
	return unlinkat(p->dfd, p->part, 0);
}

/*
 * Empty the partial, or delete it, and give back its share: the bytes
 * through the descriptor (whatever its name is now), then the name only
 * if it still leads to that file.  A failure is p->status unless there
 * was one (a delete is best effort: the next PUT finds the partial).
 * 0 or -1.
 */
int
upload_drop(struct session *s, struct upload *p, int delete)
{
	char why[SESSION_WHY_MAX];
	uint32_t status = 0;

	if (p->written > 0) {
		status = cmd_quota_change(s, p->m->path,
		    p->counted ? -(int64_t)p->written : 0, 0, upload_empty, p,
		    why, sizeof(why));
		if (status == 0)
			p->written = 0;
	}
	if (status == 0 && delete) {
		status = cmd_quota_change(s, p->m->path, 0, -p->counted,
		    upload_unlink, p, why, sizeof(why));
		p->dropped = status == 0;
	}
	if (status != 0) {
		upload_fail(p, status, "%s", why);
		return -1;
	}
	return 0;
}

/*
 * How much of the partial to keep: all of it when it was left by an
 * upload of the same source (same size and mtime) and is no longer than
 * it; else nothing, and the partial is emptied and marked for this
 * source.  0, or -1 with p->status set.
 */
int
upload_resume(struct session *s, struct upload *p)
{
	uint8_t key[UPLOAD_KEY_LEN], have[UPLOAD_KEY_LEN];
	ssize_t n;

	/*
	 * No checksum cached on a partial outlives this upload: the data
	 * about to be written (or emptied and rewritten) may leave size
	 * and time as they were, and a value of the other algorithm would
	 * then be believed for the committed file.  Only the commit caches
	 * one, on the file it committed.
	 */
	if (!p->created)
		hashcache_clear(p->fd);
	/*
	 * PUT_DATA sends the whole file: nothing is kept, and no resume
	 * key is written, since no PUT_DATA resumes; a key an earlier PUT
	 * left goes, as it no longer says what the partial holds.
	 */
	if (p->inline_data) {
		p->offset = 0;
		if (!p->created)
			(void)fremovexattr(p->fd, UPLOAD_RESUME_XATTR);
		return p->written > 0 ? upload_drop(s, p, 0) : 0;
	}
	upload_key(key, p->m->size, p->m->mtime);
	n = fgetxattr(p->fd, UPLOAD_RESUME_XATTR, have, sizeof(have));
	if (!p->created && n == (ssize_t)sizeof(have) &&
	    memcmp(have, key, sizeof(key)) == 0 && p->written <= p->m->size) {
		p->offset = p->written;
		return 0;
	}
	p->offset = 0;
	if (p->written > 0 && upload_drop(s, p, 0) == -1)
		return -1;
	/* Without attributes an upload just cannot be resumed. */
	(void)fsetxattr(p->fd, UPLOAD_RESUME_XATTR, key, sizeof(key), 0);
	return 0;
}

/*
 * Reserve the bytes still to come, under the accounting lock, before
 * PUT_READY: concurrent uploads of the user that together need more
 * than the room left are refused here, before any data is sent, instead
 * of each filling part of the room with a partial.  0, or -1 with
 * p->status set.
 */
int
upload_reserve(struct session *s, struct upload *p)
{
	const uint64_t need = p->m->size - p->offset;
	uint32_t status;

	if (need == 0 || !p->counted)
		return 0;
	status = cmd_quota_change_reserved(s, p->m->path, 0, 0, (int64_t)need,
	    &p->reserve_set, NULL, NULL, p->why, sizeof(p->why));
	if (status != 0) {
		p->status = status;
		return -1;
	}
	p->reserved = need;
	return 0;
}

/*
 * Give back what the upload reserved and did not write (it failed, or
 * the connection was lost).  If this fails, or the process is killed
 * before, the reservation stays in the accounting file: the user is
 * refused more than needed until a recount, never less.  One that a
 * recount dropped meanwhile gives back nothing: what is reserved then
 * is other uploads' room (quota_change_reserved).
 */
void
upload_release(struct session *s, struct upload *p)
{
	char why[SESSION_WHY_MAX], *v;

	if (p->reserved == 0)
		return;
	if (cmd_quota_change_reserved(s, p->m->path, 0, 0,
		-(int64_t)p->reserved, &p->reserve_set, NULL, NULL, why,
		sizeof(why)) == 0 ||
	    p->reserve_set == 0)
		p->reserved = 0;
	else {
		v = session_log_path(p->m->path);
		log_warnx("user=%s: %s: reservation not given back: %s",
		    s->user, v, why);
		free(v);
	}
}
