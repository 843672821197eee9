/*
 * rpc_xfer.c: the client's side of the requests whose answers stream:
 * LIST (DIRENTS frames up to an OK), and GET and PUT with the raw file
 * data that follows them and its checksum, computed as the bytes stream.
 *
 * Runs as: the user, in mftp.  The server's byte counts are checked
 * against what was asked before any data is read, and a server that
 * breaks a transfer's framing ends the session (RPC_LOST): after raw
 * bytes nothing else on the stream could be trusted to line up.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "digest.h"
#include "err.h"
#include "hash_pipe.h"
#include "intr.h"
#include "mftp_limits.h"
#include "msg.h"
#include "proto.h"
#include "rpc.h"
#include "rpc_int.h"
#include "transport.h"
#include "util.h"

/* How often a waiting transfer tells its progress display (ms). */
#define RPC_TICK_MS 1000

/*
 * Ctrl-C: the protocol has no way to stop a stream half-way, and the
 * rest of a download can be large, so the connection is closed, by a
 * reset: an upload's data still queued here (megabytes) would otherwise
 * go first, at the pace of a user's rate, while the server's session
 * holds the partial's lock that the next session's reput needs.  The
 * server keeps what it stored of an upload; the caller logs in again.
 */
static int
rpc_interrupted(struct rpc *r)
{
	(void)rpc_lose(r, 0, "interrupted");
	transport_abort(r->t);
	return RPC_INTR;
}

/* Clear what a call fills in, keeping what the caller set. */
static void
rpc_xfer_clear(struct rpc_xfer *x)
{
	rpc_progress_fn *fn = x->progress;
	void *arg = x->arg;

	memset(x, 0, sizeof(*x));
	x->progress = fn;
	x->arg = arg;
}

static void
rpc_xfer_tell(struct rpc_xfer *x)
{
	if (x->progress != NULL)
		x->progress(x->arg, x->offset + x->bytes);
}

int
rpc_list_send(struct rpc *r, const char *path)
{
	return rpc_send_path(r, MFTP_MSG_LIST, path != NULL ? path : "");
}

static int
rpc_list_frames(struct rpc *r, rpc_list_fn *fn, void *arg)
{
	size_t i, total = 0;
	int e, ret = 0;

	for (;;) {
		if (intr_pending())
			return rpc_interrupted(r);
		if ((e = rpc_recv(r)) != RPC_OK)
			return e;
		switch (r->m.type) {
		case MFTP_MSG_DIRENTS:
			total += r->m.nentries;
			if (total > RPC_LIST_MAX)
				return rpc_lose(r, 0,
				    "the server's listing has more than %d "
				    "entries, the most mftp takes; the session "
				    "was closed to stop it",
				    RPC_LIST_MAX);
			for (i = 0; i < r->m.nentries && ret == 0; i++)
				ret = fn(arg, &r->m.entries[i]);
			break;
		case MFTP_MSG_OK:
			return ret;
		case MFTP_MSG_ERROR:
			return rpc_fail(r, RPC_SERVER, r->m.code, "%s",
			    r->m.text != NULL ? r->m.text : "");
		default:
			return rpc_lose(r, 0,
			    "protocol error: %s in a directory listing",
			    msg_name(r->m.type) != NULL ? msg_name(r->m.type) :
							  "unknown message");
		}
	}
}

/*
 * A listing has no end but the server's: Ctrl-C is looked at between
 * its frames, and while one is waited for (rpc_set_interruptible), and
 * closes the connection, as it stops a transfer.
 */
int
rpc_list_recv(struct rpc *r, rpc_list_fn *fn, void *arg)
{
	int e;

	rpc_set_interruptible(r, 1);
	e = rpc_list_frames(r, fn, arg);
	rpc_set_interruptible(r, 0);
	return e;
}

int
rpc_list(struct rpc *r, const char *path, rpc_list_fn *fn, void *arg)
{
	int e;

	if ((e = rpc_list_send(r, path)) != RPC_OK)
		return e;
	return rpc_list_recv(r, fn, arg);
}

int
rpc_get_send(struct rpc *r, const char *path, uint64_t offset)
{
	struct msg m;

	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_GET;
	m.path = (char *)path;
	m.offset = offset;
	return rpc_send(r, &m);
}

