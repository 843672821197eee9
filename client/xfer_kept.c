/*
 * xfer_kept.c: the kept part of a resumed transfer, hashed between
 * requests (xfer_kept.h).
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
#include <errno.h>
#include <stdlib.h>

#include "err.h"
#include "hash_pipe.h"
#include "intr.h"
#include "rpc.h"
#include "util.h"
#include "xfer_kept.h"

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
