/*
 * mftpd_check.h: what the daemon checks outside its configuration file
 * before it starts and at each reload (mftpd_check.c).
 */
#ifndef MFTPD_CHECK_H
#define MFTPD_CHECK_H

#include <sys/types.h>

#include <stddef.h>

#include "config.h"

/* The parent directory of path, made (mode 0755) if missing: 0 or -1. */
int mftpd_mkdir_parent(const char *path);
/*
 * Everything c needs that is outside the file: the pre-auth account,
 * the pre-auth chroot (an empty directory that only root can change,
 * made if missing), the helpers (executables only root can change) and
 * the host key, which must be the key of the certificate whose
 * fingerprint is fp; and the user database, which only a dry run fails
 * on.  0 with the account's ids and the key file open
 * on *key_fd for the signers, or -1 with the reason in err.
 */
int mftpd_check(const struct config *c, const char *fp, uid_t *uid, gid_t *gid,
    int *key_fd, int dry, char *err, size_t errlen);

#endif
