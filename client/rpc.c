/*
 * rpc.c: the client's side of the protocol: connecting, HELLO, LOGIN and
 * one call per request, built on lib/transport, lib/frame and lib/msg.
 *
 * Runs as: the user, in mftp.  Everything the server sends is untrusted:
 * replies are checked against the request they answer, and anything else
 * ends the session (RPC_LOST) rather than being guessed at.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "frame.h"
#include "log.h"
#include "mftp_limits.h"
#include "msg.h"
#include "proto.h"
#include "rpc.h"
#include "transport.h"
#include "util.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0"
#endif

/* The longest wait for the server within one read or write. */
#define RPC_IO_TIMEOUT_MS (120 * 1000)

struct rpc {
	struct transport *t;
	struct buf *scratch; /* one frame, in or out */
	struct msg m;	     /* the reply being read */
	uint32_t code;	     /* why the last call failed */
	char *text;
	int lost;
	char *server; /* software name from HELLO_OK */
};

static struct buf *
rpc_scratch_new(void)
{
	/* Room for the largest frame plus its length prefix. */
	return buf_new(MFTP_FRAME_BUF);
}

/* Keep a reason, with control characters from the server made harmless. */
static void
rpc_set_text(struct rpc *r, uint32_t code, const char *fmt, va_list ap)
{
	char *p, *s;

	/* Format first: the old text may be one of the arguments. */
	if (vasprintf(&s, fmt, ap) < 0)
		fatalx("out of memory formatting a string");
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	free(r->text);
	r->text = s;
	r->code = code;
}

static int rpc_fail(struct rpc *r, int result, uint32_t code, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static int
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
static int rpc_lose(struct rpc *r, uint32_t code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
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

/* Describe a transport or frame error. */
static int
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
	case ERR_IO:
		return rpc_lose(r, 0, "connection lost: %s", strerror(errno));
	default:
		return rpc_lose(
		    r, 0, "protocol error in %s: %s", what, err_str(err));
	}
}

