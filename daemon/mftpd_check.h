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
 * The pre-auth account, its chroot (made if missing unless dry), the
 * helpers, the user database and the host key pair (checked by
 * mftpd-sign -c against fp, the fingerprint of the certificate's key).
 * 0 with the account's ids and the key file open on *key_fd, or -1 with
 * the reason in err.
 */
int mftpd_check(const struct config *c, const char *fp, uid_t *uid, gid_t *gid,
    int *key_fd, int dry, char *err, size_t errlen);

#endif
