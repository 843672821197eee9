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

#include "digest.h"
#include "msg.h"

struct stat;

#define RPC_OK 0
#define RPC_SERVER -1 /* the server replied ERROR: rpc_code() says which */
#define RPC_LOCAL -2  /* a local file or system call failed */
#define RPC_LOST -3   /* session over: connection lost or protocol error */
/*
 * Ctrl-C in the middle of a file's data: the connection was closed (the
 * session is over as with RPC_LOST), which is the one way to stop a
 * transfer that the server keeps the received part of (see intr.h).
 */
#define RPC_INTR -4

/*
 * Why a file whose size is given as 0 but that reads as data (one of
 * /proc or /sys) is not sent: the size a PUT announces is not the
 * file's.
 */
#define RPC_SIZE_ZERO_TEXT                                             \
	"its size is given as 0, yet it has data (a file of /proc or " \
	"/sys?): not stored; copy it to a regular file and send that"

struct hash_pipe;
struct rpc;

/* What to do with a server key that no pin and no CA vouches for. */
enum rpc_strict {
	RPC_STRICT_ASK,	       /* ask on the terminal; refuse in batch mode */
	RPC_STRICT_YES,	       /* refuse */
	RPC_STRICT_ACCEPT_NEW, /* pin it and go on (a changed key: refuse) */
	RPC_STRICT_NO,	       /* the same as accept-new */
};

/* How the server's identity is checked (ssh's options, same names). */
struct rpc_trust {
	const char *known_hosts; /* UserKnownHostsFile */
	enum rpc_strict strict;	 /* StrictHostKeyChecking */
	int interactive;	 /* a terminal the question may go to */
	int quiet;		 /* no note when a key is pinned */
	/*
	 * A reconnect's: the fingerprint the first connection checked.
	 * That key is taken again; another only if a pin or a CA vouches
	 * for it, never by the policy.
	 */
	const char *expect_fp;
};

/*
 * Connect to host and port (numeric or service name), trying every
 * address getaddrinfo() returns, each for at most timeout_ms (from the
 * local numeric address bind, if not NULL: -o BindAddress, which skips
 * the addresses of the other family), then run
 * the first TLS handshake and check the server's key against the pins in
 * trust->known_hosts (or the system's CAs and the host name).  Nothing is
 * sent inside TLS before that check passed.  Returns NULL with a message
 * in errbuf when no connection could be made or trusted.
 */
struct rpc *rpc_connect(const char *host, const char *port, const char *bind,
    int timeout_ms, const struct rpc_trust *trust, char *errbuf, size_t errlen);
/* The family of a numeric address (AF_INET, AF_INET6), or -1. */
int rpc_addr_family(const char *addr);
/*
 * "TLSv1.3 TLS_CHACHA20_POLY1305_SHA256 X25519, server key SHA256:...
 * (pinned)" for -v: the session in use now.
 */
const char *rpc_tls_info(struct rpc *r);
/* The fingerprint of the server's key, as checked at the connect. */
const char *rpc_server_key(const struct rpc *r);
/* Close the connection (without QUIT) and free everything. */
void rpc_free(struct rpc *r);

/* Why the last call failed. */
uint32_t rpc_code(const struct rpc *r); /* MFTP_ST_* or 0 for local/lost */
const char *rpc_text(const struct rpc *r);
int rpc_lost(const struct rpc *r);
/*
 * Whether the server has closed the connection (shut it or reset it),
 * looked at without reading: between commands, a session it ended (its
 * idle_timeout, a restart) while nothing was asked of it.
 */
int rpc_peer_gone(struct rpc *r);

/*
 * The whole-file checksum to ask for in HELLO: DIGEST_XXH128 (the
 * default; the session uses it if the server grants it) or DIGEST_SHA256
 * (the session uses SHA-256, whatever the server would allow).  Call
 * before rpc_hello.
 */
void rpc_set_verify(struct rpc *r, enum digest_alg alg);

/*
 * How long any one wait for the server may last without a sign of it
 * (-o Timeout), in seconds; for every connection made after the call.
 */
void rpc_set_timeout(int seconds);

/*
 * on: every wait for the server ends at Ctrl-C (intr_pending), as lost:
 * "interrupted".  For a login again at the prompt and a listing, where
 * nothing waits on the connection but the person; a transfer has its
 * own stops (rpc_xfer.c) and runs with it off.  The calls nest: off
 * undoes one on.  Without it, a wait for a reply still ends, as lost,
 * a second after Ctrl-C (a server that hangs, or trickles its reply).
 */
