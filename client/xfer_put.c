/*
 * xfer_put.c: verified, resumable uploads of single files: PUT with the
 * server's resume offset (its partial looked at first for a large
 * file, and the local file's start hashed before the PUT), the data,
 * the checksum in DATA_END, one retry from the start when the server's
 * kept part did not match, the final line.
 *
 * Runs as: the user, in mftp.  Many files go through xfer_putq.c, which
 * comes here for those not sent inline.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "digest.h"
#include "intr.h"
#include "partial.h"
#include "progress.h"
#include "proto.h"
#include "rpc.h"
#include "util.h"
#include "words.h"
#include "xfer.h"
#include "xfer_kept.h"

const char *
xfer_text_past_name(const char *text, const char *remote)
{
	/*
	 * The server's text names the path as the reply's text is shown:
	 * its control characters made printable, as here.
	 */
	char *p = words_printable(remote);
	size_t n = strlen(p);
	const char *rest = NULL;

	if (strncmp(text, p, n) == 0 && text[n] == ':')
		rest = text + n + 1 + (text[n + 1] == ' ');
	free(p);
	return rest;
}

int
xfer_put_fail(struct cmd_ctx *ctx, const char *remote)
{
	const char *t = rpc_text(ctx->rpc);
	char *p = words_printable(remote);
	int r;

	if (rpc_lost(ctx->rpc) || rpc_code(ctx->rpc) == 0 ||
	    xfer_text_past_name(t, remote) != NULL)
		r = cmd_rpc_fail(ctx, remote);
	else
		r = cmd_fail(ctx, "%s: %s", p, t);
	free(p);
	return r;
}

int
xfer_put_refused_alone(const struct cmd_ctx *ctx)
{
	/* Not found, permission denied, LOCKED, a directory in the way...;
	 * but an I/O error is the server's disk's, not the file's. */
	return xfer_refused_alone(ctx) && rpc_code(ctx->rpc) != MFTP_ST_IO;
}

/*
 * The connection was lost while the data went: said as any lost
 * session is, then, as for an interrupt, what stays and the command
 * that resumes it.  How much the server wrote, it alone knows.  Returns
 * -1.
 */
static int
xfer_put_lost(struct cmd_ctx *ctx, const char *local, const char *remote)
{
	char *p = words_printable(remote);
	char *cmd = xfer_resume_line(ctx, "reput", local, remote);
	int r;

	r = cmd_fail(ctx,
	    "%s; the server keeps what it received of %s: %s resumes it",
	    rpc_text(ctx->rpc), p, cmd);
	free(cmd);
	free(p);
	return r;
}

/*
 * Before a PUT: the server's partial of remote (.NAME.mftp-part beside
 * it, PROTOCOL.md §5.6), whose bytes it will keep if it is this
 * upload's, and fd's first bytes up to its size hashed into d, between
 * requests (xfer_kept.h): the server would otherwise wait for the data
 * while they are read back.  How many bytes d holds (0: none, or no
 * partial); -1 after cmd_fail() (the session was lost, or Ctrl-C).
 *
 * Only for a file of XFER_KEPT_PUT_MIN or more: the look costs a round
 * trip before every PUT, most of which resume nothing, and a part of a
 * smaller file reads back in well under a second (seconds on a slow
 * USB stick), far from any idle_timeout in use.
 */
#define XFER_KEPT_PUT_MIN (64 * 1024 * 1024)

char *
xfer_put_partial(const char *remote)
{
	const char *slash = strrchr(remote, '/');
	const char *base = slash != NULL ? slash + 1 : remote;
	char *partial, *name;

	if (*base == '\0')
		return NULL;
	name = partial_name(base);
	xasprintf(&partial, "%.*s%s", (int)(base - remote), remote, name);
	free(name);
	return partial;
}

static int64_t
xfer_put_kept(struct cmd_ctx *ctx, const char *local, const char *remote,
    int fd, const struct stat *st, struct digest *d)
{
	struct msg_attr a;
	struct rpc_xfer x;
	char *partial;
	int e, shrank;

	if (st->st_size < XFER_KEPT_PUT_MIN ||
	    (partial = xfer_put_partial(remote)) == NULL)
		return 0;
	e = rpc_stat(ctx->rpc, partial, &a);
	free(partial);
	if (e != RPC_OK || a.kind != MFTP_KIND_FILE || a.size == 0 ||
	    a.size > (uint64_t)st->st_size)
		return e == RPC_LOST ? cmd_rpc_fail(ctx, remote) : 0;
	e = xfer_hash_kept(ctx->rpc, d, fd, a.size, &shrank);
	if (e == RPC_OK)
		return (int64_t)a.size;
	if (e == RPC_INTR) {
		memset(&x, 0, sizeof(x));
		x.size = (uint64_t)st->st_size;
		x.offset = a.size;
		return xfer_interrupted(
		    ctx, remote, &x, "reput", local, remote);
	}
	if (e == RPC_LOST)
		return cmd_rpc_fail(ctx, remote);
	/* Read again after the PUT, and failed there as it should. */
	digest_reset_alg(d, rpc_digest(ctx->rpc));
	return 0;
}

