/*
 * listener_admit.c: the master's side of a new connection: the session
 * limits (max_sessions, max_sessions_per_ip, an IPv6 client counted by
 * its /64), the fixed ERROR frame to one over them, the fork of its
 * monitor, and the log lines of both, at bounded rates.
 *
 * Runs as: root, in the master (listener.c), and in the monitor's first
 * moments after the fork, before monitor_run.  It reads nothing from the
 * client: the address it counts is the kernel's peer, or the client's
 * from a listed balancer's PROXY header (proxywait.c).
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "listener_int.h"
#include "log.h"
#include "monitor.h"
#include "msg.h"
#include "proto.h"
#include "proxywait.h"
#include "util.h"

/*
 * Tell a client it is over a limit and close.  The frame is written
 * without waiting (the socket is non-blocking) and nothing is read.
 */
static void
listener_refuse(int fd, const char *why)
{
	struct buf *b = buf_new(MFTP_FRAME_BUF);
	struct msg m;

	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_ERROR;
	m.code = MFTP_ST_BUSY;
	m.text = (char *)why;
	if (msg_encode(b, &m) == 0)
		(void)send(
		    fd, buf_ptr(b), buf_len(b), MSG_NOSIGNAL | MSG_DONTWAIT);
	buf_free(b);
	/* FIN after the frame, so the reply is not lost to a reset. */
	shutdown(fd, SHUT_WR);
	close(fd);
}

size_t
listener_refuse_queued(int lfd)
{
	size_t n = 0, tries;
	int fd;

	/* Bounded, failures too: connections that keep coming meanwhile
	 * are not served for ever; the listening socket is non-blocking. */
	for (tries = 0; tries < LISTENER_QUEUED_MAX; tries++) {
		if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) == -1) {
			if (errno == ECONNABORTED || errno == EINTR)
				continue;
			break;
		}
		listener_refuse(
		    fd, "the server is stopping; try again in a moment");
		n++;
	}
	return n;
}

/*
 * The lines of connections that may never log in (log_noise_ok): 20 a
 * second after a burst of 100.  A client connecting in a loop wrote two
 * lines a connection, hundreds a second, past journald's own limit.
 */
static struct log_rate listener_noise = { .every_ms = 50, .burst = 100 };

/* Refusals: 5 lines a second after a burst of 20. */
static void
listener_log_refused(const char *peer, const char *why)
{
	static struct log_rate r = { .every_ms = 200, .burst = 20 };
	char more[96];

	if (log_rate_ok(&r))
		log_notice("refused addr=%s: %s%s", peer, why,
		    log_rate_unlogged(
			&r, "refused connections", more, sizeof(more)));
}

/*
 * fork failed for a connection (EAGAIN: the unit's TasksMax, the pid
 * limit), which is closed: logged as accept's failures are, every 10 s
 * at most after a burst of 3, not once a connection, thousands a second
 * for a client connecting in a loop.
 */
static void
listener_fork_failed(void)
{
	static struct log_rate r = { .every_ms = 10000, .burst = 3 };
	char more[64];
	int e = errno;

	if (log_rate_ok(&r))
		log_warnx("fork: %s; connection closed%s", strerror(e),
		    log_rate_unlogged(&r, "failures", more, sizeof(more)));
}

/*
 * What max_sessions_per_ip counts a client as: its IPv4 address, or the
 * /64 of its IPv6 address.  A host is given a whole /64 (RFC 6177's
 * smallest end site) and may take any address in it, so one counted per
 * /128 could open the limit's sessions from each of 2^64 addresses.  An
 * IPv4-mapped address is the IPv4 address.  Returns whether it is a /64.
 */
static int
listener_source(
    const struct sockaddr_storage *ss, uint8_t src[LISTENER_SOURCE_LEN])
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff,
		0xff };

	memset(src, 0, LISTENER_SOURCE_LEN);
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)ss;

		src[0] = 4;
		memcpy(src + 1, &sin->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)ss;
		const uint8_t *a = sin6->sin6_addr.s6_addr;

		if (memcmp(a, mapped, sizeof(mapped)) == 0) {
			src[0] = 4;
			memcpy(src + 1, a + 12, 4);
		} else {
			src[0] = 6;
			memcpy(src + 1, a, 8);
			return 1;
		}
	}
	return 0;
}

static void
listener_peer(const struct sockaddr_storage *ss, char *addr, size_t addrlen,
    char *peer, size_t peerlen)
{
	unsigned int port = 0;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)ss;

		inet_ntop(AF_INET, &sin->sin_addr, addr, (socklen_t)addrlen);
		port = ntohs(sin->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, addr, (socklen_t)addrlen);
		port = ntohs(sin6->sin6_port);
	} else
		strlcpy(addr, "unknown", addrlen);
	snprintf(peer, peerlen, "%s port %u", addr, port);
}

/*
 * Apply the session limits to a connection from ss (the client: the
 * kernel's peer, or what a balancer's PROXY header says) and hand it to
 * a new monitor.  via: the balancer's address for the log, or NULL.
 */
