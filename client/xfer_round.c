/*
 * xfer_round.c: a get of many files in rounds (no two of one round
 * write one name), each a pass of pipelined GETs (xfer.c) and then,
 * from the start, what did not verify: a resumed file at once, a fresh
 * one when it changed on the server while it was sent (asked with
 * HASH once no GET is in flight).
 *
 * Runs as: the user, in mftp.
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "digest.h"
#include "intr.h"
#include "progress.h"
#include "rpc.h"
#include "tree.h"
#include "util.h"
#include "xfer.h"
#include "xfer_kept.h"
#include "xfer_local.h"
#include "xfer_part.h"
#include "xfer_pass.h"

/*
 * A local name that is this user's (or root's) symbolic link is written
 * through: the .part beside where it leads is renamed onto that, and
 * the link stays (xfer_local_follow).  One that names a descriptor or a
 * device is written into directly, and is left as it is here.
 */
static void
xfer_follow_link(struct xfer_item *it)
{
	char *to;

	if (xfer_is_direct(it->at, it->local) ||
	    (to = xfer_local_follow(&it->at, it->local)) == NULL)
		return;
	free(it->local);
	it->local = to;
}

static int
xfer_strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The items of v that may be downloaded together, moved to its front
 * (the order within each group kept); their count.  One saved under the name
 * of another's part (LOCAL.part, LOCAL.mftp-part) or its sidecar
 * (X.part beside X, as a browser's download in progress leaves them)
 * waits until that other is done with the name: before it, it would be
 * a .part without a record, that X's download steps aside from; beside
 * it, its rename would replace the part X is written into.
 */
static size_t
xfer_round(struct xfer_item *v, size_t n)
{
	struct xfer_item *w = xreallocarray(NULL, n, sizeof(*w));
	char **names = xreallocarray(NULL, 4 * n, sizeof(*names));
	char *late = xcalloc(n, 1);
	size_t i, j, k = 0;

	for (i = 0; i < n; i++) {
		names[4 * i] = xfer_part_path(v[i].local);
		names[4 * i + 1] = xfer_sidecar(names[4 * i]);
		names[4 * i + 2] = xfer_part_alt(v[i].local);
		names[4 * i + 3] = xfer_sidecar(names[4 * i + 2]);
	}
	qsort(names, 4 * n, sizeof(*names), xfer_strp_cmp);
	for (i = 0; i < n; i++) {
		late[i] = bsearch(&v[i].local, names, 4 * n, sizeof(*names),
			      xfer_strp_cmp) != NULL;
		if (!late[i])
			w[k++] = v[i];
	}
	for (i = 0, j = k; i < n; i++)
		if (late[i])
			w[j++] = v[i];
	/* No chain of names loops; were one to, all would go at once. */
	if (k > 0)
		memcpy(v, w, n * sizeof(*v));
	for (i = 0; i < 4 * n; i++)
		free(names[i]);
	free(names);
	free(late);
	free(w);
	return k > 0 ? k : n;
}

/*
 * A fresh download that did not match the checksum that came with it
 * (XFER_REDO_FRESH): 1 when the file on the server is not what that
 * checksum was of any more (its checksum now is another, or it is no
 * longer a file to read), so it changed while it was sent and is to be
 * fetched again; 0 when it still is, so what came was not the file; -1
 * after cmd_fail() when the session was lost or Ctrl-C was pressed.
 */
static int
xfer_changed(
    struct cmd_ctx *ctx, struct xfer_item *it, const struct xfer_redo *rd)
{
	uint8_t now[MFTP_HASH_LEN];
	struct msg_attr a;
	enum digest_alg alg = rpc_digest(ctx->rpc);
	struct xfer_working w;
	int e;

	xfer_working_begin(ctx, it->remote, &w);
	e = rpc_hash(ctx->rpc, it->remote, alg, now);
	xfer_working_end(ctx, &w);
	if (e == RPC_OK && ct_memcmp(now, rd->hash, digest_len(alg)) == 0)
		return 0;
	if (rpc_lost(ctx->rpc) || intr_pending()) {
		ctx->interrupted = intr_pending();
		return cmd_rpc_fail(ctx, it->remote);
	}
	/* Gone, or no longer a file, is a change too; another refusal
	 * (an I/O error there, say) tells nothing: the next GET's says. */
	if (e == RPC_OK || rpc_code(ctx->rpc) == MFTP_ST_NOT_FOUND ||
	    rpc_code(ctx->rpc) == MFTP_ST_IS_DIR ||
	    rpc_code(ctx->rpc) == MFTP_ST_INVALID)
		cmd_note("%s: changed on the server while it was sent; "
			 "transferring again from the start",
		    it->remote);
	else {
		const char *why = rpc_text(ctx->rpc),
			   *rest = xfer_text_past_name(why, it->remote);

		cmd_note("%s: the data received did not match the server's "
			 "%s, whose checksum cannot be asked again (%s); "
			 "transferring again from the start",
		    it->remote, digest_title(alg), rest != NULL ? rest : why);
	}
	/* The resume key of the next try: the file as it is now. */
	if (rpc_stat(ctx->rpc, it->remote, &a) == RPC_OK &&
	    a.kind == MFTP_KIND_FILE)
		it->attr = a;
	else if (rpc_lost(ctx->rpc))
		return cmd_rpc_fail(ctx, it->remote);
	return 1;
}

/*
 * What came of a fresh download was not the file, which has not changed
 * on the server since.  Told as the pass tells a failure: in get -r and
 * mget as it comes (tree_missed), else as the command's reason, or
 * printed after an earlier failure that is.
 */
static void
xfer_mismatch(
    struct cmd_ctx *ctx, int flags, const struct xfer_item *it, int *ret)
{
	char *earlier = ctx->reason;

	ctx->reason = NULL;
	cmd_fail(ctx,
	    "%s: checksum mismatch: the data received does not match the "
	    "server's %s, and the file has not changed on the server since; "
	    "it was discarded",
	    it->remote, digest_title(rpc_digest(ctx->rpc)));
	if (!(flags & XFER_GET_EACH) && *ret == 0) {
		free(earlier);
		*ret = -1;
		return;
	}
	if (flags & XFER_GET_EACH)
		tree_missed(ctx, it->remote);
	else
		cmd_say(ctx, ctx->reason);
	free(ctx->reason);
	ctx->reason = earlier;
}

/*
 * One pass, then each file that did not verify, from the start: a
 * resumed one at once, a fresh one if it changed on the server.
 */
static int
xfer_get_round(struct cmd_ctx *ctx, struct xfer_item *v, size_t n, int flags)
{
	struct xfer_redo *redo;
	size_t i;
	int ret, r;

	redo = xcalloc(n, sizeof(*redo));
	ret = xfer_get_pass(ctx, v, n,
	    (flags & XFER_GET_FORCE) ? XFER_FORCE : XFER_AUTO,
	    (flags & XFER_GET_EACH) != 0, redo);
	for (i = 0; i < n && !rpc_lost(ctx->rpc) && !ctx->interrupted; i++) {
		if (redo[i].why == XFER_REDO_NONE)
			continue;
		if (redo[i].why == XFER_REDO_KEPT)
			cmd_note("%s: the kept part did not match; "
				 "transferring again from the start",
			    v[i].local);
		else if ((r = xfer_changed(ctx, &v[i], &redo[i])) != 1) {
			if (r == 0)
				xfer_mismatch(ctx, flags, &v[i], &ret);
			else
				ret = -1;
			continue;
		}
		if (xfer_get_pass(ctx, &v[i], 1, XFER_FRESH,
			(flags & XFER_GET_EACH) != 0, NULL) == -1 &&
		    ret == 0)
			ret = -1;
	}
	free(redo);
	return ret;
}

/*
 * XFER_GET_SKIP: the items whose local file is already complete
 * (xfer_get_complete) moved to the end of v, the others kept in their
 * order before them; their count.  -1 after cmd_fail() when the
 * session was lost or Ctrl-C was pressed.
 */
static ssize_t
xfer_skip_complete(struct cmd_ctx *ctx, struct xfer_item *v, size_t n)
{
	struct xfer_item *w = xreallocarray(NULL, n + 1, sizeof(*w));
	char *same = xcalloc(n + 1, 1);
	size_t i, k = 0, j = n;
	int r;

	r = xfer_get_complete(ctx, v, n, same);
	for (i = 0; i < n; i++) {
		if (same[i])
			w[--j] = v[i];
		else
			w[k++] = v[i];
	}
	memcpy(v, w, n * sizeof(*v));
	free(w);
	free(same);
	return r == -1 ? -1 : (ssize_t)k;
}

int
xfer_get(struct cmd_ctx *ctx, struct xfer_item *v, size_t n, int flags)
{
	size_t i, k;
	ssize_t left;
	int ret = 0;

	for (i = 0; i < n; i++)
		xfer_follow_link(&v[i]);
	intr_transfer(1);
	if ((flags & XFER_GET_SKIP) &&
	    (left = xfer_skip_complete(ctx, v, n)) >= 0)
		n = (size_t)left;
	else if (flags & XFER_GET_SKIP)
		ret = -1;
	/* Each round once the one before it is done: see xfer_round. */
	for (; n > 0 && ret == 0; v += k, n -= k) {
		k = xfer_round(v, n);
		ret = xfer_get_round(ctx, v, k, flags);
	}
	intr_transfer(0);
	return ret;
}

void
xfer_items_free(struct xfer_item *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].remote);
		free(v[i].local);
	}
	free(v);
}
