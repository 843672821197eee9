/*
 * transport_send.c: the sending side of the transport (transport.c):
 * writes, files (sendfile, or through libssl), and the bulk buffer that
 * gathers a large write's TLS records into one system call.  Every wait
 * for room is transport_wait_writable's, bounded by the timeout.
 */
#include <sys/types.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/err.h>

#include "err.h"
#include "mftp_limits.h"
#include "ratelimit.h"
#include "transport.h"
#include "transport_int.h"
#include "util.h"

/*
 * The records of one large write, sent in one system call: libssl
 * writes each record (16 KiB at most) to its write BIO as it seals it,
 * which on a socket is a send() each.  For a bulk transfer (a download
 * of a file, or one large write such as an upload's chunk) a buffering
 * BIO goes between them, as large as the records of one I/O chunk, so
 * that the socket gets them in one write, and is flushed and taken away
 * when the transfer ends: an idle session keeps no buffer.  Not with
 * kTLS (the kernel writes the records) nor before TLS.
 */
#define TRANSPORT_BULK_BUF (MFTP_IO_CHUNK + MFTP_IO_CHUNK / 16384 * 64)

static void
transport_bulk_begin(struct transport *t)
{
	BIO *sock = SSL_get_wbio(t->ssl), *buf;

	if (t->ktls_send || sock == NULL ||
	    (buf = BIO_new(BIO_f_buffer())) == NULL)
		return;
	if (BIO_set_write_buffer_size(buf, TRANSPORT_BULK_BUF) != 1 ||
	    BIO_up_ref(sock) != 1) {
		BIO_free(buf);
		return;
	}
	/* The chain holds its own reference; SSL_set0_wbio drops the
	 * one the SSL held as its write BIO. */
	BIO_push(buf, sock);
	SSL_set0_wbio(t->ssl, buf);
	t->bulk = sock;
}

/*
 * Flush what the buffer holds (waiting for room as a write would) and
 * give the SSL its socket BIO back.  0, or ERR_TIMEOUT / ERR_IO / ERR_TLS
 * when the buffered records could not all be sent.
 */
static int
transport_bulk_end(struct transport *t)
{
	BIO *buf = SSL_get_wbio(t->ssl);
	int r = 0;

	if (t->bulk == NULL)
		return 0;
	while (!t->tls_failed && !t->send_failed && !t->send_stalled &&
	    BIO_flush(buf) <= 0) {
		if (!BIO_should_retry(buf)) {
			t->send_failed = 1;
			if (errno != 0 && errno != EAGAIN &&
			    errno != EWOULDBLOCK)
				t->sys_errno = errno;
			r = ERR_IO;
			break;
		}
		if ((r = transport_wait_writable(t, 1)) != 0) {
			t->tls_failed = 1;
			break;
		}
	}
	if (t->send_stalled && r == 0)
		r = ERR_TIMEOUT;
	if ((t->tls_failed || t->send_failed) && r == 0)
		r = ERR_TLS;
	/* Freeing the chain frees the buffer and drops its reference to
	 * the socket BIO, which the SSL holds again. */
	(void)BIO_up_ref(t->bulk);
	SSL_set0_wbio(t->ssl, t->bulk);
	t->bulk = NULL;
	return r;
}

/* One write of at least this much goes out through the bulk buffer. */
#define TRANSPORT_BULK_MIN (64 * 1024)

static int
transport_tls_write(struct transport *t, const void *p, size_t len)
{
	const uint8_t *q = p;
	int bulk = t->bulk == NULL && len >= TRANSPORT_BULK_MIN;
	size_t done;
	int r = 0, e;

	if (t->tls_failed || t->send_failed || t->sent_close)
		return ERR_TLS;
	if (bulk)
		transport_bulk_begin(t);
	while (len > 0) {
		ERR_clear_error();
		errno = 0;
		if ((r = SSL_write_ex(t->ssl, q, len, &done)) == 1) {
			q += done;
			len -= done;
			t->bytes_out += (uint64_t)done;
			r = 0;
			continue;
		}
		if ((r = transport_tls_wait(t, r, 1)) != 0) {
			r = r == ERR_EOF ? ERR_IO : r;
			break;
		}
	}
	if (bulk && (e = transport_bulk_end(t)) != 0 && r == 0)
		r = e;
	return r;
}

static int
transport_write_all(struct transport *t, const void *p, size_t len)
{
	const uint8_t *q = p;
	ssize_t n;
	int r;

	if (t->send_stalled)
		return ERR_TIMEOUT;
	if (t->ssl != NULL)
		return transport_tls_write(t, p, len);
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
			if ((r = transport_wait_writable(t, 1)) != 0)
				return r;
			continue;
		}
		t->sys_errno = errno;
		return ERR_IO;
	}
	return 0;
}

