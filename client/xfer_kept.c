/*
 * xfer_kept.c: the kept part of a resumed transfer, hashed between
 * requests (xfer_kept.h); and so is a local file that reget -r finds
 * already complete, to compare with the server's HASH.
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
 * beside it.  -1 otherwise.
 */
static int
xfer_complete_open(const struct xfer_item *it)
{
	struct stat st;
	int fd;

	if (xfer_is_direct(it->at, it->local))
		return -1;
	/* A part of mftp's says the download was interrupted: it is
	 * resumed. */
	if (xfer_part_pending(it->at, it->local))
		return -1;
	if ((fd = openat(it->at, xfer_at_name(it->at, it->local),
		 O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || st.st_size < 0 ||
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
xfer_complete_stop(struct cmd_ctx *ctx, const struct xfer_item *it)
{
	char *p;
	int r;

	if (rpc_lost(ctx->rpc))
		return cmd_rpc_fail(ctx, it->remote);
	ctx->interrupted = 1;
	p = words_printable(it->local);
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
    const uint8_t mine[MFTP_HASH_LEN])
{
	enum digest_alg alg = rpc_digest(ctx->rpc);
	uint8_t theirs[MFTP_HASH_LEN];
	char *p;

	if (rpc_hash_recv(ctx->rpc, alg, theirs) != RPC_OK)
		return rpc_lost(ctx->rpc) ? RPC_LOST : 0;
	if (ct_memcmp(mine, theirs, digest_len(alg)) != 0)
		return 0;
	if (!ctx->quiet) {
		p = words_printable(it->local);
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

	if ((fd = xfer_complete_open(&a->v[i])) == -1)
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
	int e = xfer_complete_recv(a->ctx, &a->v[i], a->mine[i]);

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
int
xfer_get_complete(
    struct cmd_ctx *ctx, const struct xfer_item *v, size_t n, char *same)
{
	static const struct xfer_pipe ops = { xfer_complete_send,
		xfer_complete_reply, xfer_complete_path };
	struct xfer_complete a = { ctx, v, NULL, same, -1 };

	a.mine = xcalloc(n ? n : 1, sizeof(*a.mine));
	memset(same, 0, n);
	xfer_pipeline(ctx->rpc, n, &ops, &a);
	free(a.mine);
	return a.stop == -1 ? 0 : xfer_complete_stop(ctx, &v[a.stop]);
}
