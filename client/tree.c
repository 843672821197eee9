/*
 * tree.c: walking directory trees for get -r and put -r: remote by LIST,
 * a level's listings pipelined; local by readdir, without following
 * symbolic links.
 *
 * Runs as: the user, in mftp.  Names in a remote listing are untrusted:
 * each must be a single path component before it is joined to a local
 * path.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "partial.h"
#include "proto.h"
#include "rpc.h"
#include "tree.h"
#include "util.h"
#include "words.h"
#include "xfer.h"
#include "xfer_local.h"

/* LIST requests in flight at most. */
#define TREE_WINDOW 32

int
tree_name_ok(const char *name)
{
	return *name != '\0' && strcmp(name, ".") != 0 &&
	    strcmp(name, "..") != 0 && strchr(name, '/') == NULL;
}

static void
tree_add(struct tree *t, char *path, const struct msg_attr *attr)
{
	t->v = xreallocarray(t->v, t->n + 1, sizeof(*t->v));
	t->v[t->n].path = path;
	t->v[t->n].attr = *attr;
	t->n++;
	t->bytes += sizeof(*t->v) + strlen(path) + 1;
}

void
tree_free(struct tree *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i].path);
	free(t->v);
	t->v = NULL;
	t->n = 0;
	t->bytes = 0;
}

/*
 * A name ending in .mftp-part: on the server, an upload in progress
 * (another session may still be writing it), not a file to fetch; here,
 * one of mftp's parts (xfer_part.h) or such a partial fetched before,
 * which the server would refuse the name of.  Neither is sent.
 */
#define TREE_PARTIAL_WHY \
	"a partial transfer (names ending in " PARTIAL_SUFFIX " are mftp's)"

static int
tree_ends(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix);

	return n > k && strcmp(name + n - k, suffix) == 0;
}

static int
tree_partial(const char *name)
{
	return tree_ends(name, PARTIAL_SUFFIX);
}

/* Here, the resume record of one (.X.mftp-part.key: xfer_part.h). */
static int
tree_partial_record(const char *name)
{
	return *name == '.' && tree_ends(name, PARTIAL_SUFFIX ".key");
}

/* A skipped entry, named by top/path, quoted as ls would. */
static void
tree_skip(const char *top, const char *path, const char *why)
{
	char *full = cmd_join(top, path), *q = words_quote(full);

	cmd_note("skipping %s: %s", q, why);
	free(q);
	free(full);
}

void
tree_gone(struct cmd_ctx *ctx, const char *path)
{
	char *q = words_quote(path);

	cmd_note("skipping %s: %s", q, TREE_GONE);
	if (ctx->gone++ == 0)
		ctx->gone_first = q;
	else
		free(q);
}

int
tree_gone_end(struct cmd_ctx *ctx, int r)
{
	if (r == 0 && ctx->gone == 1)
		r = cmd_fail(ctx,
		    "%s was removed before it could be sent, and is not on "
		    "the server; the rest was sent",
		    ctx->gone_first);
	else if (r == 0 && ctx->gone > 1)
		r = cmd_fail(ctx,
		    "%zu files or directories were removed before they could "
		    "be sent, and are not on the server (the first: %s); the "
		    "rest was sent",
		    ctx->gone, ctx->gone_first);
	ctx->gone = 0;
	free(ctx->gone_first);
	ctx->gone_first = NULL;
	return r;
}

void
tree_missed(struct cmd_ctx *ctx, const char *path)
{
	/* As the later failures of one pass are printed (xfer.c). */
	cmd_say(ctx, ctx->reason);
	if (ctx->missed++ == 0)
		ctx->missed_first = words_quote(path);
}

int
tree_missed_end(struct cmd_ctx *ctx, int r, const char *done)
{
	if (r == 0 && ctx->missed == 1)
		r = cmd_fail(ctx, "%s was not %s; the rest was",
		    ctx->missed_first, done);
	else if (r == 0 && ctx->missed > 1)
		r = cmd_fail(ctx,
		    "%zu files or directories were not %s (the first: %s); "
		    "the rest was",
		    ctx->missed, done, ctx->missed_first);
	ctx->missed = 0;
	free(ctx->missed_first);
	ctx->missed_first = NULL;
	return r;
}

