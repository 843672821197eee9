/*
 * rpc.h: the client's connection layer: connect, HELLO, LOGIN and one call
 * per request, with no user interface.
 *
 * Runs as: the user, in mftp.
 *
 * Every call returns RPC_OK or one of the negative RPC_* results below;
 * rpc_code() and rpc_text() then say why, so the caller can print the
 * server's own message.  Once a call returns RPC_LOST the session is over
 * (connection lost or protocol violation) and every later call returns
 * RPC_LOST again at once.
 *
 * Requests can be pipelined: each has a *_send step that writes the request
 * and a *_recv step that reads its reply.  Replies come in request order,
 * so a caller that sends several requests must read their replies in the
 * same order.  The plain calls (rpc_pwd, ...) are send followed by recv.
 */
#ifndef MFTP_CLIENT_RPC_H
#define MFTP_CLIENT_RPC_H

#include <stddef.h>
#include <stdint.h>

#include "msg.h"

#define RPC_OK 0
#define RPC_SERVER -1 /* the server replied ERROR: rpc_code() says which */
#define RPC_LOCAL -2  /* a local file or system call failed */
#define RPC_LOST -3   /* session over: connection lost or protocol error */

struct rpc;

/*
 * Connect to host and port (numeric or service name), trying every
 * address getaddrinfo() returns, each for at most timeout_ms.  Returns
 * NULL with a message in errbuf when none answered.
 */
struct rpc *rpc_connect(const char *host, const char *port, int timeout_ms,
    char *errbuf, size_t errlen);
/* Close the connection (without QUIT) and free everything. */
void rpc_free(struct rpc *r);

/* Why the last call failed. */
uint32_t rpc_code(const struct rpc *r); /* MFTP_ST_* or 0 for local/lost */
const char *rpc_text(const struct rpc *r);
int rpc_lost(const struct rpc *r);

/*
 * HELLO exchange.  RPC_LOST also when the server has no version in common
 * (rpc_code() is MFTP_ST_VERSION then) or is busy (MFTP_ST_BUSY).
 */
int rpc_hello(struct rpc *r);
/* The server's software name from HELLO_OK. */
const char *rpc_server_name(const struct rpc *r);

/* LOGIN; RPC_SERVER with MFTP_ST_AUTH for a wrong name or password. */
int rpc_login(struct rpc *r, const char *user, const char *secret);

/* QUIT and wait for its OK; the connection stays open until rpc_free. */
int rpc_quit(struct rpc *r);

/* PWD and CWD; *path receives the (new) working directory, to free. */
int rpc_pwd(struct rpc *r, char **path);
int rpc_cwd(struct rpc *r, const char *dir, char **path);

int rpc_mkdir(struct rpc *r, const char *path, uint32_t mode);

int rpc_stat_send(struct rpc *r, const char *path);
int rpc_stat_recv(struct rpc *r, struct msg_attr *attr);
int rpc_stat(struct rpc *r, const char *path, struct msg_attr *attr);

/*
 * LIST: fn is called once per entry, in the server's order; the entry is
 * valid only during the call.  A nonzero return from fn is remembered and
 * the rest of the listing is read and dropped; rpc_list then returns it.
 */
typedef int rpc_list_fn(void *arg, const struct msg_entry *e);
int rpc_list_send(struct rpc *r, const char *path);
int rpc_list_recv(struct rpc *r, rpc_list_fn *fn, void *arg);
int rpc_list(struct rpc *r, const char *path, rpc_list_fn *fn, void *arg);

/*
 * What a transfer moved: the file's whole size, where the data started,
 * and how many bytes went over the connection.
 */
struct rpc_xfer {
	uint64_t size;
	uint64_t offset;
	uint64_t bytes;
};

/*
 * GET: the file's bytes from offset on are written to fd (at its current
 * position).  If writing fd fails the rest of the file is still read from
 * the connection, so the session goes on, and RPC_LOCAL is returned with
 * the error.
 */
int rpc_get_send(struct rpc *r, const char *path, uint64_t offset);
int rpc_get_recv(struct rpc *r, int fd, uint64_t offset, struct rpc_xfer *x);
int rpc_get(struct rpc *r, const char *path, int fd, uint64_t offset,
    struct rpc_xfer *x);

/*
 * PUT: announce size bytes with permission bits mode, then send fd's
 * bytes from the offset the server asks for (read with pread, so fd's
 * position does not matter), then wait for the verdict.  The server
 * expects exactly size bytes: if fd ends early the connection is dropped
 * (RPC_LOST).
 *
 * In steps: rpc_put_send writes the request; rpc_put_data reads PUT_READY
 * and sends the data and its trailer; rpc_put_recv reads the final OK.
 * When rpc_put_data returns RPC_SERVER the server refused the upload with
 * its final reply, so no rpc_put_recv follows.
 */
int rpc_put_send(struct rpc *r, const char *path, uint64_t size, uint32_t mode);
int rpc_put_data(struct rpc *r, int fd, uint64_t size, struct rpc_xfer *x);
int rpc_put_recv(struct rpc *r);
int rpc_put(struct rpc *r, const char *path, int fd, uint64_t size,
    uint32_t mode, struct rpc_xfer *x);

#endif
