/*
 * spare_signer.h: the mftpd-sign the master keeps ready for the next
 * connection (spare_signer.c).
 */
#ifndef MFTP_SPARE_SIGNER_H
#define MFTP_SPARE_SIGNER_H

#include <sys/types.h>

#include <stdint.h>

#include "helper_spawn.h"
#include "mftp_limits.h"

/* Signers handed to connections, remembered until reaped. */
#define SPARE_SIGNER_HANDED 32

struct spare_signer {
	pid_t pid; /* the ready one, or 0 */
	int fd;	   /* the worker's end of its channel, or -1 */
	uint64_t started_ms;
	uint64_t retry_ms; /* after a quick death: not before then */
	/* The last ones handed out (a ring; only for the log). */
	struct {
		pid_t pid;
		char peer[MFTP_PEER_LEN];
	} handed[SPARE_SIGNER_HANDED];
	size_t next;
};

/* No spare yet. */
void spare_signer_init(struct spare_signer *s);

/*
 * Start a spare if there is none (and none died young a moment ago):
 * "mftpd-sign -t TIMEOUT -- key uid gid" as the monitor would start it,
 * a child of the master.
 */
void spare_signer_start(struct spare_signer *s, const struct helper_spawn *h,
    const char *path, const char *key, unsigned int login_timeout);

/*
 * Hand the spare to the connection from peer (ADDRESS port PORT, for
 * the log): its channel (the caller closes its copy after forking the
 * monitor), or -1 when there is none.
 */
int spare_signer_take(struct spare_signer *s, const char *peer);

/*
 * A reaped child: 1 if it was a signer started here (a death by its
 * sandbox is logged, with the connection's address), 0 otherwise.
 */
int spare_signer_reaped(struct spare_signer *s, pid_t pid, int status);

/* End the spare (a reload with another key, or the stop). */
void spare_signer_stop(struct spare_signer *s);

#endif
