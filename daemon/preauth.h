/*
 * preauth.h: the pre-auth worker (P in doc/SECURITY.md).
 */
#ifndef MFTP_PREAUTH_H
#define MFTP_PREAUTH_H

#include <sys/types.h>

struct monitor_args;

/*
 * Serve HELLO and LOGIN on a->sock as the pre-auth user inside the empty
 * pre-auth chroot, passing each LOGIN to the auth helper over helper_fd.
 * alive_fd is only held open: its closing tells the monitor this process
 * is gone.  Exits when the client leaves, after MFTP_LOGIN_TRIES
 * failures, or at the login deadline; on a good login the monitor kills
 * it.  Never returns.
 */
void preauth_run(const struct monitor_args *a, int helper_fd, int alive_fd)
    __attribute__((noreturn));

#endif
