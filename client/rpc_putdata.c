/*
 * rpc_putdata.c: PUT_DATA, an upload whose bytes and DATA_END follow
 * the request at once (doc/PROTOCOL.md), so that many small files are
 * in flight on one connection and none waits for a round trip.
 *
 * Runs as: the user, in mftp.  The request, the file's bytes and the
 * DATA_END go out in one write (one TLS record for a small file); the
 * replies come back in order, one final OK or ERROR each.
 */
#include <sys/types.h>

#include <errno.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "mftp_limits.h"
#include "msg.h"
#include "proto.h"
#include "rpc.h"
#include "rpc_int.h"
#include "transport.h"

int
rpc_put_data_ok(const struct rpc *r)
{
	return (r->features & MFTP_FEAT_PUT_DATA) != 0;
}

int
rpc_put_data_send(struct rpc *r, const struct rpc_put_data *p)
{
	struct msg m;
	struct buf *out;
	int e;

	if (r->lost)
		return RPC_LOST;
	if (p->len > MFTP_PUT_DATA_MAX || p->hash_len > sizeof(m.hash))
		return rpc_fail(r, RPC_LOCAL, 0, "file too large for PUT_DATA");
	out = buf_new(2 * MFTP_FRAME_BUF + p->len);
	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_PUT_DATA;
	m.path = (char *)p->path;
	m.size = p->len;
	m.mode = p->mode;
	m.mtime = p->mtime;
	if ((e = msg_encode(out, &m)) != 0) {
		buf_free(out);
		if (e == ERR_TOO_LONG)
			return rpc_fail(
			    r, RPC_LOCAL, 0, "name or argument too long");
		return rpc_fail(r, RPC_LOCAL, 0, "%s", err_str(e));
	}
	(void)buf_put(out, p->data, p->len); /* room was made for it */
	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_DATA_END;
	memcpy(m.hash, p->hash, p->hash_len);
	m.hash_len = p->hash_len;
	if (msg_encode(out, &m) != 0) {
		buf_free(out);
		return rpc_fail(r, RPC_LOCAL, 0, "cannot encode DATA_END");
	}
	e = transport_write(r->t, buf_ptr(out), buf_len(out));
	buf_free(out);
	if (e == 0)
		return RPC_OK;
	/* A server that does not read for the whole timeout sends nothing. */
	if (e == ERR_TIMEOUT || !transport_peer_gone(r->t))
		return rpc_lose_err(r, e, "a file's data");
	/* Not yet lost: what the server sent before it closed is read. */
	r->cut = e;
	r->cut_errno = errno;
	return RPC_LOST;
}

int
rpc_put_data_cut(struct rpc *r)
{
	if (r->cut != 0 && !r->lost) {
		errno = r->cut_errno;
		(void)rpc_lose_err(r, r->cut, "a file's data");
	}
	r->cut = 0;
	return RPC_LOST;
}

int
rpc_put_data_recv(struct rpc *r)
{
	return rpc_expect(r, MFTP_MSG_OK);
}

int
rpc_reply_waiting(struct rpc *r)
{
	return !r->lost && transport_pending(r->t) > 0;
}
