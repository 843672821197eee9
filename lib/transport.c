/*
 * transport.c: the one layer through which all client-facing bytes pass.
 *
 * Runs in the pre-auth worker, the serving process and the client.  With
 * TLS set, reads and writes go through libssl on the non-blocking socket;
 * every WANT_READ/WANT_WRITE becomes a poll() bounded by the timeout,
 * here and nowhere else.  No read-ahead: the pre-auth worker's last
 * record must end where the serving process's handshake begins.  The
 * sending side (writes, files, the bulk buffer) is in transport_send.c.
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <limits.h>
#include <linux/sockios.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "err.h"
#include "mftp_limits.h"
#include "ratelimit.h"
#include "transport.h"
#include "transport_int.h"
#include "util.h"

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
	SSL_free(t->ssl);
	if (t->fd != -1)
		close(t->fd);
	free(t->rate_in);
	free(t->rate_out);
	free(t);
}

void
transport_set_tls(struct transport *t, SSL *ssl)
{
	SSL_free(t->ssl);
	t->ssl = ssl;
	t->tls_failed = t->peer_closed = t->sent_close = t->keep_rbuf = 0;
	t->send_failed = 0;
	/* Partial writes, so one loop below handles every short write. */
	SSL_set_mode(ssl,
	    SSL_MODE_ENABLE_PARTIAL_WRITE |
		SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	t->ktls_send = BIO_get_ktls_send(SSL_get_wbio(ssl)) == 1;
}

SSL *
transport_tls(const struct transport *t)
{
	return t->ssl;
}

int
transport_zero_copy(const struct transport *t)
{
	return t->ssl == NULL || t->ktls_send;
}

int
transport_peer_closed_tls(const struct transport *t)
{
	return t->peer_closed;
}

int
transport_peer_gone(const struct transport *t)
{
	return t->send_failed;
}

int
transport_timed_out(const struct transport *t)
{
	return t->timed_out;
}

int
transport_sys_errno(const struct transport *t)
{
	return t->sys_errno;
}

const char *
transport_err_str(const struct transport *t, int err)
{
	static char text[128];

	if (err != ERR_IO || t->sys_errno == 0)
		return err_str(err);
	snprintf(
	    text, sizeof(text), "connection lost: %s", strerror(t->sys_errno));
	return text;
}

void
transport_close_notify(struct transport *t)
{
	int r;

	/* Nor to a peer that has not made room for the whole timeout:
	 * the session would wait that long again for it. */
	if (t->ssl == NULL || t->tls_failed || t->send_failed ||
	    t->send_stalled || t->sent_close)
		return;
	t->sent_close = 1;
	ERR_clear_error();
	/* Once: 0 means sent (we do not wait for the peer's), <0 retry. */
	while ((r = SSL_shutdown(t->ssl)) < 0) {
		if (SSL_get_error(t->ssl, r) != SSL_ERROR_WANT_WRITE ||
		    transport_wait_writable(t, 0) != 0)
			break;
	}
	ERR_clear_error();
}

int
transport_fd(const struct transport *t)
{
	return t->fd;
}

