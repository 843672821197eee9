/*
 * transport.h: all client-facing I/O (read, write, send-file), in one small
 * layer, so that TLS can be added here without touching any command.
 *
 * Used by: mftpd (pre-auth worker and serving process) and mftp.
 * Reads are unbuffered: the transport never consumes a byte beyond what
 * its caller asked for, so a descriptor can change hands between
 * processes (pre-auth worker to serving process) without losing data.
 * Every wait is bounded by the transport's timeout.
 */
#ifndef MFTP_TRANSPORT_H
#define MFTP_TRANSPORT_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

struct transport;

/* timeout_ms: the longest wait for the peer in one call; -1 is none. */
struct transport *transport_new(int fd, int timeout_ms);
/* Frees the transport and closes its descriptor. */
void transport_free(struct transport *t);
int transport_fd(const struct transport *t);
void transport_set_timeout(struct transport *t, int timeout_ms);

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
 * Wait until the peer has sent something or closed: 1, or 0 after
 * timeout_ms (-1 forever), or ERR_IO.
 */
int transport_wait(struct transport *t, int timeout_ms);

/* Totals since creation, for the session log. */
uint64_t transport_bytes_in(const struct transport *t);
uint64_t transport_bytes_out(const struct transport *t);

#endif
