/*
 * xfer_kept.c: the kept part of a resumed transfer, hashed between
 * requests (xfer_kept.h); and so is a local file that reget -r finds
 * already complete, or whose upload reput -r finds so on the server, to
 * compare with the server's HASH.
 *
 * Runs as: the user, in mftp.  A resumed transfer is verified whole, so
 * the part kept (a download's LOCAL.part, an upload's source up to the
 * offset the server kept) is read back and hashed before the rest.
 * Done while a GET's data or a PUT's was due, it left the connection
 * silent for as long as the reading took, and a server that waits on
 * data no longer than its idle_timeout (15 minutes by default: 90 GB
 * read back at 100 MB/s) ended the session, on every try.  So it is
 * done before the request, and the session is kept alive meanwhile
 * with PWD, whose reply is the one awaited.
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
#include "err.h"
#include "hash_pipe.h"
#include "intr.h"
#include "mftp_limits.h"
#include "proto.h"
#include "rpc.h"
#include "util.h"
#include "words.h"
#include "xfer.h"
#include "xfer_kept.h"
#include "xfer_local.h"
#include "xfer_part.h"

/* Hashed between two looks at the clock: well under a second on a
 * disk, a few on a very slow one. */
#define XFER_KEPT_SLICE (2 * 1024 * 1024)
/* A PWD at least this often: far below any idle_timeout in use. */
#define XFER_KEPT_PING_MS 1000

int
xfer_hash_kept(
    struct rpc *rpc, struct digest *d, int fd, uint64_t len, int *shrank)
{
	uint64_t off = 0, n, last = mono_ms();
	char *path;
	int e;

	*shrank = 0;
	while (off < len) {
		if (intr_pending())
			return RPC_INTR;
		n = len - off < XFER_KEPT_SLICE ? len - off : XFER_KEPT_SLICE;
		if ((e = hash_pipe_fd(rpc_hash_pipe(rpc), d, fd, off, n)) !=
		    0) {
			if (e == ERR_SHORT) {
				*shrank = 1;
				errno = EIO;
			}
			return RPC_LOCAL;
		}
		off += n;
		if (off < len && mono_ms() - last >= XFER_KEPT_PING_MS) {
			/* An ERROR answers it too: the session is alive. */
			if (rpc_pwd(rpc, &path) == RPC_OK)
				free(path);
			else if (rpc_lost(rpc))
				return RPC_LOST;
			last = mono_ms();
		}
	}
	return RPC_OK;
}

/*
 * The final local file of it, opened as a download writes it: in its
 * directory's descriptor, without following a link put there
 * (O_NOFOLLOW) nor waiting on a FIFO; only this user's own regular
 * file of the remote size, with no interrupted download of mftp's
 * beside it.  For an upload (put), its source, opened as xfer_putq
 * reads it: local below at (put -r, xfer_local_open_below) or named
 * by it (mput), no link followed; a regular file of the remote size,
 * whoever owns it.  -1 otherwise.
 */