void
transport_abort(struct transport *t)
{
	struct linger now = { .l_onoff = 1, .l_linger = 0 };

	if (t->fd == -1)
		return;
	(void)setsockopt(t->fd, SOL_SOCKET, SO_LINGER, &now, sizeof(now));
	close(t->fd);
	t->fd = -1;
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

int
transport_unacked(const struct transport *t)
{
	int n;

	return ioctl(t->fd, SIOCOUTQ, &n) == 0 ? n : -1;
}

int
transport_acked_since(const struct transport *t, int *mark)
{
	int left;

	if (*mark <= 0 || (left = transport_unacked(t)) < 0 || left >= *mark)
		return 0;
	*mark = left;
	return 1;
}

void
transport_set_watch(
    struct transport *t, int (*fn)(void *), void *arg, unsigned int every_ms)
{
	t->watch = fn;
	t->watch_arg = arg;
	t->watch_ms = every_ms;
	t->watch_next = mono_ms() + every_ms;
}

int
transport_check(struct transport *t)
{
	uint64_t now;

	if (t->watch == NULL || (now = mono_ms()) < t->watch_next)
		return 0;
	t->watch_next = now + t->watch_ms;
	return t->watch(t->watch_arg) != 0 ? ERR_STOPPED : 0;
}

/*
 * How often a wait with bytes of ours still unacknowledged looks whether
 * the peer took some (transport_set_ack_wait): the timeout then counts
 * from about the last time it did, not from the end of a whole timeout.
 */
#define TRANSPORT_ACK_LOOK_MS 200

/* How often a wait looks whether the peer went silent (transport_set_silence). */
#define TRANSPORT_SILENCE_LOOK_MS 1000

void
transport_set_silence(struct transport *t, unsigned int ms)
{
	t->silent_ms = ms;
}

/*
 * The peer's system answered nothing for silent_ms though asked: it is
 * gone, as TCP keepalive would say, and nothing more is sent to it.  A
 * peer that answers each window probe resets the probes' count; one
 * that vanished answers neither probes nor retransmissions.
 */
static int
transport_peer_silent(struct transport *t)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (t->silent_ms == 0 ||
	    getsockopt(t->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == -1 ||
	    ti.tcpi_last_ack_recv < t->silent_ms ||
	    (ti.tcpi_retransmits < 2 && ti.tcpi_probes < 2))
		return 0;
	t->sys_errno = ETIMEDOUT;
	t->send_failed = 1;
	return 1;
}

/*
 * Wait for events on the socket; 1 ready, 0 timed out, ERR_IO or
 * ERR_STOPPED.  With a watch, in slices of its interval.
 */
static int
transport_poll(struct transport *t, short events, int timeout_ms)
{
	struct pollfd pfd;
	uint64_t now, end;
	int r, slice, mark = t->ack_wait ? transport_unacked(t) : -1;
	/* Only a wait that the peer's progress may extend looks at it. */
	int looks = t->deadline_ms == 0 && timeout_ms >= 0;

	pfd.fd = t->fd;
	pfd.events = events;
	end = timeout_ms < 0 ? UINT64_MAX : mono_ms() + (uint64_t)timeout_ms;
	if (t->deadline_ms != 0 && t->deadline_ms < end)
		end = t->deadline_ms;
	for (;;) {
		if ((r = transport_check(t)) != 0)
			return r;
		now = mono_ms();
		/* Past the deadline nothing is waited for, nor looked at. */
		if (t->deadline_ms != 0 && now >= t->deadline_ms)
			return 0;
		/* A wait of 0 (transport_pending) still asks the socket. */
		slice = end == UINT64_MAX ? -1 :
		    now >= end		  ? 0 :
		    end - now > INT_MAX	  ? INT_MAX :
					    (int)(end - now);
		if (t->watch != NULL && (slice < 0 || slice > (int)t->watch_ms))
			slice = (int)t->watch_ms;
		if (looks && mark > 0 && slice > TRANSPORT_ACK_LOOK_MS)
			slice = TRANSPORT_ACK_LOOK_MS;
		if (t->silent_ms != 0 &&
		    (slice < 0 || slice > TRANSPORT_SILENCE_LOOK_MS))
			slice = TRANSPORT_SILENCE_LOOK_MS;
		r = poll(&pfd, 1, slice);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return ERR_IO;
		if (r > 0)
			return 1;
		if (transport_peer_silent(t))
			return ERR_IO;
		now = mono_ms();
		/*
		 * Taken since the last look: the peer is there, and the
		 * whole timeout counts from now.  Once all is taken (mark
		 * 0), nothing more can be, and the wait is one poll.
		 */
		if (looks && transport_acked_since(t, &mark))
			end = now + (uint64_t)timeout_ms;
		if (end == UINT64_MAX || now < end)
			continue; /* a slice of the wait, not all of it */
		return 0;
	}
}

void
transport_set_ack_wait(struct transport *t, int on)
{
	t->ack_wait = on;
}

/* The receive window of a paced reader: a second's worth, within these. */
#define TRANSPORT_PACED_WINDOW_MIN 4096
#define TRANSPORT_PACED_WINDOW_MAX (4 * 1024 * 1024)

void
transport_size_receive(struct transport *t, uint64_t rate)
{
	int size;

	if (rate == 0)
		return;
	size = rate < TRANSPORT_PACED_WINDOW_MIN ? TRANSPORT_PACED_WINDOW_MIN :
	    rate > TRANSPORT_PACED_WINDOW_MAX	 ? TRANSPORT_PACED_WINDOW_MAX :
						   (int)rate;
	/*
	 * The window, not the buffer: a buffer made smaller than the
	 * window already offered would drop what the peer may still send
	 * (TCP never takes an offered window back), and it would resend
	 * half of it.  A hint: where it fails, pacing still works, with
	 * more unread.
	 */
	(void)setsockopt(
	    t->fd, IPPROTO_TCP, TCP_WINDOW_CLAMP, &size, sizeof(size));
}

/*
 * The socket buffer is full: wait for room.  0, ERR_TIMEOUT or ERR_IO.
 * After a timeout while sending, nothing more is sent (transport_write
 * and the rest give ERR_TIMEOUT at once): what was cut may end inside a
 * record, and another wait, for the close_notify, would hold the
 * process as long.  Not for a read's own write (a TLS key update): the
 * stream is whole, and a read with a short timeout is tried again.
 */
int
transport_wait_writable(struct transport *t, int sending)
{
	int r;

	if ((r = transport_poll(t, POLLOUT, t->timeout_ms)) < 0)
		return r;
	if (r != 0)
		return 0;
	t->timed_out = 1;
	if (sending)
		t->send_stalled = 1;
	return ERR_TIMEOUT;
}

void
transport_set_deadline(struct transport *t, uint64_t deadline_ms)
{
	t->deadline_ms = deadline_ms;
}

int
transport_wait(struct transport *t, int timeout_ms)
{
	if (t->ssl != NULL && SSL_has_pending(t->ssl))
		return 1;
	return transport_poll(t, POLLIN, timeout_ms);
}

int
transport_pending(struct transport *t)
{
	return transport_wait(t, 0);
}

/*
 * What a failed SSL call means for the caller: 0 after waiting for the
 * socket (call again), or the ERR_ value to return.  A write the socket
 * refused (the peer reset the connection) stops the sending only: the
 * peer's last records, already received (its replies, and the ERROR
 * that says why it closed), can still be read.
 */
int
transport_tls_wait(struct transport *t, int ret, int writing)
{
	int r;

	switch (SSL_get_error(t->ssl, ret)) {
	case SSL_ERROR_WANT_READ:
		if ((r = transport_poll(t, POLLIN, t->timeout_ms)) < 0)
			return r;
		if (r == 0)
			t->timed_out = 1;
		return r == 0 ? ERR_TIMEOUT : 0;
	case SSL_ERROR_WANT_WRITE:
		return transport_wait_writable(t, writing);
	case SSL_ERROR_ZERO_RETURN:
		t->peer_closed = 1;
		return ERR_EOF;
	case SSL_ERROR_SYSCALL:
		if (writing && ERR_peek_error() == 0)
			t->send_failed = 1;
		else
			t->tls_failed = 1;
		if (ERR_peek_error() != 0)
			return ERR_TLS;
		if (errno != 0)
			t->sys_errno = errno;
		return errno == 0 || errno == ECONNRESET ? ERR_EOF : ERR_IO;
	default:
		t->tls_failed = 1;
		/* A peer gone without close_notify: as a plain EOF. */
		if (ERR_GET_REASON(ERR_peek_error()) ==
		    SSL_R_UNEXPECTED_EOF_WHILE_READING)
			return ERR_EOF;
		return ERR_TLS;
	}
}

static ssize_t
transport_tls_read(struct transport *t, void *p, size_t len)
{
	size_t got;
	int r;

	if (t->tls_failed)
		return ERR_TLS;
	if (t->peer_closed)
		return ERR_EOF;
	for (;;) {
		ERR_clear_error();
		errno = 0;
		if ((r = SSL_read_ex(t->ssl, p, len, &got)) == 1)
			break;
		if ((r = transport_tls_wait(t, r, 0)) != 0)
			return r;
	}
	/*
	 * One record is at most 16 KiB; the records already read ahead
	 * are taken too, so that a caller with a large buffer makes one
	 * write to disk for many of them.  An error here waits for the
	 * next call, which meets it again.
	 */
	while (got < len && SSL_has_pending(t->ssl)) {
		size_t more;

		ERR_clear_error();
		if (SSL_read_ex(t->ssl, (uint8_t *)p + got, len - got, &more) !=
		    1)
			break;
		got += more;
	}
	ERR_clear_error();
	t->bytes_in += (uint64_t)got;
	return (ssize_t)got;
}

/*
 * A transfer's data is coming (an upload's chunks on the server, a
 * download's on the client).  SSL_MODE_RELEASE_BUFFERS frees libssl's
 * read buffer whenever it runs empty, which in a transfer happens every
 * few records: each time the next read allocates it anew (above the mmap
 * threshold: an mmap, its page faults and zeroing, and a munmap).  From
 * on to off the buffer is kept, whatever the size of each read; after
 * off the next read that empties it (the frame after the data) releases
 * it as before, so an idle session still keeps none.
 */
void
transport_bulk_read(struct transport *t, int on)
{
	if (t->ssl == NULL)
		return;
	if (on && !t->keep_rbuf &&
	    (SSL_get_mode(t->ssl) & SSL_MODE_RELEASE_BUFFERS)) {
		SSL_clear_mode(t->ssl, SSL_MODE_RELEASE_BUFFERS);
		t->keep_rbuf = 1;
	} else if (!on && t->keep_rbuf) {
		SSL_set_mode(t->ssl, SSL_MODE_RELEASE_BUFFERS);
		t->keep_rbuf = 0;
	}
}

static ssize_t
transport_read_once(struct transport *t, void *p, size_t len)
{
	ssize_t n;
	int r;

	if (t->ssl != NULL)
		return transport_tls_read(t, p, len);
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
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			t->sys_errno = errno;
			return ERR_IO;
		}
		if ((r = transport_poll(t, POLLIN, t->timeout_ms)) < 0)
			return r;
		if (r == 0) {
			t->timed_out = 1;
			return ERR_TIMEOUT;
		}
	}
}

