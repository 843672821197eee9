/*
 * listener.h: the master process.
 */
#ifndef MFTP_LISTENER_H
#define MFTP_LISTENER_H

#include <sys/types.h>

struct config;

struct listener {
	const struct config *cfg;
	uid_t preauth_uid;
	gid_t preauth_gid;
	int log_stderr;
	int fds[MFTP_LISTEN_MAX];
	size_t nfds;
};

/* Bind every configured address; fatal if one cannot be bound. */
void listener_open(struct listener *l);

/*
 * Accept connections until SIGTERM or SIGINT: enforce the session limits,
 * fork a monitor for each connection, reap children.  Never reads a byte
 * from a client.  Returns when told to stop, after signalling the
 * sessions still running.
 */
void listener_run(struct listener *l);

#endif
