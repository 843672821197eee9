/*
 * quota_walk.c: the count of a home as the accounting file counts it
 * (quota.h): every entry below the root, regular files by their size,
 * directories and symbolic links by QUOTA_ENTRY_BYTES.  A mount point
 * (samefs.h; a directory bound into the home from elsewhere, say) and
 * what is below it are not the user's and count for nothing, as
 * ftpuser-del --remove-home leaves them.
 *
 * Runs as: root (ftpuser-quota --recount, over any user's home) and the
 * logged-in user, chrooted (the serving process settling a change that a
 * killed session left unfinished, over "/").  Nothing here follows a
 * symbolic link: every step is an openat or statx without following,
 * relative to the directory the walk stands in, one directory open at a
 * time whatever the depth (dirwalk.h).
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dirwalk.h"
#include "quota.h"
#include "samefs.h"
#include "util.h"

/* The recount's state, beside the walk's (dirwalk.h). */
struct quota_walk {
	struct quota_usage u;
	struct samefs on; /* the root's mount: the walk stays on it */
	char *err;
	size_t errlen;
};

static int quota_walk_fail(struct quota_walk *w, int with_errno,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
quota_walk_fail(struct quota_walk *w, int with_errno, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	size_t len;

	if (w->errlen == 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(w->err, w->errlen, fmt, ap);
	va_end(ap);
	len = strlen(w->err);
	if (with_errno && len < w->errlen)
		snprintf(
		    w->err + len, w->errlen - len, ": %s", strerror(saved));
	errno = saved;
	return -1;
}

static int
quota_walk_add(uint64_t *sum, uint64_t add)
{
	if (*sum > UINT64_MAX - add)
		return -1;
	*sum += add;
	return 0;
}

/*
 * Read the directory open on fd: count every entry, add the sizes of the
 * regular files, name the subdirectories to the walk.
 */
static int
quota_walk_read(struct dirwalk *dw, int fd, void *arg)
{
	struct quota_walk *w = arg;
	const char *path = dirwalk_path(dw);
	struct dirent *de;
	struct stat st;
	DIR *d;
	int dfd;

	/*
	 * fdopendir takes the descriptor; fd stays for the fstatat calls.
	 * A new open of "." rather than a dup: the same directory, and no
	 * fcntl command the serving process's sandbox does not allow.
	 */
	if ((dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return quota_walk_fail(w, 1, "%s", path);
	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return quota_walk_fail(w, 1, "%s", path);
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0) {
				quota_walk_fail(w, 1, "%s", path);
				closedir(d);
				return -1;
			}
			break;
		}
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		switch (samefs_statat(fd, de->d_name, &w->on, &st)) {
		case -1:
			/* Removed since it was read: not there to count. */
			if (errno == ENOENT)
				continue;
			quota_walk_fail(w, 1, "%.*s/%s",
			    (int)path_dir_len(path), path, de->d_name);
			closedir(d);
			return -1;
		case 0:
			/* A mount point: not the user's, nor what is in it.
			 * Only root mounts, and a mount point cannot be
			 * renamed, so the walk does not meet it later under
			 * a name it keeps. */
			continue;
		}
		if (quota_walk_add(&w->u.files, 1) == -1 ||
		    quota_walk_add(&w->u.bytes, quota_entry_bytes(&st)) == -1) {
			closedir(d);
			errno = EOVERFLOW;
			return quota_walk_fail(w, 1, "%s", path);
		}
		if (S_ISDIR(st.st_mode))
			dirwalk_subdir(dw, de->d_name);
	}
	closedir(d);
	return 0;
}

/* A subdirectory that does not open now: gone since it was counted
 * (removed, or replaced by a non-directory), or an error. */
static int
quota_walk_unopened(struct dirwalk *dw, const char *name, void *arg)
{
	if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
		return 0;
	const char *path = dirwalk_path(dw);

	return quota_walk_fail(
	    arg, 1, "%.*s/%s", (int)path_dir_len(path), path, name);
}

static void
quota_walk_moved(struct dirwalk *dw, int err, void *arg)
{
	if (err != 0) {
		errno = err;
		(void)quota_walk_fail(arg, 1, "%.*s/..",
		    (int)path_dir_len(dirwalk_path(dw)), dirwalk_path(dw));
		return;
	}
	(void)quota_walk_fail(arg, 0,
	    "the tree changed during the recount (at %s); run it again",
	    dirwalk_path(dw));
}

static const struct dirwalk_ops quota_walk_ops = {
	.read = quota_walk_read,
	.unopened = quota_walk_unopened,
	.moved = quota_walk_moved,
};

int
quota_count_tree(
    const char *root, struct quota_usage *u, char *err, size_t errlen)
{
	struct quota_walk w;
	int rfd;

	memset(&w, 0, sizeof(w));
	w.err = err;
	w.errlen = errlen;
	if (errlen > 0)
		err[0] = '\0';
	rfd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rfd == -1 && (errno == ENOTDIR || errno == ELOOP)) {
		quota_walk_fail(&w, 0, "%s %s", root, home_refused_why(root));
		return -1;
	}
	if (rfd == -1 || samefs_of(rfd, &w.on) == -1) {
		quota_walk_fail(&w, 1, "%s", root);
		if (rfd != -1)
			close(rfd);
		return -1;
	}
	if (dirwalk_run(rfd, root, &quota_walk_ops, &w, NULL) == -1) {
		/* The callbacks said why, but for the root's own fstat. */
		if (errlen > 0 && err[0] == '\0')
			quota_walk_fail(&w, 1, "%s", root);
		return -1;
	}
	*u = w.u;
	return 0;
}
