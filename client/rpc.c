/*
 * rpc.c: the client's side of the protocol: connecting, HELLO, LOGIN and
 * one call per control request, built on lib/transport, lib/frame and
 * lib/msg.  The requests whose replies stream (LIST, GET, PUT) are in
 * rpc_xfer.c.
 *
 * Runs as: the user, in mftp.  Everything the server sends is untrusted:
 * replies are checked against the request they answer, and anything else
 * ends the session (RPC_LOST) rather than being guessed at.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "frame.h"
#include "hash_pipe.h"
#include "intr.h"
#include "log.h"
#include "mftp_limits.h"
#include "msg.h"
#include "proto.h"
#include "rpc.h"
#include "rpc_int.h"
#include "termsafe.h"
#include "transport.h"
#include "util.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0"
#endif

static struct buf *
rpc_scratch_new(void)
{
	/* Room for the largest frame plus its length prefix. */
	return buf_new(MFTP_FRAME_BUF);
}

/* How long a reply's wait goes on after Ctrl-C (rpc_reply_watch). */
#define RPC_INTR_GRACE_MS 1000

/* Keep a reason, with control characters from the server made harmless. */
static void
rpc_set_text(struct rpc *r, uint32_t code, const char *fmt, va_list ap)
{
	char *p, *s;

	/* Format first: the old text may be one of the arguments. */
	if (vasprintf(&s, fmt, ap) < 0)
		fatalx("out of memory formatting a string");
	p = termsafe_str(s);
	free(s);
	free(r->text);
	r->text = p;
	r->code = code;
}

int
rpc_fail(struct rpc *r, int result, uint32_t code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rpc_set_text(r, code, fmt, ap);
	va_end(ap);
	return result;
}

/*
 * End the session: whatever comes next on the stream can no longer be
 * trusted to line up with a request, so the connection is shut at once.
 */
int
rpc_lose(struct rpc *r, uint32_t code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rpc_set_text(r, code, fmt, ap);
	va_end(ap);
	r->lost = 1;
	(void)shutdown(transport_fd(r->t), SHUT_RDWR);
	return RPC_LOST;
}

int
rpc_lose_err(struct rpc *r, int err, const char *what)
{
	switch (err) {
	case ERR_EOF:
		return rpc_lose(r, 0, "connection closed by the server");
	case ERR_SHORT:
		return rpc_lose(r, 0,
		    "connection closed by the server "
		    "in the middle of %s",
		    what);
	case ERR_TIMEOUT:
		return rpc_lose(r, 0, "server not responding (timed out)");
	case ERR_TLS:
		return rpc_lose(r, 0, "connection lost: TLS error in %s: %s",
		    what, tls_error());
	case ERR_IO:
		return rpc_lose(r, 0, "connection lost: %s", strerror(errno));
	case ERR_STOPPED:
		/* The client's own stop (rpc_set_interruptible, tls_set_stop). */
		return rpc_lose(r, 0, "interrupted");
	default:
		return rpc_lose(
		    r, 0, "protocol error in %s: %s", what, err_str(err));
	}
}

struct rpc *
rpc_new(int fd)
{
	struct rpc *r;

	r = xcalloc(1, sizeof(*r));
	r->t = transport_new(fd, rpc_io_timeout_ms);
	/* A server still taking what this end sent is not silent. */
	transport_set_ack_wait(r->t, 1);
	r->scratch = rpc_scratch_new();
	r->text = xstrdup("no error");
	r->verify = DIGEST_XXH128;
	r->alg = DIGEST_SHA256;
	/* Its thread starts with the first large SHA-256 transfer. */
	r->hp = hash_pipe_new(1);
	return r;
}

void
rpc_free(struct rpc *r)
{
	if (r == NULL)
		return;
	hash_pipe_free(r->hp);
	transport_free(r->t);
	buf_free(r->scratch);
	msg_clear(&r->m);
	free(r->text);
	free(r->server);
	freezero(r, sizeof(*r));
}