/*
 * Without kTLS the bytes must pass through user space to be encrypted:
 * large reads keep the system calls per byte few, and the buffer lives
 * only for the call, so an idle session holds none of it.
 */
static int
transport_tls_copyfile(struct transport *t, int fd, uint64_t off, uint64_t len)
{
	/* No larger than the file needs. */
	uint8_t *chunk = xmalloc(
	    len < MFTP_IO_CHUNK && len > 0 ? (size_t)len : MFTP_IO_CHUNK);
	size_t want;
	ssize_t n;
	int r = 0, e;

	if (len >= 2 * MFTP_IO_CHUNK)
		transport_bulk_begin(t);
	while (len > 0) {
		if ((r = transport_check(t)) != 0)
			break;
		want = len < MFTP_IO_CHUNK ? (size_t)len : MFTP_IO_CHUNK;
		n = pread(fd, chunk, want, (off_t)off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n == 0 ? ERR_SHORT : ERR_IO;
			break;
		}
		if ((r = transport_tls_write(t, chunk, (size_t)n)) != 0)
			break;
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	free(chunk);
	e = transport_bulk_end(t);
	return r != 0 ? r : e;
}

/* kTLS: the kernel encrypts what sendfile moves. */
static int
transport_tls_sendfile(struct transport *t, int fd, uint64_t off, uint64_t len)
{
	ossl_ssize_t n;
	size_t want;
	int r;

	while (len > 0) {
		if ((r = transport_check(t)) != 0)
			return r;
		want = len > 0x7ffff000 ? 0x7ffff000 : (size_t)len;
		ERR_clear_error();
		n = SSL_sendfile(t->ssl, fd, (off_t)off, want, 0);
		if (n > 0) {
			off += (uint64_t)n;
			len -= (uint64_t)n;
			t->bytes_out += (uint64_t)n;
			continue;
		}
		if (n == 0)
			return ERR_SHORT;
		if ((r = transport_tls_wait(t, (int)n, 1)) != 0)
			return r == ERR_EOF ? ERR_IO : r;
	}
	return 0;
}

int
transport_write(struct transport *t, const void *p, size_t len)
{
	const uint8_t *q = p;
	size_t piece;
	int r;

	if (t->rate_out == NULL)
		return transport_write_all(t, p, len);
	for (; len > 0; q += piece, len -= piece) {
		piece = ratelimit_piece(t->rate_out, len);
		if ((r = transport_write_all(t, q, piece)) != 0)
			return r;
		ratelimit_charge(t->rate_out, piece);
	}
	return 0;
}

static int
transport_sendfile_all(struct transport *t, int fd, uint64_t off, uint64_t len)
{
	off_t o = (off_t)off;
	ssize_t n;
	size_t want;
	int r;

	if (t->send_stalled)
		return ERR_TIMEOUT;
	if (t->ssl != NULL) {
		if (t->tls_failed || t->send_failed || t->sent_close)
			return ERR_TLS;
		if (t->ktls_send)
			return transport_tls_sendfile(t, fd, off, len);
		return transport_tls_copyfile(t, fd, off, len);
	}
	while (len > 0) {
		if ((r = transport_check(t)) != 0)
			return r;
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
			if ((r = transport_wait_writable(t, 1)) != 0)
				return r;
			continue;
		}
		t->sys_errno = errno;
		return ERR_IO;
	}
	return 0;
}

size_t
transport_pace_piece(const struct transport *t, size_t want)
{
	return t->rate_out == NULL ? want : ratelimit_piece(t->rate_out, want);
}

void
transport_pace_out(struct transport *t, size_t n)
{
	if (t->rate_out != NULL)
		ratelimit_charge(t->rate_out, n);
}

int
transport_sendfile(struct transport *t, int fd, uint64_t off, uint64_t len)
{
	size_t piece;
	int r;

	if (t->rate_out == NULL)
		return transport_sendfile_all(t, fd, off, len);
	/* Paced: sendfile in pieces of an eighth of a second each. */
	for (; len > 0; off += piece, len -= piece) {
		piece = ratelimit_piece(
		    t->rate_out, len > SIZE_MAX ? SIZE_MAX : (size_t)len);
		if ((r = transport_sendfile_all(t, fd, off, piece)) != 0)
			return r;
		ratelimit_charge(t->rate_out, piece);
	}
	return 0;
}
