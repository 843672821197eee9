/*
 * proxywait.c: the PROXY headers of connections from load balancers
 * (doc/SECURITY.md, "Behind a load balancer").
 *
 * Runs as: root, in the master.  The master applies the per-IP limit
 * before it forks, so it must know the client's real address, which
 * only the header says.  It reads that header and nothing else, and
 * only from a configured balancer: each read is non-blocking and at most
 * PROXYPROTO_MAX bytes into a fixed buffer of the connection's slot, the
 * parser (lib/proxyproto.c) is pure and fuzzed, and a connection that
 * has not sent a whole header by its deadline is closed, so a slow or
 * hostile balancer can hold one slot each, never the accept loop.
 * Every byte is first peeked and only the header's are consumed, so the
 * client's TLS handshake stays in the socket for the pre-auth worker.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "err.h"
#include "log.h"
#include "netmask.h"
#include "proxyproto.h"
#include "proxywait.h"
#include "util.h"

struct proxywait_conn {
	int fd; /* -1: a free slot */
	uint64_t deadline;
	struct sockaddr_storage balancer;
	size_t have; /* header bytes consumed into buf */
	uint8_t buf[PROXYPROTO_MAX];
};

struct proxywait {
	struct proxywait_conn c[MFTP_PROXY_PENDING_MAX];
	size_t n;
};

int
proxywait_listed(const struct config *c, const struct sockaddr_storage *ss)
{
	size_t i;

	for (i = 0; i < c->nproxy_from; i++)
		if (netmask_match(&c->proxy_from[i], ss))
			return 1;
	return 0;
}

struct proxywait *
proxywait_new(void)
{
	struct proxywait *w = xcalloc(1, sizeof(*w));
	size_t i;

	for (i = 0; i < MFTP_PROXY_PENDING_MAX; i++)
		w->c[i].fd = -1;
	return w;
}

void
proxywait_free(struct proxywait *w)
{
	if (w == NULL)
		return;
	proxywait_close_all(w);
	free(w);
}

/* "address" of ss, for the log. */
static void
proxywait_addr(const struct sockaddr_storage *ss, char *out, size_t len)
{
	const void *a = NULL;

	if (ss->ss_family == AF_INET)
		a = &((const struct sockaddr_in *)(const void *)ss)->sin_addr;
	else if (ss->ss_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)(const void *)ss)->sin6_addr;
	if (a == NULL ||
	    inet_ntop(ss->ss_family, a, out, (socklen_t)len) == NULL)
		strlcpy(out, "unknown", len);
}

static void
proxywait_drop(struct proxywait *w, struct proxywait_conn *pc)
{
	close(pc->fd);
	pc->fd = -1;
	w->n--;
}

/*
 * Close pc and say why, naming the balancer: 5 lines a second after a
 * burst of 20, as the master's refusals.  Only a listed balancer makes
 * them, but one without send-proxy makes one for every client it
 * relays, warnings (the priority of the "login failed" lines fail2ban
 * reads) past journald's own limit for them.
 */
static void
proxywait_bad(struct proxywait *w, struct proxywait_conn *pc, const char *why)
{
	static struct log_rate r = { .every_ms = 200, .burst = 20 };
	char addr[INET6_ADDRSTRLEN], more[96];

	if (log_rate_ok(&r)) {
		proxywait_addr(&pc->balancer, addr, sizeof(addr));
		log_warnx("PROXY header from balancer addr=%s: %s; connection "
			  "closed%s",
		    addr, why,
		    log_rate_unlogged(
			&r, "bad PROXY headers", more, sizeof(more)));
	}
	proxywait_drop(w, pc);
}

void
proxywait_add(struct proxywait *w, int fd, const struct sockaddr_storage *ss,
    unsigned int timeout_s)
{
	struct proxywait_conn *pc = NULL;
	char addr[INET6_ADDRSTRLEN];
	size_t i;

	for (i = 0; i < MFTP_PROXY_PENDING_MAX && pc == NULL; i++)
		if (w->c[i].fd == -1)
			pc = &w->c[i];
	if (pc == NULL) {
		/* One a connection: a balancer out of order could flood. */
		static struct log_rate r = { .every_ms = 10000, .burst = 3 };

		close(fd);
		if (!log_rate_ok(&r))
			return;
		proxywait_addr(ss, addr, sizeof(addr));
		log_warnx("balancer addr=%s: %d connections wait for their "
			  "PROXY header already; connection closed (%lu more "
			  "not logged)",
		    addr, MFTP_PROXY_PENDING_MAX, r.quiet);
		r.quiet = 0;
		return;
	}
	pc->fd = fd;
	pc->deadline = mono_ms() + (uint64_t)timeout_s * 1000;
	pc->balancer = *ss;
	pc->have = 0;
	w->n++;
}

