/*
 * xfer_putq.c: uploads of many files (mput, put -r) without a round
 * trip per file.  A small file is read whole, hashed and sent as
 * PUT_DATA with its bytes and checksum, while earlier ones are still
 * being answered; up to PUTQ_WINDOW requests and PUTQ_WINDOW_BYTES of
 * their data are in flight, and each reply is read in order.  A larger
 * file, or any file when the server did not grant PUT_DATA, goes by
 * xfer_put (PUT, resumable) once everything in flight is answered.
 *
 * Runs as: the user, in mftp.  A refused file costs only itself: the
 * server answers it ERROR and goes on with the next request.  A failure
 * that concerns that file alone (the server's refusal of it:
 * xfer_put_refused_alone; its local file unreadable, or changed while
 * read) is said at once and counted (tree_missed), and the rest is
 * still sent; the command then fails, naming it (tree_missed_end).  Any
 * other failure (the quota, the server's disk, the session lost) stops
 * the queueing of more, and is the command's; the others are printed as
 * they come.  A server that ends the session while a request goes out
 * has its replies to the ones before still read (the files it stored,
 * and why it ended).  Ctrl-C stops the queueing too: what is in flight
 * is answered (each request went out whole), and the command fails
 * with that one line.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "digest.h"
#include "intr.h"
#include "mftp_limits.h"
#include "proto.h"
#include "rpc.h"
#include "tree.h"
#include "util.h"
#include "words.h"
#include "xfer.h"
#include "xfer_local.h"

/* Files sent whole from memory; larger ones go by PUT. */
#define PUTQ_INLINE_MAX (64 * 1024)
/* Requests in flight at most, and their bytes. */
#define PUTQ_WINDOW 64
#define PUTQ_WINDOW_BYTES (1024 * 1024)

struct putq_item {
	char *remote;
	char *local; /* what tree_missed names */
	uint64_t size;
	double t0;
};

struct xfer_putq {
	struct cmd_ctx *ctx;
	struct putq_item items[PUTQ_WINDOW]; /* a ring, oldest at head */
	size_t head, n;
	uint64_t bytes; /* of the requests in flight */
	uint8_t *buf;	/* one file's bytes */
	struct digest *d;
	char *first; /* the first failure: the command's */
	int lost;    /* the session is gone: nothing more to read */
};

struct xfer_putq *
xfer_putq_new(struct cmd_ctx *ctx)
{
	struct xfer_putq *q = xcalloc(1, sizeof(*q));

	q->ctx = ctx;
	return q;
}

/*
 * Keep the first failure (the command's); print the later ones.  Every
 * failure goes through here, a local one too: a reply read later must
 * not take its place unsaid.  Returns -1.
 */
static int
putq_failed(struct xfer_putq *q)
{
	if (q->first == NULL)
		q->first = xstrdup(q->ctx->reason);
	else
		cmd_say(q->ctx, q->ctx->reason);
	return -1;
}

/*
 * A failure of the file local alone: when alone is set (its local file
 * could not be read) or it is the server's refusal of that file
 * (xfer_put_refused_alone), it is said and counted (tree_missed), 0,
 * and the rest goes on; else it is the command's (putq_failed), -1.
 * Never after Ctrl-C or with the session lost.
 */
static int
putq_missed(struct xfer_putq *q, const char *local, int alone)
{
	struct cmd_ctx *ctx = q->ctx;

	if (!q->lost && !rpc_lost(ctx->rpc) && !ctx->interrupted &&
	    !intr_pending() &&
	    (alone ||
		(rpc_code(ctx->rpc) != 0 && xfer_put_refused_alone(ctx)))) {
		tree_missed(ctx, local);
		return 0;
	}
	/*
	 * The server refused it for every file (the quota, its disk full):
	 * what was not sent is said, with the command that sends it.
	 */
	if (!q->lost && !rpc_lost(ctx->rpc) && !ctx->interrupted &&
	    !intr_pending() && rpc_code(ctx->rpc) != 0 &&
	    ctx->tree_resume != NULL && q->first == NULL) {
		char *why = xstrdup(ctx->reason);
		int full = rpc_code(ctx->rpc) == MFTP_ST_QUOTA ||
		    rpc_code(ctx->rpc) == MFTP_ST_NO_SPACE;

		(void)cmd_fail(ctx,
		    "%s; it and the rest were not sent: %s sends them%s", why,
		    ctx->tree_resume, full ? " once there is room" : "");
		free(why);
	}
	return putq_failed(q);
}

