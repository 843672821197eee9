/*
 * xfer.c: verified, resumable downloads of single files: the local .part
 * and its resume key, a pass of pipelined GETs, the checksum check (in
 * the session's algorithm: XXH3-128 or SHA-256); what did not verify is
 * fetched again from the start by xfer_round.c, the final line is
 * xfer_report.c's; and what uploads share with them (xfer_put.c: PUT).
 *
 * Runs as: the user, in mftp.  A download reaches its final name only by
 * rename() after its checksum matched the server's; until then it is
 * LOCAL.part, which an interruption leaves for the next get to resume.
 * The .part is this process's alone from before its record is read until
 * after the rename: an exclusive OFD lock on it, which another mftp
 * (a cron run overlapping, a parallel script) cannot take, so that no
 * two clients write one .part and a verified hash is the file's.
 * The resume key says which remote file a .part holds, not how it was
 * hashed: a resumed download reads the kept part back and checks the
 * whole file in the algorithm of the session that finishes it.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "digest.h"
#include "hash_pipe.h"
#include "human.h"
#include "intr.h"
#include "mftp_limits.h"
#include "progress.h"
#include "proto.h"
#include "rpc.h"
#include "tree.h"
#include "util.h"
#include "words.h"
#include "xfer.h"
#include "xfer_kept.h"
#include "xfer_part.h"
#include "xfer_local.h"
#include "xfer_pass.h"

/*
 * Writing the part failed (a full disk, a quota, an I/O error), or the
 * connection was lost (lost: then the reason is the session's, and
 * comes first, as any lost session's does): what was written stays in
 * it, and the user is told so, as for an interrupt, with the command
 * that resumes it once the cause is gone.  How much that is, the part
 * itself says: the bytes received may be more than those written.
 */
static int
xfer_local_failed(struct cmd_ctx *ctx, const struct xfer_item *it,
    const char *part, int fd, const struct rpc_xfer *x, int lost)
{
	char done[32], size[32], *p, *cmd;
	struct stat st;
	int r;

	p = words_printable(part);
	cmd = xfer_resume_line(ctx, "reget", it->remote, it->local);
	human_size(x->size, size, sizeof(size));
	if (fstat(fd, &st) == -1)
		r = lost ? cmd_fail(ctx, "%s; %s is kept: %s resumes it",
			       rpc_text(ctx->rpc), p, cmd) :
			   cmd_fail(ctx, "%s: %s; it is kept: %s resumes it", p,
			       rpc_text(ctx->rpc), cmd);
	else {
		human_size((uint64_t)st.st_size, done, sizeof(done));
		r = lost ? cmd_fail(ctx,
			       "%s; the %s of %s written are kept in %s: "
			       "%s resumes it",
			       rpc_text(ctx->rpc), done, size, p, cmd) :
			   cmd_fail(ctx,
			       "%s: %s; the %s of %s written are kept in it: "
			       "%s resumes it",
			       p, rpc_text(ctx->rpc), done, size, cmd);
	}
	free(cmd);
	free(p);
	return r;
}

int
xfer_errno_all(int e)
{
	return e == ENOSPC || e == EDQUOT || e == EROFS;
}

int
xfer_refused_alone(const struct cmd_ctx *ctx)
{
	if (rpc_lost(ctx->rpc) || intr_pending())
		return 0;
	switch (rpc_code(ctx->rpc)) {
	case MFTP_ST_NOT_FOUND: /* removed since the listing */
	case MFTP_ST_PERM:
	case MFTP_ST_NOT_DIR:
	case MFTP_ST_IS_DIR:
	case MFTP_ST_INVALID:
	case MFTP_ST_IO: /* reading that file */
	case MFTP_ST_HASH:
	case MFTP_ST_LOCKED:
		return 1;
	default: /* the quota, the server's disk, its own failure */
		return 0;
	}
}

/*
 * Verified: move LOCAL.part onto LOCAL, drop its key, then give it its
 * mode.  In that order: a rename that fails leaves a .part that the
 * next get can still open (a mode of 0444 would refuse it), and a file
 * without write permission would refuse the removal of its key.
 *
 * A rename over a file that is there comes after the part's data is on
 * the disk (fdatasync): a crash soon after would otherwise leave, on a
 * file system that does not order the data before the rename (XFS,
 * ext4 with noauto_da_alloc), the name on an empty or partly written
 * file, the old one lost.  A new name costs no sync: what a crash can
 * cost it is the download, not a file the user had.
 */