uint32_t
rpc_code(const struct rpc *r)
{
	return r->code;
}

const char *
rpc_text(const struct rpc *r)
{
	return r->text;
}

int
rpc_lost(const struct rpc *r)
{
	return r->lost;
}

int
rpc_peer_gone(struct rpc *r)
{
	return r->lost || transport_peer_shut(r->t);
}

const char *
rpc_server_name(const struct rpc *r)
{
	return r->server != NULL ? r->server : "unknown";
}

int
rpc_send(struct rpc *r, const struct msg *m)
{
	int e;

	if (r->lost)
		return RPC_LOST;
	if ((e = frame_send_msg(r->t, r->scratch, m)) == 0)
		return RPC_OK;
	if (e == ERR_TOO_LONG)
		return rpc_fail(r, RPC_LOCAL, 0, "name or argument too long");
	return rpc_lose_err(r, e, "a request");
}

int
rpc_send_path(struct rpc *r, uint8_t type, const char *path)
{
	struct msg m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.path = (char *)path;
	return rpc_send(r, &m);
}

/*
 * Read the next reply into r->m.  An ERROR that ends the session on the
 * server's side (bad frame, timeout, busy) ends it here too.
 */
int
rpc_recv(struct rpc *r)
{
	return rpc_recv_in(r, "a reply");
}

/*
 * A wait for a reply that Ctrl-C came in and that a second later still
 * waits ends (rpc_recv_in): the server hangs, its disk does, or it
 * trickles its frame a byte at a time.  The replies of the requests
 * still in flight when a command stopped at Ctrl-C, which it reads to
 * keep the session, come well within that second.
 */
static int
rpc_reply_watch(void *arg)
{
	struct rpc *r = arg;
	uint64_t now;

	if (!intr_pending()) {
		r->intr_seen = 0;
		return 0;
	}
	now = mono_ms();
	if (r->intr_seen == 0)
		r->intr_seen = now;
	return now - r->intr_seen >= RPC_INTR_GRACE_MS;
}

static int rpc_recv_frames(struct rpc *r, const char *what);

int
rpc_recv_in(struct rpc *r, const char *what)
{
	int e, watched = r->intr_scopes == 0;

	if (r->lost)
		return RPC_LOST;
	if (watched) {
		r->intr_seen = 0;
		transport_set_watch(r->t, rpc_reply_watch, r, RPC_INTR_TICK_MS);
	}
	e = rpc_recv_frames(r, what);
	if (watched)
		transport_set_watch(r->t, NULL, NULL, 0);
	return e;
}

/*
 * One frame, whole within the I/O timeout of its first byte, and the
 * time the largest frame takes at the lowest rate a server may pace a
 * user to (16 s): a server that sent it a byte at a time, each
 * restarting the wait, would hold a script for as long as it liked.
 */
static int
rpc_frame(struct rpc *r)
{
	int e;

	if ((e = transport_wait(r->t, rpc_io_timeout_ms)) < 0)
		return e;
	if (e == 0)
		return ERR_TIMEOUT;
	transport_set_deadline(r->t,
	    mono_ms() + (uint64_t)rpc_io_timeout_ms +
		(uint64_t)MFTP_FRAME_MAX * 1000 / MFTP_RATE_MIN);
	e = frame_recv_msg(r->t, r->scratch, &r->m);
	transport_set_deadline(r->t, 0);
	return e;
}

