/*
 * tlsproxy.c: a TLS-terminating relay for the integration tests, so that
 * raw-protocol tests (rawpeer, lib_raw.sh) keep writing protocol frames
 * in clear while every byte to mftpd goes through TLS as for a client.
 *
 * Runs as: the test; never installed.
 *
 *   tlsproxy HOST PORT [SOURCE]
 *
 * Listens on 127.0.0.1 on a port of the kernel's choosing, prints that
 * port on stdout, then serves each connection in a child: it connects to
 * HOST PORT (from the local address SOURCE if given, so that a test can
 * log in from 127.0.0.2 as well as from 127.0.0.1), runs the first TLS handshake (no key check: it only tests
 * the server's protocol), relays bytes both ways, and watches the frames
 * the test sends for LOGIN.  When the server answers a LOGIN with
 * close_notify, it runs the second (PSK) handshake as mftp does and goes
 * on relaying, now without looking at frames (file data is raw).  Bytes
 * the test pipelines behind LOGIN are sent at once, as they came.  A
 * server that answers in clear (the master refusing over its limits) is
 * relayed byte for byte.  End of input from the test is passed on as
 * close_notify and a half-close.  Exits when the test's side closes or
 * the server's does; a server that closes while the test still writes
 * gets its last frames passed down first (tp_write_up).
 *
 * With TLSPROXY_HOLD=FILE in its environment, each second handshake
 * waits until FILE exists (at most TP_TIMEOUT_MS): a test can look at a
 * serving process that has none of its client's second ClientHello yet.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "err.h"
#include "tls.h"
#include "util.h"

#define TP_BUF (64 * 1024)
#define TP_SOCKBUF (128 * 1024) /* the kernel doubles it */
#define TP_FRAME_MAX (64 * 1024)
#define TP_TIMEOUT_MS (120 * 1000)
#define TP_MSG_LOGIN 0x02

enum tp_state {
	TP_PRELOGIN,  /* watching frames for LOGIN */
	TP_LOGGED_IN, /* second session: bytes only */
	TP_BLIND,     /* a bad length: frames no longer tracked */
};

struct tp {
	int down, up;
	SSL *ssl;
	uint8_t psk[MFTP_PSK_LEN];
	enum tp_state state;
	uint8_t hdr[4]; /* frame tracking of what the test sends */
	size_t hdr_have;
	size_t remain;
	int at_type;
	int login_in_frame;
	unsigned long down_n;  /* whole frames the test sent */
	unsigned long login_n; /* which of them was the last LOGIN */
	unsigned long up_n;    /* whole frames the server sent in clear */
	size_t up_remain;
	uint8_t up_hdr[4];
	size_t up_have;
	int up_gone; /* a write to the server failed: it closed */
};

static void __attribute__((noreturn)) tp_die(const char *what)
{
	fprintf(stderr, "tlsproxy: %s: %s\n", what, tls_error());
	_exit(1);
}

/* Follow the test's frames; note a whole LOGIN sent. */
static void
tp_track_down(struct tp *p, const uint8_t *b, size_t n)
{
	uint32_t len;
	size_t take;

	while (n > 0 && p->state == TP_PRELOGIN) {
		if (p->remain == 0) {
			p->hdr[p->hdr_have++] = *b++;
			n--;
			if (p->hdr_have < 4)
				continue;
			p->hdr_have = 0;
			len = (uint32_t)p->hdr[0] << 24 |
			    (uint32_t)p->hdr[1] << 16 |
			    (uint32_t)p->hdr[2] << 8 | p->hdr[3];
			if (len == 0 || len > TP_FRAME_MAX) {
				p->state = TP_BLIND;
				return;
			}
			p->remain = len;
			p->at_type = 1;
			continue;
		}
		if (p->at_type) {
			p->login_in_frame = *b == TP_MSG_LOGIN;
			p->at_type = 0;
		}
		take = n < p->remain ? n : p->remain;
		p->remain -= take;
		b += take;
		n -= take;
		if (p->remain == 0) {
			p->down_n++;
			if (p->login_in_frame)
				p->login_n = p->down_n;
		}
	}
}

/*
 * Count the server's frames in the first session: before login every
 * request has exactly one reply, so close_notify while LOGIN's reply is
 * still to come is the server accepting it.
 */