void rpc_set_interruptible(struct rpc *r, int on);

/*
 * Called with each WORKING the server sends while it reads a file back
 * to hash it before its reply: how far it is, of size.  fn NULL: none.
 */
typedef void rpc_working_fn(void *arg, uint64_t done, uint64_t size);
void rpc_set_working(struct rpc *r, rpc_working_fn *fn, void *arg);

/*
 * HELLO exchange.  RPC_LOST also when the server has no version in common
 * (rpc_code() is MFTP_ST_VERSION then) or is busy (MFTP_ST_BUSY).
 */
int rpc_hello(struct rpc *r);
/*
 * The session's checksum, as HELLO_OK settled it: what every DATA_END
 * and HASH carries.
 */
enum digest_alg rpc_digest(const struct rpc *r);
/*
 * The pipe the session's transfers hash through (hash_pipe.h), for the
 * kept part of a local file: hash_pipe_fd() with it.
 */
struct hash_pipe *rpc_hash_pipe(struct rpc *r);
/* The server's software name from HELLO_OK. */
const char *rpc_server_name(const struct rpc *r);

/*
 * LOGIN; RPC_SERVER with MFTP_ST_AUTH for a wrong name or password.  A
 * good login ends the first TLS session; the session goes on in a second
 * handshake keyed by a secret both ends exported from the first.
 */
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
 * A listing of more than RPC_LIST_MAX entries, which every caller would
 * otherwise hold in memory however many a server sends, ends the
 * session there (RPC_LOST): the protocol cannot stop a listing.  So
 * does a Ctrl-C (intr_pending) while it comes, RPC_INTR.
 */
#define RPC_LIST_MAX 1000000
typedef int rpc_list_fn(void *arg, const struct msg_entry *e);
int rpc_list_send(struct rpc *r, const char *path);
int rpc_list_recv(struct rpc *r, rpc_list_fn *fn, void *arg);
int rpc_list(struct rpc *r, const char *path, rpc_list_fn *fn, void *arg);

/* REMOVE a file, RMDIR an empty directory, RENAME with rename(2)'s rules. */
int rpc_remove(struct rpc *r, const char *path);
int rpc_rmdir(struct rpc *r, const char *path);
int rpc_rename(struct rpc *r, const char *from, const char *to);

/*
 * CHMOD, SYMLINK and READLINK (rpc_link.c): only on a server that
 * granted them in HELLO (rpc_has_links); on another, RPC_LOCAL with
 * "server does not support ..." and nothing sent.  CHMOD's mode is
 * sent as given (the server refuses bits past 0777 with its reason).
 * SYMLINK makes linkpath hold target, in symlink(2)'s order.
 * READLINK: *target receives what the link holds (to free; it is any
 * string the user chose: print it only through words_quote()).
 */
int rpc_has_links(const struct rpc *r);
int rpc_chmod(struct rpc *r, const char *path, uint32_t mode);
int rpc_symlink(struct rpc *r, const char *target, const char *linkpath);
int rpc_readlink_send(struct rpc *r, const char *path);
int rpc_readlink_recv(struct rpc *r, char **target);

/*
 * The checksum in alg of a remote file (digest_len(alg) bytes into
 * hash): HASH when alg is the session's, else HASH_ALG.  rpc_hash_recv
 * reads the reply of the oldest rpc_hash_send, which must have been
 * given the same alg.
 */
int rpc_hash(struct rpc *r, const char *path, enum digest_alg alg,
    uint8_t hash[MFTP_HASH_LEN]);
int rpc_hash_send(struct rpc *r, const char *path, enum digest_alg alg);
int
rpc_hash_recv(struct rpc *r, enum digest_alg alg, uint8_t hash[MFTP_HASH_LEN]);

/*
 * QUOTA: usage and limits (a limit of 0 means none), and the bytes
 * reserved by uploads in progress (0 from a server without
 * MFTP_FEAT_QUOTA_RESERVED, which does not say them).
 */
int rpc_quota(struct rpc *r, struct msg_quota *q);

/*
 * Called as a transfer's data moves, with how much of the file is done
 * (the offset included); also about once a second while nothing moves,
 * with the same count, so a progress display can say it stalled.
 */
typedef void rpc_progress_fn(void *arg, uint64_t done);

/*
 * One transfer.  The caller sets progress and arg (or NULL); the calls
 * fill in the rest.
 */
