/*
 * cmd_put.c: PUT, the upload, verified, resumable and charged to the
 * user's quota as it is written.
 *
 * Runs as: the logged-in user, chrooted to the home.  The data goes to a
 * partial file ".NAME.mftp-part" beside the target, held with an OFD
 * write lock while in use (a second session gets ERROR LOCKED) and
 * marked with the resume key (the source's size and mtime) in the
 * attribute user.mftp.resume.  A repeated PUT with the same key goes on
 * from the partial's end.  The SHA-256 of the whole file is computed
 * once, the kept prefix read back and the rest hashed as it arrives; the
 * partial replaces the target (rename) only when it equals the client's.
 * An interrupted or failed upload never touches the target and keeps
 * its data for the next PUT; a mismatched one is deleted.
 * Each change of the partial (made, grown by a received chunk, emptied,
 * deleted, committed) is made under one hold of the accounting lock with
 * the change of the count (cmd_quota_change); never across a network wait.
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
#include "frame.h"
#include "hashcache.h"
#include "log.h"
#include "msg.h"
#include "proto.h"
#include "session.h"
#include "sha256.h"
#include "transport.h"
#include "util.h"

#define CMD_PUT_SUFFIX ".mftp-part"
#define CMD_PUT_RESUME_XATTR "user.mftp.resume"
#define CMD_PUT_KEY_LEN 16 /* u64 size, i64 mtime, big-endian */

/* One upload in progress. */
struct cmd_put {
	const struct msg *m;
	int dfd;	   /* the target's directory, opened at the start */
	char *name;	   /* the target's name in dfd */
	char *part;	   /* the partial's name in dfd */
	int fd;		   /* the partial, OFD write-locked */
	int created;	   /* this request created the partial */
	int exists;	   /* the partial appeared before it was created */
	uint64_t offset;   /* bytes of the partial kept */
	uint64_t written;  /* the partial's size now */
	uint64_t received; /* raw bytes read in this request */
	uint64_t reserved; /* reserved for this upload, not yet written */
	uint8_t *chunk;	   /* received, to be written */
	size_t chunk_len;
	uint32_t status; /* first failure: MFTP_ST_*, 0 none */
	char why[MFTP_TEXT_MAX];
};

/* The last component of path, without trailing slashes: at and len. */
static void
cmd_put_last(const char *path, const char **at, size_t *len)
{
	size_t end = strlen(path), start;

	while (end > 1 && path[end - 1] == '/')
		end--;
	for (start = end; start > 0 && path[start - 1] != '/'; start--)
		;
	*at = path + start;
	*len = end - start;
}

int
cmd_put_is_partial(const char *path)
{
	const size_t n = sizeof(CMD_PUT_SUFFIX) - 1;
	const char *at;
	size_t len;

	cmd_put_last(path, &at, &len);
	return len >= n && memcmp(at + len - n, CMD_PUT_SUFFIX, n) == 0;
}

static void cmd_put_fail(struct cmd_put *p, uint32_t status, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

/*
 * Open the target's directory, once: every later step works relative to
 * it, so that another session renaming a directory on the path
 * meanwhile cannot make two steps act on two different partials.  0, or
 * -1 with p->status set.
 */
static int
cmd_put_at(struct cmd_put *p)
{
	const char *path = p->m->path;
	struct stat st;

	if (path[strlen(path) - 1] == '/' ||
	    (p->dfd = cmd_at_open(path, &p->name)) == -1) {
		cmd_put_fail(p, MFTP_ST_INVALID, "%s: not a file name", path);
		return -1;
	}
	if (fstatat(p->dfd, p->name, &st, 0) == 0 && S_ISDIR(st.st_mode)) {
		cmd_put_fail(p, MFTP_ST_IS_DIR, "%s: is a directory", path);
		return -1;
	}
	xasprintf(&p->part, ".%s%s", p->name, CMD_PUT_SUFFIX);
	return 0;
}

/* Keep the first failure: it is the one the client is told. */
static void
cmd_put_fail(struct cmd_put *p, uint32_t status, const char *fmt, ...)
{
	va_list ap;

	if (p->status != 0)
		return;
	p->status = status;
	va_start(ap, fmt);
	vsnprintf(p->why, sizeof(p->why), fmt, ap);
	va_end(ap);
}

static void
cmd_put_fail_errno(struct cmd_put *p, int err, const char *what)
{
	cmd_put_fail(p, session_status(err), "%s: %s", what, strerror(err));
}

/*
 * Take the partial's lock; then make sure the name still leads to what
 * is locked (the last holder may have committed or deleted it).
 * 1 locked, 0 stale (try again), -1 failed (p->status set).
 */
static int
cmd_put_lock(struct cmd_put *p, const struct stat *st)
{
	struct flock fl;
	struct stat named;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(p->fd, F_OFD_SETLK, &fl) == -1) {
		if (errno == EAGAIN || errno == EACCES)
			cmd_put_fail(p, MFTP_ST_LOCKED,
			    "%s: another session is uploading this file",
			    p->m->path);
		else
			cmd_put_fail_errno(p, errno, p->part);
		return -1;
	}
	if (fstatat(p->dfd, p->part, &named, AT_SYMLINK_NOFOLLOW) == -1 ||
	    named.st_dev != st->st_dev || named.st_ino != st->st_ino)
		return 0;
	return 1;
}

