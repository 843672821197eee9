/*
 * monitor_limits.c: where a user may log in from, and how many sessions
 * it may have at once (ftpuser-mod --allow-from, --max-sessions; else
 * the server's max_sessions_per_user).
 *
 * Runs as: root, in the per-connection monitor, after the password was
 * right and monitor_check.c found the verdict's record (limits
 * included) to be the user database's: the limits applied here are the
 * administrator's, not the helper's word.  The client's address is the
 * master's: the peer accept() gave, or, from a load balancer listed in
 * proxy_protocol_from, the client the balancer's PROXY header names
 * (proxywait.c, listener_admit.c); never anything the client said.
 *
 * A refusal here is not a failed login: the password was right.  It is
 * logged as "login refused ...", which the fail2ban filter (it matches
 * "login failed ...") does not count, so that a user over its session
 * limit does not get its address banned.
 */
#include <errno.h>
#include <stdio.h>

#include "allowlist.h"
#include "config.h"
#include "log.h"
#include "monitor.h"
#include "monitor_limits.h"
#include "privsep_msg.h"
#include "slots.h"

int
monitor_limits(const struct monitor_args *a, const struct privsep_verdict *v,
    uint32_t *refusal, char *why, size_t whylen)
{
	struct allowlist l;
	unsigned int slot, limit;
	char err[256];
	int fd;

	*refusal = MFTP_ST_INTERNAL;
	if (allowlist_parse(v->allow, &l, err, sizeof(err)) == -1) {
		/* monitor_check found it in the database: cannot happen. */
		log_warnx("login refused user=%s addr=%s: bad allow-list: %s",
		    v->name, a->peer, err);
		snprintf(why, whylen,
		    "your account cannot be served now; "
		    "please tell the administrator");
		return MONITOR_LIMITS_REFUSED;
	}
	if (!allowlist_match(&l, a->addr)) {
		log_notice("login refused user=%s addr=%s: not in the "
			   "user's allow-list (%s)",
		    v->name, a->peer, v->allow);
		snprintf(
		    why, whylen, "%s may not log in from %s", v->name, a->addr);
		*refusal = MFTP_ST_PERM;
		return MONITOR_LIMITS_REFUSED;
	}
	/*
	 * Every session holds a slot, and counts against the user's own
	 * limit or, without one, the server's max_sessions_per_user: so
	 * that one user cannot take every place of max_sessions from all
	 * the others.  The slots also tell a session whether it is the
	 * user's only one (session_check_quota), whose login may then drop
	 * reservations left by uploads killed mid-way.
	 */
	limit = config_session_limit(a->cfg, v->max_sessions);
	if ((fd = slots_take(a->cfg->session_dir, v->name, limit, &slot)) !=
	    -1) {
		log_debug("user=%s addr=%s holds session slot %u (limit %u%s)",
		    v->name, a->peer, slot, limit,
		    v->max_sessions != 0 ? "" : ", max_sessions_per_user");
		return fd;
	}
	if (errno == EUSERS) {
		log_notice("login refused user=%s addr=%s: %u session%s "
			   "already (%s)",
		    v->name, a->peer, limit, limit == 1 ? "" : "s",
		    v->max_sessions != 0 ? "the user's limit" :
					   "max_sessions_per_user");
		snprintf(why, whylen, "too many sessions for %s (limit %u)",
		    v->name, limit);
		*refusal = MFTP_ST_BUSY;
		return MONITOR_LIMITS_REFUSED;
	}
	/*
	 * The slots cannot be had (no session_dir: shared storage not
	 * mounted).  The server's default is waived then, logged, and the
	 * session runs without a slot; the user's own limit is not.
	 */
	if (v->max_sessions == 0) {
		log_warn("user=%s addr=%s: no session slot in %s/%s; the "
			 "session runs without one, max_sessions_per_user "
			 "not counted",
		    v->name, a->peer, a->cfg->session_dir, v->name);
		return -1;
	}
	log_warn("login refused user=%s addr=%s: session slots %s/%s", v->name,
	    a->peer, a->cfg->session_dir, v->name);
	snprintf(why, whylen,
	    "your account cannot be served now; please tell the "
	    "administrator");
	return MONITOR_LIMITS_REFUSED;
}