/* Whether a local failure of errno e is of that file alone. */
static int
putq_errno_alone(int e)
{
	return e != EMFILE && e != ENFILE && e != ENOMEM;
}

/* Read the oldest request's reply. */
static void
putq_recv_one(struct xfer_putq *q)
{
	struct putq_item *it = &q->items[q->head];
	int e;

	if (!q->lost) {
		e = rpc_put_data_recv(q->ctx->rpc);
		if (e == RPC_OK)
			xfer_report(q->ctx, it->remote, it->size, 0,
			    xfer_now() - it->t0);
		else {
			(void)xfer_put_fail(q->ctx, it->remote);
			q->lost = rpc_lost(q->ctx->rpc);
			(void)putq_missed(q, it->local, 0);
		}
	}
	q->bytes -= it->size;
	free(it->remote);
	free(it->local);
	it->remote = NULL;
	it->local = NULL;
	q->head = (q->head + 1) % PUTQ_WINDOW;
	q->n--;
}

static void
putq_wait_all(struct xfer_putq *q)
{
	while (q->n > 0)
		putq_recv_one(q);
}

/*
 * Read all of fd (st's size, no more, no less) into q->buf; a file
 * written meanwhile (fd_changed) is not sent, as with PUT.  0, or -1
 * after cmd_fail().
 */