struct tree_list_arg {
	struct tree *t;
	const char *top;
	const char *rel; /* the directory being listed, relative */
	char *bad;	 /* TREE_BAD: the name */
};

/* tree_list_add's answers: a tree that passed RPC_LIST_MAX entries, a
 * name that is not one component (a->bad). */
#define TREE_FULL 1
#define TREE_BAD 2

int
tree_bad_name(
    struct cmd_ctx *ctx, const char *dir, const char *name, const char *top)
{
	char *qd = words_quote(*dir != '\0' ? dir : "."), *qn;
	char *qt = top != NULL ? words_quote(top) : NULL;
	int r;

	/* '', '.' and '..' quoted, so that they read as the names. */
	if (*name == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		xasprintf(&qn, "'%s'", name);
	else
		qn = words_quote(name);
	r = cmd_fail(ctx,
	    "%s: the server's listing holds the name %s, which is not one "
	    "file name; nothing%s%s was downloaded",
	    qd, qn, qt != NULL ? " of " : "", qt != NULL ? qt : "");
	free(qd);
	free(qn);
	free(qt);
	return r;
}

static int
tree_list_add(void *arg, const struct msg_entry *e)
{
	struct tree_list_arg *a = arg;
	char *path;

	/* A server can claim a tree without end: it is held in memory. */
	if (a->t->n >= RPC_LIST_MAX || a->t->bytes >= TREE_BYTES_MAX)
		return TREE_FULL;
	/* One that could lead a download out of its directory. */
	if (!tree_name_ok(e->name)) {
		a->bad = xstrdup(e->name);
		return TREE_BAD;
	}
	path = cmd_join(a->rel, e->name);
	if (e->attr.kind == MFTP_KIND_LINK)
		tree_skip(a->top, path, "symbolic link, not followed");
	else if (e->attr.kind == MFTP_KIND_FILE && tree_partial(e->name))
		tree_skip(a->top, path, TREE_PARTIAL_WHY);
	else if (e->attr.kind != MFTP_KIND_FILE &&
	    e->attr.kind != MFTP_KIND_DIR)
		tree_skip(a->top, path, "not a regular file");
	else {
		tree_add(a->t, path, &e->attr);
		return 0;
	}
	free(path);
	return 0;
}

static int
tree_path_cmp(const void *a, const void *b)
{
	return strcmp(((const struct tree_entry *)a)->path,
	    ((const struct tree_entry *)b)->path);
}

/*
 * The entries one listing added (from on): a directory holds no name
 * twice, and a server that says it does would have one download written
 * over another, or, with a directory named twice, a walk that doubles
 * at each level.  Sorted by name; 0, or -1 after cmd_fail().
 */
static int
tree_check_twice(
    struct cmd_ctx *ctx, const char *top, struct tree *t, size_t from)
{
	const char *name, *slash;
	char *dir, *qd, *qn, *qt;
	size_t i;

