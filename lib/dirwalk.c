/*
 * dirwalk.c: a depth-first walk of a directory tree, one directory open
 * at a time (dirwalk.h).
 *
 * Runs in: ftpuser-quota and ftpuser-del (root), and the serving process
 * (the user, chrooted, in its sandbox: openat, fstat, close and the
 * caller's own calls only).
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dirwalk.h"
#include "util.h"

#define DIRWALK_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

struct dirwalk_level {
	dev_t dev;
	ino_t ino;
	char **subdirs; /* subdirectories to enter */
	size_t n;
	size_t cap;
	size_t next;	/* the next of them to enter */
	size_t pathlen; /* the walk's path is this level's up to here */
	size_t count;	/* the caller's */
};

struct dirwalk {
	const struct dirwalk_ops *ops;
	void *arg;
	struct dirwalk_level *levels;
	size_t depth; /* levels in use: the last is the one the walk is in */
	size_t cap;
	char *path;
	size_t pathlen;
	size_t pathcap;
};

/*
 * Append "/name" to the walk's path, or "name" to a root given ending
 * in '/' ("/", the chrooted home; "/srv/bob/" from the users file): one
 * '/' between them, not "//".
 */
static void
dirwalk_path_push(struct dirwalk *w, const char *name)
{
	size_t sep = w->pathlen > 0 && w->path[w->pathlen - 1] == '/' ? 0 : 1;
	size_t add = strlen(name) + sep;

	if (w->pathcap - w->pathlen <= add) {
		w->pathcap = (w->pathlen + add + 1) * 2;
		w->path = xreallocarray(w->path, w->pathcap, 1);
	}
	if (sep)
		w->path[w->pathlen] = '/';
	memcpy(w->path + w->pathlen + sep, name, add - sep + 1);
	w->pathlen += add;
}

static void
dirwalk_level_free(struct dirwalk_level *lv)
{
	size_t i;

	for (i = 0; i < lv->n; i++)
		free(lv->subdirs[i]);
	free(lv->subdirs);
	memset(lv, 0, sizeof(*lv));
}

/* A new level for the directory open on fd, which st describes; read. */
static int
dirwalk_enter(struct dirwalk *w, int fd, const struct stat *st)
{
	struct dirwalk_level *lv;

	if (w->depth == w->cap) {
		w->cap = w->cap == 0 ? 16 : w->cap * 2;
		w->levels = xreallocarray(
		    w->levels, w->cap, sizeof(*w->levels));
	}
	lv = &w->levels[w->depth++];
	memset(lv, 0, sizeof(*lv));
	lv->dev = st->st_dev;
	lv->ino = st->st_ino;
	lv->pathlen = w->pathlen;
	return w->ops->read(w, fd, w->arg);
}

void
dirwalk_subdir(struct dirwalk *w, const char *name)
{
	struct dirwalk_level *lv = &w->levels[w->depth - 1];

	if (lv->n == lv->cap) {
		lv->cap = lv->cap == 0 ? 16 : lv->cap * 2;
		lv->subdirs = xreallocarray(
		    lv->subdirs, lv->cap, sizeof(*lv->subdirs));
	}
	lv->subdirs[lv->n++] = xstrdup(name);
}

size_t *
dirwalk_count(struct dirwalk *w)
{
	return &w->levels[w->depth - 1].count;
}

const char *
dirwalk_path(const struct dirwalk *w)
{
	return w->path;
}

/*
 * The next subdirectory of the level the walk is in, open on *cfd and
 * described by st: 1; 0 when it is to be passed over; -1 to stop.
 */
static int
dirwalk_open_next(
    struct dirwalk *w, int fd, const char *name, int *cfd, struct stat *st)
{
	int r, saved;

	if ((*cfd = openat(fd, name, DIRWALK_FLAGS)) != -1 &&
	    fstat(*cfd, st) == -1) {
		saved = errno;
		close(*cfd);
		*cfd = -1;
		errno = saved;
	}
	if (*cfd == -1) {
		/* Removed or replaced by a non-directory since it was
		 * read, unless the caller says otherwise. */
		if (w->ops->unopened != NULL)
			return w->ops->unopened(w, name, w->arg) == 0 ? 0 : -1;
		return errno == ENOENT || errno == ENOTDIR || errno == ELOOP ?
		    0 :
		    -1;
	}
	if (w->ops->check == NULL ||
	    (r = w->ops->check(w, *cfd, name, w->arg)) == 1)
		return 1;
	close(*cfd);
	*cfd = -1;
	return r == 0 ? 0 : -1;
}

/*
 * Back from the level just done (its count added to its parent's) to
 * the parent through "..", checked: the new descriptor in *fd.
 */
static int
dirwalk_up(struct dirwalk *w, int *fd)
{
	const struct dirwalk_level *lv = &w->levels[w->depth - 1];
	struct stat st;
	int cfd, err;

	if ((cfd = openat(*fd, "..", DIRWALK_FLAGS)) == -1 ||
	    fstat(cfd, &st) == -1 || st.st_dev != lv->dev ||
	    st.st_ino != lv->ino) {
		err = cfd == -1 ? errno : 0;
		if (cfd != -1)
			close(cfd);
		if (w->ops->moved != NULL)
			w->ops->moved(w, err, w->arg);
		errno = err;
		return -1;
	}
	close(*fd);
	*fd = cfd;
	w->pathlen = lv->pathlen;
	w->path[w->pathlen] = '\0';
	return 0;
}

int
dirwalk_run(int fd, const char *path, const struct dirwalk_ops *ops, void *arg,
    size_t *count)
{
	struct dirwalk w;
	struct dirwalk_level *lv;
	struct stat st;
	size_t top = 0, done;
	const char *name;
	int cfd, rc = -1, r, saved;

	memset(&w, 0, sizeof(w));
	w.ops = ops;
	w.arg = arg;
	w.pathlen = strlen(path);
	w.pathcap = w.pathlen + 1;
	w.path = xstrdup(path);
	if (fstat(fd, &st) == -1 || dirwalk_enter(&w, fd, &st) == -1)
		goto out;
	while (w.depth > 0) {
		lv = &w.levels[w.depth - 1];
		if (lv->next < lv->n) {
			name = lv->subdirs[lv->next++];
			if ((r = dirwalk_open_next(&w, fd, name, &cfd, &st)) ==
			    -1)
				goto out;
			if (r == 0)
				continue;
			close(fd);
			fd = cfd;
			dirwalk_path_push(&w, name);
			if (dirwalk_enter(&w, fd, &st) == -1)
				goto out;
			continue;
		}
		/* Done with this level: its count goes to its parent's. */
		done = lv->count;
		dirwalk_level_free(lv);
		if (--w.depth == 0) {
			top = done;
			break;
		}
		w.levels[w.depth - 1].count += done;
		if (dirwalk_up(&w, &fd) == -1)
			goto out;
		lv = &w.levels[w.depth - 1];
		if (ops->done != NULL &&
		    ops->done(&w, fd, lv->subdirs[lv->next - 1], done, arg) ==
			-1)
			goto out;
	}
	rc = 0;
out:
	saved = errno;
	while (w.depth > 0) {
		top += w.levels[w.depth - 1].count;
		dirwalk_level_free(&w.levels[--w.depth]);
	}
	if (count != NULL)
		*count = top;
	close(fd);
	free(w.levels);
	free(w.path);
	errno = saved;
	return rc;
}
