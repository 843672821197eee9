/*
 * xfer_local.c: where a download's bytes go when its local name is not
 * a plain file (xfer_local.h).
 *
 * Runs as: the user, in mftp.  Nothing here opens or writes a file: it
 * only tells xfer.c what the name stands for.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "xfer_local.h"

/* Whether st (an lstat or stat) is the user's own, or root's. */
static int
xfer_local_trusted(const struct stat *st)
{
	return st->st_uid == geteuid() || st->st_uid == 0;
}

/*
 * 1 or 2 from a name for standard output or error, else -1.  No other
 * number: mftp's own descriptors (its connection, the password's) are
 * no place for a download.
 */
static int
xfer_local_fd_name(const char *s)
{
	static const char *const prefixes[] = { "/dev/fd/", "/proc/self/fd/" };
	size_t i, len;

	if (strcmp(s, "/dev/stdout") == 0)
		return 1;
	if (strcmp(s, "/dev/stderr") == 0)
		return 2;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		len = strlen(prefixes[i]);
		if (strncmp(s, prefixes[i], len) == 0 &&
		    (strcmp(s + len, "1") == 0 || strcmp(s + len, "2") == 0))
			return s[len] - '0';
	}
	return -1;
}

int
xfer_local_fd(const char *local)
{
	char target[PATH_MAX];
	struct stat st;
	ssize_t n;
	int fd;

	if ((fd = xfer_local_fd_name(local)) != -1)
		return fd;
	/* Through a link only of the user's or root's, as for follow. */
	if (lstat(local, &st) == -1 || !S_ISLNK(st.st_mode) ||
	    !xfer_local_trusted(&st) ||
	    (n = readlink(local, target, sizeof(target) - 1)) <= 0)
		return -1;
	target[n] = '\0';
	return xfer_local_fd_name(target);
}

/*
 * Another user's FIFO (or a link of another user's to a device) is not
 * written into: the download goes to a .part of the user's own, and the
 * rename onto that name then fails in a sticky directory, where nobody
 * else's file can be replaced.
 */
int
xfer_local_special(const char *local)
{
	struct stat st;

	if (lstat(local, &st) == -1 || !xfer_local_trusted(&st))
		return 0;
	return stat(local, &st) == 0 && xfer_local_trusted(&st) &&
	    !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

/*
 * One step only, with readlink, not realpath: realpath would go on
 * through links the kernel itself would not follow (another user's, in
 * a sticky directory, under fs.protected_symlinks).  What the step
 * leads to is then opened and renamed onto by name, so the kernel's
 * rules apply to the rest of the way, and a further link is replaced,
 * not followed.
 */
char *
xfer_local_follow(const char *local)
{
	char target[PATH_MAX], *p;
	const char *slash;
	struct stat st;
	ssize_t n;

	if (lstat(local, &st) == -1 || !S_ISLNK(st.st_mode) ||
	    !xfer_local_trusted(&st) ||
	    (n = readlink(local, target, sizeof(target) - 1)) <= 0)
		return NULL;
	target[n] = '\0';
	if (target[0] == '/' || (slash = strrchr(local, '/')) == NULL)
		return xstrdup(target);
	xasprintf(&p, "%.*s/%s", (int)(slash - local), local, target);
	return p;
}

int
xfer_local_foreign_link(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISLNK(st.st_mode) &&
	    !xfer_local_trusted(&st);
}

int
xfer_local_readonly(const char *local)
{
	struct stat st;

	return lstat(local, &st) == 0 && S_ISREG(st.st_mode) &&
	    faccessat(AT_FDCWD, local, W_OK, AT_EACCESS) == -1 &&
	    errno == EACCES;
}
