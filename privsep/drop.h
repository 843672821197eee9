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
 * Become uid/gid: no supplementary groups, real = effective = saved,
 * no capabilities, PR_SET_NO_NEW_PRIVS, RLIMIT_NPROC 0 (cannot fork).
 */
void drop_user(uid_t uid, gid_t gid);

#endif
