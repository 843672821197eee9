/*
 * listener.c: the master: accept, reap; reload on SIGHUP, stop
 * gracefully on SIGTERM; tell systemd about both.  A connection's limits
 * and the fork of its monitor are listener_admit.c's.
 *
 * Runs as: root, for the life of the daemon.  It never reads a byte from
 * a client: each accepted connection goes to a freshly forked monitor.
 * A connection over the session limits gets a fixed ERROR frame, written
 * without reading anything, and is closed.  The one exception: from a
 * configured load balancer it first reads the PROXY header, and only
 * that, to learn the client's address for the per-IP limit
 * (proxywait.c).  A child's crash is just a reaped pid here.  Signal
 * handlers only count the signal and wake the poll loop through a pipe;
 * everything else happens in the loop.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "daemon_env.h"
#include "listener_int.h"
#include "log.h"
#include "proto.h"
#include "proxywait.h"
#include "util.h"

/* After the grace period, how long the sessions get to go on SIGTERM. */
#define LISTENER_KILL_WAIT_MS 5000

/* The listening sockets' rest after accept failed (listener_accept_failed). */
#define LISTENER_ACCEPT_PAUSE_MIN 100
#define LISTENER_ACCEPT_PAUSE_MAX 1000

int listener_sigpipe[2] = { -1, -1 };
static volatile sig_atomic_t listener_stop; /* SIGTERM/SIGINT count */
static volatile sig_atomic_t listener_hup;

static void
listener_signal(int sig)
{
	int saved = errno;
	ssize_t n;

	if (sig == SIGTERM || sig == SIGINT) {
		if (listener_stop < 2)
			listener_stop++;
	} else if (sig == SIGHUP)
		listener_hup = 1;
	/* Wake the poll loop; a full pipe already means "wake up". */
	n = write(listener_sigpipe[1], "", 1);
	(void)n;
	errno = saved;
}

void
listener_open(struct listener *l)
{
	const struct config *c = l->cfg;
	struct addrinfo hints, *res;
	const char *skipped = NULL;
	char port[8];
	size_t i;
	int fd, on = 1, r;

	snprintf(port, sizeof(port), "%u", c->port);
	for (i = 0; i < c->nlisten; i++) {
		memset(&hints, 0, sizeof(hints));
		hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
		hints.ai_socktype = SOCK_STREAM;
		if ((r = getaddrinfo(c->listen[i], port, &hints, &res)) != 0)
			fatalx("listen address %s: %s", c->listen[i],
			    gai_strerror(r));
		fd = socket(res->ai_family,
		    SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		/*
		 * A kernel without IPv6 (ipv6.disable=1) refuses its
		 * sockets: the default "0.0.0.0 ::" must still start.
		 */
		if (fd == -1 && errno == EAFNOSUPPORT) {
			skipped = c->listen[i];
			log_warnx("listen %s: %s; not listening on it", skipped,
			    strerror(errno));
			freeaddrinfo(res);
			continue;
		}
		if (fd == -1)
			fatal("socket for %s", c->listen[i]);
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) ==
		    -1)
			fatal("SO_REUSEADDR");
		/* "::" means IPv6 only; IPv4 gets its own socket. */
		if (res->ai_family == AF_INET6 &&
		    setsockopt(
			fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) == -1)
			fatal("IPV6_V6ONLY");
		if (bind(fd, res->ai_addr, res->ai_addrlen) == -1)
			fatal("bind %s port %u", c->listen[i], c->port);
		if (listen(fd, 128) == -1)
			fatal("listen %s", c->listen[i]);
		freeaddrinfo(res);
		l->fds[l->nfds++] = fd;
		log_info("listening on %s port %u", c->listen[i], c->port);
	}
	if (l->nfds == 0 && skipped != NULL)
		fatalx("listen %s: %s; no address left to listen on", skipped,
		    strerror(EAFNOSUPPORT));
}

/* Forget a reaped child; its client into peer (if not NULL). */
static void
listener_forget(struct listener_kids *k, pid_t pid, char *peer, size_t len)
{
	size_t i;

	if (peer != NULL)
		strlcpy(peer, "?", len);
	for (i = 0; i < k->nslots; i++)
		if (k->kid[i].pid == pid) {
			if (peer != NULL)
				strlcpy(peer, k->kid[i].peer, len);
			k->kid[i].pid = 0;
			/* An evicted one was counted out when killed. */
			if (!k->kid[i].evicted)
				k->n--;
			k->kid[i].evicted = 0;
			break;
		}
}