/* The next reply, with the WORKING frames before it (rpc_recv_in). */
static int
rpc_recv_frames(struct rpc *r, const char *what)
{
	int e;

	e = rpc_frame(r);
	/*
	 * close_notify in answer to LOGIN is the server accepting it: the
	 * session goes on in a second handshake, and the reply (OK) comes
	 * inside that one.
	 */
	if (e == ERR_EOF && r->login_sent && transport_peer_closed_tls(r->t)) {
		r->login_sent = 0;
		if ((e = rpc_tls_resume(r)) != RPC_OK)
			return e;
		e = rpc_frame(r);
	}
	/*
	 * The server hashing a file before its reply says how far it is
	 * (MFTP_FEAT_WORKING): a sign of it, and no reply; each restarts
	 * the wait for the next frame.  Ctrl-C ends that wait at the next
	 * one, as it stops a transfer: the session is lost ("interrupted",
	 * cmd_rpc_fail takes it for a ^C) and the shell logs in again.
	 * The hash of a large file, or a server that sends WORKING for
	 * ever, would otherwise hold the prompt however often ^C came.
	 */
	while (e == 0 && r->m.type == MFTP_MSG_WORKING &&
	    (r->features & MFTP_FEAT_WORKING) != 0) {
		if (intr_pending())
			return rpc_lose(r, 0, "interrupted");
		/* What it hashed is of the file: no more than the file. */
		if (r->m.offset > r->m.size)
			return rpc_lose(r, 0,
			    "protocol error: WORKING with %ju bytes hashed of "
			    "%ju",
			    (uintmax_t)r->m.offset, (uintmax_t)r->m.size);
		if (r->working != NULL)
			r->working(r->working_arg, r->m.offset, r->m.size);
		e = rpc_frame(r);
	}
	if (e != 0)
		return rpc_lose_err(r, e, what);
	if (r->m.type == MFTP_MSG_ERROR) {
		switch (r->m.code) {
		case MFTP_ST_BAD_FRAME:
		case MFTP_ST_BUSY:
		case MFTP_ST_TIMEOUT:
		case MFTP_ST_VERSION:
			return rpc_lose(r, r->m.code, "%s",
			    r->m.text != NULL ? r->m.text : "");
		}
	}
	return RPC_OK;
}

int
rpc_expect(struct rpc *r, uint8_t want)
{
	return rpc_expect_in(r, want, "a reply");
}

int
rpc_expect_in(struct rpc *r, uint8_t want, const char *what)
{
	const char *name;
	int e;

	if ((e = rpc_recv_in(r, what)) != RPC_OK)
		return e;
	if (r->m.type == want)
		return RPC_OK;
	if (r->m.type == MFTP_MSG_ERROR)
		return rpc_fail(r, RPC_SERVER, r->m.code, "%s",
		    r->m.text != NULL ? r->m.text : "");
	name = msg_name(r->m.type);
	return rpc_lose(r, 0, "protocol error: %s where %s was expected",
	    name != NULL ? name : "unknown message", msg_name(want));
}

void
rpc_set_verify(struct rpc *r, enum digest_alg alg)
{
	r->verify = alg;
}

int rpc_io_timeout_ms = RPC_IO_TIMEOUT_DEFAULT_MS;

static int
rpc_intr_watch(void *arg)
{
	(void)arg;
	return intr_pending();
}

void
rpc_set_working(struct rpc *r, rpc_working_fn *fn, void *arg)
{
	r->working = fn;
	r->working_arg = arg;
}

void
rpc_set_interruptible(struct rpc *r, int on)
{
	if (on)
		r->intr_scopes++;
	else if (r->intr_scopes > 0)
		r->intr_scopes--;
	transport_set_watch(r->t, r->intr_scopes > 0 ? rpc_intr_watch : NULL,
	    NULL, RPC_INTR_TICK_MS);
}

void
rpc_set_timeout(int seconds)
{
	rpc_io_timeout_ms = seconds * 1000;
}

enum digest_alg
rpc_digest(const struct rpc *r)
{
	return r->alg;
}

struct hash_pipe *
rpc_hash_pipe(struct rpc *r)
{
	return r->hp;
}

