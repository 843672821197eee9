/*
 * drop.h: giving up root for good, and proving it.
 *
 * Runs as root, in the per-connection monitor (before it serves a user),
 * in the pre-auth worker and in the auth helper.  Every step is fatal on
 * failure, and the result is checked afterwards: a process that returns
 * from these functions cannot regain any privilege.
 */
#ifndef MFTP_DROP_H
#define MFTP_DROP_H

#include <sys/types.h>

/*
 * Open a directory that is to become a root, without following a final
 * symlink.  Returns the descriptor or -1 with errno.
 */
int drop_open_root(const char *path);

/*
 * Make the directory open on dirfd the root (fchdir + chroot(".")),
 * chdir("/"), close dirfd, then become uid/gid exactly as drop_user()
 * does.  Entering by descriptor means what was checked is what becomes
 * the root.  Between the chroot and the uid change nothing reads a file
 * (no NSS, no locale, no time zone): the directory may be writable by the
 * user it is for.
 */
void drop_chroot_user(int dirfd, uid_t uid, gid_t gid);

/*
 * drop_chroot_user(), and call spawn(arg) once the ids have changed,
 * NoNewPrivs is set and both are proven, right before RLIMIT_NPROC 0:
 * the one place where the process may start a thread, which then runs
 * as the user from its first instruction.  spawn must read no file (as above), and must not
 * return before its threads wait: they get the seccomp list that comes
 * later only if it is loaded for every thread (sandbox.c).
 */
void drop_chroot_user_spawn(
    int dirfd, uid_t uid, gid_t gid, void (*spawn)(void *), void *arg);

/*
 * Become uid/gid: no supplementary groups, real = effective = saved,
 * no capabilities, PR_SET_NO_NEW_PRIVS, not dumpable (no process of
 * the same uid may ptrace it, whatever fs.suid_dumpable says),
 * RLIMIT_NPROC 0 (cannot fork).
 */
void drop_user(uid_t uid, gid_t gid);

/* drop_user(), with spawn(arg) called as drop_chroot_user_spawn does. */
void drop_user_spawn(uid_t uid, gid_t gid, void (*spawn)(void *), void *arg);

#endif
