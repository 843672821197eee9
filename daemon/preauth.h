/*
 * preauth.h: the pre-auth worker (P in doc/SECURITY.md).
 */
#ifndef MFTP_PREAUTH_H
#define MFTP_PREAUTH_H

#include <sys/types.h>

struct monitor_args;

/* The worker's channels, each a descriptor the monitor set up. */
struct preauth_fds {
	int helper; /* to each mftpd-auth in turn: AUTH_REQUEST, AUTH_FAILED */
	int alive;  /* only held open: its closing tells the monitor */
	int sign;   /* to mftpd-sign: one handshake signature */
	int ctl;    /* from the monitor: LOGIN_DONE */
};

/*
 * Run TLS 1.3 on a->sock, then serve HELLO and LOGIN inside it, as the
 * pre-auth user in the empty pre-auth chroot, passing each LOGIN with
 * the session's exported secret to the auth helper.  Exits when the
 * client leaves, after MFTP_LOGIN_TRIES failures, or at the login
 * deadline.  On the monitor's LOGIN_DONE it sends close_notify and exits
 * 0 (the serving process takes over with a second handshake), or sends
 * the monitor's reason and exits 1.  Never returns.
 */
void preauth_run(const struct monitor_args *a, const struct preauth_fds *fds,
    pid_t monitor) __attribute__((noreturn));

#endif