	qsort(t->v + from, t->n - from, sizeof(*t->v), tree_path_cmp);
	for (i = from + 1; i < t->n; i++)
		if (strcmp(t->v[i - 1].path, t->v[i].path) == 0)
			break;
	if (i >= t->n)
		return 0;
	slash = strrchr(t->v[i].path, '/');
	name = slash != NULL ? slash + 1 : t->v[i].path;
	dir = slash != NULL ? cmd_join(top, t->v[i].path) : xstrdup(top);
	if (slash != NULL)
		dir[strlen(dir) - strlen(name) - 1] = '\0';
	qd = words_quote(dir);
	qn = words_quote(name);
	qt = words_quote(top);
	cmd_fail(ctx,
	    "%s: the server's listing names %s twice; nothing of %s was "
	    "downloaded",
	    qd, qn, qt);
	free(qd);
	free(qn);
	free(qt);
	free(dir);
	return -1;
}

/*
 * The listing of top/rel into t.  With failed set (an earlier one
 * failed), it is only read, to stay in step.  A directory below top
 * (or top itself, with each) whose listing the server refuses on its
 * own (xfer_refused_alone: permission denied, removed since) is said
 * and counted (tree_missed), and what it holds left out; it is still
 * made.  0, or -1 after cmd_fail().
 */
static int
tree_recv(struct cmd_ctx *ctx, const char *top, const char *rel, struct tree *t,
    int failed, int each)
{
	struct tree_list_arg a = { t, top, rel, NULL };
	size_t mark = t->n;
	char *path = *rel != '\0' ? cmd_join(top, rel) : xstrdup(top), *q;
	int e, r = -1;

	e = rpc_list_recv(ctx->rpc, tree_list_add, &a);
	if (failed)
		;
	else if (e == RPC_OK)
		r = tree_check_twice(ctx, top, t, mark);
	else if (e == TREE_BAD)
		tree_bad_name(ctx, path, a.bad, top);
	else if (e == RPC_SERVER && (*rel != '\0' || each) &&
	    xfer_refused_alone(ctx)) {
		cmd_rpc_fail(ctx, path);
		tree_missed(ctx, path);
		while (t->n > mark) {
			t->n--;
			t->bytes -= sizeof(*t->v) + strlen(t->v[t->n].path) + 1;
			free(t->v[t->n].path);
		}
		r = 0;
	} else if (e == TREE_FULL) {
		q = words_quote(top);
		cmd_fail(ctx,
		    "%s: the server listed more below it than mftp takes at "
		    "once (%d entries, %d MiB of paths); nothing of it was "
		    "downloaded",
		    q, RPC_LIST_MAX, TREE_BYTES_MAX >> 20);
		free(q);
	} else
		cmd_rpc_fail(ctx, path);
	free(a.bad);
	free(path);
	return r;
}

int
tree_remote(struct cmd_ctx *ctx, const char *top, struct tree *t, int each)
{
	size_t *level = NULL, nlevel = 0, from, i, sent, got, before;
	const char *rel;
	char *path;
	int e, failed = 0;

	t->v = NULL;
	t->n = 0;
	t->bytes = 0;
	/* Level 0 is the top itself, named by SIZE_MAX. */
	level = xreallocarray(level, 1, sizeof(*level));
	level[nlevel++] = SIZE_MAX;
	while (nlevel > 0 && !failed) {
		before = t->n;
		for (from = 0; from < nlevel && !failed; from += TREE_WINDOW) {
			for (sent = from;
			     sent < nlevel && sent < from + TREE_WINDOW;
			     sent++) {
				path = level[sent] == SIZE_MAX ?
				    xstrdup(top) :
				    cmd_join(top, t->v[level[sent]].path);
				e = rpc_list_send(ctx->rpc, path);
				free(path);
				if (e != RPC_OK)
					break;
			}
			for (got = from; got < sent; got++) {
				rel = level[got] == SIZE_MAX ?
				    "" :
				    t->v[level[got]].path;
				if (tree_recv(ctx, top, rel, t, failed, each) ==
				    -1)
					failed = 1;
			}
			if (sent < from + TREE_WINDOW && sent < nlevel &&
			    !failed) {
				failed = 1;
				cmd_rpc_fail(ctx, top);
			}
		}
		/* The next level: the directories this one held. */
		nlevel = 0;
		for (i = before; i < t->n; i++) {
			if (t->v[i].attr.kind != MFTP_KIND_DIR)
				continue;
			level = xreallocarray(
			    level, nlevel + 1, sizeof(*level));
			level[nlevel++] = i;
		}
	}
	free(level);
	return failed ? -1 : 0;
}

/*
 * The local directory top/rel (top open on topfd) into t; 0, -1 after
 * cmd_fail(), or 1 when rel (not the top) is left out: removed since
 * its parent was read (tree_gone), or it cannot be opened here (no
 * permission: said and counted, tree_missed), with all below it.
 */
static int
tree_local_dir(struct cmd_ctx *ctx, const char *top, int topfd, const char *rel,
    struct tree *t)
{
	struct msg_attr attr;
	struct dirent *de;
	struct stat *sts = NULL, st;
	char **names = NULL, *dir, *full, *path;
	int *errs = NULL, fd, e;
	size_t n = 0, i;
	DIR *d = NULL;
	int ret = 0;