int
rpc_get_file(struct rpc *r, uint64_t offset, struct rpc_xfer *x)
{
	int e;

	rpc_xfer_clear(x);
	if ((e = rpc_expect(r, MFTP_MSG_FILE)) != RPC_OK)
		return e;
	if (r->m.offset != offset || r->m.offset > r->m.size)
		return rpc_lose(r, 0,
		    "protocol error: FILE reply with offset %ju for size %ju "
		    "(asked for %ju)",
		    (uintmax_t)r->m.offset, (uintmax_t)r->m.size,
		    (uintmax_t)offset);
	x->size = r->m.size;
	x->offset = r->m.offset;
	return RPC_OK;
}

/*
 * Read the next piece of a file's data, telling the progress display
 * every RPC_TICK_MS while none comes.  The count, or an RPC_LOST result.
 */
static ssize_t
rpc_read_data(struct rpc *r, uint8_t *p, size_t len, struct rpc_xfer *x)
{
	ssize_t n;
	int waited = 0;

	/* A short timeout, so that a silent server is noticed and shown. */
	transport_set_timeout(r->t, RPC_TICK_MS);
	while ((n = transport_read_some(r->t, p, len)) == ERR_TIMEOUT &&
	    (waited += RPC_TICK_MS) < rpc_io_timeout_ms && !intr_pending())
		rpc_xfer_tell(x);
	transport_set_timeout(r->t, rpc_io_timeout_ms);
	if (intr_pending())
		return rpc_interrupted(r);
	if (n < 0)
		return rpc_lose_err(
		    r, n == ERR_EOF ? ERR_SHORT : (int)n, "a file's data");
	return n;
}

int
rpc_get_data(struct rpc *r, int fd, struct digest *d, struct rpc_xfer *x)
{
	uint64_t left = x->size - x->offset;
	uint8_t *chunk;
	size_t want;
	ssize_t n;
	int e, werr = 0;

	x->bytes = 0;
	/* SHA-256: hashed in the pipe's thread while the next piece comes. */
	hash_pipe_begin(r->hp, d, left, MFTP_IO_CHUNK);
	transport_bulk_read(r->t, 1);
	while (left > 0) {
		want = hash_pipe_bufsize(r->hp);
		if (left < want)
			want = (size_t)left;
		chunk = hash_pipe_buf(r->hp);
		if ((n = rpc_read_data(r, chunk, want, x)) < 0) {
			transport_bulk_read(r->t, 0);
			hash_pipe_abort(r->hp);
			return (int)n;
		}
		hash_pipe_feed(r->hp, (size_t)n);
		/* After a write error keep reading, to stay in step. */
		if (fd != -1 && werr == 0)
			werr = fd_write_all(fd, chunk, (size_t)n) == 0 ? 0 :
									 errno;
		left -= (uint64_t)n;
		x->bytes += (uint64_t)n;
		rpc_xfer_tell(x);
	}
	transport_bulk_read(r->t, 0);
	/* Everything is in d: the caller finishes it. */
	hash_pipe_end(r->hp);
	/*
	 * The bytes after the data are the DATA_END only if the server sent
	 * as many as its FILE announced: what is read there otherwise is
	 * data, or the data is read as a frame.
	 */
	if ((e = rpc_expect_in(r, MFTP_MSG_DATA_END,
		 "the DATA_END after a file's data (the server sent more or "
		 "fewer bytes than it announced)")) != RPC_OK)
		return e == RPC_SERVER ? rpc_lose(r, r->code, "%s", r->text) :
					 e;
	if (r->m.hash_len != digest_len(r->alg))
		return rpc_lose(r, 0,
		    "protocol error: the server sent no %s "
		    "after the file's data",
		    digest_title(r->alg));
	memcpy(x->hash, r->m.hash, r->m.hash_len);
	x->hash_len = r->m.hash_len;
	if (werr != 0) {
		(void)rpc_fail(r, RPC_LOCAL, 0, "%s", strerror(werr));
		errno = werr; /* a full disk stops get -r (xfer.c) */
		return RPC_LOCAL;
	}
	return RPC_OK;
}