/* Create the partial (under the accounting lock, charged one file). */
static int
cmd_put_create(void *arg)
{
	const int flags = O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC | O_CREAT | O_EXCL;
	struct cmd_put *p = arg;

	if ((p->fd = openat(p->dfd, p->part, flags, 0600)) == -1) {
		p->exists = errno == EEXIST;
		return -1;
	}
	return 0;
}

/*
 * Open (or create) the partial and lock it.  A new one is charged one
 * file, after checking there is room for the whole upload, as it is
 * created.  0, or -1 with p->status set.
 */
static int
cmd_put_open(struct session *s, struct cmd_put *p)
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
			if ((status = cmd_quota_check(s, p->m->size, 1, p->why,
				 sizeof(p->why))) != 0) {
				p->status = status;
				return -1;
			}
			p->exists = 0;
			status = cmd_quota_change(s, p->m->path, 0, 1,
			    cmd_put_create, p, p->why, sizeof(p->why));
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
				cmd_put_fail(p, MFTP_ST_INVALID,
				    "%s: %s is not a regular file", p->m->path,
				    p->part);
			else
				cmd_put_fail_errno(p, errno, p->m->path);
			return -1;
		}
		/* Never write through a link or into a device or FIFO. */
		if (fstat(p->fd, &st) == -1) {
			cmd_put_fail_errno(p, errno, p->part);
			return -1;
		}
		if (!S_ISREG(st.st_mode) || st.st_nlink != 1) {
			cmd_put_fail(p, MFTP_ST_INVALID,
			    "%s: %s is not a plain file", p->m->path, p->part);
			return -1;
		}
		if ((r = cmd_put_lock(p, &st)) == -1)
			return -1;
		if (r == 1) {
			p->written = (uint64_t)st.st_size;
			return 0;
		}
		close(p->fd);
		p->fd = -1;
	}
	cmd_put_fail(p, MFTP_ST_LOCKED, "%s: another session is uploading it",
	    p->m->path);
	return -1;
}

static void
cmd_put_key(uint8_t key[CMD_PUT_KEY_LEN], uint64_t size, int64_t mtime)
{
	int i;

	for (i = 0; i < 8; i++) {
		key[i] = (uint8_t)(size >> (56 - 8 * i));
		key[8 + i] = (uint8_t)((uint64_t)mtime >> (56 - 8 * i));
	}
}

/* Empty the partial through its descriptor: exactly what was counted. */
static int
cmd_put_empty(void *arg)
{
	const struct cmd_put *p = arg;

	return ftruncate(p->fd, 0);
}

