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
 * relative to the directory the walk stands in.
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

#include "quota.h"
#include "samefs.h"
#include "util.h"

/*
 * The recount walks the tree without a descriptor per level, so that its
 * depth is limited neither by RLIMIT_NOFILE nor by PATH_MAX: each
 * directory is read whole (its entries counted, its subdirectories' names
 * kept), then the walk enters a subdirectory with openat and comes back
 * through its "..", checked against the device and inode it left.
 */
struct quota_level {
	dev_t dev;
	ino_t ino;
	char **subdirs; /* subdirectories still to enter */
	size_t n;
	size_t next;
	size_t pathlen; /* length of the walk's path at this level */
};

struct quota_walk {
	struct quota_usage u;
	struct samefs on; /* the root's mount: the walk stays on it */
	struct quota_level *levels;
	size_t depth; /* levels in use */
	size_t cap;
	char *path; /* for messages: the directory being read */
	size_t pathlen;
	size_t pathcap;
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

/* Append "/name" to the walk's path. */
static void
quota_walk_path_push(struct quota_walk *w, const char *name)
{
	size_t add = strlen(name) + 1;

	if (w->pathcap - w->pathlen <= add) {
		w->pathcap = (w->pathlen + add + 1) * 2;
		w->path = xreallocarray(w->path, w->pathcap, 1);
	}
	w->path[w->pathlen] = '/';
	memcpy(w->path + w->pathlen + 1, name, add);
	w->pathlen += add;
}

static void
quota_level_free(struct quota_level *lv)
{
	size_t i;

	for (i = 0; i < lv->n; i++)
		free(lv->subdirs[i]);
	free(lv->subdirs);
	memset(lv, 0, sizeof(*lv));
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
 * regular files, keep the subdirectories' names in lv.
 */
static int
quota_walk_read(struct quota_walk *w, int fd, struct quota_level *lv)
{
	struct dirent *de;
	struct stat st;
	size_t cap = 0;
	DIR *d;
	int dfd;

	/*
	 * fdopendir takes the descriptor; fd stays for the fstatat calls.
	 * A new open of "." rather than a dup: the same directory, and no
	 * fcntl command the serving process's sandbox does not allow.
	 */
	if ((dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return quota_walk_fail(w, 1, "%s", w->path);
	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return quota_walk_fail(w, 1, "%s", w->path);
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0) {
				quota_walk_fail(w, 1, "%s", w->path);
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
			quota_walk_fail(w, 1, "%s/%s", w->path, de->d_name);
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
			return quota_walk_fail(w, 1, "%s", w->path);
		}
		if (!S_ISDIR(st.st_mode))
			continue;
		if (lv->n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			lv->subdirs = xreallocarray(
			    lv->subdirs, cap, sizeof(*lv->subdirs));
		}
		lv->subdirs[lv->n++] = xstrdup(de->d_name);
	}
	closedir(d);
	return 0;
}

/* Enter the directory open on fd (whose name is already on the path). */
static int
quota_walk_enter(struct quota_walk *w, int fd)
{
	struct quota_level *lv;
	struct stat st;

	if (fstat(fd, &st) == -1)
		return quota_walk_fail(w, 1, "%s", w->path);
	if (w->depth == w->cap) {
		w->cap = w->cap == 0 ? 16 : w->cap * 2;
		w->levels = xreallocarray(
		    w->levels, w->cap, sizeof(*w->levels));
	}
	lv = &w->levels[w->depth++];
	memset(lv, 0, sizeof(*lv));
	lv->dev = st.st_dev;
	lv->ino = st.st_ino;
	lv->pathlen = w->pathlen;
	return quota_walk_read(w, fd, lv);
}

/* Walk the tree below the directory open on fd (the walk owns fd). */
static int
quota_walk_tree(struct quota_walk *w, int fd)
{
	const int dflags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	struct quota_level *lv;
	struct stat st;
	int cfd, rc = -1;

	if (quota_walk_enter(w, fd) == -1)
		goto out;
	while (w->depth > 0) {
		lv = &w->levels[w->depth - 1];
		if (lv->next < lv->n) {
			const char *name = lv->subdirs[lv->next++];

			if ((cfd = openat(fd, name, dflags)) == -1) {
				/* Removed or replaced by a non-directory
				 * since it was read (and counted). */
				if (errno == ENOENT || errno == ENOTDIR ||
				    errno == ELOOP)
					continue;
				quota_walk_fail(w, 1, "%s/%s", w->path, name);
				goto out;
			}
			close(fd);
			fd = cfd;
			quota_walk_path_push(w, name);
			if (quota_walk_enter(w, fd) == -1)
				goto out;
			continue;
		}
		/* Done with this level: back to its parent through "..". */
		quota_level_free(lv);
		w->depth--;
		if (w->depth == 0)
			break;
		lv = &w->levels[w->depth - 1];
		if ((cfd = openat(fd, "..", dflags)) == -1) {
			quota_walk_fail(w, 1, "%s/..", w->path);
			goto out;
		}
		close(fd);
		fd = cfd;
		if (fstat(fd, &st) == -1) {
			quota_walk_fail(w, 1, "%s/..", w->path);
			goto out;
		}
		if (st.st_dev != lv->dev || st.st_ino != lv->ino) {
			quota_walk_fail(w, 0,
			    "the tree changed during the recount (at %s); "
			    "run it again",
			    w->path);
			goto out;
		}
		w->pathlen = lv->pathlen;
		w->path[w->pathlen] = '\0';
	}
	rc = 0;
out:
	while (w->depth > 0)
		quota_level_free(&w->levels[--w->depth]);
	close(fd);
	return rc;
}

int
quota_count_tree(
    const char *root, struct quota_usage *u, char *err, size_t errlen)
{
	struct quota_walk w;
	int rfd, rc = -1;

	memset(&w, 0, sizeof(w));
	w.err = err;
	w.errlen = errlen;
	if (errlen > 0)
		err[0] = '\0';
	w.pathlen = strlen(root);
	w.pathcap = w.pathlen + 1;
	w.path = xstrdup(root);
	rfd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rfd == -1 || samefs_of(rfd, &w.on) == -1) {
		quota_walk_fail(&w, 1, "%s", root);
		if (rfd != -1)
			close(rfd);
	} else if (quota_walk_tree(&w, rfd) == 0) {
		*u = w.u;
		rc = 0;
	}
	free(w.levels);
	free(w.path);
	return rc;
}
