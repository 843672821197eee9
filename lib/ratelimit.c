/*
 * ratelimit.c: a token bucket with debt (ratelimit.h).
 *
 * Runs as: the logged-in user, in the serving process.  Bytes are
 * charged after they moved, so a piece larger than the bucket is simply
 * owed; a debt is slept off only once it is worth at least a fiftieth
 * of a second, so a stream of small TLS records costs a pause now and
 * then, not one per record.
 */
#include <time.h>

#include "mftp_limits.h"
#include "ratelimit.h"
#include "util.h"

#define RATELIMIT_PIECE_MIN MFTP_RATE_MIN

static double
ratelimit_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
ratelimit_init(struct ratelimit *r, uint64_t rate)
{
	r->rate = (double)rate;
	r->burst = r->rate / 8;
	r->slack = r->rate / 50;
	r->tokens = r->burst;
	r->last = ratelimit_now();
}

size_t
ratelimit_piece(const struct ratelimit *r, size_t want)
{
	double piece = r->rate / 8;

	if (piece < RATELIMIT_PIECE_MIN)
		piece = RATELIMIT_PIECE_MIN;
	return (double)want > piece ? (size_t)piece : want;
}

void
ratelimit_charge(struct ratelimit *r, size_t n)
{
	double now = ratelimit_now(), pause;

	r->tokens += (now - r->last) * r->rate;
	if (r->tokens > r->burst)
		r->tokens = r->burst;
	r->last = now;
	r->tokens -= (double)n;
	if (-r->tokens <= r->slack)
		return;
	/* Pay the whole debt now; the refill above counts the pause. */
	pause = -r->tokens / r->rate * 1000 + 1;
	sleep_ms(pause > 60000 ? 60000 : (unsigned int)pause);
}
