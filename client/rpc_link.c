/*
 * rpc_link.c: CHMOD, SYMLINK and READLINK (doc/PROTOCOL.md §5.8a).
 *
 * Runs as: the user, in mftp.  These requests exist only on servers
 * that granted MFTP_FEAT_CHMOD_SYMLINK in HELLO: an older server ends
 * the session on a request type it does not know, so without the bit
 * nothing is sent and the caller gets RPC_LOCAL with a message that
 * says the server does not support the command.
 */
#include <stdint.h>

#include "msg.h"
#include "proto.h"
#include "rpc.h"
#include "rpc_int.h"

/* RPC_OK when the server can take these requests, else why not. */
static int
rpc_link_supported(struct rpc *r, const char *what)
{
	if (r->lost)
		return RPC_LOST;
	if ((r->features & MFTP_FEAT_CHMOD_SYMLINK) != 0)
		return RPC_OK;
	return rpc_fail(r, RPC_LOCAL, 0,
	    "server does not support %s (it is older than this client)", what);
}

int
rpc_has_links(const struct rpc *r)
{
	return (r->features & MFTP_FEAT_CHMOD_SYMLINK) != 0;
}

int
rpc_chmod(struct rpc *r, const char *path, uint32_t mode)
{
	int e;

	if ((e = rpc_link_supported(r, "chmod")) != RPC_OK)
		return e;
	return rpc_request_ok(r, MFTP_MSG_CHMOD, path, NULL, mode);
}

int
rpc_symlink(struct rpc *r, const char *target, const char *linkpath)
{
	int e;

	if ((e = rpc_link_supported(r, "symbolic links")) != RPC_OK)
		return e;
	return rpc_request_ok(r, MFTP_MSG_SYMLINK, target, linkpath, 0);
}

int
rpc_readlink_send(struct rpc *r, const char *path)
{
	int e;

	if ((e = rpc_link_supported(r, "symbolic links")) != RPC_OK)
		return e;
	return rpc_send_path(r, MFTP_MSG_READLINK, path);
}

int
rpc_readlink_recv(struct rpc *r, char **target)
{
	*target = NULL;
	return rpc_recv_path(r, target);
}
