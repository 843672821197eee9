/*
 * monitor.h: the per-connection monitor (S in doc/SECURITY.md).
 */
#ifndef MFTP_MONITOR_H
#define MFTP_MONITOR_H

#include <sys/types.h>

#include <openssl/ssl.h>

struct config;

/* What the master hands each connection's monitor. */
struct monitor_args {
	const struct config *cfg;
	uid_t preauth_uid; /* looked up before any fork or chroot */
	gid_t preauth_gid;
	int log_stderr;
	int sock;	  /* the client's connection */
	const char *peer; /* "address port", for the log */
	const char *addr; /* the address alone, numeric */
	/*
	 * The serving process's TLS context (PSK + X25519; it holds no key),
	 * made once by the master so each session shares its pages.
	 */
	SSL_CTX *session_ctx;
	/* The pre-auth worker's: the host certificate, signing elsewhere. */
	SSL_CTX *preauth_ctx;
	/*
	 * The channel to a spare mftpd-sign the master started ahead of
	 * this connection (its child, not the monitor's), or -1.
	 */
	int sign_fd;
	/*
	 * For a signer of its own: the host key file the master opened
	 * (closed before the worker is forked) and the fingerprint the
	 * key must match.
	 */
	int key_fd;
	const char *host_fp;
};

/*
 * Run one connection: start the pre-auth worker and, per login attempt,
 * the auth helper; on a good verdict stop the worker, enter the user's
 * home, drop to the user and serve.  Never returns.
 */
void monitor_run(const struct monitor_args *a) __attribute__((noreturn));

#endif