struct rpc_xfer {
	uint64_t size;	 /* the whole file */
	uint64_t offset; /* where the data on the wire started */
	uint64_t bytes;	 /* how many bytes went over the connection */
	uint64_t shown;	 /* put: of bytes, the most the server took */
	uint8_t hash[MFTP_HASH_LEN]; /* get: the server's; put: ours */
	size_t hash_len;	     /* the session's digest_len() */
	/* put: the file's first bytes already fed to d (xfer_kept.h) */
	uint64_t hashed;
	rpc_progress_fn *progress;
	void *arg;
};

/*
 * GET, in three steps so that several can be in flight: rpc_get_send
 * writes the request; rpc_get_file reads its first reply, FILE (size and
 * offset in x) or the final ERROR (RPC_SERVER); rpc_get_data then reads
 * the size - offset bytes, writes them to fd at its position (fd -1: drop
 * them), feeds them to d, and reads DATA_END, whose whole-file checksum
 * (in the session's algorithm) lands in x->hash.  If writing fd fails the
 * rest is still read from the connection, so the session goes on, and
 * RPC_LOCAL is returned, errno saying why.  A Ctrl-C (intr_pending) ends it with RPC_INTR;
 * x->bytes says how far it came.
 */
int rpc_get_send(struct rpc *r, const char *path, uint64_t offset);
int rpc_get_file(struct rpc *r, uint64_t offset, struct rpc_xfer *x);
int rpc_get_data(struct rpc *r, int fd, struct digest *d, struct rpc_xfer *x);

/*
 * PUT: rpc_put_send announces size bytes with permission bits mode and
 * the source's mtime (with size, the server's resume key); rpc_put_ready
 * reads PUT_READY (x->offset: how much of an interrupted upload the
 * server kept) or the final ERROR (RPC_SERVER: then no data is sent).
 * rpc_put_data hashes fd's first offset bytes (unless x->hashed, set
 * after rpc_put_ready, says that d, in the session's algorithm, holds
 * exactly them already), sends the rest (read with
 * pread, so fd's position does not matter) while hashing it with d
 * (reset to the session's algorithm), sends DATA_END with the whole
 * file's checksum (also left in x->hash) and reads
 * the verdict: OK, or ERROR (RPC_SERVER; MFTP_ST_HASH when the server's
 * hash differed).  The server expects exactly size bytes: if fd ends
 * early or cannot be read, the connection is dropped (RPC_LOST); after
 * a Ctrl-C it is dropped too, RPC_INTR, which leaves the server the
 * part it received, for a later PUT to resume.  x->bytes is what was
 * handed to the connection, x->shown what the server's system took of
 * it (as the progress display is told).  A file no longer as src
 * (its fstat when announced) said once its data went (fd_changed: it was
 * written meanwhile) sent bytes of no one version of it: DATA_END then
 * carries no checksum, which the server refuses without storing
 * anything, and the result is RPC_LOCAL, "changed while it was sent".
 */
int rpc_put_send(struct rpc *r, const char *path, uint64_t size, uint32_t mode,
    int64_t mtime);
int rpc_put_ready(struct rpc *r, uint64_t size, struct rpc_xfer *x);
int rpc_put_data(struct rpc *r, int fd, const struct stat *src,
    struct digest *d, struct rpc_xfer *x);

/*
 * PUT_DATA (rpc_putdata.c), when the server granted it (rpc_put_data_ok):
 * a whole small file (at most MFTP_PUT_DATA_MAX bytes, already hashed in
 * the session's algorithm) sent with its request and DATA_END in one
 * write, no reply awaited: many may be in flight.  rpc_put_data_recv
 * reads the oldest one's final reply: RPC_OK, or RPC_SERVER (ERROR:
 * that file only was refused; the stream stays in step).
 *
 * A send the connection refused (the server ended the session: reset)
 * returns RPC_LOST with rpc_lost() still 0: the replies to the requests
 * sent before it may be here, and rpc_put_data_recv still reads them;
 * rpc_put_data_cut then ends the session with the send's failure (or
 * the one a read met first) and returns RPC_LOST.
 */
struct rpc_put_data {
	const char *path;
	const uint8_t *data;
	size_t len;
	uint32_t mode;
	int64_t mtime;
	const uint8_t *hash;
	size_t hash_len;
};
int rpc_put_data_ok(const struct rpc *r);
int rpc_put_data_send(struct rpc *r, const struct rpc_put_data *p);
int rpc_put_data_recv(struct rpc *r);
int rpc_put_data_cut(struct rpc *r);
/* Has the server sent something not read yet?  (No wait.)  1 or 0. */
int rpc_reply_waiting(struct rpc *r);

#endif