int
rpc_hello(struct rpc *r)
{
	struct msg m;
	int e;

	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_HELLO;
	m.version_min = m.version_max = MFTP_PROTO_VERSION;
	/* Without the XXH3-128 bit every checksum is SHA-256. */
	m.features = MFTP_FEAT_PUT_DATA |
	    (r->verify == DIGEST_XXH128 ? MFTP_FEAT_XXH128 : MFTP_FEAT_NONE);
	/* A server without the bit would end the session on CHMOD. */
	m.features |= MFTP_FEAT_CHMOD_SYMLINK;
	/* WORKING while it hashes: skipped by rpc_recv. */
	m.features |= MFTP_FEAT_WORKING;
	/* QUOTA's reply says what uploads in progress reserved. */
	m.features |= MFTP_FEAT_QUOTA_RESERVED;
	m.text = (char *)"mftp " PACKAGE_VERSION;
	/*
	 * A busy server sends ERROR(BUSY) at once and closes; our HELLO may
	 * then fail to go out, but its message is still worth reading.
	 */
	(void)frame_send_msg(r->t, r->scratch, &m);
	if ((e = rpc_expect(r, MFTP_MSG_HELLO_OK)) != RPC_OK) {
		if (r->code == MFTP_ST_VERSION)
			return rpc_lose(r, r->code,
			    "server speaks no protocol version in common "
			    "with this client (version %d): %s",
			    MFTP_PROTO_VERSION, r->text);
		return e == RPC_SERVER ? rpc_lose(r, r->code, "%s", r->text) :
					 e;
	}
	if (r->m.version_min != MFTP_PROTO_VERSION ||
	    r->m.version_max != MFTP_PROTO_VERSION)
		return rpc_lose(r, MFTP_ST_VERSION,
		    "server chose protocol version %u, which this client "
		    "does not speak (version %d)",
		    r->m.version_min, MFTP_PROTO_VERSION);
	if ((r->m.features & ~m.features) != 0)
		return rpc_lose(r, 0,
		    "protocol error: the server granted features 0x%llx that "
		    "were not asked for",
		    (unsigned long long)(r->m.features & ~m.features));
	r->features = r->m.features;
	r->alg = (r->m.features & MFTP_FEAT_XXH128) != 0 ? DIGEST_XXH128 :
							   DIGEST_SHA256;
	free(r->server);
	r->server = xstrdup(r->m.text != NULL ? r->m.text : "");
	return RPC_OK;
}

int
rpc_login(struct rpc *r, const char *user, const char *secret)
{
	struct msg m;
	int e;

	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_LOGIN;
	m.user = (char *)user;
	m.secret = (char *)secret;
	e = rpc_send(r, &m);
	/* The encoded password sat in the scratch buffer: wipe it. */
	buf_free(r->scratch);
	r->scratch = rpc_scratch_new();
	if (e != RPC_OK)
		return e;
	r->login_sent = 1;
	/* While the server checks the password: off the login's path. */
	rpc_tls_prepare();
	e = rpc_expect(r, MFTP_MSG_OK);
	r->login_sent = 0;
	return e;
}

int
rpc_quit(struct rpc *r)
{
	int e;

	if ((e = rpc_send_path(r, MFTP_MSG_QUIT, NULL)) != RPC_OK)
		return e;
	return rpc_expect(r, MFTP_MSG_OK);
}

int
rpc_recv_path(struct rpc *r, char **path)
{
	int e;

	if ((e = rpc_expect(r, MFTP_MSG_PATH)) != RPC_OK)
		return e;
	if (r->m.path == NULL)
		return rpc_lose(r, 0, "protocol error: PATH without a path");
	*path = r->m.path;
	r->m.path = NULL;
	return RPC_OK;
}

int
rpc_pwd(struct rpc *r, char **path)
{
	int e;

	if ((e = rpc_send_path(r, MFTP_MSG_PWD, NULL)) != RPC_OK)
		return e;
	return rpc_recv_path(r, path);
}

int
rpc_cwd(struct rpc *r, const char *dir, char **path)
{
	int e;

	if ((e = rpc_send_path(r, MFTP_MSG_CWD, dir)) != RPC_OK)
		return e;
	return rpc_recv_path(r, path);
}

