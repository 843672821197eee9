/*
 * cmd_put.c: PUT, the upload, verified, resumable and charged to the
 * user's quota as it is written: the data, its hash and the commit (the
 * partial file and the reservation are in upload.c).
 *
 * Runs as: the logged-in user, chrooted to the home.  The data goes to a
 * partial file ".NAME.mftp-part" in the target's directory, held with an
 * OFD write lock while in use (a second session gets ERROR LOCKED) and
 * marked with the resume key (the source's size and mtime) in the
 * attribute user.mftp.resume.  A repeated PUT with the same key goes on
 * from the partial's end.  The checksum of the whole file, in the
 * session's algorithm (digest.h), is computed once, the kept prefix read
 * back and the rest hashed as it arrives; the
 * partial replaces the target (renameat, in the directory opened at the
 * start, only the file verified) only when it equals the client's.
 * An interrupted or failed upload never touches the target and keeps
 * its data for the next PUT; a mismatched one is deleted.
 * Each received chunk is written under one hold of the accounting lock
 * with its charge, which moves it from the upload's reservation to the
 * usage (cmd_quota_change_reserved); never across a network wait.  A
 * PUT_DATA that made its partial holds its data (at most 1 MiB) until
 * DATA_END and, verified, onto a free name, is charged, written and
 * renamed under one hold (cmd_put_store): the other hold is the
 * partial's making.  An upload into a directory mounted into the home,
 * which the count leaves out, is charged nothing (upload.c).
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "digest.h"
#include "err.h"
#include "frame.h"
#include "hash_pipe.h"
#include "hashcache.h"
#include "log.h"
#include "msg.h"
#include "proto.h"
#include "session.h"
#include "transport.h"
#include "upload.h"
#include "util.h"

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
	const size_t n = sizeof(UPLOAD_SUFFIX) - 1;
	const char *at;
	size_t len;

	cmd_put_last(path, &at, &len);
	return len >= n && memcmp(at + len - n, UPLOAD_SUFFIX, n) == 0;
}

/*
 * Write the chunk at the partial's end (under the accounting lock, just
 * charged).  A failure undoes what it wrote, so the charge is taken
 * back; if even that fails the charge stays (the count errs high).
 */
