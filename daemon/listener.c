/*
 * listener.c: the master: accept, enforce limits, fork, reap.
 *
 * Runs as: root, for the life of the daemon.  It never reads a byte from
 * a client: each accepted connection goes to a freshly forked monitor.
 * A connection over the session limits gets a fixed ERROR frame, written
 * without reading anything, and is closed.  A child's crash is just a
 * reaped pid here.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "listener.h"
#include "log.h"
#include "monitor.h"
#include "msg.h"
#include "proto.h"
#include "util.h"

struct listener_child {
	pid_t pid;
	char addr[INET6_ADDRSTRLEN];
};

static int listener_sigpipe[2] = { -1, -1 };
static volatile sig_atomic_t listener_stop;

static void
listener_signal(int sig)
{
	int saved = errno;
	ssize_t n;

	if (sig == SIGTERM || sig == SIGINT)
		listener_stop = 1;
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
}

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

static void
listener_reap(struct listener_child *kids, size_t max, size_t *nkids)
{
	pid_t pid;
	size_t i;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < max; i++)
			if (kids[i].pid == pid) {
				kids[i].pid = 0;
				(*nkids)--;
				break;
			}
		if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL &&
		    WTERMSIG(status) != SIGTERM)
			log_warnx("session process %ld died of signal %d",
			    (long)pid, WTERMSIG(status));
	}
}

/* Accept one connection on fd and hand it to a new monitor. */
static void
listener_accept(
    struct listener *l, int lfd, struct listener_child *kids, size_t *nkids)
{
	const struct config *c = l->cfg;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	struct monitor_args a;
	char addr[INET6_ADDRSTRLEN], peer[INET6_ADDRSTRLEN + 16];
	size_t i, same = 0, slot = SIZE_MAX;
	pid_t pid;
	int fd;

	fd = accept4(lfd, (struct sockaddr *)&ss, &sslen, SOCK_CLOEXEC);
	if (fd == -1) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			log_warn("accept");
		return;
	}
	listener_peer(&ss, addr, sizeof(addr), peer, sizeof(peer));
	for (i = 0; i < c->max_sessions; i++) {
		if (kids[i].pid == 0) {
			if (slot == SIZE_MAX)
				slot = i;
		} else if (strcmp(kids[i].addr, addr) == 0)
			same++;
	}
	if (*nkids >= c->max_sessions || slot == SIZE_MAX) {
		log_notice("refused addr=%s: %u sessions already", peer,
		    c->max_sessions);
		listener_refuse(fd,
		    "too many sessions on this server; "
		    "try again later");
		return;
	}
	if (same >= c->max_sessions_per_ip) {
		log_notice("refused addr=%s: %u sessions from it already", peer,
		    c->max_sessions_per_ip);
		listener_refuse(fd,
		    "too many sessions from your address; "
		    "try again later");
		return;
	}

	switch ((pid = fork())) {
	case -1:
		log_warn("fork");
		close(fd);
		return;
	case 0:
		/* The connection's monitor: nothing of the master's stays. */
		signal(SIGCHLD, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		for (i = 0; i < l->nfds; i++)
			close(l->fds[i]);
		close(listener_sigpipe[0]);
		close(listener_sigpipe[1]);
		memset(&a, 0, sizeof(a));
		a.cfg = c;
		a.preauth_uid = l->preauth_uid;
		a.preauth_gid = l->preauth_gid;
		a.log_stderr = l->log_stderr;
		a.sock = fd;
		a.peer = peer;
		monitor_run(&a);
	}
	close(fd);
	kids[slot].pid = pid;
	strlcpy(kids[slot].addr, addr, sizeof(kids[slot].addr));
	(*nkids)++;
	log_info("connection addr=%s pid=%ld", peer, (long)pid);
}

void
listener_run(struct listener *l)
{
	const struct config *c = l->cfg;
	struct listener_child *kids;
	struct pollfd pfd[MFTP_LISTEN_MAX + 1];
	struct sigaction sa;
	size_t i, nkids = 0;
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

	kids = xcalloc(c->max_sessions, sizeof(*kids));
	pfd[0].fd = listener_sigpipe[0];
	pfd[0].events = POLLIN;
	for (i = 0; i < l->nfds; i++) {
		pfd[i + 1].fd = l->fds[i];
		pfd[i + 1].events = POLLIN;
	}
	while (!listener_stop) {
		if (poll(pfd, l->nfds + 1, -1) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (pfd[0].revents & POLLIN)
			while (
			    read(listener_sigpipe[0], drain, sizeof(drain)) > 0)
				;
		listener_reap(kids, c->max_sessions, &nkids);
		for (i = 0; i < l->nfds && !listener_stop; i++)
			if (pfd[i + 1].revents & POLLIN)
				listener_accept(l, l->fds[i], kids, &nkids);
	}

	log_info("stopping; ending %zu sessions", nkids);
	for (i = 0; i < l->nfds; i++)
		close(l->fds[i]);
	for (i = 0; i < c->max_sessions; i++)
		if (kids[i].pid > 0)
			kill(kids[i].pid, SIGTERM);
	free(kids);
}
