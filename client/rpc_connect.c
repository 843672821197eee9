/*
 * rpc_connect.c: reaching the server: each of the host's addresses in
 * turn (from BindAddress's address, if one is set), within the connect
 * timeout, then the first TLS handshake (rpc_tls.c) on the socket that
 * answered.
 *
 * Runs as: the user, in mftp.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "intr.h"
#include "rpc.h"
#include "rpc_int.h"
#include "util.h"

/* A numeric local address of family (or AF_UNSPEC), any port. */
static int
rpc_numeric(const char *addr, int family, struct addrinfo **res)
{
	struct addrinfo hints;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	return getaddrinfo(addr, "0", &hints, res);
}

int
rpc_addr_family(const char *addr)
{
	struct addrinfo *res;
	int family;

	if (rpc_numeric(addr, AF_UNSPEC, &res) != 0)
		return -1;
	family = res->ai_family;
	freeaddrinfo(res);
	return family;
}

/* Bind fd to the numeric local address addr (any port); 0 or an errno. */
static int
rpc_bind(int fd, int family, const char *addr)
{
	struct addrinfo *res;
	int e;

	if (rpc_numeric(addr, family, &res) != 0)
		return EADDRNOTAVAIL;
	e = bind(fd, res->ai_addr, res->ai_addrlen) == -1 ? errno : 0;
	freeaddrinfo(res);
	return e;
}

/*
 * Connect a non-blocking socket to ai within timeout_ms: the socket, or
 * -1 with the errno in *err (EINTR: Ctrl-C, intr_pending).
 */
static int
rpc_connect_one(
    const struct addrinfo *ai, const char *bind, int timeout_ms, int *err)
{
	struct pollfd pfd;
	socklen_t len;
	uint64_t deadline = mono_ms() + (uint64_t)timeout_ms, now;
	int fd, e;

	fd = socket(ai->ai_family,
	    ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
	if (fd == -1) {
		*err = errno;
		return -1;
	}
	if (bind != NULL && (*err = rpc_bind(fd, ai->ai_family, bind)) != 0) {
		close(fd);
		return -1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	*err = errno;
	if (errno == EINPROGRESS) {
		pfd.fd = fd;
		pfd.events = POLLOUT;
		/* A signal neither restarts the whole wait nor is lost. */
		for (;;) {
			if (intr_pending()) {
				e = -1;
				errno = EINTR;
				break;
			}
			if ((now = mono_ms()) >= deadline) {
				e = 0;
				break;
			}
			e = poll(&pfd, 1, (int)(deadline - now));
			if (e != -1 || errno != EINTR)
				break;
		}
		len = sizeof(*err);
		if (e == 0)
			*err = ETIMEDOUT;
		else if (e == -1)
			*err = errno;
		else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, err, &len) == -1)
			*err = errno;
		if (e > 0 && *err == 0)
			return fd;
	}
	close(fd);
	return -1;
}

struct rpc *
rpc_connect(const char *host, const char *port, const char *bind,
    int timeout_ms, const struct rpc_trust *trust, char *errbuf, size_t errlen)
{
	struct addrinfo hints, *res, *ai;
	struct rpc *r;
	char addr[NI_MAXHOST], skip[NI_MAXHOST + 32], why[400];
	const char *reason;
	size_t used = 0;
	int fd = -1, e, err = 0, bind_family, one = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((e = getaddrinfo(host, port, &hints, &res)) != 0) {
		snprintf(errbuf, errlen, "%s: %s", host,
		    e == EAI_SYSTEM ? strerror(errno) : gai_strerror(e));
		return NULL;
	}
	/*
	 * Every address in turn; what went wrong with each is kept, so
	 * that a name whose addresses all fail says which were tried.
	 */
	why[0] = '\0';
	if (bind == NULL || (bind_family = rpc_addr_family(bind)) == -1)
		bind_family = AF_UNSPEC;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		/* An address of another family than BindAddress's: skipped. */
		if (bind_family != AF_UNSPEC && ai->ai_family != bind_family) {
			snprintf(skip, sizeof(skip),
			    "not %s, as BindAddress %s is",
			    bind_family == AF_INET6 ? "IPv6" : "IPv4", bind);
			reason = skip;
		} else {
			fd = rpc_connect_one(ai, bind, timeout_ms, &err);
			if (fd != -1)
				break;
			reason = err == EINTR ? "interrupted" : strerror(err);
		}
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, addr, sizeof(addr),
			NULL, 0, NI_NUMERICHOST) != 0)
			strlcpy(addr, "?", sizeof(addr));
		/* The address is named unless the host is that address. */
		if (res->ai_next == NULL && strcmp(addr, host) == 0)
			e = snprintf(why, sizeof(why), "%s", reason);
		else
			e = snprintf(why + used, sizeof(why) - used, "%s%s: %s",
			    used > 0 ? "; " : "", addr, reason);
		if (e < 0 || (used += (size_t)e) >= sizeof(why))
			used = sizeof(why) - 1;
		/* Ctrl-C: no other address is tried. */
		if (err == EINTR)
			break;
	}
	freeaddrinfo(res);
	if (fd == -1) {
		snprintf(errbuf, errlen, "cannot connect to %s port %s: %s",
		    host, port, why);
		return NULL;
	}
	/* Requests are small frames, often pipelined: send them at once. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	r = rpc_new(fd);
	/*
	 * timeout_ms bounds reaching the server; its handshake may take
	 * longer on a busy server, as any later reply may.
	 */
	if (rpc_tls_start(r, host, port, trust, rpc_io_timeout_ms) != RPC_OK) {
		snprintf(errbuf, errlen, "%s", r->text);
		rpc_free(r);
		return NULL;
	}
	return r;
}