static int
xfer_commit(
    struct cmd_ctx *ctx, const struct xfer_item *it, int fd, const char *part)
{
	const char *name = xfer_at_name(it->at, it->local);
	struct stat st;
	char *p;
	int e, r;

	/* Still locked: no other mftp has written it, or renamed it away. */
	if (!xfer_part_named(fd, it->at, part)) {
		close(fd);
		return cmd_fail(ctx,
		    "%s: replaced while the download was written into it: "
		    "the new one was left as it is",
		    part);
	}
	/* Made read-only while the data came (see xfer_plan). */
	if (xfer_local_readonly(it->at, it->local)) {
		close(fd);
		return cmd_fail(ctx,
		    XFER_READONLY_TEXT
		    "; the download is kept in %s: get then finishes it",
		    it->local, part);
	}
	if (fstatat(it->at, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    fdatasync(fd) == -1) {
		/* Not known to be on the disk: kept, and verified again. */
		e = errno;
		close(fd);
		errno = e; /* for the caller (xfer_errno_all) */
		p = xfer_resume_line(ctx, "reget", it->remote, it->local);
		r = cmd_fail(ctx, "%s: %s; it is kept: %s resumes it", part,
		    strerror(e), p);
		free(p);
		errno = e;
		return r;
	}
	if (renameat(it->at, xfer_at_name(it->at, part), it->at, name) == -1) {
		/*
		 * The .part keeps its record: the next get finds it whole
		 * and only verifies it again (a directory named LOCAL, say,
		 * once moved away).
		 */
		e = errno;
		close(fd);
		errno = e;
		return cmd_fail(ctx, "%s: %s", it->local, strerror(e));
	}
	/* Through the descriptor: the record goes from the file renamed. */
	xfer_key_drop(fd, it->at, part);
	if (fchmod(fd, (mode_t)it->attr.mode & 0666 & ~ctx->umask) == -1) {
		e = errno;
		close(fd);
		return cmd_fail(ctx,
		    "%s: verified, but its mode was not set: %s", it->local,
		    strerror(e));
	}
	if (close(fd) == -1)
		return cmd_fail(ctx, "%s: %s", it->local, strerror(errno));
	return 0;
}

/*
 * A part of the user's that get -c took up without a record (s->theirs)
 * did not verify: its bytes are not the remote file's start.  Starting
 * over in it, as in one of mftp's, would empty it: the bytes received
 * after the user's are cut off instead, its times given back, and the
 * download fails, saying why.  -1 after cmd_fail().
 */
static int
xfer_theirs_back(struct cmd_ctx *ctx, const struct xfer_item *it,
    const struct xfer_slot *s, int fd, uint64_t kept)
{
	const char *alg = digest_title(rpc_digest(ctx->rpc));
	int e = 0;

	if (ftruncate(fd, (off_t)kept) == -1 || futimens(fd, s->times) == -1)
		e = errno;
	close(fd);
	if (e != 0)
		return cmd_fail(ctx,
		    "%s: not the start of the remote file (the whole did "
		    "not match the server's %s), and what was received after "
		    "it could not be cut off: %s",
		    s->part, alg, strerror(e));
	return cmd_fail(ctx,
	    "%s: not the start of the remote file (with the rest received, "
	    "the whole did not match the server's %s): it was left as it "
	    "was; get without -c downloads %s beside it",
	    s->part, alg, it->local);
}

/*
 * Read one GET's reply and data.  0 when done, 0 with redo set when it
 * did not verify and is to be fetched again (struct xfer_redo), -1 after
 * cmd_fail(): *stop set when that makes the other files pointless to
 * try (xfer_errno_all, xfer_refused_alone); XFER_STOP_FULL when it is
 * that its part could not be made for a full disk (of bytes or files).
 */
#define XFER_STOP_FULL 2

static void
xfer_working(void *arg, uint64_t done, uint64_t size)
{
	struct xfer_working *w = arg;
	char *label;

	if (w->bar == NULL) {
		xasprintf(&label, "%s: the server checksums it", w->remote);
		w->bar = progress_start(w->ctx->progress, label, size, 0);
		free(label);
	}
	progress_update(w->bar, done);
}

void
xfer_working_begin(
    struct cmd_ctx *ctx, const char *remote, struct xfer_working *w)
{
	w->ctx = ctx;
	w->remote = remote;
	w->bar = NULL;
	rpc_set_working(ctx->rpc, xfer_working, w);
}

void
xfer_working_end(struct cmd_ctx *ctx, struct xfer_working *w)
{
	rpc_set_working(ctx->rpc, NULL, NULL);
	progress_end(w->bar);
}

static int
xfer_get_recv(struct cmd_ctx *ctx, const struct xfer_item *it,
    struct xfer_slot *s, int mode, double t0, struct xfer_redo *redo, int *stop)
{
	uint8_t mine[MFTP_HASH_LEN];
	enum digest_alg alg = rpc_digest(ctx->rpc);
	uint64_t offset = s->offset;
	struct xfer_working w;
	struct rpc_xfer x;
	struct digest *d = s->kept;
	const char *part;
	int fd, e, werr, ret = -1, direct, kept = d != NULL;

