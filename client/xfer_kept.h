/*
 * xfer_kept.h: the kept part of a resumed transfer, hashed between
 * requests, the session kept alive meanwhile.
 *
 * Runs as: the user, in mftp.
 */
#ifndef MFTP_CLIENT_XFER_KEPT_H
#define MFTP_CLIENT_XFER_KEPT_H

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

#endif