void
listener_admit(struct listener *l, struct listener_kids *k, int fd,
    const struct sockaddr_storage *ss, const char *via)
{
	const struct config *c = l->cfg;
	struct monitor_args a;
	char addr[INET6_ADDRSTRLEN], peer[MFTP_PEER_LEN], why[64];
	uint8_t src[LISTENER_SOURCE_LEN];
	size_t i, same = 0, slot = SIZE_MAX;
	uint64_t now;
	int sign_fd, loud, net64;
	pid_t pid;

	listener_peer(ss, addr, sizeof(addr), peer, sizeof(peer));
	net64 = listener_source(ss, src);
	for (i = 0; i < k->nslots; i++)
		if (k->kid[i].pid != 0 && !k->kid[i].evicted &&
		    memcmp(k->kid[i].source, src, sizeof(src)) == 0)
			same++;
	/*
	 * A full server makes room (listener_evict.c), but not for a
	 * connection its source's own limit refuses anyway.
	 */
	now = mono_ms();
	if (k->n >= c->max_sessions &&
	    (same >= c->max_sessions_per_ip || !listener_evict(k, now))) {
		snprintf(why, sizeof(why), "%u session%s already",
		    c->max_sessions, c->max_sessions == 1 ? "" : "s");
		listener_log_refused(peer, why);
		listener_refuse(fd,
		    "too many sessions on this server; "
		    "try again later");
		return;
	}
	if (same >= c->max_sessions_per_ip) {
		snprintf(why, sizeof(why), "%u session%s from %s already",
		    c->max_sessions_per_ip,
		    c->max_sessions_per_ip == 1 ? "" : "s",
		    net64 ? "its /64" : "it");
		listener_log_refused(peer, why);
		listener_refuse(fd,
		    "too many sessions from your address; "
		    "try again later");
		return;
	}
	/* The evicted keep their slots until reaped: room beside them. */
	for (i = 0; i < k->nslots && slot == SIZE_MAX; i++)
		if (k->kid[i].pid == 0)
			slot = i;
	if (slot == SIZE_MAX && k->nslots < 2 * (size_t)c->max_sessions) {
		slot = k->nslots;
		listener_kids_grow(k, k->nslots + 1);
	}
	if (slot == SIZE_MAX) {
		listener_log_refused(peer, "the closed ones not yet gone");
		listener_refuse(fd,
		    "too many sessions on this server; "
		    "try again later");
		return;
	}

	/* Decided here, inherited by the connection's processes. */
	loud = log_rate_ok(&listener_noise);
	sign_fd = spare_signer_take(&l->signer, peer);
	switch ((pid = fork())) {
	case -1:
		listener_fork_failed();
		close(fd);
		if (sign_fd != -1)
			close(sign_fd); /* the signer sees the end and exits */
		return;
	case 0:
		/*
		 * The connection's monitor: nothing of the master's stays,
		 * not even its session: under mftpd -f, the terminal's ^C
		 * goes to the master alone, which stops gracefully.
		 * SIGHUP is the master's (reload): a 'pkill -HUP mftpd'
		 * reaches this process too, and its pre-auth worker and
		 * serving process, its forks, which must go on.
		 */
		(void)setsid();
		/*
		 * Under -e the master keeps the terminal it runs in;
		 * nothing of a connection reads it or writes to it but
		 * through the log (standard error).
		 */
		if (l->log_stderr)
			fd_null_std(1);
		log_set_noise(loud);
		signal(SIGCHLD, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_IGN);
		for (i = 0; i < l->nfds; i++)
			close(l->fds[i]);
		close(listener_sigpipe[0]);
		close(listener_sigpipe[1]);
		/* Other balancer connections waiting are not this one's. */
		if (l->proxy != NULL)
			proxywait_close_all(l->proxy);
		memset(&a, 0, sizeof(a));
		a.cfg = c;
		a.preauth_uid = l->preauth_uid;
		a.preauth_gid = l->preauth_gid;
		a.log_stderr = l->log_stderr;
		a.session_ctx = l->session_ctx;
		a.preauth_ctx = l->preauth_ctx;
		a.sock = fd;
		a.sign_fd = sign_fd;
		a.key_fd = l->key_fd;
		a.host_fp = l->host_fp;
		a.peer = peer;
		a.addr = addr;
		monitor_run(&a);
	}
	close(fd);
	if (sign_fd != -1)
		close(sign_fd);
	/*
	 * The next spare is started at the loop's next wake-up (most often
	 * this signer's exit, its handshake signed), not now: its start
	 * would take CPU from this login's handshake.
	 */
	k->kid[slot].pid = pid;
	strlcpy(k->kid[slot].peer, peer, sizeof(k->kid[slot].peer));
	memcpy(k->kid[slot].source, src, sizeof(src));
	k->kid[slot].since_ms = now;
	k->kid[slot].logged_in = 0;
	k->kid[slot].evicted = 0;
	k->n++;
	if (!loud)
		return;
	(void)log_rate_unlogged(
	    &listener_noise, "connections", why, sizeof(why));
	if (via != NULL)
		log_info("connection addr=%s via=%s pid=%ld%s", peer, via,
		    (long)pid, why);
	else
		log_info("connection addr=%s pid=%ld%s", peer, (long)pid, why);
}

void
listener_proxied(void *arg, int fd, const struct sockaddr_storage *real,
    const struct sockaddr_storage *balancer)
{
	struct listener_ready_arg *ra = arg;
	char via[INET6_ADDRSTRLEN], peer[MFTP_PEER_LEN];

	listener_peer(balancer, via, sizeof(via), peer, sizeof(peer));
	listener_admit(ra->l, ra->k, fd, real, via);
}
