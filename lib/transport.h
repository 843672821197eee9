/*
 * transport.h: all client-facing I/O (read, write, send-file), in one small
 * layer, so that TLS can be added here without touching any command.
 *
 * Used by: mftpd (pre-auth worker and serving process) and mftp.
 * A transport is plain until transport_set_tls(); every session's bytes
 * go through TLS 1.3 (doc/PROTOCOL.md): plain is only for the one frame
 * a protocol-1 peer is told before the connection ends.  Reads never
 * consume a byte beyond the current TLS record (no read-ahead), so the
 * socket can change hands between processes at a record boundary.
 * Every wait is bounded by the transport's timeout.
 */
#ifndef MFTP_TRANSPORT_H
#define MFTP_TRANSPORT_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

struct transport;

/* timeout_ms: the longest wait for the peer in one call; -1 is none. */
struct transport *transport_new(int fd, int timeout_ms);
/* Frees the transport and closes its descriptor. */
void transport_free(struct transport *t);
int transport_fd(const struct transport *t);

/*
 * Close the connection now, by a reset: what is still queued to the
 * peer is dropped rather than sent first, at whatever pace the peer
 * reads it.  The transport does no I/O afterwards (its descriptor is
 * -1); transport_free still frees it.
 */
void transport_abort(struct transport *t);
void transport_set_timeout(struct transport *t, int timeout_ms);
/*
 * on: a peer that acknowledges some of what this end sent (the socket's
 * send queue shrinks) is no silence: the wait's timeout counts again
 * from when that was seen (looked at every 200 ms while some is still
 * unacknowledged), for as long as that lasts.  A
 * server reading an upload at a user's rate takes the data the client
 * handed to the sockets at once over minutes, and says nothing until it
 * has all of it.  Uses ioctl(SIOCOUTQ): for the client, not for the
 * sandboxed server processes.
 */
void transport_set_ack_wait(struct transport *t, int on);
/*
 * ms > 0: a wait on the socket (looked at every second) ends in ERR_IO,
 * transport_sys_errno ETIMEDOUT, once the peer's system has acknowledged
 * nothing for ms though asked (two retransmissions or window probes of
 * this end unanswered): its machine or network vanished with bytes of
 * this end in flight, when TCP keepalive sends no probe.  A peer that
 * answers with its window closed (it stops reading) is not silent: it is
 * the timeout's.  Nothing more is sent then.  Uses getsockopt(TCP_INFO).
 */
void transport_set_silence(struct transport *t, unsigned int ms);
/*
 * The bytes this end handed to the socket that the peer's system has not
 * acknowledged yet (ioctl SIOCOUTQ: TLS records, frames and all), or -1.
 * For a wait of the caller's own (the client's, as transport_set_ack_wait
 * does in every wait here): its value when the wait begins is the mark;
 * transport_acked_since then says 1 when the peer has acknowledged some
 * of what this end sent since the mark (the queue shrank), moving it.
 */
int transport_unacked(const struct transport *t);
int transport_acked_since(const struct transport *t, int *mark);

/*
 * For a reader paced at rate bytes/s (transport_set_rate): the socket's
 * receive window clamped to about a second of it, so that what the peer
 * sent ahead waits in the peer's send queue,
 * where the peer sees it taken, not unread here.  A socket option:
 * before the sandbox.  rate 0 changes nothing.
 */
void transport_size_receive(struct transport *t, uint64_t rate);
/*
 * No wait of any call goes past deadline_ms (mono_ms()), whatever the
 * timeout: a call that would returns ERR_TIMEOUT.  0 lifts it.  For a
 * whole request, where the timeout bounds only each wait.
 */
void transport_set_deadline(struct transport *t, uint64_t deadline_ms);

/*
 * Ask fn(arg), at most every every_ms, whether the connection may go
 * on: from every wait (which then waits in slices of every_ms at most)
 * and from every piece of a read or a sendfile, so that a transfer that
 * runs for hours is asked too.  A non-zero answer fails the call in
 * progress with ERR_STOPPED.  fn NULL: no watch (the default).
 */
void transport_set_watch(
    struct transport *t, int (*fn)(void *), void *arg, unsigned int every_ms);
/*
 * Ask the watch, if it is due, as a wait would: for work between
 * requests that is no wait of the transport's (a file read back to be
 * hashed).  0, or ERR_STOPPED.
 */