/* Remove the partial's name, if it still leads to the file held. */
static int
cmd_put_unlink(void *arg)
{
	const struct cmd_put *p = arg;
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
static int
cmd_put_drop(struct session *s, struct cmd_put *p, int delete)
{
	char why[MFTP_TEXT_MAX];
	uint32_t status = 0;

	if (p->written > 0) {
		status = cmd_quota_change(s, p->m->path, -(int64_t)p->written,
		    0, cmd_put_empty, p, why, sizeof(why));
		if (status == 0)
			p->written = 0;
	}
	if (status == 0 && delete)
		status = cmd_quota_change(
		    s, p->m->path, 0, -1, cmd_put_unlink, p, why, sizeof(why));
	if (status != 0) {
		cmd_put_fail(p, status, "%s", why);
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
static int
cmd_put_resume(struct session *s, struct cmd_put *p)
{
	uint8_t key[CMD_PUT_KEY_LEN], have[CMD_PUT_KEY_LEN];
	ssize_t n;

	cmd_put_key(key, p->m->size, p->m->mtime);
	n = fgetxattr(p->fd, CMD_PUT_RESUME_XATTR, have, sizeof(have));
	if (!p->created && n == (ssize_t)sizeof(have) &&
	    memcmp(have, key, sizeof(key)) == 0 && p->written <= p->m->size) {
		p->offset = p->written;
		return 0;
	}
	p->offset = 0;
	if (p->written > 0 && cmd_put_drop(s, p, 0) == -1)
		return -1;
	/* Without attributes an upload just cannot be resumed. */
	(void)fsetxattr(p->fd, CMD_PUT_RESUME_XATTR, key, sizeof(key), 0);
	return 0;
}

/*
 * Write the chunk at the partial's end (under the accounting lock, just
 * charged).  A failure undoes what it wrote, so the charge is taken
 * back; if even that fails the charge stays (the count errs high).
 */
static int
cmd_put_write(void *arg)
{
	struct cmd_put *p = arg;
	const uint8_t *data = p->chunk;
	size_t len = p->chunk_len;
	uint64_t at = p->written;
	ssize_t w;
	int err;

	while (len > 0) {
		w = pwrite(p->fd, data, len, (off_t)at);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			err = w == -1 ? errno : EIO;
			if (ftruncate(p->fd, (off_t)p->written) == 0) {
				errno = err;
				return -1;
			}
			p->written = at;
			cmd_put_fail_errno(p, err, p->m->path);
			return 0;
		}
		at += (uint64_t)w;
		data += w;
		len -= (size_t)w;
	}
	p->written = at;
	return 0;
}

/*
 * Read the announced bytes a chunk at a time; hash each, then charge and
 * write it under one hold of the accounting lock.  After a failure the
 * rest is read and dropped, so the stream stays in step.  0, or the
 * transport's error.
 */
static int
cmd_put_receive(struct session *s, struct cmd_put *p)
{
	uint64_t left = p->m->size - p->offset;
	uint32_t status;
	size_t want, have;
	uint64_t moved;
	ssize_t n = 0;

	p->chunk = xmalloc(MFTP_QUOTA_CHUNK);
	while (left > 0 && n >= 0) {
		want = left > MFTP_QUOTA_CHUNK ? MFTP_QUOTA_CHUNK :
						 (size_t)left;
		/* All of it before the lock: never held across a wait. */
		for (have = 0; have < want; have += (size_t)n)
			if ((n = transport_read_some(
				 s->t, p->chunk + have, want - have)) < 0)
				break;
		left -= have;
		p->received += have;
		/* What came before a lost connection is kept, to resume. */
		if (p->status != 0 || have == 0)
			continue;
		sha256_update(s->sha, p->chunk, have);
		p->chunk_len = have;
		/* From the reservation to the usage, in the charge's one
		 * write: no more system calls a chunk than without it. */
		moved = have < p->reserved ? have : p->reserved;
		status = cmd_quota_change_reserved(s, p->m->path, (int64_t)have,
		    0, -(int64_t)moved, cmd_put_write, p, p->why,
		    sizeof(p->why));
		if (status == 0) {
			p->reserved -= moved;
			continue;
		}
		p->status = status;
		/* Refused: nothing of this chunk is written.  Tell what all
		 * the rest needs, not this chunk. */
		if (status == MFTP_ST_QUOTA)
			(void)cmd_quota_check(s, p->m->size - p->written, 0,
			    p->why, sizeof(p->why));
	}
	free(p->chunk);
	p->chunk = NULL;
	return left == 0 ? 0 : (int)n;
}

/*
 * The partial is verified: give it its mode and cached hash and put it
 * in the target's place.  Replacing a file frees that file, under the
 * same hold of the accounting lock as the rename.
 */
static void
cmd_put_commit(
    struct session *s, struct cmd_put *p, const uint8_t hash[MFTP_HASH_LEN])
{
	struct stat st;

	if (fchmod(p->fd, (mode_t)(p->m->mode & 0777 & ~022)) == -1 ||
	    fstat(p->fd, &st) == -1) {
		cmd_put_fail_errno(p, errno, p->m->path);
		return;
	}
	hashcache_store(p->fd, &st, hash);
	/*
	 * Only the file verified (st) is moved, in the directory opened at
	 * the start.  If this fails the partial, still marked, is resumed
	 * at its end.
	 */
	p->status = cmd_fs_move(
	    s, p->dfd, p->part, &st, p->dfd, p->name, p->why, sizeof(p->why));
	if (p->status == 0)
		(void)fremovexattr(p->fd, CMD_PUT_RESUME_XATTR);
}

/* Hash what is kept, say PUT_READY, take the data and DATA_END. */
static int
cmd_put_transfer(struct session *s, struct cmd_put *p)
{
	uint8_t hash[MFTP_HASH_LEN];
	struct msg r, end;
	int ret;

	sha256_reset(s->sha);
	if ((ret = sha256_update_fd(s->sha, p->fd, 0, p->offset)) != 0) {
		if (ret == ERR_IO)
			cmd_put_fail_errno(p, errno, p->part);
		else
			cmd_put_fail(p, MFTP_ST_IO, "%s: %s changed while read",
			    p->m->path, p->part);
		return 0;
	}
	memset(&r, 0, sizeof(r));
	r.type = MFTP_MSG_PUT_READY;
	r.offset = p->offset;
	if (session_reply_msg(s, &r) != 0)
		return ERR_IO;
	if ((ret = cmd_put_receive(s, p)) != 0)
		return ret;
	memset(&end, 0, sizeof(end));
	if ((ret = frame_recv_msg(s->t, s->scratch, &end)) != 0)
		return ret;
	if (end.type != MFTP_MSG_DATA_END) {
		msg_clear(&end);
		return ERR_TYPE;
	}
	sha256_final(s->sha, hash);
	if (p->status != 0) {
		/* The partial is kept for the next PUT. */
	} else if (end.hash_len != MFTP_HASH_LEN) {
		cmd_put_fail(p, MFTP_ST_INVALID,
		    "%s: DATA_END carries no SHA-256; the data was kept, "
		    "send it again with one",
		    p->m->path);
	} else if (memcmp(end.hash, hash, sizeof(hash)) != 0) {
		cmd_put_fail(p, MFTP_ST_HASH,
		    "checksum mismatch: the upload was discarded; send it "
		    "again");
		(void)cmd_put_drop(s, p, 1);
	} else
		cmd_put_commit(s, p, hash);
	msg_clear(&end);
	return 0;
}

/*
 * Reserve the bytes still to come, under the accounting lock, before
 * PUT_READY: concurrent uploads of the user that together need more
 * than the room left are refused here, before any data is sent, instead
 * of each filling part of the room with a partial.  0, or -1 with
 * p->status set.
 */
static int
cmd_put_reserve(struct session *s, struct cmd_put *p)
{
	const uint64_t need = p->m->size - p->offset;
	uint32_t status;

	if (need == 0)
		return 0;
	status = cmd_quota_change_reserved(s, p->m->path, 0, 0, (int64_t)need,
	    NULL, NULL, p->why, sizeof(p->why));
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
 * refused more than needed until a recount, never less.
 */
static void
cmd_put_release(struct session *s, struct cmd_put *p)
{
	char why[MFTP_TEXT_MAX];

	if (p->reserved == 0)
		return;
	if (cmd_quota_change_reserved(s, p->m->path, 0, 0,
		-(int64_t)p->reserved, NULL, NULL, why, sizeof(why)) == 0)
		p->reserved = 0;
	else
		log_warnx("user=%s: %s: reservation not given back: %s",
		    s->user, p->m->path, why);
}

int
cmd_put(struct session *s, const struct msg *m)
{
	struct cmd_put p;
	uint64_t start = mono_ms();
	int ret = 0;

	memset(&p, 0, sizeof(p));
	p.m = m;
	p.fd = -1;
	p.dfd = -1;
	if (m->path[0] == '\0')
		cmd_put_fail(&p, MFTP_ST_INVALID, "empty name");
	else if (cmd_put_is_partial(m->path))
		cmd_put_fail(&p, MFTP_ST_INVALID,
		    "%s: names ending in %s are kept for uploads in progress",
		    m->path, CMD_PUT_SUFFIX);
	else if (m->size > INT64_MAX)
		cmd_put_fail(
		    &p, MFTP_ST_INVALID, "%s: size too large", m->path);
	else if (cmd_put_at(&p) == -1)
		;
	else if (cmd_put_open(s, &p) == 0 && cmd_put_resume(s, &p) == 0) {
		/* Room for what is still to come, before any of it is sent. */
		if (cmd_put_reserve(s, &p) == -1) {
			if (p.created)
				(void)cmd_put_drop(s, &p, 1);
		} else
			ret = cmd_put_transfer(s, &p);
		cmd_put_release(s, &p);
	}
	if (p.fd != -1)
		close(p.fd);
	free(p.part);
	cmd_at_close(p.dfd, p.name);
	if (ret != 0) {
		/* The stream is out of step: the partial waits for a resume. */
		session_log_transfer(s, "put", m->path, p.received, p.offset,
		    m->size, start, err_str(ret));
		return -1;
	}
	session_log_transfer(s, "put", m->path, p.received, p.offset, m->size,
	    start, p.status != 0 ? p.why : NULL);
	if (p.status != 0)
		return session_reply_error(s, p.status, "%s", p.why);
	s->files_in++;
	return session_reply_ok(s);
}
