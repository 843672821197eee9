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
	/*
	 * mftpd-sign's alone, else -1 and NULL: the host key file the
	 * master opened and checked, and the fingerprint of the
	 * certificate it serves, which the key must match.
	 */
	int key_fd;
	const char *fingerprint;
};

/*
 * mftpd-sign's exit status when the key it read is not the served
 * certificate's: the pair on disk was changed without a reload.
 */
#define HELPER_SIGN_STALE_KEY 3

/*
 * fork+exec PATH as "NAME [-e] -t TIMEOUT [-k 3] [-p FP] -- FILE uid gid"
 * (FILE: the user database or the host key; uid and gid: the pre-auth
 * user's; -k with h->key_fd on descriptor 3, -p with h->fingerprint)
 * with in_fd on its standard input and out_fd (or /dev/null, -1) on its
 * standard output, nothing else open, and helper_env()'s environment;
 * it dies with the calling process (PR_SET_PDEATHSIG).
 * Returns its pid, or -1 if fork failed (errno set).
 */
pid_t
helper_spawn(const struct helper_spawn *h, const char *name, const char *path,
    const char *file, unsigned int timeout_s, int in_fd, int out_fd);

/*
 * The whole environment of a helper, in envp: a fixed PATH, and TZ as
 * the calling process has it, in tz (dropped if longer than tzlen), so
 * that the helpers' log has the master's times.  Nothing else of the
 * master's reaches them.
 */
#define HELPER_TZ_MAX 256
void helper_env(char *tz, size_t tzlen, char *envp[3]);

/*
 * In a child about to exec mftpd-sign "-k 3": key_fd on descriptor 3,
 * kept across the exec.  0, or -1 (errno set).
 */
int helper_key_fd(int key_fd);

/*
 * A helper (or the worker) that made a system call outside its seccomp
 * allowlist died of SIGSYS: log it, as "WHO killed by its sandbox
 * (seccomp) addr=ADDR".  An mftpd-sign that refused a stale host key
 * (HELPER_SIGN_STALE_KEY) is logged too, with what to do.  Any other
 * status logs nothing.
 */
void helper_log_death(const char *who, int status, const char *addr);

#endif
