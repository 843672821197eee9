/*
 * helper_spawn.h: fork+exec of mftpd-auth and mftpd-sign, as the
 * monitor (each login attempt's mftpd-auth, a signer when no spare is
 * ready) and the master (the spare signer) start them.
 */
#ifndef MFTP_HELPER_SPAWN_H
#define MFTP_HELPER_SPAWN_H

#include <sys/types.h>

/* What every helper is told: who to drop to, and how to log. */
struct helper_spawn {
	uid_t preauth_uid;
	gid_t preauth_gid;
	int log_stderr;
};

/*
 * fork+exec PATH as "NAME [-e] -t TIMEOUT -- FILE uid gid" (FILE: the
 * user database or the host key; uid and gid: the pre-auth user's) with
 * in_fd on its standard input and out_fd (or nothing, -1) on its
 * standard output, nothing else open, a fixed PATH and no other
 * environment; it dies with the calling process (PR_SET_PDEATHSIG).
 * Returns its pid, or -1 if fork failed (errno set).
 */
pid_t
helper_spawn(const struct helper_spawn *h, const char *name, const char *path,
    const char *file, unsigned int timeout_s, int in_fd, int out_fd);

/*
 * A helper (or the worker) that made a system call outside its seccomp
 * allowlist died of SIGSYS: log it, as "WHO killed by its sandbox
 * (seccomp) addr=ADDR".  Any other status logs nothing.
 */
void helper_log_death(const char *who, int status, const char *addr);

#endif