static int
xfer_complete_open(const struct xfer_item *it, int put)
{
	struct stat st;
	int fd;

	if (put)
		fd = it->at == AT_FDCWD ?
		    open(it->local,
			O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) :
		    xfer_local_open_below(
			it->at, it->local, O_RDONLY | O_NONBLOCK);
	else if (xfer_is_direct(it->at, it->local))
		return -1;
	/* A part of mftp's says the download was interrupted: it is
	 * resumed. */
	else if (xfer_part_pending(it->at, it->local))
		return -1;
	else
		fd = openat(it->at, xfer_at_name(it->at, it->local),
		    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (!put && st.st_uid != geteuid()) || st.st_size < 0 ||
	    (uint64_t)st.st_size != it->attr.size) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Hash the local file of it, open in fd, into mine.  A file larger than
 * a slice is hashed only with no request in flight (xfer_get_complete),
 * so the PWDs that keep the session alive meanwhile get their replies.
 * RPC_OK; RPC_LOCAL when it could not be read whole (changed meanwhile:
 * downloaded as before); RPC_INTR; RPC_LOST.
 */
static int
xfer_complete_hash(struct cmd_ctx *ctx, const struct xfer_item *it, int fd,
    uint8_t mine[MFTP_HASH_LEN])
{
	struct digest *d = digest_new(rpc_digest(ctx->rpc));
	int e, shrank;

	e = xfer_hash_kept(ctx->rpc, d, fd, it->attr.size, &shrank);
	close(fd);
	if (e == RPC_OK)
		digest_final(d, mine);
	digest_free(d);
	return e;
}

/* The session lost, or Ctrl-C: -1 after cmd_fail(). */
static int
xfer_complete_stop(struct cmd_ctx *ctx, const struct xfer_item *it, int put)
{
	char *p;
	int r;

	if (rpc_lost(ctx->rpc))
		return cmd_rpc_fail(ctx, it->remote);
	ctx->interrupted = 1;
	p = words_printable(put ? it->remote : it->local);
	r = cmd_fail(
	    ctx, "%s: interrupted while it was compared with the server's", p);
	free(p);
	return r;
}

/*
 * The server's checksum of v[i] (asked for by xfer_get_complete) read,
 * and compared with mine: 1 the same, and said; 0 not (or refused: its
 * GET says why, as before); RPC_LOST.
 */
static int
xfer_complete_recv(struct cmd_ctx *ctx, const struct xfer_item *it,
    const uint8_t mine[MFTP_HASH_LEN], int put)
{
	enum digest_alg alg = rpc_digest(ctx->rpc);
	uint8_t theirs[MFTP_HASH_LEN];
	char *p;

	if (rpc_hash_recv(ctx->rpc, alg, theirs) != RPC_OK)
		return rpc_lost(ctx->rpc) ? RPC_LOST : 0;
	if (ct_memcmp(mine, theirs, digest_len(alg)) != 0)
		return 0;
	if (!ctx->quiet) {
		/* The copy that is complete: where it would have gone. */
		p = words_printable(put ? it->remote : it->local);
		printf("%s: already complete, checksum matches\n", p);
		fflush(stdout);
		free(p);
	}
	return 1;
}

int
xfer_pipeline(struct rpc *rpc, size_t n, const struct xfer_pipe *ops, void *arg)
{
	size_t *cost = xcalloc(n ? n : 1, sizeof(*cost));
	size_t sent = 0, done = 0, flying = 0, bytes = 0;
	int stopped = 0, e;

	while (done < n) {
		while (!stopped && sent < n && flying < XFER_WINDOW &&
		    bytes < XFER_WINDOW_BYTES) {
			cost[sent] = 0;
			e = ops->send(arg, sent, flying);
			if (e == XFER_PIPE_WAIT)
				break;
			if (e == XFER_PIPE_STOP) {
				stopped = 1;
				break;
			}
			if (e == XFER_PIPE_SENT) {
				cost[sent] = XFER_REQ_COST(
				    ops->path(arg, sent));
				flying++;
				bytes += cost[sent];
			}
			sent++;
		}
		if (done == sent)
			break;
		if (cost[done] != 0 && !rpc_lost(rpc)) {
			if (ops->recv(arg, done) == XFER_PIPE_STOP)
				stopped = 1;
			flying--;
			bytes -= cost[done];
		}
		done++;
	}
	free(cost);
	return stopped ? -1 : 0;
}

/* What xfer_get_complete's steps share. */
struct xfer_complete {
	struct cmd_ctx *ctx;
	const struct xfer_item *v;
	uint8_t (*mine)[MFTP_HASH_LEN];
	char *same;
	ssize_t stop; /* the item that stopped it */
	int put;      /* the local files are an upload's sources */
};

static const char *
xfer_complete_path(void *arg, size_t i)
{
	return ((struct xfer_complete *)arg)->v[i].remote;
}

/* v[i]'s local file hashed, and its HASH sent (xfer_pipeline). */
static int
xfer_complete_send(void *arg, size_t i, size_t flying)
{
	struct xfer_complete *a = arg;
	struct cmd_ctx *ctx = a->ctx;
	int fd, e;

	if ((fd = xfer_complete_open(&a->v[i], a->put)) == -1)
		return XFER_PIPE_SKIP;
	if (flying > 0 && a->v[i].attr.size > XFER_KEPT_SLICE) {
		close(fd);
		return XFER_PIPE_WAIT;
	}
	e = xfer_complete_hash(ctx, &a->v[i], fd, a->mine[i]);
	if (e == RPC_OK && intr_pending())
		e = RPC_INTR;
	if (e == RPC_OK)
		e = rpc_hash_send(
		    ctx->rpc, a->v[i].remote, rpc_digest(ctx->rpc));
	/* Not read whole, a name too long: downloaded. */
	if (e == RPC_LOCAL && !rpc_lost(ctx->rpc))
		return XFER_PIPE_SKIP;
	if (e != RPC_OK) {
		a->stop = (ssize_t)i;
		return XFER_PIPE_STOP;
	}
	return XFER_PIPE_SENT;
}

static int
xfer_complete_reply(void *arg, size_t i)
{
	struct xfer_complete *a = arg;
	int e = xfer_complete_recv(a->ctx, &a->v[i], a->mine[i], a->put);

	if (e == RPC_LOST && a->stop == -1)
		a->stop = (ssize_t)i;
	a->same[i] = a->stop == -1 && e == 1;
	return a->stop == -1 ? XFER_PIPE_SENT : XFER_PIPE_STOP;
}

/*
 * The HASH requests go out pipelined (xfer_pipeline), so that the
 * requests always fit in the socket buffers while the server sends
 * replies we do not read yet (it reads no request while it cannot
 * write); the replies, a checksum each, fit there too.  Each local file
 * is hashed before its request goes, one at a time; one larger than a
 * slice with no request in flight, as xfer_get_pass hashes a kept part
 * (xfer_hash_kept pings the server meanwhile).
 */
static int
xfer_complete_run(struct cmd_ctx *ctx, const struct xfer_item *v, size_t n,
    char *same, int put)
{
	static const struct xfer_pipe ops = { xfer_complete_send,
		xfer_complete_reply, xfer_complete_path };
	struct xfer_complete a = { ctx, v, NULL, same, -1, put };

	a.mine = xcalloc(n ? n : 1, sizeof(*a.mine));
	memset(same, 0, n);
	xfer_pipeline(ctx->rpc, n, &ops, &a);
	free(a.mine);
	return a.stop == -1 ? 0 : xfer_complete_stop(ctx, &v[a.stop], put);
}

int
xfer_get_complete(
    struct cmd_ctx *ctx, const struct xfer_item *v, size_t n, char *same)
{
	return xfer_complete_run(ctx, v, n, same, 0);
}

/*
 * What the STATs of xfer_put_complete share: two for each item, its
 * remote name (even) and the server's partial of it (odd).
 */
struct xfer_put_look {
	struct cmd_ctx *ctx;
	const struct xfer_item *v;
	char **partial; /* xfer_put_partial, or NULL */
	char *whole;	/* a remote regular file of the local size */
	char *pending;	/* a partial beside it */
	ssize_t stop;
};

static const char *
xfer_put_look_path(void *arg, size_t j)
{
	struct xfer_put_look *a = arg;

	return j % 2 == 0 || a->partial[j / 2] == NULL ? a->v[j / 2].remote :
							 a->partial[j / 2];
}

static int
xfer_put_look_send(void *arg, size_t j, size_t flying)
{
	struct xfer_put_look *a = arg;
	size_t i = j / 2;
	int e;

	(void)flying;
	if (intr_pending()) {
		a->stop = (ssize_t)i;
		return XFER_PIPE_STOP;
	}
	if (j % 2 == 1 && a->partial[i] == NULL)
		return XFER_PIPE_SKIP;
	e = rpc_stat_send(a->ctx->rpc, xfer_put_look_path(a, j));
	if (e == RPC_OK)
		return XFER_PIPE_SENT;
	/* A name too long to ask for: its PUT says so. */
	if (!rpc_lost(a->ctx->rpc))
		return XFER_PIPE_SKIP;
	a->stop = (ssize_t)i;
	return XFER_PIPE_STOP;
}

static int
xfer_put_look_reply(void *arg, size_t j)
{
	struct xfer_put_look *a = arg;
	size_t i = j / 2;
	struct msg_attr at;

	if (rpc_stat_recv(a->ctx->rpc, &at) == RPC_OK) {
		if (j % 2 == 0)
			a->whole[i] = at.kind == MFTP_KIND_FILE &&
			    at.size == a->v[i].attr.size;
		else
			a->pending[i] = 1;
	} else if (rpc_lost(a->ctx->rpc) && a->stop == -1)
		a->stop = (ssize_t)i;
	return a->stop == -1 ? XFER_PIPE_SENT : XFER_PIPE_STOP;
}

/*
 * The STATs first, pipelined as the HASHes are: a remote file of
 * another size, or none, is sent without a look at its checksum, which
 * for a large file the server would have to read whole to give; so is
 * one with a partial of the server's beside it, which the upload then
 * takes up or replaces (and which would otherwise stay, counted in the
 * quota).  Then the rest as reget -r compares (xfer_complete_run).
 * Ctrl-C is taken as during a transfer (intr_transfer), so that it
 * stops the comparison with its line, not the process.
 */
int
xfer_put_complete(
    struct cmd_ctx *ctx, const struct xfer_item *v, size_t n, char *same)
{
	static const struct xfer_pipe ops = { xfer_put_look_send,
		xfer_put_look_reply, xfer_put_look_path };
	struct xfer_put_look a = { ctx, v, NULL, NULL, NULL, -1 };
	struct xfer_item *w;
	size_t *at, i, k = 0;
	char *wsame;
	int r;

	memset(same, 0, n);
	a.partial = xcalloc(n + 1, sizeof(*a.partial));
	a.whole = xcalloc(n + 1, 1);
	a.pending = xcalloc(n + 1, 1);
	w = xreallocarray(NULL, n + 1, sizeof(*w));
	at = xreallocarray(NULL, n + 1, sizeof(*at));
	for (i = 0; i < n; i++)
		a.partial[i] = xfer_put_partial(v[i].remote);
	intr_transfer(1);
	xfer_pipeline(ctx->rpc, 2 * n, &ops, &a);
	if (a.stop != -1)
		r = xfer_complete_stop(ctx, &v[a.stop], 1);
	else {
		for (i = 0; i < n; i++)
			if (a.whole[i] && !a.pending[i]) {
				w[k] = v[i];
				at[k++] = i;
			}
		wsame = xcalloc(k + 1, 1);
		r = xfer_complete_run(ctx, w, k, wsame, 1);
		for (i = 0; i < k; i++)
			same[at[i]] = wsame[i];
		free(wsame);
	}
	intr_transfer(0);
	for (i = 0; i < n; i++)
		free(a.partial[i]);
	free(a.partial);
	free(a.pending);
	free(a.whole);
	free(at);
	free(w);
	return r;
}