/* Keep a signer ready for the next connection (spare_signer.c). */
static void
listener_spare(struct listener *l)
{
	struct helper_spawn h;

	h.preauth_uid = l->preauth_uid;
	h.preauth_gid = l->preauth_gid;
	h.log_stderr = l->log_stderr;
	h.key_fd = l->key_fd;
	h.fingerprint = l->host_fp;
	spare_signer_start(&l->signer, &h, l->cfg->sign_helper,
	    l->cfg->host_key, l->cfg->login_timeout);
}

static void
listener_reap(struct listener *l, struct listener_kids *k)
{
	char peer[MFTP_PEER_LEN];
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (spare_signer_reaped(&l->signer, pid, status))
			continue;
		listener_forget(k, pid, peer, sizeof(peer));
		/* The serving process made a call outside its allowlist. */
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
			log_warnx("session process %ld killed by its sandbox "
				  "(seccomp) addr=%s",
			    (long)pid, peer);
		else if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL &&
		    WTERMSIG(status) != SIGTERM)
			log_warnx("session process %ld died of signal %d (%s) "
				  "addr=%s",
			    (long)pid, WTERMSIG(status),
			    strsignal(WTERMSIG(status)), peer);
	}
}

/*
 * accept failed for want of a resource (EMFILE, ENFILE, ENOBUFS,
 * ENOMEM), or for a reason that may not go away (EPERM or EACCES from a
 * security module, which refuses before the connection is taken): the
 * connection stays in the backlog and poll would say so again at once,
 * a loop at full CPU.  The listening sockets rest for
 * LISTENER_ACCEPT_PAUSE_MIN ms, twice as long each time it fails again
 * up to LISTENER_ACCEPT_PAUSE_MAX; what runs goes on meanwhile (the
 * children reaped free descriptors and memory).  Logged at most every
 * 10 s after a burst of 3.
 */
static void
listener_accept_failed(struct listener *l)
{
	static struct log_rate r = { .every_ms = 10000, .burst = 3 };
	char more[64];
	int e = errno;

	if (l->accept_pause_ms == 0)
		l->accept_pause_ms = LISTENER_ACCEPT_PAUSE_MIN;
	else if ((l->accept_pause_ms *= 2) > LISTENER_ACCEPT_PAUSE_MAX)
		l->accept_pause_ms = LISTENER_ACCEPT_PAUSE_MAX;
	l->accept_resume_ms = mono_ms() + l->accept_pause_ms;
	if (log_rate_ok(&r))
		log_warnx("accept: %s; not accepting for %u ms%s", strerror(e),
		    l->accept_pause_ms,
		    log_rate_unlogged(&r, "failures", more, sizeof(more)));
}

/*
 * accept failed for one connection only (a network error of the
 * connection it took): it has left the backlog, so the next is taken at
 * once, as accept(2) advises.  Logged at most every 10 s after a burst
 * of 3.
 */
static void
listener_accept_lost(int e)
{
	static struct log_rate r = { .every_ms = 10000, .burst = 3 };

	if (!log_rate_ok(&r))
		return;
	if (r.quiet > 0)
		log_warnx("accept: %s (%lu more were not logged)", strerror(e),
		    r.quiet);
	else
		log_warnx("accept: %s", strerror(e));
	r.quiet = 0;
}

/*
 * TCP keepalive on an accepted connection: a client whose machine or
 * network vanished (powered off, its NAT's mapping dropped: no FIN, no
 * RST) leaves a connection that only an unanswered probe can tell, and
 * would hold its session (its slot, an upload's partial and lock, its
 * reservation) until idle_timeout.  After half of secs of silence
 * from the client's side, three probes go a sixth of it apart: none
 * answered, the connection fails (ETIMEDOUT, the session's "connection
 * lost" line) about secs after the client's last packet.
 * A client that is there answers them from its kernel, whatever it is
 * doing.  0: none.  Best effort: a failure leaves the idle_timeout.
 */
static void
listener_keepalive(int fd, unsigned int secs)
{
	int on = 1, idle = secs / 2 > 0 ? (int)(secs / 2) : 1,
	    intvl = secs / 6 > 0 ? (int)(secs / 6) : 1, cnt = 3;

	if (secs == 0)
		return;
	if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle)) ==
		-1 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl)) ==
		-1 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on)) == -1)
		log_warn("keepalive on an accepted connection");
}

