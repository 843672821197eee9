/*
 * admin_sessions.h: end the running sessions of a user who is removed or
 * locked.
 *
 * Runs as: root, from ftpuser-del and ftpuser-mod, after the user
 * database no longer lets the user log in.
 *
 * A logged-in session is served by an mftpd process running under the
 * user's own uid (real, effective and saved), chrooted into the home it
 * logged in to; nothing else of mftp runs under that uid, and no other
 * user is given it (admin_uid.h).  So the sessions are the processes
 * whose real uid is the user's and whose executable is named "mftpd".
 * Their root is not compared with the user's home: a session that logged
 * in before ftpuser-mod --home runs in the old one, and a home may be
 * gone.  (Two mftpd instances on one machine must therefore give their
 * users different uids: users sharing a uid share their files and could
 * signal each other's processes anyway.)  They are found in /proc,
 * signalled through a pidfd (never by a pid that may have been reused),
 * first with SIGTERM and, if they outlive ADMIN_SESSION_GRACE seconds,
 * with SIGKILL.  Only the sessions on this machine are ended here; those
 * of other machines sharing the storage end by themselves when they see
 * the user's accounting file removed or marked locked (quota.h), which
 * the tools do first.
 */
#ifndef MFTP_ADMIN_SESSIONS_H
#define MFTP_ADMIN_SESSIONS_H

#include <sys/types.h>
#include <stddef.h>

/* Seconds a session gets to end on SIGTERM before SIGKILL. */
#define ADMIN_SESSION_GRACE 5

/*
 * End every session on this machine of the user with uid, and
 * look again a moment later for one whose login was being accepted while
 * the user database changed.  Returns how many were ended; a process
 * that could not be signalled is warned about and not counted.
 */
size_t admin_end_sessions(uid_t uid);

#endif
