/*
 * cmd_quota.c: the QUOTA request, and the accounting that every request
 * which adds or frees files does through the accounting file.
 *
 * Runs as: the logged-in user, chrooted to the home.  The accounting file
 * lies outside the home; the monitor opened it as root before the chroot
 * and this process only holds the descriptor.  Every change of the home
 * that the accounting pays for is made under the same hold of the file's
 * lock as the change of the count (quota_change): growth is written
 * before the change, frees after it, so neither a process killed at any
 * moment nor an administrator's recount leaves the count below the real
 * usage.  A missing or corrupt file refuses every write (logged once per
 * session); reads and deletes go on, without accounting.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "err.h"
#include "human.h"
#include "log.h"
#include "msg.h"
#include "proto.h"
#include "quota.h"
#include "session.h"

#define CMD_QUOTA_DAMAGED                                    \
	"accounting file is damaged; ask the administrator " \
	"to run ftpuser-quota --recount"

/* As ftpuser-quota says it: none at login is "no", not "damaged". */
#define CMD_QUOTA_MISSING                                             \
	"there is no accounting file (uploads are refused); ask the " \
	"administrator to run ftpuser-quota --recount"

/* One that is there but could not be opened: not missing (a recount
 * would not open it either), and the reason is told. */
#define CMD_QUOTA_UNOPENED                                                 \
	"the accounting file cannot be opened (%s): uploads are refused; " \
	"ask the administrator"

static void
cmd_quota_damaged(struct session *s, char *why, size_t whylen)
{
	if (!s->quota.damaged) {
		log_warnx("accounting file of user=%s is damaged: writes "
			  "refused until ftpuser-quota --recount",
		    s->user);
		s->quota.damaged = 1;
	}
	if (s->quota.fd == -1 && s->quota.open_errno != 0 &&
	    s->quota.open_errno != ENOENT)
		snprintf(why, whylen, CMD_QUOTA_UNOPENED,
		    strerror(s->quota.open_errno));
	else
		snprintf(why, whylen, "%s",
		    s->quota.fd == -1 ? CMD_QUOTA_MISSING : CMD_QUOTA_DAMAGED);
}

/*
 * "quota exceeded: 9.5 MiB of 10 MiB used, 1.2 MiB more needed"; what
 * uploads in progress have reserved counts as used, and is told.
 */
static void
cmd_quota_exceeded(const struct session *s, const struct quota_usage *u,
    uint64_t bytes, uint64_t files, char *why, size_t whylen)
{
	char used[HUMAN_SIZE_LEN], limit[HUMAN_SIZE_LEN], need[HUMAN_SIZE_LEN],
	    held[HUMAN_SIZE_LEN];

	if (!quota_fits(u, &s->quota.limits, bytes, 0)) {
		human_size(u->bytes > UINT64_MAX - u->reserved ?
			UINT64_MAX :
			u->bytes + u->reserved,
		    used, sizeof(used));
		human_size(s->quota.limits.bytes, limit, sizeof(limit));
		human_size(bytes, need, sizeof(need));
		if (u->reserved == 0) {
			snprintf(why, whylen,
			    "quota exceeded: %s of %s used, %s more needed",
			    used, limit, need);
			return;
		}
		human_size(u->reserved, held, sizeof(held));
		snprintf(why, whylen,
		    "quota exceeded: %s of %s used (%s of it reserved by "
		    "uploads in progress), %s more needed",
		    used, limit, held, need);
		return;
	}
	snprintf(why, whylen,
	    "quota exceeded: %llu of %llu files used, %llu more needed",
	    (unsigned long long)u->files,
	    (unsigned long long)s->quota.limits.files,
	    (unsigned long long)files);
}

/*
 * The lines of requests that find the accounting file unreadable: 1 a
 * second after a burst of 20.  Every write, and every QUOTA, reads it: a
 * client repeating QUOTA in a loop while it cannot be read wrote a line
 * each, thousands a second, past journald's own limit (log.h).  The
 * next such line logged, or the session's end, says how many were left
 * out.
 */
static struct log_rate cmd_quota_unread = { .every_ms = 1000, .burst = 20 };

const char *
cmd_quota_unlogged(char *buf, size_t len)
{
	return log_rate_unlogged(&cmd_quota_unread,
	    "failures to read the accounting file", buf, len);
}

uint32_t
cmd_quota_removed(struct session *s, char *why, size_t whylen)
{
	s->account_ended = QUOTA_ACCOUNT_REMOVED;
	snprintf(why, whylen,
	    "not done: the accounting file of %s was removed; the session "
	    "ends",
	    s->user);
	return MFTP_ST_PERM;
}

/* The status for a quota_* error other than "exceeded". */
static uint32_t
cmd_quota_failed(struct session *s, int r, char *why, size_t whylen)
{
	char more[96];
	int e;

	/* The session's next look at the account ends it (session.c). */
	if (r == QUOTA_ERR_REMOVED)
		return cmd_quota_removed(s, why, whylen);
	if (r == QUOTA_ERR_CORRUPT) {
		cmd_quota_damaged(s, why, whylen);
		return MFTP_ST_QUOTA;
	}
	/* Told to stop while another process held the lock: its end is
	 * logged (session.c). */
	if (r == QUOTA_ERR_STOPPED) {
		snprintf(why, whylen,
		    "not done: the session ends while another process holds "
		    "the accounting file's lock");
		return MFTP_ST_IO;
	}
	e = errno;
	if (log_rate_ok(&cmd_quota_unread))
		log_warnx("accounting file of user=%s: %s%s", s->user,
		    strerror(e), cmd_quota_unlogged(more, sizeof(more)));
	snprintf(
	    why, whylen, "cannot read the accounting file: %s", strerror(e));
	return MFTP_ST_IO;
}

