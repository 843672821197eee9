/*
 * listener_int.h: the master's state shared by listener.c (the loop:
 * accept, reap, reload, stop) and listener_admit.c (a new connection's
 * limits and its monitor's fork); nothing else includes it.
 */
#ifndef MFTP_LISTENER_INT_H
#define MFTP_LISTENER_INT_H

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>

#include "listener.h"

/* A family byte, then an IPv4 address or an IPv6 /64 (listener_source). */
#define LISTENER_SOURCE_LEN 9

struct listener_child {
	pid_t pid;
	char addr[INET6_ADDRSTRLEN];
	/* What max_sessions_per_ip counts (listener_source). */
	uint8_t source[LISTENER_SOURCE_LEN];
};

/* The children and the limits they are counted against. */
struct listener_kids {
	struct listener_child *kid;
	size_t nslots; /* room in kid[]: at least max_sessions */
	size_t n;      /* live children */
};

/* The signal handler's wake-up pipe (listener.c); a monitor closes it. */
extern int listener_sigpipe[2];

/*
 * Apply the session limits to a connection from ss (the client: the
 * kernel's peer, or what a balancer's PROXY header says) and hand it to
 * a new monitor, or refuse it.  fd is the master's no more either way.
 * via: the balancer's address for the log, or NULL.
 */
void listener_admit(struct listener *l, struct listener_kids *k, int fd,
    const struct sockaddr_storage *ss, const char *via);

/* What proxywait_run hands back to listener_proxied. */
struct listener_ready_arg {
	struct listener *l;
	struct listener_kids *k;
};

/*
 * proxywait_run's callback: a balancer's connection whose PROXY header
 * is complete goes to listener_admit (arg: a listener_ready_arg).
 */
void listener_proxied(void *arg, int fd, const struct sockaddr_storage *real,
    const struct sockaddr_storage *balancer);

#endif
