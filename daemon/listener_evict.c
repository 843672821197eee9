/*
 * listener_evict.c: a full server makes room for a new connection by
 * closing the one that has waited longest without logging in.
 *
 * Every connection counts against max_sessions from its accept, logged
 * in or not: a client that connects and sends nothing holds its place
 * for login_timeout.  Were that the end of it, a few sources could keep
 * the server full with idle connections at no cost (max_sessions_per_ip
 * each, renewed every login_timeout) and no user could log in.  So when
 * a connection finds the server full, the oldest one that has not logged
 * in after LISTENER_EVICT_AGE_MS is closed (its monitor killed, and with
 * it its worker and helpers) and the new one takes its place: holding
 * the server full then takes a stream of new connections, each of which
 * costs its source a connect and a place in max_sessions_per_ip.  A
 * logged-in session is never closed for a newcomer, nor a connection
 * younger than that age, which a client's own login never reaches.
 *
 * Whether a connection has logged in is read from its monitor's
 * credentials (/proc/PID/status): a monitor runs as root until the
 * login, and then, as the serving process, as the user (drop.c).  It
 * is read only when the server is full, and once a connection is seen
 * logged in it is not read again.  Where it cannot be read, nothing is
 * closed: the new connection is refused as before.
 *
 * Runs in: the master (root), from listener_admit.
 */
#include <sys/types.h>

#include <signal.h>
#include <stdint.h>

#include "listener_int.h"
#include "log.h"
#include "util.h"

/* 1 if pid runs as another user than root (a login), 0 if as root,
 * -1 if unknown. */
static int
listener_logged_in(pid_t pid)
{
	unsigned long ruid;

	if (proc_status(pid, "Uid:", &ruid) == -1)
		return -1;
	return ruid != 0;
}

/* Lines of closed connections: 1 a second after a burst of 10. */
static struct log_rate listener_evict_noise = { .every_ms = 1000, .burst = 10 };

int
listener_evict(struct listener_kids *k, uint64_t now)
{
	struct listener_child *c;
	char more[96];
	size_t i, oldest;
	int r;

	for (;;) {
		oldest = SIZE_MAX;
		for (i = 0; i < k->nslots; i++) {
			c = &k->kid[i];
			if (c->pid <= 0 || c->evicted || c->logged_in ||
			    now - c->since_ms < LISTENER_EVICT_AGE_MS)
				continue;
			if (oldest == SIZE_MAX ||
			    c->since_ms < k->kid[oldest].since_ms)
				oldest = i;
		}
		if (oldest == SIZE_MAX)
			return 0;
		c = &k->kid[oldest];
		if ((r = listener_logged_in(c->pid)) == -1)
			return 0;
		if (r == 1) {
			c->logged_in = 1;
			continue;
		}
		(void)kill(c->pid, SIGKILL);
		c->evicted = 1;
		k->n--;
		if (log_rate_ok(&listener_evict_noise))
			log_notice(
			    "closed addr=%s pid=%ld: not logged in after "
			    "%llu ms, and the server is full "
			    "(max_sessions): its place goes to a new "
			    "connection%s",
			    c->peer, (long)c->pid,
			    (unsigned long long)(now - c->since_ms),
			    log_rate_unlogged(&listener_evict_noise,
				"connections closed", more, sizeof(more)));
		return 1;
	}
}