uint32_t
cmd_quota_check(
    struct session *s, uint64_t bytes, uint64_t files, char *why, size_t whylen)
{
	struct quota_usage u;
	int r;

	if (s->quota.fd == -1) {
		cmd_quota_damaged(s, why, whylen);
		return MFTP_ST_QUOTA;
	}
	if ((r = quota_read(s->quota.fd, &u)) != 0)
		return cmd_quota_failed(s, r, why, whylen);
	/* A recount may have repaired it since. */
	s->quota.damaged = 0;
	if (quota_fits(&u, &s->quota.limits, bytes, files))
		return 0;
	cmd_quota_exceeded(s, &u, bytes, files, why, whylen);
	return MFTP_ST_QUOTA;
}

/* apply failed (errno): its status and "what: reason". */
static uint32_t
cmd_quota_apply_failed(const char *what, char *why, size_t whylen)
{
	int err = errno;

	snprintf(why, whylen, "%s: %s", what, strerror(err));
	errno = err;
	return session_status(err);
}

uint32_t
cmd_quota_change(struct session *s, const char *what, int64_t dbytes,
    int64_t dfiles, int (*apply)(void *arg), void *arg, char *why,
    size_t whylen)
{
	return cmd_quota_change_reserved(
	    s, what, dbytes, dfiles, 0, NULL, apply, arg, why, whylen);
}

uint32_t
cmd_quota_new_entry(struct session *s, int dfd, const char *what,
    int (*apply)(void *arg), void *arg, char *why, size_t whylen)
{
	uint32_t status;

	if (cmd_at_counts(s, dfd))
		return cmd_quota_change(
		    s, what, QUOTA_ENTRY_BYTES, 1, apply, arg, why, whylen);
	/* Left out of the count: nothing to charge, but a write all the
	 * same, refused while the accounting is damaged. */
	if ((status = cmd_quota_check(s, 0, 0, why, whylen)) != 0)
		return status;
	return cmd_quota_change(s, what, 0, 0, apply, arg, why, whylen);
}

/* The bytes a refused change needed: what it would have added. */
static uint64_t
cmd_quota_needed(int64_t dbytes, int64_t dreserved)
{
	uint64_t add = dbytes > 0 ? (uint64_t)dbytes : 0;

	if (dreserved > 0)
		return add + (uint64_t)dreserved;
	/* A chunk that moves from the reservation needs only the rest. */
	return add > (uint64_t)0 - (uint64_t)dreserved ?
	    add - ((uint64_t)0 - (uint64_t)dreserved) :
	    add;
}

uint32_t
cmd_quota_change_reserved(struct session *s, const char *what, int64_t dbytes,
    int64_t dfiles, int64_t dreserved, uint64_t *set, int (*apply)(void *arg),
    void *arg, char *why, size_t whylen)
{
	const int grows = dbytes > 0 || dfiles > 0 || dreserved > 0;
	struct quota_usage u;
	uint32_t status;
	int r;

	if (s->quota.fd == -1) {
		cmd_quota_damaged(s, why, whylen);
		if (grows)
			return MFTP_ST_QUOTA;
		r = QUOTA_ERR_CORRUPT;
	} else {
		memset(&u, 0, sizeof(u));
		r = quota_change_reserved(s->quota.fd, &s->quota.limits, dbytes,
		    dfiles, dreserved, set, &u, apply, arg);
		if (r == 0 || r == QUOTA_ERR_APPLY || r == QUOTA_ERR_EXCEEDED)
			s->quota.damaged = 0;
		if (r == 0)
			return 0;
		if (r == QUOTA_ERR_APPLY)
			return cmd_quota_apply_failed(what, why, whylen);
		if (r == QUOTA_ERR_EXCEEDED) {
			cmd_quota_exceeded(s, &u,
			    cmd_quota_needed(dbytes, dreserved),
			    dfiles > 0 ? (uint64_t)dfiles : 0, why, whylen);
			return MFTP_ST_QUOTA;
		}
		status = cmd_quota_failed(s, r, why, whylen);
		/* Stopped: nothing is done, the session ends. */
		if (grows || r == QUOTA_ERR_STOPPED)
			return status;
	}
	/*
	 * The file cannot be read: what frees goes on unrecorded (the
	 * count stays high until the recount the damage asks for).
	 */
	if (apply != NULL && apply(arg) == -1)
		return cmd_quota_apply_failed(what, why, whylen);
	return 0;
}

int
cmd_quota(struct session *s, const struct msg *m)
{
	char why[SESSION_WHY_MAX];
	struct quota_usage u;
	struct msg r;
	int ret;

	if (s->quota.fd == -1) {
		cmd_quota_damaged(s, why, sizeof(why));
		return session_reply_error(s, MFTP_ST_QUOTA, "%s", why);
	}
	if ((ret = quota_read(s->quota.fd, &u)) != 0)
		return session_reply_error(
		    s, cmd_quota_failed(s, ret, why, sizeof(why)), "%s", why);
	memset(&r, 0, sizeof(r));
	r.type = MFTP_MSG_QUOTA_OK;
	r.quota.bytes_used = u.bytes;
	r.quota.bytes_limit = s->quota.limits.bytes;
	r.quota.files_used = u.files;
	r.quota.files_limit = s->quota.limits.files;
	/* An older client gets QUOTA_OK, which has no room for this. */
	if ((s->features & MFTP_FEAT_QUOTA_RESERVED) != 0) {
		r.type = MFTP_MSG_QUOTA_RSV_OK;
		r.quota.bytes_reserved = u.reserved;
	}
	return session_reply_msg(s, &r);
}
