/*
 * xfer_local.c: where a download's bytes go when its local name is not
 * a plain file, and the directories get -r goes into (xfer_local.h).
 *
 * Runs as: the user, in mftp.  Nothing here opens or writes a file: it
 * only tells xfer.c what the name stands for; xfer_local_dir makes a
 * directory and opens it.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "util.h"
#include "xfer_local.h"

const char *
xfer_at_name(int at, const char *path)
{
	const char *slash = strrchr(path, '/');

	return at == AT_FDCWD || slash == NULL ? path : slash + 1;
}

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
xfer_local_fd(int at, const char *local)
{
	const char *name = xfer_at_name(at, local);
	char target[PATH_MAX];
	struct stat st;
	ssize_t n;
	int fd;

	if (at == AT_FDCWD && (fd = xfer_local_fd_name(local)) != -1)
		return fd;
	/* Through a link only of the user's or root's, as for follow. */
	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISLNK(st.st_mode) || !xfer_local_trusted(&st) ||
	    (n = readlinkat(at, name, target, sizeof(target) - 1)) <= 0)
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
xfer_local_special(int at, const char *local)
{
	const char *name = xfer_at_name(at, local);
	struct stat st;

	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !xfer_local_trusted(&st))
		return 0;
	return fstatat(at, name, &st, 0) == 0 && xfer_local_trusted(&st) &&
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
xfer_local_follow(int *at, const char *local)
{
	const char *name = xfer_at_name(*at, local);
	char target[PATH_MAX], *p;
	const char *slash;
	struct stat st;
	ssize_t n;

	if (fstatat(*at, name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISLNK(st.st_mode) || !xfer_local_trusted(&st) ||
	    (n = readlinkat(*at, name, target, sizeof(target) - 1)) <= 0)
		return NULL;
	target[n] = '\0';
	/* Not a name in at: the rest of the way is the link's, by name. */
	if (strchr(target, '/') != NULL)
		*at = AT_FDCWD;
	if (target[0] == '/' || (slash = strrchr(local, '/')) == NULL)
		return xstrdup(target);
	xasprintf(&p, "%.*s/%s", (int)(slash - local), local, target);
	return p;
}

/* The links of the user's gone through to reach one directory, at most. */
#define XFER_DIR_LINKS 8

/*
 * The symbolic link name in *at, of the user's (or root's), read: *at
 * becomes the directory its target is in (opened by name, as a file's
 * link target is reached), and name (of size NAME_MAX + 1) the target's
 * last component.  0, or -1 after cmd_fail() naming path, first the
 * link that led there if it is not the first.
 */
static int
xfer_local_dir_link(
    struct cmd_ctx *ctx, int *at, int first, char *name, const char *path)
{
	char target[PATH_MAX], *slash, *dir;
	const char *last;
	struct stat st;
	ssize_t n;
	int fd, e;

	/* The link itself, as it is now: whose, and what it holds. */
	if ((fd = openat(*at, name, O_PATH | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return cmd_fail(ctx, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) == -1 || !S_ISLNK(st.st_mode)) {
		/* Something else that is no directory (a file). */
		e = fstat(fd, &st) == -1 ? errno : ENOTDIR;
		close(fd);
		return cmd_fail(ctx, "%s: %s", path, strerror(e));
	}
	if (!xfer_local_trusted(&st)) {
		close(fd);
		if (first)
			return cmd_fail(ctx,
			    "%s: a symbolic link of another user's is there: "
			    "it is not followed; move it away",
			    path);
		return cmd_fail(ctx,
		    "%s: its link leads to a symbolic link of another "
		    "user's (%s): it is not followed; move it away",
		    path, name);
	}
	n = readlinkat(fd, "", target, sizeof(target) - 1);
	e = errno;
	close(fd);
	if (n <= 0)
		return cmd_fail(
		    ctx, "%s: %s", path, strerror(n == 0 ? EINVAL : e));
	target[n] = '\0';
	/* "d/" is "d"; "/" stays. */
	while (n > 1 && target[n - 1] == '/')
		target[--n] = '\0';
	last = target;
	if ((slash = strrchr(target, '/')) != NULL) {
		/* Beside the link if relative; the way there by name. */
		if (slash == target)
			dir = xstrdup("/");
		else
			xasprintf(&dir, "%.*s", (int)(slash - target), target);
		fd = openat(*at, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		e = errno;
		free(dir);
		if (fd == -1)
			return cmd_fail(ctx, "%s: %s", path, strerror(e));
		*at = fd;
		last = slash[1] != '\0' ? slash + 1 : ".";
	}
	if (strlen(last) > NAME_MAX)
		return cmd_fail(ctx, "%s: %s", path, strerror(ENAMETOOLONG));
	strcpy(name, last);
	return 0;
}

/* xfer_local_dir of name, one component, in at. */
static int
xfer_local_dir_in(struct cmd_ctx *ctx, int at, const char *name,
    const char *path, unsigned int mode)
{
	char step[NAME_MAX + 1];
	int fd, cur = at, prev, hops, r;

	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT) {
		if (mkdirat(at, name, (mode_t)mode) == -1 && errno != EEXIST)
			return cmd_fail(ctx, "%s: %s", path, strerror(errno));
		fd = openat(
		    at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd != -1)
		return fd;
	if (strlen(name) > NAME_MAX)
		return cmd_fail(ctx, "%s: %s", path, strerror(ENAMETOOLONG));
	strcpy(step, name);
	/*
	 * A link of the user's (or root's) is gone through, and so is the
	 * next if it leads to one, each checked as the first: a link of
	 * the user's to a name under /tmp, where another user put a link,
	 * must not take the download where that one points.
	 */
	for (hops = 0;; hops++) {
		if (errno != ELOOP && errno != ENOTDIR) {
			r = cmd_fail(ctx, "%s: %s", path, strerror(errno));
			break;
		}
		if (hops == XFER_DIR_LINKS) {
			r = cmd_fail(ctx, "%s: %s", path, strerror(ELOOP));
			break;
		}
		prev = cur;
		r = xfer_local_dir_link(ctx, &cur, hops == 0, step, path);
		if (cur != prev && prev != at)
			close(prev);
		if (r == -1)
			break;
		if ((fd = openat(cur, step,
			 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) !=
		    -1) {
			r = fd;
			break;
		}
	}
	if (cur != at)
		close(cur);
	return r;
}

/*
 * A name with a directory part (the top of get -r LOCAL) is taken in
 * that directory, opened by its name: a relative link there then leads
 * beside itself, not to that name in at.
 */
int
xfer_local_dir(struct cmd_ctx *ctx, int at, const char *name, const char *path,
    unsigned int mode)
{
	char *dir, *last;
	size_t n = strlen(name);
	int fd, r, e;

	/* "d/" is "d"; "/" stays. */
	while (n > 1 && name[n - 1] == '/')
		n--;
	xasprintf(&dir, "%.*s", (int)n, name);
	if ((last = strrchr(dir, '/')) == NULL) {
		r = xfer_local_dir_in(ctx, at, dir, path, mode);
		free(dir);
		return r;
	}
	*last++ = '\0';
	fd = openat(
	    at, *dir != '\0' ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		r = cmd_fail(ctx, "%s: %s", path, strerror(errno));
	else {
		r = xfer_local_dir_in(
		    ctx, fd, *last != '\0' ? last : ".", path, mode);
		e = errno; /* why it failed: EMFILE waits (cmd_get_files) */
		close(fd);
		errno = e;
	}
	free(dir);
	return r;
}

int
xfer_local_open_below(int top, const char *rel, int flags)
{
	const char *c = rel, *e;
	char name[NAME_MAX + 1];
	int fd = top, next, err;

	for (;;) {
		e = strchrnul(c, '/');
		if ((size_t)(e - c) > NAME_MAX) {
			next = -1;
			errno = ENAMETOOLONG;
		} else {
			memcpy(name, c, (size_t)(e - c));
			name[e - c] = '\0';
			next = openat(fd, name,
			    *e == '\0' ? flags | O_NOFOLLOW | O_CLOEXEC :
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
				    O_CLOEXEC);
		}
		err = errno;
		if (fd != top)
			close(fd);
		errno = err;
		if (next == -1 || *e == '\0')
			return next;
		fd = next;
		c = e + 1;
	}
}

int
xfer_local_dir_ok(int at, const char *local)
{
	const char *slash = strrchr(local, '/');
	struct stat st;
	char *dir;
	int r;

	if (at != AT_FDCWD || slash == NULL)
		dir = xstrdup(".");
	else if (slash == local)
		dir = xstrdup("/");
	else
		xasprintf(&dir, "%.*s", (int)(slash - local), local);
	r = fstatat(at, dir, &st, 0);
	if (r == 0 && !S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		r = -1;
	}
	if (r == 0)
		r = faccessat(at, dir, W_OK | X_OK, AT_EACCESS);
	free(dir);
	return r;
}

int
xfer_local_readonly(int at, const char *local)
{
	const char *name = xfer_at_name(at, local);
	struct stat st;

	return fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode) &&
	    faccessat(at, name, W_OK, AT_EACCESS) == -1 && errno == EACCES;
}