static int
putq_read(struct xfer_putq *q, int fd, const char *local, const struct stat *st)
{
	size_t got = 0, size = (size_t)st->st_size;
	ssize_t n;

	while (got < size) {
		n = pread(fd, q->buf + got, size - got, (off_t)got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return cmd_fail(
			    q->ctx, "%s: %s", local, strerror(errno));
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (size == 0 && fd_reads_past(fd, 0))
		return cmd_fail(q->ctx, "%s: %s", local, RPC_SIZE_ZERO_TEXT);
	if (got != size || fd_reads_past(fd, size) || fd_changed(fd, st))
		return cmd_fail(
		    q->ctx, "%s: changed while it was read; not sent", local);
	return 0;
}

/*
 * Send one small file as PUT_DATA; its reply is read later.  0; 1 after
 * cmd_fail() when that file alone was not sent (it could not be read
 * whole, its name is too long for a request); -1 when the session is
 * gone.
 */
static int
putq_send(struct xfer_putq *q, int fd, const struct stat *st, const char *local,
    const char *remote)
{
	struct rpc *rpc = q->ctx->rpc;
	uint8_t hash[MFTP_HASH_LEN];
	struct rpc_put_data p;
	struct putq_item *it;
	size_t size = (size_t)st->st_size;
	int e;

	while (q->n > 0 &&
	    (q->n == PUTQ_WINDOW || q->bytes + size > PUTQ_WINDOW_BYTES))
		putq_recv_one(q);
	/* The replies already here, all at once: no read waits for them. */
	while (q->n > 0 && !q->lost && rpc_reply_waiting(rpc))
		putq_recv_one(q);
	if (q->lost)
		return -1;
	if (q->buf == NULL) {
		q->buf = xmalloc(PUTQ_INLINE_MAX);
		q->d = digest_new(rpc_digest(rpc));
	}
	if (putq_read(q, fd, local, st) == -1)
		return 1;
	digest_reset_alg(q->d, rpc_digest(rpc));
	digest_update(q->d, q->buf, size);
	digest_final(q->d, hash);
	memset(&p, 0, sizeof(p));
	p.path = remote;
	p.data = q->buf;
	p.len = size;
	p.mode = st->st_mode & 0777;
	p.mtime = st->st_mtime;
	p.hash = hash;
	p.hash_len = digest_len(rpc_digest(rpc));
	it = &q->items[(q->head + q->n) % PUTQ_WINDOW];
	it->t0 = xfer_now();
	if ((e = rpc_put_data_send(rpc, &p)) == RPC_LOCAL) {
		(void)cmd_rpc_fail(q->ctx, remote);
		return 1;
	}
	if (e != RPC_OK) {
		/*
		 * The server ended the session: the replies it sent before
		 * (files it stored, and the ERROR that says why it ended) are
		 * read first, and each goes to its own file.
		 */
		if (!rpc_lost(rpc)) {
			putq_wait_all(q);
			(void)rpc_put_data_cut(rpc);
		}
		q->lost = 1;
		return cmd_rpc_fail(q->ctx, remote);
	}
	it->remote = xstrdup(remote);
	it->local = xstrdup(local);
	it->size = size;
	q->bytes += size;
	q->n++;
	return 0;
}

int
xfer_putq_add(struct xfer_putq *q, const char *local, const char *remote)
{
	return xfer_putq_add_at(q, AT_FDCWD, local, local, remote);
}

int
xfer_putq_add_at(struct xfer_putq *q, int top, const char *rel,
    const char *local, const char *remote)
{
	struct stat st;
	int fd, r, e, swapped;

	if (q->first != NULL || q->lost)
		return -1;
	if (intr_pending()) {
		putq_wait_all(q);
		q->ctx->interrupted = 1;
		/* The command's line; a refusal answered meanwhile is said. */
		if (q->first != NULL)
			cmd_say(q->ctx, q->first);
		free(q->first);
		q->first = NULL;
		/* Not "run it again": that sends the files done again too,
		 * and put -r SRC NEW, NEW now there, into NEW/SRC; but the
		 * tree's own command (reput -rT) skips them, in place. */
		if (q->ctx->tree_resume != NULL)
			(void)cmd_fail(q->ctx,
			    "interrupted before %s: the files before it were "
			    "sent, it and the rest were not; %s sends the rest",
			    local, q->ctx->tree_resume);
		else
			(void)cmd_fail(q->ctx,
			    "interrupted before %s: the files before it were "
			    "sent, it and the rest were not",
			    local);
		return putq_failed(q);
	}
	/*
	 * The walk saw a regular file: a link or a FIFO put there since is
	 * refused (O_NOFOLLOW), not followed or waited on (O_NONBLOCK); so
	 * is a link in place of a directory on its way, below top.
	 */
	fd = top == AT_FDCWD ?
	    open(local, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK) :
	    xfer_local_open_below(top, rel, O_RDONLY | O_NONBLOCK);
	if (fd == -1) {
		/* Removed since the walk or the glob: the rest goes on. */
		if (errno == ENOENT) {
			tree_gone(q->ctx, local);
			return 0;
		}
		/* A link found swapped in fails the command (mftp(1)). */
		e = errno;
		swapped = top != AT_FDCWD && (e == ELOOP || e == ENOTDIR);
		(void)cmd_fail(q->ctx, "%s: %s", local,
		    swapped ? TREE_SWAPPED : strerror(e));
		return putq_missed(q, local, !swapped && putq_errno_alone(e));
	}
	if (fstat(fd, &st) == -1) {
		(void)cmd_fail(q->ctx, "%s: %s", local, strerror(errno));
		close(fd);
		return putq_failed(q);
	}
	if (S_ISREG(st.st_mode) && st.st_size <= PUTQ_INLINE_MAX &&
	    rpc_put_data_ok(q->ctx->rpc)) {
		r = putq_send(q, fd, &st, local, remote);
		close(fd);
		if (r == 1)
			(void)putq_missed(q, local, 1);
		else if (r == -1 && !q->lost)
			(void)putq_failed(q);
		return q->first != NULL || q->lost ? -1 : 0;
	}
	/* One at a time, after every reply in flight: replies come in
	 * order, and a PUT waits for its PUT_READY. */
	putq_wait_all(q);
	if (q->first != NULL || q->lost) {
		close(fd);
		return -1;
	}
	/*
	 * The file opened above, not its name again: no link swapped in.
	 * It fails alone when the server refused it, or when it changed
	 * while it was sent (RPC_LOCAL, no code of the server's).
	 */
	if (xfer_put_fd(q->ctx, fd, local, remote) == -1)
		return putq_missed(q, local, rpc_code(q->ctx->rpc) == 0);
	return 0;
}

int
xfer_putq_drain(struct xfer_putq *q)
{
	putq_wait_all(q);
	if (q->first != NULL) {
		(void)cmd_fail(q->ctx, "%s", q->first);
		return -1;
	}
	return q->lost ? -1 : 0;
}

int
xfer_putq_free(struct xfer_putq *q)
{
	int r = xfer_putq_drain(q);

	free(q->first);
	free(q->buf);
	if (q->d != NULL)
		digest_free(q->d);
	free(q);
	return r;
}