/*
 * Accept one connection on lfd: from a configured load balancer it
 * waits for its PROXY header first (proxywait.c); any other goes to
 * the limits and a monitor at once.
 */
static void
listener_accept(struct listener *l, int lfd, struct listener_kids *k)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	int fd;

	fd = accept4(lfd, (struct sockaddr *)&ss, &sslen, SOCK_CLOEXEC);
	if (fd == -1) {
		if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
			return;
		/* accept(2): network errors of the connection taken. */
		if (errno == ENETDOWN || errno == EPROTO ||
		    errno == ENOPROTOOPT || errno == EHOSTDOWN ||
		    errno == ENONET || errno == EHOSTUNREACH ||
		    errno == EOPNOTSUPP || errno == ENETUNREACH)
			listener_accept_lost(errno);
		else /* resources, or anything that may not go away */
			listener_accept_failed(l);
		return;
	}
	l->accept_pause_ms = 0;
	listener_keepalive(fd, l->cfg->keepalive);
	if (proxywait_listed(l->cfg, &ss)) {
		if (l->proxy == NULL)
			l->proxy = proxywait_new();
		proxywait_add(l->proxy, fd, &ss, l->cfg->proxy_timeout);
		return;
	}
	listener_admit(l, k, fd, &ss, NULL);
}

void
listener_notify(const char *state)
{
	struct sockaddr_un sun;
	const char *path;
	socklen_t len;
	int fd;

	if ((path = daemon_env_notify_socket()) == NULL ||
	    (path[0] != '/' && path[0] != '@') ||
	    strlen(path) >= sizeof(sun.sun_path))
		return;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	/* '@' names a socket in the abstract namespace. */
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("notify socket");
		return;
	}
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL,
		(struct sockaddr *)&sun, len) == -1)
		log_warn("notify %s", path);
	close(fd);
}

void
listener_kids_grow(struct listener_kids *k, size_t max)
{
	if (max <= k->nslots)
		return;
	k->kid = xreallocarray(k->kid, max, sizeof(*k->kid));
	memset(k->kid + k->nslots, 0, (max - k->nslots) * sizeof(*k->kid));
	k->nslots = max;
}

static void
listener_kill_all(struct listener_kids *k, int sig)
{
	size_t i;

	for (i = 0; i < k->nslots; i++)
		if (k->kid[i].pid > 0)
			kill(k->kid[i].pid, sig);
}

/* SIGHUP: a new configuration for new connections, or the old one. */
static void
listener_reload(struct listener *l, struct listener_kids *k)
{
	char state[64];
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(state, sizeof(state), "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
		(unsigned long long)ts.tv_nsec / 1000ULL);
	listener_notify(state);
	if (l->reload != NULL && l->reload(l) == 0) {
		listener_kids_grow(k, l->cfg->max_sessions);
		/* The key, the helper or the pre-auth user may be new. */
		spare_signer_stop(&l->signer);
		listener_spare(l);
	}
	listener_notify("READY=1");
}

/*
 * The graceful stop: no new connections from now on (the listening
 * sockets close, so a client is refused at once rather than queued;
 * those queued already are told, listener_refuse_queued),
 * the sessions running get shutdown_timeout seconds to finish, a second
 * SIGTERM or the deadline ends them with SIGTERM, and whatever still
 * runs LISTENER_KILL_WAIT_MS later gets SIGKILL.
 */
