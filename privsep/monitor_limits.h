/*
 * monitor_limits.h: the user's login limits, applied by the monitor
 * after a good verdict it has checked (monitor_limits.c).
 *
 * Runs as: root, in the per-connection monitor.
 */
#ifndef MFTP_MONITOR_LIMITS_H
#define MFTP_MONITOR_LIMITS_H

#include <stddef.h>
#include <stdint.h>

struct monitor_args;
struct privsep_verdict;

/* monitor_limits' answer when the login is refused. */
#define MONITOR_LIMITS_REFUSED (-2)

/*
 * Apply v's allow-list to the client's address and take one of v's
 * session slots (a user without a limit takes one too).  Returns the
 * descriptor that holds the slot (keep it open for the session's
 * lifetime), -1 when a user without a limit could not have one (logged;
 * the session runs without), or MONITOR_LIMITS_REFUSED with the client's status and message
 * in refusal and why (the refusal is logged here): PERM for an address
 * the user may not log in from, BUSY for a user at its session limit,
 * INTERNAL for a limit that cannot be applied (the administrator's to
 * mend).
 */
int
monitor_limits(const struct monitor_args *a, const struct privsep_verdict *v,
    uint32_t *refusal, char *why, size_t whylen);

#endif