static void
tp_track_up(struct tp *p, const uint8_t *b, size_t n)
{
	size_t take;

	while (n > 0 && p->state != TP_LOGGED_IN) {
		if (p->up_remain == 0) {
			p->up_hdr[p->up_have++] = *b++;
			n--;
			if (p->up_have < 4)
				continue;
			p->up_have = 0;
			p->up_remain = (size_t)p->up_hdr[0] << 24 |
			    (size_t)p->up_hdr[1] << 16 |
			    (size_t)p->up_hdr[2] << 8 | p->up_hdr[3];
			continue;
		}
		take = n < p->up_remain ? n : p->up_remain;
		p->up_remain -= take;
		b += take;
		n -= take;
		if (p->up_remain == 0)
			p->up_n++;
	}
}

static void
tp_write_down(struct tp *p, const uint8_t *b, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(p->down, b, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(0); /* the test went away */
		b += w;
		n -= (size_t)w;
	}
}

/*
 * A server that ends the session at a request closes while the test may
 * still be sending what followed it.  The write that fails then does not
 * end the relay: what the server sent before it closed (its ERROR) is
 * still to be read and passed down, and the test's further bytes are
 * dropped until then.
 */
static void
tp_write_up(struct tp *p, const uint8_t *b, size_t n)
{
	struct pollfd pfd = { .fd = p->up, .events = POLLOUT };
	size_t done;
	int r;

	while (n > 0) {
		ERR_clear_error();
		if ((r = SSL_write_ex(p->ssl, b, n, &done)) == 1) {
			b += done;
			n -= done;
			continue;
		}
		if (SSL_get_error(p->ssl, r) != SSL_ERROR_WANT_WRITE &&
		    SSL_get_error(p->ssl, r) != SSL_ERROR_WANT_READ) {
			p->up_gone = 1;
			return;
		}
		(void)poll(&pfd, 1, 1000);
	}
}