int
rpc_put_send(struct rpc *r, const char *path, uint64_t size, uint32_t mode,
    int64_t mtime)
{
	struct msg m;

	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_PUT;
	m.path = (char *)path;
	m.size = size;
	m.mode = mode;
	m.mtime = mtime;
	return rpc_send(r, &m);
}

int
rpc_put_ready(struct rpc *r, uint64_t size, struct rpc_xfer *x)
{
	int e;

	rpc_xfer_clear(x);
	if ((e = rpc_expect(r, MFTP_MSG_PUT_READY)) != RPC_OK)
		return e;
	if (r->m.offset > size)
		return rpc_lose(r, 0,
		    "protocol error: server asked for offset %ju of %ju bytes",
		    (uintmax_t)r->m.offset, (uintmax_t)size);
	x->size = size;
	x->offset = r->m.offset;
	return RPC_OK;
}

/*
 * An upload's progress is what the server's system has taken: what was
 * handed to the socket less what still waits in its send queue.  That
 * queue holds megabytes where the server reads at a user's rate (at 64
 * KiB/s the whole of a small file, half a minute of it), which a bar of
 * what was handed over showed done, then still for as long.  SIOCOUTQ
 * counts TLS records and frames, a little more than the data in them:
 * the bar errs low, never ahead, and never goes back.
 */
static void
rpc_put_taken(struct rpc *r, struct rpc_xfer *x)
{
	int queued = transport_unacked(r->t);
	uint64_t taken = x->bytes;

	if (queued > 0)
		taken = (uint64_t)queued < taken ? taken - (uint64_t)queued : 0;
	if (taken > x->shown)
		x->shown = taken;
}

/* Without a display (-q), no system call per chunk for it. */
static void
rpc_put_tell(struct rpc *r, struct rpc_xfer *x)
{
	if (x->progress == NULL)
		return;
	rpc_put_taken(r, x);
	x->progress(x->arg, x->offset + x->shown);
}

/* Ctrl-C: how far it came (x->shown) looked at before the reset. */
static int
rpc_put_interrupted(struct rpc *r, struct rpc_xfer *x)
{
	rpc_put_taken(r, x);
	return rpc_interrupted(r);
}

/* The wait for the PUT's answer: the bar as the queue drains, and ^C. */
struct rpc_put_drain {
	struct rpc *r;
	struct rpc_xfer *x;
};

static int
rpc_put_draining(void *arg)
{
	struct rpc_put_drain *d = arg;

	rpc_put_tell(d->r, d->x);
	return intr_pending();
}

/*
 * Wait until the connection takes more data, telling the progress
 * display every RPC_TICK_MS while it does not.  A server that keeps
 * acknowledging what was sent (the send queue shrinks: an upload paced
 * at the user's rate, which frees room only slowly) is no silence.
 */
static int
rpc_wait_writable(struct rpc *r, struct rpc_xfer *x)
{
	struct pollfd pfd;
	int n, waited = 0, mark = transport_unacked(r->t);

	pfd.fd = transport_fd(r->t);
	pfd.events = POLLOUT;
	while ((n = poll(&pfd, 1, RPC_TICK_MS)) != 1 || intr_pending()) {
		if (intr_pending())
			return rpc_put_interrupted(r, x);
		if (n == -1 && errno != EINTR)
			return rpc_lose_err(r, ERR_IO, "a file's data");
		if (n == 0 && transport_acked_since(r->t, &mark))
			waited = 0;
		else if (n == 0 && (waited += RPC_TICK_MS) >= rpc_io_timeout_ms)
			return rpc_lose_err(r, ERR_TIMEOUT, "a file's data");
		rpc_put_tell(r, x);
	}
	return RPC_OK;
}

/*
 * The connection failed under the upload's data (e): a server that ended
 * the session in the middle (the account locked or removed by the
 * administrator) said why first, in place of the PUT's reply, and that
 * is what the user is told; without it, the failure itself.
 */