	/* The part kept up to offset: hashed before the GET went. */
	s->kept = NULL;
	if (d == NULL)
		d = digest_new(alg);
	memset(&x, 0, sizeof(x));
	*stop = 0;
	xfer_working_begin(ctx, it->remote, &w);
	e = rpc_get_file(ctx->rpc, offset, &x);
	xfer_working_end(ctx, &w);
	if (e != RPC_OK) {
		digest_free(d);
		*stop = !xfer_refused_alone(ctx);
		/* Ctrl-C before any data (the server hashing): which file. */
		if (rpc_lost(ctx->rpc) && intr_pending()) {
			char *p = words_printable(it->remote);

			ctx->interrupted = 1;
			e = cmd_fail(ctx, "%s: interrupted", p);
			free(p);
			return e;
		}
		return cmd_rpc_fail(ctx, it->remote);
	}
	direct = xfer_is_direct(it->at, it->local);
	part = direct ? it->local : s->part;
	if (direct)
		fd = xfer_open_direct(ctx, it->at, it->local);
	else if ((fd = xfer_open_part(ctx, it, s, mode)) != -1 && offset > 0 &&
	    !kept &&
	    hash_pipe_fd(rpc_hash_pipe(ctx->rpc), d, fd, 0, offset) != 0) {
		cmd_fail(ctx, "%s: %s", part, strerror(errno));
		close(fd);
		fd = -1;
	}
	if (fd == -1) {
		*stop = xfer_errno_all(errno) ? XFER_STOP_FULL : 0;
		/* Stay in step: the data comes anyway. */
		e = rpc_get_data(ctx->rpc, -1, NULL, &x);
		if (e == RPC_LOST)
			cmd_rpc_fail(ctx, it->remote);
		else if (e == RPC_INTR)
			ctx->interrupted = 1; /* Ctrl-C, as in any transfer */
		goto out;
	}
	/*
	 * Resumed or not, the part says which remote file it holds; but
	 * not one whose kept bytes are the user's (get -c took it up
	 * without a record): until it verifies it stays a file that only
	 * get -c resumes, and that nothing empties.
	 */
	if (!direct && !s->theirs)
		xfer_key_write(fd, it->at, part, it->attr.size, it->attr.mtime);
	x.arg = progress_start(ctx->progress, it->local, x.size, x.offset);
	x.progress = progress_update;
	e = rpc_get_data(ctx->rpc, fd, d, &x);
	werr = errno;
	progress_end(x.arg);
	/* What went into a descriptor or a FIFO stays there: no retry. */
	if (direct && x.bytes > 0 && ctx->spent == NULL)
		ctx->spent = xstrdup(it->local);
	/* Also Ctrl-C while the DATA_END was still awaited (rpc_recv_in). */
	if (e == RPC_INTR || (e == RPC_LOST && intr_pending())) {
		close(fd);
		xfer_interrupted(ctx, it->local, &x, direct ? "get" : "reget",
		    it->remote, it->local);
		goto out;
	}
	/* A write that failed: werr says why (rpc_get_data). */
	if (e != RPC_OK)
		*stop = e != RPC_LOCAL || xfer_errno_all(werr);
	if (e != RPC_OK) {
		/* The .part stays, for the next get to resume. */
		if ((e == RPC_LOCAL || (e == RPC_LOST && !intr_pending())) &&
		    !direct)
			xfer_local_failed(ctx, it, part, fd, &x, e == RPC_LOST);
		else
			cmd_rpc_fail(ctx, e == RPC_LOCAL ? part : it->remote);
		close(fd);
		goto out;
	}
	digest_final(d, mine);
	if (direct) {
		FILE *out = xfer_report_file(fd);

		e = close(fd) == -1 ? errno : 0;
		if (ct_memcmp(mine, x.hash, digest_len(alg)) != 0)
			cmd_fail(ctx,
			    "%s: checksum mismatch: the data written to %s does "
			    "not match the server's %s",
			    it->remote, it->local, digest_title(alg));
		else if (e != 0)
			cmd_fail(ctx, "%s: %s", it->local, strerror(e));
		else {
			xfer_report_to(out, ctx, it->local, x.bytes, x.offset,
			    xfer_now() - t0);
			ret = 0;
		}
		goto out;
	}
	if (ct_memcmp(mine, x.hash, digest_len(alg)) != 0 && s->theirs) {
		xfer_theirs_back(ctx, it, s, fd, offset);
		goto out;
	}
	if (ct_memcmp(mine, x.hash, digest_len(alg)) != 0) {
		if (offset > 0 && mode != XFER_FRESH) {
			close(fd);
			redo->why = XFER_REDO_KEPT;
			ret = 0;
			goto out;
		}
		/* Removed while still locked: no other mftp has taken it. */
		if (xfer_part_named(fd, it->at, part))
			(void)unlinkat(it->at, xfer_at_name(it->at, part), 0);
		xfer_key_drop(fd, it->at, part);
		close(fd);
		if (mode != XFER_FRESH) {
			redo->why = XFER_REDO_FRESH;
			memcpy(redo->hash, x.hash, digest_len(alg));
			ret = 0;
			goto out;
		}
		cmd_fail(ctx,
		    "%s: checksum mismatch: the data received does not match "
		    "the server's %s; it was discarded",
		    it->remote, digest_title(alg));
		goto out;
	}
	errno = 0;
	if (xfer_commit(ctx, it, fd, part) == 0) {
		xfer_report(ctx, it->local, x.bytes, x.offset, xfer_now() - t0);
		ret = 0;
	} else
		*stop = xfer_errno_all(errno);
out:
	/* The session lost, or Ctrl-C, whatever failed first. */
	if (ret == -1 &&
	    (rpc_lost(ctx->rpc) || ctx->interrupted || intr_pending()))
		*stop = 1;
	digest_free(d);
	return ret;
}

/*
 * Hash the part s keeps, before its GET goes, with no other request in
 * flight (xfer_kept.h).  0, or -1 after cmd_fail(): *stop set when the
 * session was lost or the user pressed Ctrl-C, else the part could not
 * be read (no GET is sent for it).
 */
static int
xfer_get_kept(struct cmd_ctx *ctx, const struct xfer_item *it,
    struct xfer_slot *s, int *stop)
{
	struct rpc_xfer x;
	int e, shrank;

