/*
 * monitor_check.h: the monitor's own check of a good verdict
 * (monitor_check.c).
 *
 * Runs as: root, in the per-connection monitor.
 */
#ifndef MFTP_MONITOR_CHECK_H
#define MFTP_MONITOR_CHECK_H

#include <sys/types.h>
#include <stddef.h>

struct config;
struct privsep_verdict;

/*
 * Fork the child that checks a good verdict, ahead of it: it waits, at
 * most timeout_ms, for the verdict on *fd (the monitor's end of their
 * channel, set here), then reads the user database.  It keeps no
 * descriptor but its end of that channel and the log's.  Returns its
 * pid; it exits after its one answer, or when *fd is closed.
 */
pid_t monitor_check_start(const struct config *cfg, int timeout_ms, int *fd);

/*
 * Hand v (without its secret) to the child behind fd.  0 when the
 * verdict names a user that the user database has, unlocked, with the
 * same uid, gid, home, quotas, limits and password hash, and neither
 * uid nor gid 0; else the status to refuse the login with, the reason
 * in why (for the log) and what the client is told in tell:
 * MFTP_ST_PERM when the user was removed or locked, or only the password
 * hash differs (each changed while the login waited: said as a running
 * session is told of it, or "log in again"), MFTP_ST_INTERNAL for the
 * rest.  Bounded by timeout_ms.
 */
int monitor_check_verdict(int fd, const struct privsep_verdict *v,
    int timeout_ms, char *why, size_t whylen, char *tell, size_t tell_len);

/*
 * Wait for the child *pid to exit, at most timeout_ms, then kill it;
 * *pid becomes -1.  Returns its wait status, or -1 if it had to be
 * killed.
 */
int monitor_wait_exit(pid_t *pid, int timeout_ms);

#endif