static int
rpc_put_cut(struct rpc *r, int e)
{
	int saved = errno;
	char *why;

	if (e != ERR_TIMEOUT && transport_peer_gone(r->t) &&
	    rpc_expect(r, MFTP_MSG_OK) == RPC_SERVER) {
		why = xstrdup(r->text);
		e = rpc_lose(r, r->code, "%s", why);
		free(why);
		return e;
	}
	errno = saved;
	return rpc_lose_err(r, e, "a file's data");
}

/*
 * The server waits for exactly size bytes and has no way to hear that
 * fewer are coming: only closing the connection tells it.
 */
static int
rpc_put_local_error(struct rpc *r, int shrank)
{
	if (shrank)
		return rpc_lose(r, 0,
		    "local file shrank during the upload; connection closed");
	return rpc_lose(r, 0, "reading the local file: %s; connection closed",
	    strerror(errno));
}

int
rpc_put_data(struct rpc *r, int fd, const struct stat *src, struct digest *d,
    struct rpc_xfer *x)
{
	struct rpc_put_drain drain;
	struct msg m;
	uint64_t off = x->offset;
	uint8_t *chunk;
	ssize_t n;
	size_t want;
	int e, changed;

	x->bytes = 0;
	x->shown = 0;
	/* The hash covers the whole file: the part the server kept too,
	 * unless that was hashed before the PUT. */
	if (off == 0 || x->hashed != off) {
		digest_reset_alg(d, r->alg);
		if (off > 0 && (e = hash_pipe_fd(r->hp, d, fd, 0, off)) != 0)
			return rpc_put_local_error(r, e == ERR_SHORT);
	}
	/* SHA-256: hashed in the pipe's thread while the next piece goes. */
	hash_pipe_begin(r->hp, d, x->size - off, MFTP_IO_CHUNK);
	while (off < x->size) {
		want = hash_pipe_bufsize(r->hp);
		if (x->size - off < want)
			want = (size_t)(x->size - off);
		chunk = hash_pipe_buf(r->hp);
		n = pread(fd, chunk, want, (off_t)off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			hash_pipe_abort(r->hp);
			return rpc_put_local_error(r, n == 0);
		}
		hash_pipe_feed(r->hp, (size_t)n);
		if ((e = rpc_wait_writable(r, x)) != RPC_OK) {
			hash_pipe_abort(r->hp);
			return e;
		}
		if ((e = transport_write(r->t, chunk, (size_t)n)) != 0) {
			hash_pipe_abort(r->hp);
			return rpc_put_cut(r, e);
		}
		off += (uint64_t)n;
		x->bytes += (uint64_t)n;
		rpc_put_tell(r, x);
	}
	hash_pipe_end(r->hp);
	digest_final(d, x->hash);
	x->hash_len = digest_len(r->alg);
	/*
	 * Written meanwhile: what went is a mix of two versions (or a
	 * prefix), whose checksum would match.  Without one the server
	 * stores nothing (doc/PROTOCOL.md, DATA_END).
	 */
	changed = fd_changed(fd, src) || fd_reads_past(fd, x->size);
	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_DATA_END;
	if (!changed) {
		memcpy(m.hash, x->hash, x->hash_len);
		m.hash_len = x->hash_len;
	}
	if ((e = rpc_send(r, &m)) != RPC_OK)
		return e;
	/*
	 * The last of the data may still be on its way, megabytes of it
	 * queued here and at the server at the pace of a user's rate:
	 * Ctrl-C stops that wait as it stops the sending, and the bar
	 * goes on meanwhile.
	 */
	drain.r = r;
	drain.x = x;
	rpc_set_interruptible(r, 1);
	transport_set_watch(r->t, rpc_put_draining, &drain, RPC_INTR_TICK_MS);
	e = rpc_expect(r, MFTP_MSG_OK);
	rpc_set_interruptible(r, 0);
	if (e != RPC_OK && intr_pending())
		return rpc_put_interrupted(r, x);
	/* Another failure the server met first is the one to tell. */
	if (changed && e == RPC_SERVER && r->code == MFTP_ST_INVALID)
		return rpc_fail(r, RPC_LOCAL, 0, "%s",
		    src->st_size == 0 ?
			RPC_SIZE_ZERO_TEXT :
			"changed while it was sent; not stored");
	return e;
}