	dir = *rel == '\0' ? xstrdup(top) : cmd_join(top, rel);
	fd = *rel == '\0' ?
	    openat(topfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) :
	    xfer_local_open_below(topfd, rel, O_RDONLY | O_DIRECTORY);
	if (fd == -1 || (d = fdopendir(fd)) == NULL) {
		e = errno;
		if (fd != -1)
			close(fd);
		ret = -1;
		/* Removed since its parent was read: left out (1). */
		if (e == ENOENT && *rel != '\0') {
			tree_gone(ctx, dir);
			ret = 1;
		} else if (*rel != '\0' && (e == ELOOP || e == ENOTDIR))
			cmd_fail(ctx, "%s: %s", dir, TREE_SWAPPED);
		else {
			cmd_fail(ctx, "%s: %s", dir, strerror(e));
			/* Unreadable, as a file: the rest is still sent. */
			if (*rel != '\0') {
				tree_missed(ctx, dir);
				ret = 1;
			}
		}
		free(dir);
		return ret;
	}
	/*
	 * Read it all first, each entry's lstat too, in the directory as
	 * opened: no descriptor stays open while recursing.
	 */
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		names = xreallocarray(names, n + 1, sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	if (errno != 0)
		ret = cmd_fail(ctx, "%s: %s", dir, strerror(errno));
	sts = xreallocarray(NULL, n + 1, sizeof(*sts));
	errs = xreallocarray(NULL, n + 1, sizeof(*errs));
	for (i = 0; i < n && ret == 0; i++)
		errs[i] = fstatat(dirfd(d), names[i], &sts[i],
			      AT_SYMLINK_NOFOLLOW) == -1 ?
		    errno :
		    0;
	closedir(d);
	for (i = 0; i < n && ret == 0; i++) {
		path = cmd_join(rel, names[i]);
		full = cmd_join(top, path);
		st = sts[i];
		if (errs[i] != 0) {
			/* Removed since the readdir: left out, as lls does. */
			if (errs[i] == ENOENT)
				tree_gone(ctx, full);
			else
				ret = cmd_fail(
				    ctx, "%s: %s", full, strerror(errs[i]));
			free(path);
		} else if (S_ISLNK(st.st_mode)) {
			tree_skip(top, path, "symbolic link, not followed");
			free(path);
		} else if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
			tree_skip(top, path, "not a regular file");
			free(path);
		} else if (S_ISREG(st.st_mode) &&
		    (tree_partial(names[i]) || tree_partial_record(names[i]))) {
			tree_skip(top, path, TREE_PARTIAL_WHY);
			free(path);
		} else {
			memset(&attr, 0, sizeof(attr));
			attr.kind = S_ISDIR(st.st_mode) ? MFTP_KIND_DIR :
							  MFTP_KIND_FILE;
			attr.mode = st.st_mode & 07777;
			attr.size = (uint64_t)st.st_size;
			attr.mtime = st.st_mtime;
			tree_add(t, path, &attr);
			if (S_ISDIR(st.st_mode) &&
			    (ret = tree_local_dir(ctx, top, topfd, path, t)) ==
				1) {
				/* Left out: not made on the server either. */
				t->n--;
				t->bytes -= sizeof(*t->v) + strlen(path) + 1;
				free(path);
				ret = 0;
			}
		}
		free(full);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(sts);
	free(errs);
	free(dir);
	return ret;
}

int
tree_local(struct cmd_ctx *ctx, const char *top, int topfd, struct tree *t)
{
	t->v = NULL;
	t->n = 0;
	t->bytes = 0;
	return tree_local_dir(ctx, top, topfd, "", t);
}
