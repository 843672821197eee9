/*
 * listener.h: the master process.
 */
#ifndef MFTP_LISTENER_H
#define MFTP_LISTENER_H

#include <sys/types.h>

#include <openssl/ssl.h>

#include "mftp_limits.h"
#include "spare_signer.h"
#include "tls_crypto.h"

struct config;
struct proxywait;

struct listener {
	/* The configuration in force; a reload replaces its contents. */
	struct config *cfg;
	uid_t preauth_uid;
	gid_t preauth_gid;
	int log_stderr;
	SSL_CTX *session_ctx; /* for each serving process (no secret in it) */
	SSL_CTX *preauth_ctx; /* for each pre-auth worker (the certificate) */
	/*
	 * The host key file as it was checked with that certificate, open
	 * for the signers (never read here; closed in each monitor before
	 * it forks its worker), and the certificate key's fingerprint,
	 * which a signer's key must match (mftpd-sign -k, -p).
	 */
	int key_fd;
	char host_fp[TLS_FP_LEN];
	int fds[MFTP_LISTEN_MAX];
	size_t nfds;
	/* Balancer connections waiting for their PROXY header, or NULL. */
	struct proxywait *proxy;
	/* The mftpd-sign started ahead of the next connection. */
	struct spare_signer signer;
	/*
	 * After accept failed for want of a resource, the listening
	 * sockets are not polled until accept_resume_ms (mono_ms); the
	 * rest lasted accept_pause_ms, 0 once accept works again.
	 */
	uint64_t accept_resume_ms;
	unsigned int accept_pause_ms;
	/*
	 * Called on SIGHUP: re-read and check the configuration file.
	 * Returns 0 with *cfg, the pre-auth ids, the certificate and the
	 * key file replaced, or -1 (the reason logged) with everything as
	 * it was.
	 */
	int (*reload)(struct listener *l);
};

/*
 * Bind every configured address; fatal if one cannot be bound.  One of a
 * family the kernel lacks (IPv6 under ipv6.disable=1) is skipped with a
 * warning; fatal when none is left.
 */
void listener_open(struct listener *l);

/*
 * Accept connections until SIGTERM or SIGINT: enforce the session limits,
 * fork a monitor for each connection, reap children, reload on SIGHUP.
 * Never reads a byte from a client; from a configured load balancer it
 * reads the PROXY header alone, with a deadline, never blocking.  On SIGTERM or SIGINT it closes the
 * listening sockets at once, lets the running sessions finish for up to
 * shutdown_timeout seconds (a second signal cuts that short), then ends
 * the rest with SIGTERM and returns when they are gone.
 */
void listener_run(struct listener *l);

/*
 * Tell the service manager our state ("READY=1", "RELOADING=1",
 * "STOPPING=1", ...) through $NOTIFY_SOCKET, as sd_notify(3) does.  Does
 * nothing when the variable is not set (not started by systemd with
 * Type=notify).
 */
void listener_notify(const char *state);

#endif
