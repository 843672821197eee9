/*
 * userdb_open.c: the user database opened to be read, with the checks
 * that make it one mftpd-auth may trust.
 *
 * Runs as: root, in mftpd-auth before it drops to the pre-auth user,
 * and in the mftpd master, which checks it at start, on a reload and
 * for -t (and reads it only for -t).
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "userdb.h"

/*
 * Root's alone, to write and to read: lines others could write are not
 * for root to trust, and the password hashes in it are root's secret
 * (anyone who reads them can guess passwords offline, at his own pace).
 */
int
userdb_trusted(const struct stat *st)
{
	return S_ISREG(st->st_mode) && st->st_uid == 0 &&
	    (st->st_mode & 077) == 0;
}

int
userdb_open(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd, saved;

	/*
	 * Non-blocking: nothing but a regular file is read.  A symbolic
	 * link is followed (each node's link to the file on shared
	 * storage, which the tools rewrite beside the file it leads to):
	 * the checks are on the file opened.
	 */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		saved = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		errno = saved;
		return -1;
	}
	if (fstat(fd, &st) == -1 || !userdb_trusted(&st)) {
		snprintf(err, errlen,
		    "%s must be a regular file owned by root that no one "
		    "else may read or write (mode 0600)",
		    path);
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}