int
rpc_request_ok(struct rpc *r, uint8_t type, const char *path, const char *path2,
    uint32_t mode)
{
	struct msg m;
	int e;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.path = (char *)path;
	m.path2 = (char *)path2;
	m.mode = mode;
	if ((e = rpc_send(r, &m)) != RPC_OK)
		return e;
	return rpc_expect(r, MFTP_MSG_OK);
}

int
rpc_mkdir(struct rpc *r, const char *path, uint32_t mode)
{
	return rpc_request_ok(r, MFTP_MSG_MKDIR, path, NULL, mode);
}

int
rpc_stat_send(struct rpc *r, const char *path)
{
	return rpc_send_path(r, MFTP_MSG_STAT, path);
}

int
rpc_stat_recv(struct rpc *r, struct msg_attr *attr)
{
	int e;

	if ((e = rpc_expect(r, MFTP_MSG_ATTR)) != RPC_OK)
		return e;
	*attr = r->m.attr;
	return RPC_OK;
}

int
rpc_stat(struct rpc *r, const char *path, struct msg_attr *attr)
{
	int e;

	if ((e = rpc_stat_send(r, path)) != RPC_OK)
		return e;
	return rpc_stat_recv(r, attr);
}

/* A request with a path whose answer is a plain OK. */
static int
rpc_path_ok(struct rpc *r, uint8_t type, const char *path)
{
	int e;

	if ((e = rpc_send_path(r, type, path)) != RPC_OK)
		return e;
	return rpc_expect(r, MFTP_MSG_OK);
}

int
rpc_remove(struct rpc *r, const char *path)
{
	return rpc_path_ok(r, MFTP_MSG_REMOVE, path);
}

int
rpc_rmdir(struct rpc *r, const char *path)
{
	return rpc_path_ok(r, MFTP_MSG_RMDIR, path);
}

int
rpc_rename(struct rpc *r, const char *from, const char *to)
{
	return rpc_request_ok(r, MFTP_MSG_RENAME, from, to, 0);
}

int
rpc_hash_send(struct rpc *r, const char *path, enum digest_alg alg)
{
	struct msg m;

	if (alg == r->alg)
		return rpc_send_path(r, MFTP_MSG_HASH, path);
	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_HASH_ALG;
	m.path = (char *)path;
	m.alg = alg == DIGEST_SHA256 ? MFTP_DIGEST_SHA256 : MFTP_DIGEST_XXH128;
	return rpc_send(r, &m);
}

int
rpc_hash_recv(struct rpc *r, enum digest_alg alg, uint8_t hash[MFTP_HASH_LEN])
{
	int e;

	if ((e = rpc_expect(r, MFTP_MSG_HASH_OK)) != RPC_OK)
		return e;
	if (r->m.hash_len != digest_len(alg))
		return rpc_lose(r, 0,
		    "protocol error: HASH_OK without a %s (%zu bytes)",
		    digest_title(alg), r->m.hash_len);
	memcpy(hash, r->m.hash, r->m.hash_len);
	return RPC_OK;
}

int
rpc_hash(struct rpc *r, const char *path, enum digest_alg alg,
    uint8_t hash[MFTP_HASH_LEN])
{
	int e;

	if ((e = rpc_hash_send(r, path, alg)) != RPC_OK)
		return e;
	return rpc_hash_recv(r, alg, hash);
}

int
rpc_quota(struct rpc *r, struct msg_quota *q)
{
	uint8_t reply;
	int e;

	if ((e = rpc_send_path(r, MFTP_MSG_QUOTA, NULL)) != RPC_OK)
		return e;
	reply = (r->features & MFTP_FEAT_QUOTA_RESERVED) != 0 ?
	    MFTP_MSG_QUOTA_RSV_OK :
	    MFTP_MSG_QUOTA_OK;
	if ((e = rpc_expect(r, reply)) != RPC_OK)
		return e;
	*q = r->m.quota;
	return RPC_OK;
}