/* The first handshake, or a plain relay if the server answers in clear. */
static int
tp_start(struct tp *p, SSL_CTX *ctx)
{
	uint64_t deadline = mono_ms() + TP_TIMEOUT_MS;
	int plain;

	if ((p->ssl = SSL_new(ctx)) == NULL)
		tp_die("SSL_new");
	if (tls_connect(p->ssl, p->up, deadline, &plain) != 0)
		_exit(0); /* nothing to relay: the test sees the close */
	if (plain)
		return 0;
	if (tls_export_psk(p->ssl, p->psk) != 0)
		tp_die("export");
	SSL_set_mode(p->ssl,
	    SSL_MODE_ENABLE_PARTIAL_WRITE |
		SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	return 1;
}

/* TLSPROXY_HOLD: wait, bounded, for the test to let the handshake go. */
static void
tp_hold(void)
{
	const char *f = getenv("TLSPROXY_HOLD");
	uint64_t end = mono_ms() + TP_TIMEOUT_MS;

	if (f == NULL)
		return;
	while (access(f, F_OK) == -1 && mono_ms() < end)
		(void)poll(NULL, 0, 50);
}

static void
tp_second(struct tp *p, SSL_CTX *ctx2)
{
	tp_hold();
	SSL_free(p->ssl);
	if ((p->ssl = SSL_new(ctx2)) == NULL || SSL_set_fd(p->ssl, p->up) != 1)
		tp_die("SSL_new");
	SSL_set_connect_state(p->ssl);
	tls_set_psk(p->ssl, p->psk);
	if (tls_handshake(p->ssl, p->up, mono_ms() + TP_TIMEOUT_MS) != 0 ||
	    tls_check_psk_dhe(p->ssl) != 0) {
		fprintf(stderr, "tlsproxy: second handshake failed\n");
		_exit(0);
	}
	SSL_set_mode(p->ssl,
	    SSL_MODE_ENABLE_PARTIAL_WRITE |
		SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	p->state = TP_LOGGED_IN;
}

/* Clear bytes both ways (a refusal from the master). */
static void __attribute__((noreturn)) tp_plain(struct tp *p)
{
	struct pollfd pfd[2] = { { .fd = p->down, .events = POLLIN },
		{ .fd = p->up, .events = POLLIN } };
	uint8_t buf[TP_BUF];
	ssize_t n;
	int i;

	for (;;) {
		if (poll(pfd, 2, TP_TIMEOUT_MS) <= 0)
			_exit(0);
		/* The server's side first: its answer may be all there is. */
		for (i = 1; i >= 0; i--) {
			if (pfd[i].revents == 0)
				continue;
			n = read(pfd[i].fd, buf, sizeof(buf));
			if (n <= 0 && i == 1) {
				shutdown(p->down, SHUT_WR);
				_exit(0);
			}
			if (n <= 0 ||
			    (i == 0 && write(p->up, buf, (size_t)n) != n)) {
				/* The test's end, or a server that left. */
				shutdown(p->up, SHUT_WR);
				pfd[0].fd = -1;
				continue;
			}
			if (i == 1)
				tp_write_down(p, buf, (size_t)n);
		}
	}
}

/* Bind s to the numeric address source (port 0), or exit. */
static void
tp_bind_source(int s, int family, const char *source)
{
	struct addrinfo hints, *res;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
	if (getaddrinfo(source, "0", &hints, &res) != 0 ||
	    bind(s, res->ai_addr, res->ai_addrlen) == -1) {
		fprintf(stderr, "tlsproxy: cannot bind to %s\n", source);
		_exit(1);
	}
	freeaddrinfo(res);
}

static void __attribute__((noreturn)) tp_serve(int down, const char *host,
    const char *port, const char *source, SSL_CTX *ctx1, SSL_CTX *ctx2)
{
	struct addrinfo hints, *res;
	struct pollfd pfd[2];
	uint8_t buf[TP_BUF];
	struct tp p;
	size_t got;
	ssize_t n;
	int r, e, down_eof = 0, one = 1, bufsz = TP_SOCKBUF;

	memset(&p, 0, sizeof(p));
	p.down = down;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		_exit(1);
	if ((p.up = socket(res->ai_family, SOCK_STREAM, 0)) == -1)
		_exit(1);
	/*
	 * Fixed buffers, set before the connect: with the kernel's
	 * autotuning (tcp_rmem up to 32 MiB) a relay that read fast for a
	 * while could hold all of a reply that a test means to stall the
	 * server with once the relay is stopped (t_client_stalled).
	 */
	(void)setsockopt(p.up, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	(void)setsockopt(down, SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof(bufsz));
	if (source != NULL)
		tp_bind_source(p.up, res->ai_family, source);
	if (connect(p.up, res->ai_addr, res->ai_addrlen) == -1)
		_exit(1);
	freeaddrinfo(res);
	(void)setsockopt(p.up, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	(void)setsockopt(down, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	(void)fd_set_nonblock(p.up, 1);
	if (!tp_start(&p, ctx1))
		tp_plain(&p);

	for (;;) {
		pfd[0].fd = down_eof ? -1 : down;
		pfd[0].events = POLLIN;
		pfd[1].fd = p.up;
		pfd[1].events = POLLIN;
		pfd[0].revents = pfd[1].revents = 0;
		if (!SSL_has_pending(p.ssl) && poll(pfd, 2, TP_TIMEOUT_MS) <= 0)
			_exit(0);
		if (pfd[0].revents != 0) {
			n = read(down, buf, sizeof(buf));
			if (n <= 0) {
				/* End of the test's input: the server's too. */
				down_eof = 1;
				(void)SSL_shutdown(p.ssl);
				shutdown(p.up, SHUT_WR);
			} else if (!p.up_gone) {
				tp_track_down(&p, buf, (size_t)n);
				tp_write_up(&p, buf, (size_t)n);
			}
		}
		/* Drain what TLS can give now. */
		for (;;) {
			ERR_clear_error();
			if ((r = SSL_read_ex(p.ssl, buf, sizeof(buf), &got)) ==
			    1) {
				tp_track_up(&p, buf, got);
				tp_write_down(&p, buf, got);
				continue;
			}
			e = SSL_get_error(p.ssl, r);
			if (e == SSL_ERROR_WANT_READ ||
			    e == SSL_ERROR_WANT_WRITE)
				break;
			if (e == SSL_ERROR_ZERO_RETURN &&
			    p.state != TP_LOGGED_IN && p.login_n > p.up_n) {
				tp_second(&p, ctx2);
				continue;
			}
			/* The server closed (or failed): so does the relay. */
			shutdown(down, SHUT_WR);
			_exit(0);
		}
	}
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	SSL_CTX *ctx1, *ctx2;
	int lfd, fd;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: tlsproxy host port [source]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_IGN); /* children reaped by the kernel */
	tls_init();
	if ((ctx1 = SSL_CTX_new(TLS_client_method())) == NULL)
		tp_die("SSL_CTX_new");
	if (tls_ctx_common(ctx1) == -1)
		tp_die("TLS settings");
	SSL_CTX_set_verify(ctx1, SSL_VERIFY_NONE, NULL);
	ctx2 = tls_psk_ctx(0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(lfd, 64) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &sl) == -1) {
		perror("tlsproxy: listen");
		return 1;
	}
	printf("%u\n", ntohs(sin.sin_port));
	fflush(stdout);
	for (;;) {
		if ((fd = accept(lfd, NULL, NULL)) == -1) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		switch (fork()) {
		case -1:
			close(fd);
			continue;
		case 0:
			close(lfd);
			tp_serve(fd, argv[1], argv[2],
			    argc == 4 ? argv[3] : NULL, ctx1, ctx2);
		}
		close(fd);
	}
}
