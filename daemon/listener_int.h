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
	/* The client as the log names it: "ADDRESS port PORT". */
	char peer[MFTP_PEER_LEN];
	/* What max_sessions_per_ip counts (listener_source). */
	uint8_t source[LISTENER_SOURCE_LEN];
	uint64_t since_ms; /* accepted at (mono_ms) */
	int logged_in;	   /* seen logged in (listener_evict.c) */
	int evicted;	   /* killed for a newcomer, not yet reaped */
};

/* The children and the limits they are counted against. */
struct listener_kids {
	struct listener_child *kid;
	/* room in kid[]: at least max_sessions, at most twice that (the
	 * evicted that are not reaped yet keep their slots) */
	size_t nslots;
	size_t n; /* live children, the evicted left out */
};

/*
 * How long a connection may go without logging in before a newcomer to
 * a full server may take its place: far longer than a client's own
 * steps take (a login in batch mode is some 20 ms).
 */
#define LISTENER_EVICT_AGE_MS 2000

/*
 * The server is full (k->n at max_sessions): close the connection that
 * has waited longest, LISTENER_EVICT_AGE_MS at least, without logging
 * in (SIGKILL to its monitor), and count it no more.  Returns 1 if one
 * was closed, 0 if none can be (every other is logged in, or too young,
 * or a monitor's credentials cannot be read).  now: mono_ms().
 */
int listener_evict(struct listener_kids *k, uint64_t now);

/* Make room for max children in kid[]; the slots in use stay put. */
void listener_kids_grow(struct listener_kids *k, size_t max);

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

/*
 * At the stop, before lfd closes: the connections the kernel queued on
 * it (completed, never accepted) are told the server is stopping, rather
 * than reset in the middle of their handshake, which reads as a fault
 * ("connection reset by peer").  At most LISTENER_QUEUED_MAX; how many.
 */
#define LISTENER_QUEUED_MAX 4096
size_t listener_refuse_queued(int lfd);

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
