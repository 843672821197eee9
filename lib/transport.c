/*
 * transport.c: the one layer through which all client-facing bytes pass.
 *
 * Runs in the pre-auth worker, the serving process and the client.  Reads
 * are unbuffered on purpose: the pre-auth worker hands the socket over to
 * the serving process after LOGIN, and a read-ahead buffer would lose the
 * bytes of requests the client pipelined behind it.  A TLS layer would
 * slot in here.
 */
#include <sys/types.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include "err.h"
#include "transport.h"
#include "util.h"

struct transport {
	int fd;
	int timeout_ms;
	uint64_t bytes_in;
	uint64_t bytes_out;
};

struct transport *
transport_new(int fd, int timeout_ms)
{
	struct transport *t;
	int on = 1;

	/*
	 * Non-blocking, so that every wait goes through poll() with the
	 * timeout; a plain blocking read could hang a process forever.
	 */
	(void)fd_set_nonblock(fd, 1);
	/*
	 * Small frames (a reply, a DATA_END trailer) go out at once rather
	 * than waiting on Nagle and the peer's delayed ACK.  Not TCP: no-op.
	 */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	t = xcalloc(1, sizeof(*t));
	t->fd = fd;
	t->timeout_ms = timeout_ms;
	return t;
}

void
transport_free(struct transport *t)
{
	if (t == NULL)
		return;
	if (t->fd != -1)
		close(t->fd);
	free(t);
}

int
transport_fd(const struct transport *t)
{
	return t->fd;
}

void
transport_set_timeout(struct transport *t, int timeout_ms)
{
	t->timeout_ms = timeout_ms;
}

uint64_t
transport_bytes_in(const struct transport *t)
{
	return t->bytes_in;
}

uint64_t
transport_bytes_out(const struct transport *t)
{
	return t->bytes_out;
}

/* Wait for events on the socket; 1 ready, 0 timed out, ERR_IO. */
static int
transport_poll(struct transport *t, short events, int timeout_ms)
{
	struct pollfd pfd;
	int r;

	pfd.fd = t->fd;
	pfd.events = events;
	for (;;) {
		r = poll(&pfd, 1, timeout_ms);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return ERR_IO;
		return r > 0;
	}
}

/* The socket buffer is full: wait for room.  0, ERR_TIMEOUT or ERR_IO. */
static int
transport_wait_writable(struct transport *t)
{
	int r;

	if ((r = transport_poll(t, POLLOUT, t->timeout_ms)) < 0)
		return r;
	return r == 0 ? ERR_TIMEOUT : 0;
}

int
transport_wait(struct transport *t, int timeout_ms)
{
	return transport_poll(t, POLLIN, timeout_ms);
}

ssize_t
transport_read_some(struct transport *t, void *p, size_t len)
{
	ssize_t n;
	int r;

	for (;;) {
		n = read(t->fd, p, len);
		if (n > 0) {
			t->bytes_in += (uint64_t)n;
			return n;
		}
		if (n == 0)
			return ERR_EOF;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return ERR_IO;
		if ((r = transport_poll(t, POLLIN, t->timeout_ms)) < 0)
			return r;
		if (r == 0)
			return ERR_TIMEOUT;
	}
}

int
transport_read(struct transport *t, void *p, size_t len)
{
	uint8_t *q = p;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = transport_read_some(t, q + done, len - done);
		if (n == ERR_EOF)
			return done == 0 ? ERR_EOF : ERR_SHORT;
		if (n < 0)
			return (int)n;
		done += (size_t)n;
	}
	return 0;
}

int
transport_write(struct transport *t, const void *p, size_t len)
{
	const uint8_t *q = p;
	ssize_t n;
	int r;

	while (len > 0) {
		n = send(t->fd, q, len, MSG_NOSIGNAL);
		if (n > 0) {
			q += n;
			len -= (size_t)n;
			t->bytes_out += (uint64_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if ((r = transport_wait_writable(t)) != 0)
				return r;
			continue;
		}
		return ERR_IO;
	}
	return 0;
}

int
transport_sendfile(struct transport *t, int fd, uint64_t off, uint64_t len)
{
	off_t o = (off_t)off;
	ssize_t n;
	size_t want;
	int r;

	while (len > 0) {
		want = len > 0x7ffff000 ? 0x7ffff000 : (size_t)len;
		n = sendfile(t->fd, fd, &o, want);
		if (n > 0) {
			len -= (uint64_t)n;
			t->bytes_out += (uint64_t)n;
			continue;
		}
		if (n == 0)
			return ERR_SHORT; /* the file shrank under us */
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			if ((r = transport_wait_writable(t)) != 0)
				return r;
			continue;
		}
		return ERR_IO;
	}
	return 0;
}