static int
cmd_put_write(void *arg)
{
	struct upload *p = arg;
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
			upload_fail_errno(p, err, p->m->path);
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
 * After a chunk was charged and written: whether the accounting file
 * was removed meanwhile, and if so the chunk taken back out of the
 * partial.  The charge checked it under the lock, but a recount's
 * unlink and walk do not wait for that lock (its new file has another):
 * its walk, which comes after the unlink, may have missed the chunk,
 * and the new file would then count less than the home holds.  Written
 * before this look, it is either in the walk or cut off here; after it,
 * the walk sees it.  Only what quota_change_reserved checks under the
 * lock is checked here: a removal, not a --lock.
 */
static int
cmd_put_unlinked(struct session *s, struct upload *p, size_t len)
{
	if (s->quota.fd == -1 || !p->counted || !quota_removed(s->quota.fd))
		return 0;
	if (ftruncate(p->fd, (off_t)(p->written - len)) == 0)
		p->written -= len;
	return 1;
}

/*
 * Charge the chunk received (p->chunk) and write it at the partial's
 * end, under one hold of the accounting lock: from the reservation to
 * the usage, in the charge's one write, so a chunk costs no more system
 * calls than without the charge.  0, or the refusal's status, which is
 * p->status too.  p->status may also be set with 0 returned: the write
 * failed and could not be undone (charged, kept high).
 */
static uint32_t
cmd_put_charge(struct session *s, struct upload *p)
{
	const size_t have = p->chunk_len;
	const uint64_t moved = have < p->reserved ? have : p->reserved;
	uint32_t status;

	status = cmd_quota_change_reserved(s, p->m->path,
	    p->counted ? (int64_t)have : 0, 0, -(int64_t)moved, &p->reserve_set,
	    cmd_put_write, p, p->why, sizeof(p->why));
	/* A recount dropped the reservation: each chunk is now checked
	 * like any growth (quota_change_reserved). */
	if (p->reserve_set == 0)
		p->reserved = 0;
	else if (status == 0)
		p->reserved -= moved;
	if (status == 0 && cmd_put_unlinked(s, p, have))
		status = cmd_quota_removed(s, p->why, sizeof(p->why));
	if (status == 0)
		return 0;
	p->status = status;
	/* Refused: nothing of this chunk is written.  Tell what all the
	 * rest needs, not this chunk. */
	if (status == MFTP_ST_QUOTA)
		(void)cmd_quota_check(
		    s, p->m->size - p->written, 0, p->why, sizeof(p->why));
	return status;
}

/*
 * Read the announced bytes a chunk at a time; hash each, then charge and
 * write it under one hold of the accounting lock.  The hash goes through
 * the session's pipe: in a SHA-256 session its thread hashes one chunk
 * while this loop reads and writes the next, so an upload costs the
 * slower of the two, not their sum.  After a failure the rest is read
 * and dropped, so the stream stays in step.  0, or the transport's error.
 */
static int
cmd_put_receive(struct session *s, struct upload *p)
{
	uint64_t left = p->m->size - p->offset;
	size_t want, have;
	ssize_t n = 0;

	hash_pipe_begin(s->hp, s->digest, left, MFTP_QUOTA_CHUNK);
	transport_bulk_read(s->t, 1);
	while (left > 0 && n >= 0) {
		want = hash_pipe_bufsize(s->hp);
		if (left < want)
			want = (size_t)left;
		/* The pipe's next buffer: free once the thread is done. */
		p->chunk = hash_pipe_buf(s->hp);
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
		/* Hashed beside the write below, which only reads it too. */
		hash_pipe_feed(s->hp, have);
		p->chunk_len = have;
		(void)cmd_put_charge(s, p);
	}
	transport_bulk_read(s->t, 0);
	/* Everything fed is in s->digest; the buffers go back. */
	hash_pipe_end(s->hp);
	p->chunk = NULL;
	return left == 0 ? 0 : (int)n;
}

/*
 * The partial is in the target's place: give it its mode and cached
 * checksum (the one just verified, in the session's algorithm, for the
 * file as it was verified: st).
 */
static void
cmd_put_finish(struct session *s, struct upload *p, const struct stat *st,
    const uint8_t *hash)
{
	p->committed = 1;
	if (!p->inline_data)
		(void)fremovexattr(p->fd, UPLOAD_RESUME_XATTR);
	hashcache_store(p->fd, st, s->alg, hash);
	/* Through the descriptor: the file moved, whatever its name now. */
	if (fchmod(p->fd, (mode_t)(p->m->mode & 0777 & ~022)) == -1)
		upload_fail(p, session_status(errno),
		    "%s: stored, but its mode could not be set: %s", p->m->path,
		    strerror(errno));
}

/*
 * The partial is verified: put it in the target's place, then give it
 * its mode and cached checksum (the one just verified, in the session's
 * algorithm, for the file as it was verified).  Replacing a file frees
 * that file, under the same hold of the accounting lock as the rename.
 */
static void
cmd_put_commit(struct session *s, struct upload *p, const uint8_t *hash)
{
	struct stat st, old;

	if (fstat(p->fd, &st) == -1) {
		upload_fail_errno(p, errno, p->m->path);
		return;
	}
	/*
	 * A file the partial replaces is the user's until the rename: the
	 * partial's data goes to the disk first (outside the accounting
	 * lock), or a crash soon after could leave the name on an empty or
	 * partly written file on a file system that orders no data before
	 * a rename (XFS, ext4 with noauto_da_alloc), the old file lost.  A
	 * new name costs no sync: a crash can cost it the upload only.
	 */
	if (fstatat(p->dfd, p->name, &old, AT_SYMLINK_NOFOLLOW) == 0 &&
	    fsync(p->fd) == -1) {
		upload_fail(p, session_status(errno),
		    "%s: not stored, the old file kept: %s", p->m->path,
		    strerror(errno));
		return;
	}
	/*
	 * Only the file verified (st) is moved, in the directory opened at
	 * the start.  If this fails the partial, still marked and still
	 * 0600, is resumed at its end (or removed): the PUT and REMOVE that
	 * open it read-write must not find it read-only; and it carries no
	 * cached checksum that a later upload rewriting it could leave
	 * standing.
	 */
	p->status = cmd_fs_move(s, p->dfd, p->part, &st, p->dfd, p->name,
	    p->part, p->m->path, p->why, sizeof(p->why));
	if (p->status != 0)
		return;
	cmd_put_finish(s, p, &st, hash);
}

/* Under the accounting lock: PUT_DATA's verified data stored. */
struct cmd_put_store_op {
	struct session *s;
	struct upload *p;
	struct stat st; /* the partial as written */
	int stale;	/* the partial or the target's name changed */
	int removed;	/* the accounting file was removed meanwhile */
	int err;	/* the rename failed, and so did the undo */
};

/*
 * Write the data and rename the partial onto the target's free name,
 * just charged.  A failure undoes the write, so the charge is taken
 * back; if even that fails the charge stays (the count errs high), and
 * the partial, still marked as one, is dropped by cmd_put.
 */
static int
cmd_put_store_apply(void *arg)
{
	struct cmd_put_store_op *op = arg;
	struct upload *p = op->p;
	struct stat st;
	int err;

	if (fstat(p->fd, &st) == -1)
		return -1;
	/* As looked at before the lock: another session may have taken
	 * the name since, and the data then goes as any upload's. */
	if (!cmd_at_same(p->dfd, p->part, &st) ||
	    fstatat(p->dfd, p->name, &st, AT_SYMLINK_NOFOLLOW) == 0 ||
	    errno != ENOENT) {
		op->stale = 1;
		errno = EAGAIN;
		return -1;
	}
	if (cmd_put_write(p) == -1)
		return -1;
	if (p->status != 0)
		return 0;
	/* Written before this look, the data is in a recount's walk or
	 * cut off here (cmd_put_unlinked); then not stored. */
	if (cmd_put_unlinked(op->s, p, p->chunk_len)) {
		op->removed = 1;
		return 0;
	}
	if (fstat(p->fd, &op->st) == -1 ||
	    renameat(p->dfd, p->part, p->dfd, p->name) == -1) {
		err = errno;
		if (ftruncate(p->fd, 0) == -1) {
			op->err = err;
			return 0;
		}
		p->written = 0;
		errno = err;
		return -1;
	}
	return 0;
}

/*
 * PUT_DATA's data, received whole and verified: onto a free name (a new
 * file, the common case) it is charged, written and put in place under
 * one hold of the accounting lock.  A name taken, before the lock or
 * under it, is replaced as by any upload: the data charged and written,
 * then the commit, which syncs it and frees the old file.
 */
static void
cmd_put_store(struct session *s, struct upload *p, const uint8_t *hash)
{
	struct cmd_put_store_op op;
	uint32_t status = 0;

	memset(&op, 0, sizeof(op));
	op.s = s;
	op.p = p;
	/* Free at the start: it is looked at again under the lock. */
	if (p->target_seen)
		op.stale = 1;
	else
		status = cmd_quota_change_reserved(s, p->m->path,
		    p->counted ? (int64_t)p->chunk_len : 0, 0, 0,
		    &p->reserve_set, cmd_put_store_apply, &op, p->why,
		    sizeof(p->why));
	if (op.stale) {
		if (cmd_put_charge(s, p) == 0 && p->status == 0)
			cmd_put_commit(s, p, hash);
		return;
	}
	if (status == 0 && op.removed)
		status = cmd_quota_removed(s, p->why, sizeof(p->why));
	if (status != 0) {
		p->status = status;
		if (status == MFTP_ST_QUOTA)
			(void)cmd_quota_check(
			    s, p->m->size, 0, p->why, sizeof(p->why));
		return;
	}
	if (op.err != 0)
		upload_fail_errno(p, op.err, p->m->path);
	if (p->status == 0)
		cmd_put_finish(s, p, &op.st, hash);
}

/*
 * Whether PUT_DATA's data is to be held in memory until DATA_END (it is
 * at most MFTP_PUT_DATA_MAX): in a partial this request made, so that a
 * new file is charged, written and stored under one hold of the
 * accounting lock (cmd_put_store).  Else (no room for it) it is written
 * as it comes, as a PUT's is.
 */
static int
cmd_put_held(struct upload *p)
{
	if (!p->inline_data || p->status != 0 || !p->created ||
	    p->written != 0 || p->m->size > MFTP_PUT_DATA_MAX)
		return 0;
	if (p->m->size > 0 && (p->held = malloc((size_t)p->m->size)) == NULL)
		return 0;
	p->holding = 1;
	return 1;
}

/* Read PUT_DATA's data into p->held and hash it.  0, or the transport's
 * error. */
static int
cmd_put_receive_held(struct session *s, struct upload *p)
{
	const size_t size = (size_t)p->m->size;
	size_t have;
	ssize_t n;

	for (have = 0; have < size; have += (size_t)n) {
		if ((n = transport_read_some(
			 s->t, p->held + have, size - have)) < 0)
			return (int)n;
		p->received += (uint64_t)n;
	}
	if (size > 0)
		digest_update(s->digest, p->held, size);
	p->chunk = p->held;
	p->chunk_len = size;
	return 0;
}

/*
 * Hash what is kept, say PUT_READY, take the data and DATA_END.  For
 * PUT_DATA there is no PUT_READY (the data is on its way), and a request
 * already refused comes here too: its data is read and dropped, so that
 * the requests behind it stay in step.
 */
static int
cmd_put_transfer(struct session *s, struct upload *p)
{
	uint8_t hash[MFTP_HASH_LEN];
	struct msg r, end;
	int ret;

	p->transferred = 1;
	/* A resumed upload is verified whole: the kept part is read back. */
	digest_reset_alg(s->digest, s->alg);
	ret = p->status == 0 ? session_hash(s, p->fd, 0, p->offset, 0) : 0;
	/* The client is gone, or the session is to end: cmd_put gives back
	 * the reservation. */
	if (ret == ERR_GONE || ret == ERR_STOPPED)
		return ret;
	if (ret != 0) {
		if (ret == ERR_IO)
			upload_fail_errno(p, errno, p->part);
		else
			upload_fail(p, MFTP_ST_IO, "%s: %s changed while read",
			    p->m->path, p->part);
		if (!p->inline_data)
			return 0;
	}
	if (!p->inline_data) {
		memset(&r, 0, sizeof(r));
		r.type = MFTP_MSG_PUT_READY;
		r.offset = p->offset;
		if (session_reply_msg(s, &r) != 0)
			return ERR_IO;
	}
	if ((ret = cmd_put_held(p) ? cmd_put_receive_held(s, p) :
				     cmd_put_receive(s, p)) != 0)
		return ret;
	memset(&end, 0, sizeof(end));
	/* Whole within the idle timeout: the partial's lock and the
	 * reservation are held meanwhile. */
	if ((ret = session_recv_frame(s, &end)) != 0)
		return ret;
	if (end.type != MFTP_MSG_DATA_END) {
		msg_clear(&end);
		return ERR_TYPE;
	}
	digest_final(s->digest, hash);
	if (p->status != 0) {
		/* The partial is kept for the next PUT. */
	} else if (end.hash_len != digest_len(s->alg)) {
		/* PUT_DATA's data goes with its failure (cmd_put). */
		upload_fail(p, MFTP_ST_INVALID,
		    p->inline_data ?
			"%s: DATA_END carries no %s; the data was "
			"discarded, send it again with one" :
			"%s: DATA_END carries no %s; the data was kept, "
			"send it again with one",
		    p->m->path, digest_title(s->alg));
	} else if (memcmp(end.hash, hash, end.hash_len) != 0) {
		upload_fail(p, MFTP_ST_HASH,
		    "checksum mismatch: the upload was discarded; send it "
		    "again");
		(void)upload_drop(s, p, 1);
	} else if (p->holding)
		cmd_put_store(s, p, hash);
	else
		cmd_put_commit(s, p, hash);
	msg_clear(&end);
	return 0;
}

int
cmd_put(struct session *s, const struct msg *m)
{
	struct upload p;
	uint64_t start = mono_ms();
	int ret = 0, opened = 0;

	memset(&p, 0, sizeof(p));
	p.m = m;
	p.fd = -1;
	p.dfd = -1;
	p.inline_data = m->type == MFTP_MSG_PUT_DATA;
	/* Data that follows unasked needs the feature, and a bound on what
	 * a refusal reads and drops. */
	if (p.inline_data &&
	    ((s->features & MFTP_FEAT_PUT_DATA) == 0 ||
		m->size > MFTP_PUT_DATA_MAX)) {
		log_warnx("PUT_DATA of %llu bytes%s user=%s addr=%s",
		    (unsigned long long)m->size,
		    (s->features & MFTP_FEAT_PUT_DATA) == 0 ?
			" without the feature" :
			", more than PUT_DATA carries",
		    s->user, s->peer);
		(void)session_reply_error(s, MFTP_ST_BAD_FRAME, "PUT_DATA %s",
		    (s->features & MFTP_FEAT_PUT_DATA) == 0 ?
			"was not agreed in HELLO" :
			"carries at most 1 MiB; use PUT");
		return -1;
	}
	if (m->path[0] == '\0')
		upload_fail(&p, MFTP_ST_INVALID, "empty name");
	else if (cmd_put_is_partial(m->path))
		upload_fail(&p, MFTP_ST_INVALID,
		    "%s: names ending in %s are kept for uploads in progress",
		    m->path, UPLOAD_SUFFIX);
	else if (m->size > INT64_MAX)
		upload_fail(&p, MFTP_ST_INVALID, "%s: size too large", m->path);
	else if (upload_at(s, &p) == -1)
		;
	else if ((opened = upload_open(s, &p) == 0) &&
	    upload_resume(s, &p) == 0) {
		/*
		 * Room for what is still to come, before any of it is sent.
		 * PUT_DATA's is on its way already: its one chunk is
		 * checked against the room as it is charged, like any
		 * growth (cmd_put_store, cmd_put_charge).
		 */
		if (!p.inline_data && upload_reserve(s, &p) == -1) {
			if (p.created)
				(void)upload_drop(s, &p, 1);
		} else
			ret = cmd_put_transfer(s, &p);
		upload_release(s, &p);
	}
	/* Told to end while waiting for the partial: the end answers. */
	if (p.stopped)
		ret = ERR_STOPPED;
	/* PUT_DATA refused before its data: read and drop it. */
	if (p.inline_data && !p.transferred && ret == 0)
		ret = cmd_put_transfer(s, &p);
	/*
	 * A PUT_DATA that failed leaves no partial: none resumes it.  Nor
	 * does one cut off by a lost connection (ret), unlike a PUT.
	 */
	if (p.inline_data && opened && (p.status != 0 || ret != 0) &&
	    !p.dropped && !p.committed)
		(void)upload_drop(s, &p, 1);
	if (p.fd != -1)
		close(p.fd);
	free(p.held);
	free(p.part);
	cmd_at_close(p.dfd, p.name);
	if (ret != 0) {
		/* The stream is out of step: a PUT's partial waits for a
		 * resume. */
		session_log_transfer(s, "put", m->path, p.received, p.offset,
		    m->size, start, transport_err_str(s->t, ret));
		return -1;
	}
	session_log_transfer(s, "put", m->path, p.received, p.offset, m->size,
	    start, p.status != 0 ? p.why : NULL);
	if (p.status != 0)
		return session_reply_error(s, p.status, "%s", p.why);
	s->files_in++;
	return session_reply_ok(s);
}