/*
 * xfer_kept.h: the kept part of a resumed transfer, hashed between
 * requests, the session kept alive meanwhile; a local file reget -r
 * finds complete, and a remote one reput -r finds so, compared so with
 * the server's HASH.
 *
 * Runs as: the user, in mftp.
 */
#ifndef MFTP_CLIENT_XFER_KEPT_H
#define MFTP_CLIENT_XFER_KEPT_H

#include <stddef.h>
#include <stdint.h>

#include "digest.h"

struct rpc;

/*
 * Feed bytes 0 to len of fd to d, with no request of the session's in
 * flight: a slice at a time, and a PWD to the server at least every
 * second meanwhile, so that the server's idle_timeout never ends a
 * session whose client is busy reading a large part back (a slow disk:
 * minutes).  RPC_OK; RPC_LOCAL with errno set, *shrank set when fd
 * ended before len; RPC_INTR on Ctrl-C (the session goes on); RPC_LOST.
 */
int xfer_hash_kept(
    struct rpc *rpc, struct digest *d, int fd, uint64_t len, int *shrank);

/*
 * reget -r: whether the final local file of each item of v is already
 * there whole, as a download would leave it: this user's own regular
 * file (opened in its at as the download writes it, no link followed:
 * O_NOFOLLOW), no .part beside it, of the remote size, and of the
 * checksum that the server's HASH gives, in the session's algorithm
 * (hashed as a kept part is, xfer_hash_kept).  same[i] set when it is,
 * and the line "LOCAL: already complete, checksum matches" was printed
 * (not with -q); not set when it is not, or that could not be told (to
 * be downloaded as before).  The HASH requests are pipelined, as GETs
 * are (XFER_WINDOW): a round trip per file would cost a tree of many
 * small files far more than fetching it again.  0, or -1 after
 * cmd_fail(): the session was lost, or Ctrl-C.  With no request in
 * flight, before and after.
 */
struct cmd_ctx;
struct xfer_item;
int xfer_get_complete(
    struct cmd_ctx *ctx, const struct xfer_item *v, size_t n, char *same);
/*
 * reput -r, put -r -c, mput -c, and put -r tried again (--retry): the
 * same for uploads.  Each item's local file (below at when at is a
 * directory's descriptor, put -r, else by its name; no link followed)
 * is its source, attr.size its size now; the remote file is whole when
 * STAT finds it a regular file of that size and its HASH is that of
 * the local file.  same[i] set when it is, and "REMOTE: already
 * complete, checksum matches" printed (not with -q).  The STATs go out
 * pipelined first, then the HASHes of the files of the same size.  0,
 * or -1 after cmd_fail(): the session was lost, or Ctrl-C.
 */
int xfer_put_complete(
    struct cmd_ctx *ctx, const struct xfer_item *v, size_t n, char *same);

#endif
