/*
 * proxywait.h: the master's connections from load balancers that have not
 * yet sent their whole PROXY header (proxy_protocol_from).
 */
#ifndef MFTP_PROXYWAIT_H
#define MFTP_PROXYWAIT_H

#include <sys/types.h>
#include <sys/socket.h>

#include <poll.h>
#include <stddef.h>

struct config;
struct proxywait;

/*
 * Called for a connection whose header is complete: real is the client
 * the balancer relays (the balancer's own address when the header says
 * the source is unknown), balancer the connection's peer.  The callee
 * owns fd from then on.
 */
typedef void
proxywait_ready_fn(void *arg, int fd, const struct sockaddr_storage *real,
    const struct sockaddr_storage *balancer);

/* Nonzero if connections from ss must start with a PROXY header. */
int proxywait_listed(const struct config *c, const struct sockaddr_storage *ss);

struct proxywait *proxywait_new(void);
void proxywait_free(struct proxywait *w);

/*
 * Take fd, just accepted from the balancer ss, to wait for its header
 * for at most timeout_s seconds.  When MFTP_PROXY_PENDING_MAX connections
 * wait already, fd is closed at once (and that is logged).
 */
void proxywait_add(struct proxywait *w, int fd,
    const struct sockaddr_storage *ss, unsigned int timeout_s);

/* The waiting connections into pfd (room for MFTP_PROXY_PENDING_MAX). */
size_t proxywait_pollfds(const struct proxywait *w, struct pollfd *pfd);

/* Milliseconds until the nearest deadline, or -1 when none waits. */
int proxywait_timeout(const struct proxywait *w);

/*
 * After poll: read what the balancers sent (never a byte past a
 * header), hand each complete one to ready, close the malformed, the
 * truncated and the late ones (logged), and health checks (a connect
 * with nothing sent, or a LOCAL header: not logged).  Never blocks.
 */
void proxywait_run(struct proxywait *w, const struct pollfd *pfd, size_t n,
    proxywait_ready_fn *ready, void *arg);

/*
 * Close every waiting connection: the daemon is stopping, or this is a
 * new monitor, which must not keep other connections open.
 */
void proxywait_close_all(struct proxywait *w);

#endif
