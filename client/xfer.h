/*
 * xfer.h: verified, resumable transfers of single files, on top of the
 * rpc layer: the local .part file and its resume key, the checksum
 * comparison, one retry from the start, the progress bar and the final
 * line.
 *
 * Runs as: the user, in mftp.
 */
#ifndef MFTP_CLIENT_XFER_H
#define MFTP_CLIENT_XFER_H

#include <stddef.h>
#include <stdio.h>

#include "msg.h"

struct cmd_ctx;

/*
 * A file to download: where from, where to, and what STAT or LIST said.
 * local is looked up in at (AT_FDCWD, or a descriptor of local's
 * directory: then only its last component is, xfer_local.h), and is
 * what the messages say.
 */
struct xfer_item {
	char *remote;
	char *local;
	int at;
	struct msg_attr attr; /* size and mtime: the resume key; mode */
};

/*
 * Requests in flight at most, and their bytes (see xfer_get_pass): the
 * GETs of a batch, and the HASHes of reget -r (xfer_kept.c).  What a
 * request for path counts towards the bytes: its frame, at most.
 */
#define XFER_WINDOW 32
#define XFER_WINDOW_BYTES (16 * 1024)
#define XFER_REQ_COST(path) (32 + strlen(path))

/*
 * Requests pipelined as the GETs of a batch are: up to XFER_WINDOW and
 * XFER_WINDOW_BYTES ahead of the replies read, which are read in order,
 * so that the requests always fit in the socket buffers while the
 * server sends replies not read yet (it reads no request while it
 * cannot write); the replies must be small too.  send(arg, i, flying)
 * sends item i's request: XFER_PIPE_SENT; XFER_PIPE_SKIP when nothing
 * goes for it; XFER_PIPE_WAIT (only when flying > 0) to send it only
 * when no request is in flight (it is asked again then); XFER_PIPE_STOP to send no more.
 * recv(arg, i) reads the reply of item i, sent; XFER_PIPE_STOP to send
 * no more.  After a stop, the replies in flight are still read (not
 * when the session is lost), so that the session stays in step.
 * path(arg, i): the path of item i's request, for its bytes.  0, or -1
 * when it stopped.
 */
#define XFER_PIPE_SENT 0
#define XFER_PIPE_SKIP 1
#define XFER_PIPE_WAIT 2
#define XFER_PIPE_STOP 3
struct xfer_pipe {
	int (*send)(void *arg, size_t i, size_t flying);
	int (*recv)(void *arg, size_t i);
	const char *(*path)(void *arg, size_t i);
};
struct rpc;
int xfer_pipeline(
    struct rpc *rpc, size_t n, const struct xfer_pipe *ops, void *arg);

/*
 * Download items in order, keeping up to 32 GET requests in flight, so
 * that many small files do not cost a round trip each.  An item saved
 * under another's LOCAL.part (or its sidecar) goes after that other is
 * done, in a later round, so the items may be reordered in v.  Each file lands
 * in LOCAL.part, is checked against the server's checksum of the whole
 * file (in the session's algorithm), and only then renamed onto LOCAL.
 *
 * An existing LOCAL.part is resumed when its key (the remote size and
 * mtime it was started with) matches attr, or with force (get -c) when
 * it has no key; with another key the download starts over in it.  One
 * with no key (without force), or that is not the user's own file, is
 * left as it is and the download fails.  A resumed file that does not
 * verify is fetched once more from the start; but one get -c took up
 * without a key is the user's, and is cut back to what it held and
 * left as it was, and its download fails.  A local name for
 * standard output or error, a device or a FIFO is written into (never
 * the pipe the batch commands come from); a symbolic link of the user's
 * is written through (xfer_local.h).
 *
 * After the first failure no new request is sent; those in flight are
 * finished.  Returns 0, or -1 with the first failure's reason in ctx.
 * With XFER_GET_EACH (get -r, mget), a failure confined to one file
 * (the server refused it: xfer_refused_alone; a local failure but for
 * those of xfer_errno_all) is printed and counted (tree_missed), and
 * the rest goes on; then only one that makes going on pointless (the
 * session lost, Ctrl-C, a full disk) stops it and is returned.
 */
#define XFER_GET_FORCE 1 /* get -c: a .part without a key is resumed */
#define XFER_GET_EACH 2	 /* each file on its own, as above */
/* reget -r: a file already complete there is skipped (xfer_get_complete) */
#define XFER_GET_SKIP 4
int xfer_get(struct cmd_ctx *ctx, struct xfer_item *v, size_t n, int flags);
/*
 * Nonzero if a local failure of errno e concerns every file, not the
 * one: the disk (or the user's quota on it) is full, or the file
 * system is read-only.
 */
int xfer_errno_all(int e);
/*
 * Nonzero if the server's refusal just read (RPC_SERVER) concerns the
 * file or directory asked for (not found, permission denied, ...),
 * not the session (which then goes on).
 */
int xfer_refused_alone(const struct cmd_ctx *ctx);
void xfer_items_free(struct xfer_item *v, size_t n);

