/*
 * rpc_int.h: what rpc.c (connection, control requests) shares with
 * rpc_xfer.c (LIST, GET and PUT, whose replies stream); nothing else
 * includes it.
 *
 * Runs as: the user, in mftp.
 */
#ifndef MFTP_CLIENT_RPC_INT_H
#define MFTP_CLIENT_RPC_INT_H

#include <stdint.h>

#include "msg.h"
#include "rpc.h"
#include "tls.h"

struct hash_pipe;

/*
 * The longest wait for the server within one read or write (-o Timeout;
 * rpc_set_timeout).  A wait while the server still acknowledges what
 * this end sent is no silence, and goes on (transport_set_ack_wait).
 */
#define RPC_IO_TIMEOUT_DEFAULT_MS (120 * 1000)
/* How often a wait looks at Ctrl-C, which a signal may not interrupt. */
#define RPC_INTR_TICK_MS 100
extern int rpc_io_timeout_ms;

struct rpc {
	struct transport *t;
	struct buf *scratch; /* one frame, in or out */
	struct msg m;	     /* the reply being read */
	uint32_t code;	     /* why the last call failed */
	char *text;
	int lost;
	char *server;		/* software name from HELLO_OK */
	enum digest_alg verify; /* asked for in HELLO */
	enum digest_alg alg;	/* the session's, from HELLO_OK */
	uint64_t features;	/* granted in HELLO_OK (MFTP_FEAT_*) */
	struct hash_pipe *hp;	/* GET and PUT hash through it */
	int cut, cut_errno;	/* a PUT_DATA not sent: rpc_put_data_cut */

	uint8_t psk[MFTP_PSK_LEN]; /* exported from the first TLS session */
	char fp[TLS_FP_LEN];	   /* the server key's fingerprint */
	const char *vouched;	   /* "pinned", "CA-verified", ... */
	int login_sent;		   /* LOGIN awaits its reply */
	rpc_working_fn *working;   /* told of WORKING (rpc_set_working) */
	void *working_arg;
	int intr_scopes;    /* rpc_set_interruptible(r, 1), nested */
	uint64_t intr_seen; /* mono_ms a reply's wait saw Ctrl-C */
	char info[256];	    /* rpc_tls_info() */
};

/*
 * The first TLS handshake on r's connected socket, and the check of the
 * server's identity: RPC_OK, or RPC_LOST with the reason.  A server that
 * answers in clear (busy, or protocol 1) has its message shown.
 */
int rpc_tls_start(struct rpc *r, const char *host, const char *port,
    const struct rpc_trust *trust, int timeout_ms);
/* The second handshake, after the server closed the first at LOGIN. */
int rpc_tls_resume(struct rpc *r);
/*
 * Make the second handshake's context now (libssl's set-up of its
 * ciphers and groups), while the server checks the password.
 */
void rpc_tls_prepare(void);

/*
 * An rpc on fd, connected, before any TLS (rpc_connect; the fuzz
 * harness of the replies feeds it a server's bytes in clear).  It owns
 * fd from now on.
 */
struct rpc *rpc_new(int fd);

/* Record why a call failed and return result. */
int rpc_fail(struct rpc *r, int result, uint32_t code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Record why, end the session (shut the socket) and return RPC_LOST. */
int rpc_lose(struct rpc *r, uint32_t code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* rpc_lose with a transport or frame error (ERR_*) described. */
int rpc_lose_err(struct rpc *r, int err, const char *what);

/* Send one request frame; one that has at most a path. */
int rpc_send(struct rpc *r, const struct msg *m);
int rpc_send_path(struct rpc *r, uint8_t type, const char *path);
/*
 * Send a request of type with path, path2 and mode (NULL and 0 where the
 * type has no such field) and expect a plain OK.
 */
int rpc_request_ok(struct rpc *r, uint8_t type, const char *path,
    const char *path2, uint32_t mode);
/*
 * Read the next reply into r->m, whatever its type (an ERROR that ends
 * the session on the server's side ends it here too).  WORKING frames
 * are skipped; Ctrl-C pending at one ends the session ("interrupted").
 */
int rpc_recv(struct rpc *r);
/* Read the next reply into r->m: of type want (RPC_OK) or ERROR. */
int rpc_expect(struct rpc *r, uint8_t want);
/* The same, with what a frame that cannot be read is called. */
int rpc_recv_in(struct rpc *r, const char *what);
int rpc_expect_in(struct rpc *r, uint8_t want, const char *what);
/* Read a PATH reply and hand its path over (*path, to free). */
int rpc_recv_path(struct rpc *r, char **path);

#endif
