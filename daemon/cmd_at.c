/*
 * cmd_at.c: the directory a request names, opened once, so that every
 * later step of the request works on it by descriptor.
 *
 * Runs as: the logged-in user, chrooted to the home.  A request that
 * changes a name takes several system calls (price it, charge it, change
 * it, commit an upload after a network wait).  Another session of the
 * same user may rename a directory on the path meanwhile; if each step
 * resolved the path again, the steps would act on different entries (a
 * partial freed that was not the one written, a file committed that was
 * not verified).  So the parent directory is opened at the start and
 * each step is an *at() call relative to it, the last component never
 * followed, and an entry's device and inode are checked, under the
 * accounting lock, before it is removed or replaced.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "proto.h"
#include "quota.h"
#include "samefs.h"
#include "session.h"
#include "util.h"

int
cmd_at_open(const char *path, char **name)
{
	size_t end = strlen(path), start;
	char *dir;
	int dfd, saved;

	*name = NULL;
	/* "d/" names d: trailing slashes are no component of their own. */
	while (end > 1 && path[end - 1] == '/')
		end--;
	for (start = end; start > 0 && path[start - 1] != '/'; start--)
		;
	if (end == start || (end - start == 1 && path[start] == '.') ||
	    (end - start == 2 && path[start] == '.' &&
		path[start + 1] == '.')) {
		errno = EINVAL;
		return -1;
	}
	if (start == 0)
		dir = xstrdup(".");
	else
		xasprintf(&dir, "%.*s", (int)start, path);
	/* O_PATH: the directory is named, not read; *at() calls need no
	 * more, and a directory without read permission works too. */
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	saved = errno;
	free(dir);
	if (dfd == -1) {
		errno = saved;
		return -1;
	}
	xasprintf(name, "%.*s", (int)(end - start), path + start);
	return dfd;
}

int
cmd_at_slashed(const char *path)
{
	size_t n = strlen(path);

	return n > 1 && path[n - 1] == '/';
}

void
cmd_at_close(int dfd, char *name)
{
	if (dfd != -1)
		close(dfd);
	free(name);
}

int
cmd_at_failed(struct session *s, const char *path)
{
	if (errno == EINVAL)
		return session_reply_error(
		    s, MFTP_ST_INVALID, "%s: " MFTP_TEXT_NO_ENTRY, path);
	return session_reply_errno(s, errno, path);
}

int
cmd_at_same(int dfd, const char *name, const struct stat *st)
{
	struct stat now;

	if (fstatat(dfd, name, &now, AT_SYMLINK_NOFOLLOW) == -1)
		return st == NULL && errno == ENOENT;
	return st != NULL && now.st_dev == st->st_dev &&
	    now.st_ino == st->st_ino &&
	    (now.st_mode & S_IFMT) == (st->st_mode & S_IFMT) &&
	    quota_entry_bytes(&now) == quota_entry_bytes(st);
}

int
cmd_at_stat(const struct session *s, int dfd, const char *name, struct stat *st)
{
	int flags = AT_SYMLINK_NOFOLLOW;

	if (s->home_mount_known)
		return samefs_statat(dfd, name, &s->home_mount, st);
	/* No mount to compare with: priced as the home's. */
	if (name[0] == '\0')
		flags |= AT_EMPTY_PATH;
	return fstatat(dfd, name, st, flags) == -1 ? -1 : 1;
}

int
cmd_at_counts(const struct session *s, int dfd)
{
	struct stat st;

	/* Not to be told: charged, which errs toward more used. */
	return cmd_at_stat(s, dfd, "", &st) != 0;
}
