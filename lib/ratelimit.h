/*
 * ratelimit.h: a token bucket that paces one direction of a session's
 * transfers to a user's rate (ftpuser-mod --rate).
 *
 * Used by: the transport (lib/transport.c), in the serving process,
 * only for a user with a rate: without one the transport has no bucket
 * and makes no extra call at all.
 */
#ifndef MFTP_RATELIMIT_H
#define MFTP_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

struct ratelimit {
	double rate;   /* bytes per second, > 0 */
	double tokens; /* bytes that may go now; negative: owed */
	double burst;  /* most tokens saved up while idle */
	double slack;  /* a debt below this is carried, not slept off */
	double last;   /* monotonic seconds of the last refill */
};

/* A full bucket for rate bytes per second (rate > 0). */
void ratelimit_init(struct ratelimit *r, uint64_t rate);

/*
 * How much of want to move in one call: an eighth of a second's worth,
 * at least MFTP_RATE_MIN bytes, so that the pieces stay large (few
 * system calls) and the pauses short (at most a second, at the least
 * rate the tools let an administrator set).
 */
size_t ratelimit_piece(const struct ratelimit *r, size_t want);

/*
 * n bytes have moved: take them from the bucket and, once the debt is
 * worth a pause, sleep until it is paid.
 */
void ratelimit_charge(struct ratelimit *r, size_t n);

#endif
