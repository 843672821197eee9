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
 * file of the remote size, with no .part beside it.  -1 otherwise.
 */
static int
xfer_complete_open(const struct xfer_item *it)
{
	struct stat st;
	char *part;
	int fd, e;

	if (xfer_is_direct(it->at, it->local))
		return -1;
	/* A .part says the download was interrupted: it is resumed. */
	part = xfer_part_path(it->local);
	e = fstatat(
	    it->at, xfer_at_name(it->at, part), &st, AT_SYMLINK_NOFOLLOW);
	free(part);
	if (e == 0 || errno != ENOENT)
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

int
xfer_get_complete(struct cmd_ctx *ctx, const struct xfer_item *it)
{
	enum digest_alg alg = rpc_digest(ctx->rpc);
	uint8_t theirs[MFTP_HASH_LEN], mine[MFTP_HASH_LEN];
	struct digest *d;
	char *p;
	int fd, e, shrank, same = 0;

	if ((fd = xfer_complete_open(it)) == -1)
		return 0;
	/* Refused (gone, unreadable): its GET says why, as before. */
	if ((e = rpc_hash(ctx->rpc, it->remote, alg, theirs)) != RPC_OK)
		close(fd);
	else {
		d = digest_new(alg);
		e = xfer_hash_kept(ctx->rpc, d, fd, it->attr.size, &shrank);
		close(fd);
		if (e == RPC_OK) {
			digest_final(d, mine);
			same = ct_memcmp(mine, theirs, digest_len(alg)) == 0;
		}
		digest_free(d);
	}
	if (rpc_lost(ctx->rpc))
		return cmd_rpc_fail(ctx, it->remote);
	p = words_printable(it->local);
	if (e == RPC_INTR || intr_pending()) {
		ctx->interrupted = 1;
		e = cmd_fail(ctx,
		    "%s: interrupted while it was compared with the server's",
		    p);
		free(p);
		return e;
	}
	/* Not read whole (changed meanwhile): downloaded as before. */
	if (same && !ctx->quiet) {
		printf("%s: already complete, checksum matches\n", p);
		fflush(stdout);
	}
	free(p);
	return same;
}