struct rpc *
rpc_connect(const char *host, const char *port, int timeout_ms, char *errbuf,
    size_t errlen)
{
	struct addrinfo hints, *res, *ai;
	struct pollfd pfd;
	struct rpc *r;
	socklen_t len;
	int fd = -1, e, err = 0, one = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((e = getaddrinfo(host, port, &hints, &res)) != 0) {
		snprintf(errbuf, errlen, "%s: %s", host,
		    e == EAI_SYSTEM ? strerror(errno) : gai_strerror(e));
		return NULL;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family,
		    ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    ai->ai_protocol);
		if (fd == -1) {
			err = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			while ((e = poll(&pfd, 1, timeout_ms)) == -1 &&
			    errno == EINTR)
				;
			len = sizeof(err);
			if (e == 0)
				err = ETIMEDOUT;
			else if (e == -1)
				err = errno;
			else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err,
				     &len) == -1)
				err = errno;
			if (e > 0 && err == 0)
				break;
		} else
			err = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1) {
		snprintf(errbuf, errlen, "cannot connect to %s port %s: %s",
		    host, port, strerror(err));
		return NULL;
	}
	/* Requests are small frames, often pipelined: send them at once. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	r = xcalloc(1, sizeof(*r));
	r->t = transport_new(fd, RPC_IO_TIMEOUT_MS);
	r->scratch = rpc_scratch_new();
	r->text = xstrdup("no error");
	return r;
}

void
rpc_free(struct rpc *r)
{
	if (r == NULL)
		return;
	transport_free(r->t);
	buf_free(r->scratch);
	msg_clear(&r->m);
	free(r->text);
	free(r->server);
	free(r);
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

const char *
rpc_server_name(const struct rpc *r)
{
	return r->server != NULL ? r->server : "unknown";
}

static int
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

/* Send a request that has at most a path. */
static int
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
static int
rpc_recv(struct rpc *r)
{
	int e;

	if (r->lost)
		return RPC_LOST;
	if ((e = frame_recv_msg(r->t, r->scratch, &r->m)) != 0)
		return rpc_lose_err(r, e, "a reply");
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

/* Read a reply that must be of type want or an ERROR. */
static int
rpc_expect(struct rpc *r, uint8_t want)
{
	const char *name;
	int e;

	if ((e = rpc_recv(r)) != RPC_OK)
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

int
rpc_hello(struct rpc *r)
{
	struct msg m;
	int e;

	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_HELLO;
	m.version_min = m.version_max = MFTP_PROTO_VERSION;
	m.features = MFTP_FEAT_NONE;
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
	return rpc_expect(r, MFTP_MSG_OK);
}

int
rpc_quit(struct rpc *r)
{
	int e;

	if ((e = rpc_send_path(r, MFTP_MSG_QUIT, NULL)) != RPC_OK)
		return e;
	return rpc_expect(r, MFTP_MSG_OK);
}

/* Read a PATH reply and hand its path over. */
static int
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
rpc_mkdir(struct rpc *r, const char *path, uint32_t mode)
{
	struct msg m;
	int e;

	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_MKDIR;
	m.path = (char *)path;
	m.mode = mode;
	if ((e = rpc_send(r, &m)) != RPC_OK)
		return e;
	return rpc_expect(r, MFTP_MSG_OK);
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

int
rpc_list_send(struct rpc *r, const char *path)
{
	return rpc_send_path(r, MFTP_MSG_LIST, path != NULL ? path : "");
}

int
rpc_list_recv(struct rpc *r, rpc_list_fn *fn, void *arg)
{
	size_t i;
	int e, ret = 0;

	for (;;) {
		if ((e = rpc_recv(r)) != RPC_OK)
			return e;
		switch (r->m.type) {
		case MFTP_MSG_DIRENTS:
			for (i = 0; i < r->m.nentries && ret == 0; i++)
				ret = fn(arg, &r->m.entries[i]);
			break;
		case MFTP_MSG_OK:
			return ret;
		case MFTP_MSG_ERROR:
			return rpc_fail(r, RPC_SERVER, r->m.code, "%s",
			    r->m.text != NULL ? r->m.text : "");
		default:
			return rpc_lose(r, 0,
			    "protocol error: %s in a directory listing",
			    msg_name(r->m.type) != NULL ? msg_name(r->m.type) :
							  "unknown message");
		}
	}
}

int
rpc_list(struct rpc *r, const char *path, rpc_list_fn *fn, void *arg)
{
	int e;

	if ((e = rpc_list_send(r, path)) != RPC_OK)
		return e;
	return rpc_list_recv(r, fn, arg);
}

int
rpc_get_send(struct rpc *r, const char *path, uint64_t offset)
{
	struct msg m;

	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_GET;
	m.path = (char *)path;
	m.offset = offset;
	return rpc_send(r, &m);
}

/* Write all of p to fd; 0 or an errno value. */
static int
rpc_write_fd(int fd, const uint8_t *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
rpc_get_recv(struct rpc *r, int fd, uint64_t offset, struct rpc_xfer *x)
{
	uint64_t left;
	uint8_t *chunk;
	ssize_t n;
	int e, werr = 0;

	memset(x, 0, sizeof(*x));
	if ((e = rpc_expect(r, MFTP_MSG_FILE)) != RPC_OK)
		return e;
	if (r->m.offset != offset || r->m.offset > r->m.size)
		return rpc_lose(r, 0,
		    "protocol error: FILE reply with offset %ju for size %ju "
		    "(asked for %ju)",
		    (uintmax_t)r->m.offset, (uintmax_t)r->m.size,
		    (uintmax_t)offset);
	x->size = r->m.size;
	x->offset = r->m.offset;
	left = x->size - x->offset;
	chunk = xmalloc(MFTP_IO_CHUNK);
	while (left > 0) {
		n = transport_read_some(r->t, chunk,
		    left < MFTP_IO_CHUNK ? (size_t)left : MFTP_IO_CHUNK);
		if (n < 0) {
			free(chunk);
			return rpc_lose_err(r,
			    n == ERR_EOF ? ERR_SHORT : (int)n, "a file's data");
		}
		/* After a write error keep reading, to stay in step. */
		if (werr == 0)
			werr = rpc_write_fd(fd, chunk, (size_t)n);
		left -= (uint64_t)n;
		x->bytes += (uint64_t)n;
	}
	free(chunk);
	if ((e = rpc_expect(r, MFTP_MSG_DATA_END)) != RPC_OK)
		return e == RPC_SERVER ? rpc_lose(r, r->code, "%s", r->text) :
					 e;
	if (werr != 0)
		return rpc_fail(r, RPC_LOCAL, 0, "%s", strerror(werr));
	return RPC_OK;
}

int
rpc_get(struct rpc *r, const char *path, int fd, uint64_t offset,
    struct rpc_xfer *x)
{
	int e;

	if ((e = rpc_get_send(r, path, offset)) != RPC_OK) {
		memset(x, 0, sizeof(*x));
		return e;
	}
	return rpc_get_recv(r, fd, offset, x);
}

int
rpc_put_send(struct rpc *r, const char *path, uint64_t size, uint32_t mode)
{
	struct msg m;

	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_PUT;
	m.path = (char *)path;
	m.size = size;
	m.mode = mode;
	return rpc_send(r, &m);
}

int
rpc_put_data(struct rpc *r, int fd, uint64_t size, struct rpc_xfer *x)
{
	struct msg m;
	uint64_t off;
	uint8_t *chunk;
	ssize_t n;
	size_t want;
	int e;

	memset(x, 0, sizeof(*x));
	if ((e = rpc_expect(r, MFTP_MSG_PUT_READY)) != RPC_OK)
		return e;
	if (r->m.offset > size)
		return rpc_lose(r, 0,
		    "protocol error: server asked for offset %ju of %ju bytes",
		    (uintmax_t)r->m.offset, (uintmax_t)size);
	x->size = size;
	x->offset = off = r->m.offset;
	chunk = xmalloc(MFTP_IO_CHUNK);
	while (off < size) {
		want = size - off < MFTP_IO_CHUNK ? (size_t)(size - off) :
						    MFTP_IO_CHUNK;
		n = pread(fd, chunk, want, (off_t)off);
		if (n == -1 && errno == EINTR)
			continue;
		/*
		 * The server waits for exactly size bytes and has no way to
		 * hear that fewer are coming: only closing tells it.
		 */
		if (n <= 0) {
			free(chunk);
			if (n == 0)
				return rpc_lose(r, 0,
				    "local file shrank during the upload; "
				    "connection closed");
			return rpc_lose(r, 0,
			    "reading the local file: %s; connection closed",
			    strerror(errno));
		}
		if ((e = transport_write(r->t, chunk, (size_t)n)) != 0) {
			free(chunk);
			return rpc_lose_err(r, e, "a file's data");
		}
		off += (uint64_t)n;
		x->bytes += (uint64_t)n;
	}
	free(chunk);
	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_DATA_END;
	m.hash_len = 0;
	return rpc_send(r, &m);
}

int
rpc_put_recv(struct rpc *r)
{
	return rpc_expect(r, MFTP_MSG_OK);
}

int
rpc_put(struct rpc *r, const char *path, int fd, uint64_t size, uint32_t mode,
    struct rpc_xfer *x)
{
	int e;

	memset(x, 0, sizeof(*x));
	if ((e = rpc_put_send(r, path, size, mode)) != RPC_OK)
		return e;
	if ((e = rpc_put_data(r, fd, size, x)) != RPC_OK)
		return e;
	return rpc_put_recv(r);
}