/*
 * Upload the regular file local to remote.  The server resumes an
 * interrupted upload of the same file (same size and mtime) on its own;
 * if the result does not verify it is sent once more from the start.
 * 0, or -1 with the reason in ctx.
 */
int xfer_put(struct cmd_ctx *ctx, const char *local, const char *remote);
/* xfer_put of the file open on fd (named local), which it closes. */
int
xfer_put_fd(struct cmd_ctx *ctx, int fd, const char *local, const char *remote);

/*
 * An upload of the directory local without -r: -1 after cmd_fail() with
 * the command to use instead (put -r, put -rc, reput -r or -rT).
 */
int xfer_put_is_dir(struct cmd_ctx *ctx, const char *local);

/*
 * The server's partial of an upload to remote (.NAME.mftp-part beside
 * it, PROTOCOL.md §5.6, lib/partial.c), or NULL when remote names no
 * file (it ends with a slash).
 */
char *xfer_put_partial(const char *remote);

/*
 * cmd_rpc_fail for an upload to remote: a refusal whose text does not
 * begin with the file's name (the quota's, a checksum mismatch) gets
 * it, so that each failure of mput or put -r says which file it was.
 */
int xfer_put_fail(struct cmd_ctx *ctx, const char *remote);
/*
 * The server's text past the "NAME: " it begins with when it names
 * remote, or NULL when it does not.
 */
const char *xfer_text_past_name(const char *text, const char *remote);
/*
 * xfer_refused_alone for an upload (put -r, mput): the server's refusal
 * just read concerns that file alone, and the others may still go;
 * not the quota, the server's full disk, nor an I/O error there.
 */
int xfer_put_refused_alone(const struct cmd_ctx *ctx);

/* Seconds on the monotonic clock, for the transfer lines. */
double xfer_now(void);

/*
 * The one line of a transfer stopped by Ctrl-C, as the command's
 * failure: how far it came (x) and the command that goes on with it,
 * "CMD SRC DST" as it can be typed back (DST left out when it is SRC's
 * base name, which is where CMD would put it), so that it finds the
 * same part (ctx->interrupted is set).  Returns -1.  The "at" of a
 * download is what its part holds; an upload's is what the server's
 * system took (x->shown), said as sent: what was still in the socket
 * when it was closed by a reset never reached the server
 * (xfer_interrupted_sent).
 */
struct rpc_xfer;
char *xfer_resume_cmd(const char *cmd, const char *src, const char *dst);
/* "CMD ARG1 ARG2 ...", each quoted as it can be typed back. */
char *xfer_resume_args(const char *cmd, int argc, char **argv);
/*
 * The command a failed or interrupted file's line gives: the whole
 * command's in get -r, put -r, mget and mput (ctx->tree_resume), else
 * xfer_resume_cmd's.
 */
char *xfer_resume_line(const struct cmd_ctx *ctx, const char *cmd,
    const char *src, const char *dst);
int xfer_interrupted(struct cmd_ctx *ctx, const char *name,
    const struct rpc_xfer *x, const char *cmd, const char *src,
    const char *dst);
/*
 * An upload stopped while its PUT's answer was awaited (the server
 * checking the part it keeps, or slow): none of its data went.
 */
int xfer_interrupted_early(struct cmd_ctx *ctx, const char *name,
    const char *cmd, const char *src, const char *dst);
int xfer_interrupted_sent(struct cmd_ctx *ctx, const char *name,
    const struct rpc_xfer *x, const char *cmd, const char *src,
    const char *dst);

/*
 * The line of a verified transfer (nothing with -q): NAME: SIZE in
 * SECS s (RATE/s)[, resumed at OFFSET], verified.
 */
void xfer_report(struct cmd_ctx *ctx, const char *name, uint64_t bytes,
    uint64_t offset, double secs);
/* The same line written to out (xfer_report_file's choice). */
void xfer_report_to(FILE *out, struct cmd_ctx *ctx, const char *name,
    uint64_t bytes, uint64_t offset, double secs);
/*
 * Where the line about a download written into fd goes: standard error
 * when fd is standard output's file or pipe, else standard output.
 */
FILE *xfer_report_file(int fd);

/*
 * Many uploads (xfer_putq.c): xfer_putq_add sends local as remote,
 * small files pipelined (PUT_DATA), others by xfer_put after the replies
 * in flight; 0, or -1 once this or an earlier one failed (stop adding).
 * Nothing else may be asked of the server until xfer_putq_drain has read
 * every reply in flight (0, or -1 with the first failure as the reason).
 * xfer_putq_free drains, frees, and returns what the drain did.
 */
struct xfer_putq;
struct xfer_putq *xfer_putq_new(struct cmd_ctx *ctx);
int xfer_putq_add(struct xfer_putq *q, const char *local, const char *remote);
/*
 * xfer_putq_add of the file rel below the directory top (put -r),
 * opened by xfer_local_open_below; local names it in the messages.
 */
int xfer_putq_add_at(struct xfer_putq *q, int top, const char *rel,
    const char *local, const char *remote);
int xfer_putq_drain(struct xfer_putq *q);
int xfer_putq_free(struct xfer_putq *q);

#endif