/* One PUT: 0 done, 1 the server's kept part did not verify, -1 failed. */
static int
xfer_put_once(struct cmd_ctx *ctx, const char *local, const char *remote,
    int fd, const struct stat *st, int last)
{
	struct rpc_xfer x;
	struct digest *d;
	double t0 = xfer_now();
	int64_t kept = 0;
	int e = RPC_OK;

	memset(&x, 0, sizeof(x));
	d = digest_new(rpc_digest(ctx->rpc));
	if (!last &&
	    (kept = xfer_put_kept(ctx, local, remote, fd, st, d)) < 0) {
		digest_free(d);
		return -1;
	}
	if (rpc_put_send(ctx->rpc, remote, (uint64_t)st->st_size,
		st->st_mode & 0777, st->st_mtime) != RPC_OK ||
	    (e = rpc_put_ready(ctx->rpc, (uint64_t)st->st_size, &x)) !=
		RPC_OK) {
		digest_free(d);
		/* Ctrl-C while the answer was awaited: which file, what now. */
		if (e == RPC_INTR || (rpc_lost(ctx->rpc) && intr_pending()))
			return xfer_interrupted_early(
			    ctx, remote, "reput", local, remote);
		return xfer_put_fail(ctx, remote);
	}
	x.hashed = (uint64_t)kept;
	x.arg = progress_start(ctx->progress, remote, x.size, x.offset);
	/* None drawn (-q, no terminal): none told (rpc_put_data). */
	x.progress = x.arg != NULL ? progress_update : NULL;
	e = rpc_put_data(ctx->rpc, fd, st, d, &x);
	digest_free(d);
	progress_end(x.arg);
	if (e == RPC_OK) {
		xfer_report(ctx, remote, x.bytes, x.offset, xfer_now() - t0);
		return 0;
	}
	if (e == RPC_INTR)
		return xfer_interrupted_sent(
		    ctx, remote, &x, "reput", local, remote);
	/* The local file's fault (it changed while it was sent). */
	if (e == RPC_LOCAL)
		return cmd_rpc_fail(ctx, local);
	/* Lost on the way: the server keeps its partial for the resume. */
	if (e == RPC_LOST && !intr_pending())
		return xfer_put_lost(ctx, local, remote);
	/* The server dropped its kept part: the next PUT starts at 0. */
	if (e == RPC_SERVER && rpc_code(ctx->rpc) == MFTP_ST_HASH &&
	    x.offset > 0 && !last)
		return 1;
	return xfer_put_fail(ctx, remote);
}

int
xfer_put_is_dir(struct cmd_ctx *ctx, const char *local)
{
	/* As typed, with -r added: a resume stays one, and says how to go
	 * on in REMOTE itself, which reput -r would go inside of. */
	if (ctx->name != NULL && strcmp(ctx->name, "reput") == 0)
		return cmd_fail(ctx,
		    "%s: is a directory (use reput -r, or reput -rT to go on "
		    "in REMOTE itself)",
		    local);
	return cmd_fail(ctx, "%s: is a directory (use put -r%s)", local,
	    (ctx->opts & CMD_OPT('c')) ? "c" : "");
}

/* Why local, of st, is not uploaded: -1 after cmd_fail(). */
static int
xfer_put_refused(struct cmd_ctx *ctx, const char *local, const struct stat *st)
{
	if (S_ISDIR(st->st_mode))
		return xfer_put_is_dir(ctx, local);
	return cmd_fail(ctx, "%s: not a regular file", local);
}

/*
 * What is not a regular file is refused before it is opened: opening a
 * FIFO releases a writer waiting on it, whose data is then lost when it
 * is closed, and opening a device can act (a tape rewinds, a watchdog
 * starts).  One put there since is refused by xfer_put_fd, not waited
 * on in open (O_NONBLOCK).
 */
int
xfer_put(struct cmd_ctx *ctx, const char *local, const char *remote)
{
	struct stat st;
	int fd;

	if (stat(local, &st) == -1)
		return cmd_fail(ctx, "%s: %s", local, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return xfer_put_refused(ctx, local, &st);
	if ((fd = open(local, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return cmd_fail(ctx, "%s: %s", local, strerror(errno));
	return xfer_put_fd(ctx, fd, local, remote);
}

int
xfer_put_fd(struct cmd_ctx *ctx, int fd, const char *local, const char *remote)
{
	struct stat st;
	int r;

	if (fstat(fd, &st) == -1) {
		close(fd);
		return cmd_fail(ctx, "%s: %s", local, strerror(errno));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return xfer_put_refused(ctx, local, &st);
	}
	/*
	 * A file of /proc or /sys: refused before its PUT, which would
	 * leave an empty partial on the server, counted as a file.
	 */
	if (st.st_size == 0 && fd_reads_past(fd, 0)) {
		close(fd);
		return cmd_fail(ctx, "%s: %s", local, RPC_SIZE_ZERO_TEXT);
	}
	intr_transfer(1);
	if ((r = xfer_put_once(ctx, local, remote, fd, &st, 0)) == 1) {
		cmd_note("%s: the kept part did not match; transferring again "
			 "from the start",
		    remote);
		r = xfer_put_once(ctx, local, remote, fd, &st, 1);
	}
	intr_transfer(0);
	close(fd);
	return r;
}