size_t
proxywait_pollfds(const struct proxywait *w, struct pollfd *pfd)
{
	size_t i, n = 0;

	for (i = 0; i < MFTP_PROXY_PENDING_MAX; i++)
		if (w->c[i].fd != -1) {
			pfd[n].fd = w->c[i].fd;
			pfd[n].events = POLLIN;
			pfd[n].revents = 0;
			n++;
		}
	return n;
}

int
proxywait_timeout(const struct proxywait *w)
{
	uint64_t now = mono_ms(), first = UINT64_MAX;
	size_t i;

	for (i = 0; i < MFTP_PROXY_PENDING_MAX; i++)
		if (w->c[i].fd != -1 && w->c[i].deadline < first)
			first = w->c[i].deadline;
	if (first == UINT64_MAX)
		return -1;
	return first <= now ? 0 : (int)(first - now);
}

/* The address the header gives, as the kernel would have given it. */
static void
proxywait_real(const struct proxyproto *pp, const struct sockaddr_storage *bal,
    struct sockaddr_storage *real)
{
	const uint8_t *v4 = NULL;

	memset(real, 0, sizeof(*real));
	/*
	 * An IPv4-mapped IPv6 address (a balancer on a dual-stack socket
	 * sends one) is the IPv4 client it maps: one client, one key for
	 * the per-address limit and one form in the log.
	 */
	if (pp->family == AF_INET)
		v4 = pp->src;
	else if (pp->family == AF_INET6)
		v4 = netmask_mapped_v4(pp->src);
	if (v4 != NULL) {
		struct sockaddr_in *sin = (void *)real;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, v4, 4);
		sin->sin_port = htons(pp->src_port);
	} else if (pp->family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (void *)real;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, pp->src, 16);
		sin6->sin6_port = htons(pp->src_port);
	} else
		*real = *bal; /* the source is unknown: the specification */
}

/* One readable connection: read on, and finish it when its header is. */
static void
proxywait_read(struct proxywait *w, struct proxywait_conn *pc,
    proxywait_ready_fn *ready, void *arg)
{
	struct sockaddr_storage real;
	struct proxyproto pp;
	size_t used, want;
	ssize_t n;
	int r, fd;

	n = recv(pc->fd, pc->buf + pc->have, sizeof(pc->buf) - pc->have,
	    MSG_PEEK | MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* A health check connects and goes: not worth a line. */
		if (pc->have == 0 &&
		    (n == 0 || errno == ECONNRESET || errno == EPIPE))
			proxywait_drop(w, pc);
		else
			proxywait_bad(w, pc,
			    n == 0 ? "truncated (closed inside it)" :
				     strerror(errno));
		return;
	}
	r = proxyproto_parse(pc->buf, pc->have + (size_t)n, &pp, &used);
	if (r == PROXYPROTO_MORE) {
		/* Every byte peeked is the header's: take them all. */
		want = (size_t)n;
	} else if (r == 0)
		want = used - pc->have;
	else {
		proxywait_bad(w, pc,
		    r == ERR_TOO_LONG ? "longer than the limit" :
					"missing or malformed");
		return;
	}
	/* The bytes are in the socket already: this read cannot block. */
	if (recv(pc->fd, pc->buf + pc->have, want, MSG_DONTWAIT) !=
	    (ssize_t)want) {
		proxywait_bad(w, pc, "read failed");
		return;
	}
	pc->have += want;
	if (r == PROXYPROTO_MORE)
		return;
	fd = pc->fd;
	pc->fd = -1;
	w->n--;
	/* The balancer's own check (LOCAL): nothing to serve, no line. */
	if (pp.command == PROXYPROTO_LOCAL) {
		close(fd);
		return;
	}
	proxywait_real(&pp, &pc->balancer, &real);
	ready(arg, fd, &real, &pc->balancer);
}

void
proxywait_run(struct proxywait *w, const struct pollfd *pfd, size_t n,
    proxywait_ready_fn *ready, void *arg)
{
	uint64_t now;
	size_t i, j;

	for (j = 0; j < n; j++) {
		if (pfd[j].revents == 0)
			continue;
		for (i = 0; i < MFTP_PROXY_PENDING_MAX; i++)
			if (w->c[i].fd == pfd[j].fd) {
				proxywait_read(w, &w->c[i], ready, arg);
				break;
			}
	}
	now = mono_ms();
	for (i = 0; i < MFTP_PROXY_PENDING_MAX; i++)
		if (w->c[i].fd != -1 && w->c[i].deadline <= now)
			proxywait_bad(w, &w->c[i],
			    w->c[i].have == 0 ? "none within the deadline" :
						"not complete within the "
						"deadline");
}

void
proxywait_close_all(struct proxywait *w)
{
	size_t i;

	for (i = 0; i < MFTP_PROXY_PENDING_MAX; i++)
		if (w->c[i].fd != -1)
			proxywait_drop(w, &w->c[i]);
}
