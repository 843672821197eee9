/*
 * admin_sessions.h: end the running sessions of a user who is removed or
 * locked.
 *
 * Runs as: root, from ftpuser-del and ftpuser-mod, after the user
 * database no longer lets the user log in.
 *
 * A logged-in session is served by an mftpd process running under the
 * user's own uid (real, effective and saved), a child of the master (the
 * connection's monitor, which became the serving process at login),
 * chrooted into the home it logged in to, and holding the user's
 * accounting file open if there was one.  So the sessions are the
 * processes whose real uid is the user's, whose executable is named
 * "mftpd", and whose parent is the master of this configuration's
 * pid_file (or else whose root directory is the
 * user's home or which hold the user's accounting file, removed since
 * or not).  Not the root alone: a session that logged in before
 * ftpuser-mod --home runs in the old home.  Not the uid alone: another
 * mftpd instance on the machine may give one of its own users the same
 * uid.  They are found in /proc,
 * signalled through a pidfd (never by a pid that may have been reused),
 * first with SIGTERM and, if they outlive ADMIN_SESSION_GRACE seconds,
 * with SIGKILL.  Only the sessions on this machine are ended here; those
 * of other machines sharing the storage end by themselves when they see
 * the user's accounting file removed or marked locked (quota.h), which
 * the tools do first.
 *
 * A users file edited by hand may give the user's uid to another user
 * too (a line copied and renamed): the uid and the master then match
 * that user's sessions as well, so a session is known by the user's
 * accounting file alone, which each session holds open.
 */
#ifndef MFTP_ADMIN_SESSIONS_H
#define MFTP_ADMIN_SESSIONS_H

#include <sys/types.h>
#include <sys/stat.h>
#include <limits.h>
#include <stddef.h>

#include "quota.h"

/* Seconds a session gets to end on SIGTERM before SIGKILL. */
#define ADMIN_SESSION_GRACE 5

/* What the user's sessions are known by (admin_who_of). */
struct admin_who {
	uid_t uid;
	int have_home; /* home: the user's home now */
	struct stat home;
	/* The user's accounting file, its directory's links resolved;
	 * "" when unknown. */
	char acct[PATH_MAX];
	pid_t master; /* this configuration's running master, or 0 */
	/* Another user of the database has uid: known by acct alone. */
	int uid_shared;
};

struct config;
struct userdb;

/* The user with uid, home and name, of configuration c (its quota_dir
 * and pid_file); db: the users file, for another user with uid. */
void admin_who_of(struct admin_who *w, uid_t uid, const char *home,
    const struct config *c, const char *name, const struct userdb *db);

/*
 * End every session on this machine of the user w, and
 * look again a moment later for one whose login was being accepted while
 * the user database changed.  Returns how many were ended; a process
 * that could not be signalled is warned about and not counted.
 */
size_t admin_end_sessions(const struct admin_who *w);

/*
 * How many sessions of the user w run on this machine now (0 when /proc
 * cannot be read); nothing is signalled.
 */
size_t admin_count_sessions(const struct admin_who *w);

/*
 * How many sessions of the user w (named name) run on other machines
 * sharing c's session_dir now: the session slots held, less the
 * sessions of this machine (0 when either cannot be counted).  Taken
 * before the lock mark or the removal that ends them: they may end
 * before admin_wait_elsewhere looks, and are said all the same.
 */
int admin_count_elsewhere(
    const struct config *c, const char *name, const struct admin_who *w);

/*
 * After a lock: wait, ADMIN_ELSEWHERE_WAIT_MS at most, until no session
 * of the user name holds a session slot (slots.h) on any machine
 * sharing c's session_dir.  Those of other machines end by themselves
 * once they see the lock mark (QUOTA_ACCOUNT_FRESH_MS at worst); an
 * --unlock before that would take the mark away unseen, and they would
 * run on.  *held: the slots held when the wait began, or known (what
 * admin_count_elsewhere found before the lock) if more.  Returns the
 * slots still held, or -1 when they cannot be counted (*held 0).
 */
#define ADMIN_ELSEWHERE_WAIT_MS (QUOTA_ACCOUNT_FRESH_MS + 3000)
/*
 * Why a session elsewhere may not end: one that began while the user
 * had no accounting file holds none to watch.
 */
#define ADMIN_ELSEWHERE_STUCK                                        \
	"one that began while the user had no accounting file (its " \
	"machine logged \"writes refused until ftpuser-quota "       \
	"--recount\") sees no change: end it on that machine"
int admin_wait_elsewhere(
    const struct config *c, const char *name, int known, int *held);

#endif