int transport_check(struct transport *t);

/*
 * From now on every byte goes through ssl (its handshake done), which the
 * transport then owns and frees; a TLS object it had before is freed
 * without a close_notify (the client's first session, which the server
 * closed).  Downloads use kTLS sendfile when the
 * kernel took the keys, large-buffer SSL_write otherwise.
 */
void transport_set_tls(struct transport *t, SSL *ssl);
SSL *transport_tls(const struct transport *t);
/* 1 when sendfile goes through kTLS (or the transport is plain). */
int transport_zero_copy(const struct transport *t);
/* Send TLS close_notify (once; nothing for a plain transport). */
void transport_close_notify(struct transport *t);
/* 1 once the peer sent close_notify (a read then gave ERR_EOF). */
int transport_peer_closed_tls(const struct transport *t);
/*
 * 1 once the socket refused a write (the peer reset the connection):
 * nothing more is sent, but what the peer sent before can still be read.
 */
int transport_peer_gone(const struct transport *t);
/*
 * Whether the peer has shut or reset its side of the connection (a
 * client that stopped: Ctrl-C resets it; a server that ended an idle
 * session), asked without waiting or reading; remembered.
 */
int transport_peer_shut(struct transport *t);
/*
 * 1 once a wait for the peer (to read, or for room to write) ended in
 * ERR_TIMEOUT.  After a write's, nothing more is sent, close_notify
 * included: every send gives ERR_TIMEOUT at once.
 */
int transport_timed_out(const struct transport *t);
/*
 * Words for err, a result of this transport: for ERR_IO from the
 * socket, "connection lost: " and the system's words for its error
 * (Connection timed out, Broken pipe...), not "input/output error",
 * which reads as the disk's; otherwise err_str(err).
 */
const char *transport_err_str(const struct transport *t, int err);
/* The socket's errno behind the last ERR_IO (or a reset), or 0. */
int transport_sys_errno(const struct transport *t);
/*
 * Whether a read would find bytes without waiting: decrypted data in
 * TLS's buffers or bytes in the socket.  1, 0, or ERR_IO.
 */
int transport_pending(struct transport *t);

/*
 * on: a transfer's data follows; libssl's read buffer is kept until off
 * instead of freed and allocated again each time it runs empty.  Off
 * gives the idle behaviour back (no buffer kept between reads).
 */
void transport_bulk_read(struct transport *t, int on);

/*
 * Pace every byte each way to rate bytes per second from now on (a token
 * bucket, lib/ratelimit.h); 0 removes the limit.  Without a rate no call
 * is added to any transfer.
 */
void transport_set_rate(struct transport *t, uint64_t rate);

/*
 * Read exactly len bytes.  ERR_EOF if the peer closed before the first
 * byte, ERR_SHORT if it closed after some, ERR_TIMEOUT, ERR_IO.
 */
int transport_read(struct transport *t, void *p, size_t len);
/* Read between 1 and len bytes; returns the count or an ERR_ value. */
ssize_t transport_read_some(struct transport *t, void *p, size_t len);
/* Write all len bytes; ERR_TIMEOUT, ERR_IO (EPIPE when the peer left). */
int transport_write(struct transport *t, const void *p, size_t len);
/*
 * Send len bytes of file fd from offset off, zero-copy where it can.
 * ERR_SHORT if the file ended early (it shrank while being sent).
 */
int transport_sendfile(struct transport *t, int fd, uint64_t off, uint64_t len);

/*
 * For work done for the peer that sends nothing of its size (a file
 * read to hash it): how much of want to do in one go under the rate
 * (transport_set_rate: an eighth of a second's worth; want without a
 * rate), and then transport_pace_out of what was done, which takes it
 * from the outgoing bucket as if sent and sleeps off the debt, as a
 * send does.  Without a rate transport_pace_out does nothing.
 */
size_t transport_pace_piece(const struct transport *t, size_t want);
void transport_pace_out(struct transport *t, size_t n);
/*
 * Wait until the peer has sent something or closed: 1, or 0 after
 * timeout_ms (-1 forever), or ERR_IO or ERR_STOPPED.
 */
int transport_wait(struct transport *t, int timeout_ms);

/* Totals since creation, for the session log. */
uint64_t transport_bytes_in(const struct transport *t);
uint64_t transport_bytes_out(const struct transport *t);

#endif