	s->kept = digest_new(rpc_digest(ctx->rpc));
	e = xfer_hash_kept(ctx->rpc, s->kept, s->fd, s->offset, &shrank);
	*stop = e == RPC_LOST || e == RPC_INTR;
	if (e == RPC_OK)
		return 0;
	if (e == RPC_LOST)
		return cmd_rpc_fail(ctx, it->remote);
	if (e == RPC_INTR) {
		memset(&x, 0, sizeof(x));
		x.size = it->attr.size;
		x.offset = s->offset;
		return xfer_interrupted(
		    ctx, it->local, &x, "reget", it->remote, it->local);
	}
	return cmd_fail(ctx, "%s: %s", s->part,
	    shrank ? "it shrank while it was read" : strerror(errno));
}

/*
 * A plan that failed for want of a descriptor while GETs in flight hold
 * theirs: it is planned again once they are received, and from then on
 * fewer parts are held at once, leaving two descriptors for the one
 * being received (a part made, a sidecar).  SIZE_MAX: no such bound.
 */
static int
xfer_plan_later(size_t sent, size_t done, size_t held, size_t *held_max)
{
	if ((errno != EMFILE && errno != ENFILE) || sent == done)
		return 0;
	*held_max = held > 2 ? held - 2 : 0;
	return 1;
}

/*
 * One pass over the items: GETs go out up to XFER_WINDOW ahead of the
 * replies being read.  The bytes in flight are bounded too: the server
 * reads no request while it sends a file, so requests must fit in the
 * socket buffers or both sides would wait on each other.  So are the
 * parts held open for them, under a low limit of open files
 * (xfer_plan_later); with none in flight, one is always planned.
 * With each (XFER_GET_EACH), a file that fails on its own is said and
 * counted (tree_missed), and the others still go.
 */
int
xfer_get_pass(struct cmd_ctx *ctx, struct xfer_item *v, size_t n, int mode,
    int each, struct xfer_redo *redo)
{
	struct xfer_slot *slot;
	size_t *cost, i, sent = 0, done = 0, inflight = 0;
	size_t held = 0, held_max = SIZE_MAX;
	char *first = NULL;
	double t0 = xfer_now();
	struct xfer_redo again;
	int r, failed = 0, had, stop = 0, full = 0;

	slot = xcalloc(n, sizeof(*slot));
	for (i = 0; i < n; i++)
		slot[i].fd = -1;
	cost = xcalloc(n, sizeof(*cost));
	while (done < n) {
		while (!failed && sent < n && sent - done < XFER_WINDOW &&
		    inflight < XFER_WINDOW_BYTES &&
		    (held < held_max || sent == done)) {
			/* A part refused before its GET: none is sent. */
			if (xfer_plan(ctx, &v[sent], mode, &slot[sent]) == -1) {
				if (xfer_plan_later(
					sent, done, held, &held_max)) {
					xfer_slot_free(&slot[sent]);
					break;
				}
				slot[sent++].why = xstrdup(ctx->reason);
				continue;
			}
			/* A kept part is hashed with no GET in flight, while
			 * the server waits for no data of ours. */
			if (slot[sent].offset > 0 && inflight > 0) {
				xfer_slot_free(&slot[sent]);
				break;
			}
			if (slot[sent].offset > 0 &&
			    xfer_get_kept(ctx, &v[sent], &slot[sent], &stop) ==
				-1) {
				if (stop) {
					failed = 1;
					break;
				}
				/* No GET for it: its part is not held. */
				close(slot[sent].fd);
				slot[sent].fd = -1;
				slot[sent++].why = xstrdup(ctx->reason);
				continue;
			}
			held += slot[sent].fd != -1;
			if (rpc_get_send(ctx->rpc, v[sent].remote,
				slot[sent].offset) != RPC_OK) {
				cmd_rpc_fail(ctx, v[sent].remote);
				failed = 1;
				break;
			}
			cost[sent] = XFER_REQ_COST(v[sent].remote);
			inflight += cost[sent++];
		}
		if (done == sent || rpc_lost(ctx->rpc))
			break;
		had = slot[done].fd != -1;
		/* Refused before its GET: this file's alone (xfer_plan). */
		stop = 0;
		if (slot[done].why != NULL)
			r = cmd_fail(ctx, "%s", slot[done].why);
		else
			r = xfer_get_recv(ctx, &v[done], &slot[done], mode, t0,
			    redo != NULL ? &redo[done] : &again, &stop);
		xfer_slot_free(&slot[done]);
		held -= had;
		inflight -= cost[done++];
		t0 = xfer_now();
		if (r == -1 && each && !stop && !failed)
			tree_missed(ctx, v[done - 1].remote);
		else if (r == -1 && first == NULL && stop == XFER_STOP_FULL &&
		    ctx->tree_resume != NULL) {
			/* The GETs in flight fail the same way: said once. */
			xasprintf(&first,
			    "%s; it and the rest were not downloaded: %s "
			    "fetches them once there is room",
			    ctx->reason, ctx->tree_resume);
			failed = full = 1;
		} else if (r == -1 && first == NULL) {
			first = xstrdup(ctx->reason);
			failed = 1;
			full = stop == XFER_STOP_FULL;
		} else if (r == -1 && !(full && stop == XFER_STOP_FULL))
			cmd_say(ctx, ctx->reason);
	}
	/* Those planned but not received (the connection was lost). */
	for (i = 0; i < n; i++)
		xfer_slot_free(&slot[i]);
	free(slot);
	free(cost);
	if (first != NULL) {
		cmd_fail(ctx, "%s", first);
		free(first);
	}
	return failed ? -1 : 0;
}