static void
listener_drain(struct listener *l, struct listener_kids *k)
{
	const struct config *c = l->cfg;
	uint64_t deadline, now;
	struct pollfd pfd;
	char drain[64];
	int killed = 0, r;
	size_t i, queued = 0;
	pid_t pid;

	listener_notify("STOPPING=1");
	for (i = 0; i < l->nfds; i++) {
		queued += listener_refuse_queued(l->fds[i]);
		close(l->fds[i]);
	}
	l->nfds = 0;
	if (queued > 0)
		log_info("stopping: %zu queued connection%s refused, told "
			 "why",
		    queued, queued == 1 ? "" : "s");
	if (l->proxy != NULL)
		proxywait_close_all(l->proxy);
	spare_signer_stop(&l->signer);
	listener_reap(l, k);
	log_info("stopping: no new connections; waiting up to %u s for %zu "
		 "session%s",
	    c->shutdown_timeout, k->n, k->n == 1 ? "" : "s");
	deadline = mono_ms() + (uint64_t)c->shutdown_timeout * 1000;
	pfd.fd = listener_sigpipe[0];
	pfd.events = POLLIN;
	while (k->n > 0) {
		now = mono_ms();
		if (!killed && (now >= deadline || listener_stop > 1)) {
			log_info("stopping: ending %zu session%s still "
				 "running",
			    k->n, k->n == 1 ? "" : "s");
			listener_kill_all(k, SIGTERM);
			killed = 1;
			deadline = now + LISTENER_KILL_WAIT_MS;
		} else if (killed && now >= deadline) {
			log_warnx("stopping: %zu session%s ignored SIGTERM; "
				  "killing them",
			    k->n, k->n == 1 ? "" : "s");
			listener_kill_all(k, SIGKILL);
			while (k->n > 0 && (pid = waitpid(-1, NULL, 0)) > 0)
				listener_forget(k, pid, NULL, 0);
			break;
		}
		r = poll(&pfd, 1, (int)(deadline > now ? deadline - now : 0));
		if (r == -1 && errno != EINTR)
			fatal("poll");
		if (r > 0)
			while (
			    read(listener_sigpipe[0], drain, sizeof(drain)) > 0)
				;
		if (listener_hup) {
			listener_hup = 0;
			log_info("SIGHUP ignored: stopping");
		}
		listener_reap(l, k);
	}
	if (!killed)
		log_info("stopping: every session has ended");
}

void
listener_run(struct listener *l)
{
	struct listener_kids k;
	struct listener_ready_arg ra;
	struct pollfd pfd[1 + MFTP_LISTEN_MAX + MFTP_PROXY_PENDING_MAX];
	struct sigaction sa;
	size_t i, nfixed, nwait;
	uint64_t now;
	int timeout, paused;
	char drain[64];

	if (pipe2(listener_sigpipe, O_CLOEXEC | O_NONBLOCK) == -1)
		fatal("pipe2");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = listener_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	memset(&k, 0, sizeof(k));
	listener_kids_grow(&k, l->cfg->max_sessions);
	ra.l = l;
	ra.k = &k;
	pfd[0].fd = listener_sigpipe[0];
	pfd[0].events = POLLIN;
	for (i = 0; i < l->nfds; i++) {
		pfd[i + 1].fd = l->fds[i];
		pfd[i + 1].events = POLLIN;
	}
	nfixed = l->nfds + 1;
	spare_signer_init(&l->signer);
	listener_spare(l);
	listener_notify("READY=1\nSTATUS=accepting connections");
	while (!listener_stop) {
		/* Balancer connections waiting for a header, and their
		 * nearest deadline: the loop never waits past it. */
		nwait = 0;
		timeout = -1;
		if (l->proxy != NULL) {
			nwait = proxywait_pollfds(l->proxy, pfd + nfixed);
			timeout = proxywait_timeout(l->proxy);
		}
		/* Resting after accept failed: not polled until it ends. */
		now = mono_ms();
		paused = l->accept_resume_ms > now;
		for (i = 0; i < l->nfds; i++)
			pfd[i + 1].events = paused ? 0 : POLLIN;
		if (paused &&
		    (timeout < 0 ||
			(uint64_t)timeout > l->accept_resume_ms - now))
			timeout = (int)(l->accept_resume_ms - now);
		if (poll(pfd, nfixed + nwait, timeout) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (pfd[0].revents & POLLIN)
			while (
			    read(listener_sigpipe[0], drain, sizeof(drain)) > 0)
				;
		listener_reap(l, &k);
		/* One handed out or whose wait ran out is replaced. */
		if (!listener_stop)
			listener_spare(l);
		if (listener_hup && !listener_stop) {
			listener_hup = 0;
			listener_reload(l, &k);
			continue;
		}
		if (l->proxy != NULL)
			proxywait_run(l->proxy, pfd + nfixed, nwait,
			    listener_proxied, &ra);
		for (i = 0; i < l->nfds && !listener_stop; i++)
			if ((pfd[i + 1].revents & POLLIN) &&
			    l->accept_resume_ms <= mono_ms())
				listener_accept(l, l->fds[i], &k);
	}
	listener_drain(l, &k);
	proxywait_free(l->proxy);
	l->proxy = NULL;
	free(k.kid);
}