void
transport_set_rate(struct transport *t, uint64_t rate)
{
	free(t->rate_in);
	free(t->rate_out);
	t->rate_in = t->rate_out = NULL;
	if (rate == 0)
		return;
	t->rate_in = xmalloc(sizeof(*t->rate_in));
	t->rate_out = xmalloc(sizeof(*t->rate_out));
	ratelimit_init(t->rate_in, rate);
	ratelimit_init(t->rate_out, rate);
	/*
	 * One record at a time: read ahead, libssl would hold several
	 * records' worth unread here, taken from the socket at once and
	 * then seconds without a byte taken, which the peer, waiting on
	 * its own queue (transport_set_ack_wait), could not tell from a
	 * server gone.  Speed is no concern at a paced rate.
	 */
	if (t->ssl != NULL)
		SSL_set_read_ahead(t->ssl, 0);
}

int
transport_peer_shut(struct transport *t)
{
	struct pollfd pfd = { .fd = t->fd, .events = POLLRDHUP };

	if (!t->peer_shut && poll(&pfd, 1, 0) == 1 &&
	    (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR)))
		t->peer_shut = 1;
	return t->peer_shut;
}

ssize_t
transport_read_some(struct transport *t, void *p, size_t len)
{
	ssize_t n;
	int r;

	/* An upload's stream that never waits is asked too. */
	if ((r = transport_check(t)) != 0)
		return r;
	/*
	 * Once the peer has shut or reset its side, what the socket still
	 * holds (a second's worth at most: transport_size_receive) has
	 * crossed the network already: paced, its reading would only hold
	 * an upload's partial, and its lock, which the client's next
	 * session needs to resume it, a second more.
	 */
	if (t->rate_in == NULL || transport_peer_shut(t))
		return transport_read_once(t, p, len);
	/* Paced: what the socket holds waits there, and TCP slows the
	 * sender down. */
	n = transport_read_once(t, p, ratelimit_piece(t->rate_in, len));
	if (n > 0)
		ratelimit_charge(t->rate_in, (size_t)n);
	return n;
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
