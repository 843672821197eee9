/*
 * cmd_get_tree.c: get -r and reget -r, whole remote trees (empty
 * directories included) into a local directory, and the directories
 * mget -r matched: each local directory made and opened in the one
 * above it, each file saved in its directory's descriptor.  A file or
 * directory that fails on its own is said and left out, and the rest
 * still comes; the command then fails, naming it (tree_missed_end).
 *
 * Runs as: the user, in mftp.  Remote names reach local paths only after
 * tree_name_ok() said they are single components.
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "proto.h"
#include "rpc.h"
#include "tree.h"
#include "util.h"
#include "xfer.h"
#include "xfer_local.h"

/*
 * The directory rel ("a/b") of the tree get -r saves as local, whose
 * descriptor is top: each component made if it is not there (the last
 * with mode, others 0700) and opened by xfer_local_dir in the one
 * above it, so that no directory of the way is looked up by its name
 * after it was checked.  The descriptor, or -1 after cmd_fail().
 */
static int
cmd_local_walk(struct cmd_ctx *ctx, int top, const char *local, const char *rel,
    uint32_t mode)
{
	const char *c = rel, *e;
	char *name, *head, *shown;
	int fd = top, next, err;

	for (;;) {
		e = strchrnul(c, '/');
		xasprintf(&name, "%.*s", (int)(e - c), c);
		xasprintf(&head, "%.*s", (int)(e - rel), rel);
		shown = cmd_join(local, head);
		next = xfer_local_dir(ctx, fd, name, shown,
		    *e == '\0' ? (mode & 0777) | 0700 : 0700);
		err = errno; /* why it failed: EMFILE waits (cmd_get_files) */
		free(name);
		free(head);
		free(shown);
		if (fd != top)
			close(fd);
		errno = err;
		if (next == -1 || *e == '\0')
			return next;
		fd = next;
		c = e + 1;
	}
}

/*
 * Files downloaded together, and directories held open for them: at
 * most a quarter of the descriptors this process may have, the rest
 * being for the parts of the GETs in flight (xfer.c).
 */
#define CMD_GET_BATCH 256
#define CMD_GET_DIRS 64

static size_t
cmd_get_dirs_max(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 ||
	    rl.rlim_cur / 4 >= CMD_GET_DIRS)
		return CMD_GET_DIRS;
	return rl.rlim_cur >= 8 ? (size_t)rl.rlim_cur / 4 : 1;
}

/*
 * The directories of a tree that get -r could not make or open, so that
 * what is below them is left out with them: bad, a flag for each entry
 * of t; dirs, t's directories sorted by path, where the directory an
 * entry is in is looked up.
 */
struct cmd_dir_ref {
	const char *path;
	size_t at; /* its index in t */
};

struct cmd_get_bad {
	const struct tree *t;
	bool *bad;
	struct cmd_dir_ref *dirs;
	size_t ndirs;
};

static int
cmd_dir_ref_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cmd_dir_ref *)a)->path,
	    ((const struct cmd_dir_ref *)b)->path);
}

static void
cmd_get_bad_init(struct cmd_get_bad *b, const struct tree *t)
{
	size_t i;

	b->t = t;
	b->bad = xcalloc(t->n + 1, sizeof(*b->bad));
	b->dirs = xreallocarray(NULL, t->n + 1, sizeof(*b->dirs));
	b->ndirs = 0;
	for (i = 0; i < t->n; i++)
		if (t->v[i].attr.kind == MFTP_KIND_DIR) {
			b->dirs[b->ndirs].path = t->v[i].path;
			b->dirs[b->ndirs++].at = i;
		}
	qsort(b->dirs, b->ndirs, sizeof(*b->dirs), cmd_dir_ref_cmp);
}

static void
cmd_get_bad_free(struct cmd_get_bad *b)
{
	free(b->bad);
	free(b->dirs);
}

/*
 * Whether entry i of the tree is in a directory left out (and so below
 * one: each directory comes before what it holds, and is marked when
 * the one it is in is).
 */
static bool
cmd_get_bad_in(const struct cmd_get_bad *b, size_t i)
{
	const char *p = b->t->v[i].path, *slash = strrchr(p, '/');
	struct cmd_dir_ref key, *d;
	char *dir;

	if (slash == NULL)
		return false;
	xasprintf(&dir, "%.*s", (int)(slash - p), p);
	key.path = dir;
	d = bsearch(&key, b->dirs, b->ndirs, sizeof(*b->dirs), cmd_dir_ref_cmp);
	free(dir);
	return d != NULL && b->bad[d->at];
}

/*
 * A directory of get -r's tree (rel, of the remote remote; NULL for
 * remote itself) that could not be made or opened: when that was its
 * own failure (not a full disk's, nor for want of a descriptor), it is
 * said and counted (tree_missed), and 0 says the rest goes on without
 * it.
 */
static int
cmd_get_dir_failed(struct cmd_ctx *ctx, const char *remote, const char *rel)
{
	char *path;

	if (xfer_errno_all(errno) || errno == EMFILE || errno == ENFILE)
		return -1;
	path = rel != NULL ? cmd_join(remote, rel) : xstrdup(remote);
	tree_missed(ctx, path);
	free(path);
	return 0;
}

int
cmd_get_flags(const struct cmd_ctx *ctx)
{
	return XFER_GET_EACH |
	    ((ctx->opts & CMD_OPT('c')) ? XFER_GET_FORCE | XFER_GET_SKIP : 0) |
	    (ctx->rerun ? XFER_GET_SKIP : 0);
}

/*
 * The files of t (below remote) into the tree of local (top), a batch
 * at a time: all of a directory's files in one (xfer_get orders the
 * names of one directory among themselves), each file looked up in its
 * directory's descriptor.  A directory that finds no descriptor free
 * waits for the next batch, when the others are closed.  The files of
 * a directory left out (b) are left out too.  A file or directory that
 * fails on its own is said and counted (tree_missed), and the others
 * still come.  0, or -1 after cmd_fail() when going on is pointless.
 */
static int
cmd_get_files(struct cmd_ctx *ctx, int top, const char *remote,
    const char *local, const struct tree *t, const struct cmd_get_bad *b)
{
	struct xfer_item *v = xreallocarray(NULL, t->n + 1, sizeof(*v));
	int *fds = xreallocarray(NULL, t->n + 1, sizeof(*fds));
	size_t i = 0, j, k, n, nfd, dlen, dmax = cmd_get_dirs_max();
	const char *slash, *p;
	char *dir;
	int r = 0, at;

	while (i < t->n && r == 0) {
		n = nfd = 0;
		while (i < t->n && r == 0 && n < CMD_GET_BATCH && nfd < dmax) {
			if (t->v[i].attr.kind == MFTP_KIND_DIR) {
				i++;
				continue;
			}
			/* This file's directory, and the files after in it. */
			p = t->v[i].path;
			slash = strrchr(p, '/');
			dlen = slash != NULL ? (size_t)(slash - p) : 0;
			for (j = i + 1; j < t->n; j++) {
				p = t->v[j].path;
				slash = strrchr(p, '/');
				if ((slash != NULL ? (size_t)(slash - p) : 0) !=
					dlen ||
				    strncmp(p, t->v[i].path, dlen) != 0)
					break;
			}
			if (cmd_get_bad_in(b, i)) {
				i = j;
				continue;
			}
			at = top;
			if (dlen > 0) {
				xasprintf(
				    &dir, "%.*s", (int)dlen, t->v[i].path);
				at = cmd_local_walk(ctx, top, local, dir, 0700);
				if (at == -1 && nfd > 0 &&
				    (errno == EMFILE || errno == ENFILE)) {
					free(dir);
					break;
				}
				/* Made or opened before, failed now: left out. */
				if (at == -1 &&
				    cmd_get_dir_failed(ctx, remote, dir) == 0) {
					free(dir);
					i = j;
					continue;
				}
				free(dir);
				if (at == -1) {
					r = -1;
					break;
				}
				fds[nfd++] = at;
			}
			for (k = i; k < j; k++) {
				if (t->v[k].attr.kind == MFTP_KIND_DIR)
					continue;
				v[n].remote = cmd_join(remote, t->v[k].path);
				v[n].local = cmd_join(local, t->v[k].path);
				v[n].at = at;
				v[n++].attr = t->v[k].attr;
			}
			i = j;
		}
		if (r == 0 && n > 0)
			r = xfer_get(ctx, v, n, cmd_get_flags(ctx));
		for (j = 0; j < n; j++) {
			free(v[j].remote);
			free(v[j].local);
		}
		for (j = 0; j < nfd; j++)
			close(fds[j]);
	}
	free(v);
	free(fds);
	return r;
}

/*
 * Download the remote directory remote (of mode mode) as the local
 * directory local: each directory made and opened in the one above it
 * (cmd_local_walk), then the files, each saved in its directory's
 * descriptor, never through a link put in the tree meanwhile.  A
 * directory that cannot be made or opened is left out with what is
 * below it (cmd_get_dir_failed), and the rest still comes; with each,
 * local itself too.
 */
int
cmd_get_dir(struct cmd_ctx *ctx, const char *remote, const char *local,
    uint32_t mode, int each)
{
	struct cmd_get_bad b;
	struct tree t;
	size_t i;
	int top, fd, r = 0;

	if (tree_remote(ctx, remote, &t, each) == -1) {
		tree_free(&t);
		return -1;
	}
	if ((top = xfer_local_dir(
		 ctx, AT_FDCWD, local, local, (mode & 0777) | 0700)) == -1) {
		tree_free(&t);
		return each ? cmd_get_dir_failed(ctx, remote, NULL) : -1;
	}
	cmd_get_bad_init(&b, &t);
	for (i = 0; i < t.n && r == 0; i++) {
		if (t.v[i].attr.kind != MFTP_KIND_DIR)
			continue;
		if (cmd_get_bad_in(&b, i))
			b.bad[i] = true;
		else if ((fd = cmd_local_walk(ctx, top, local, t.v[i].path,
			      t.v[i].attr.mode)) != -1)
			close(fd);
		else if (cmd_get_dir_failed(ctx, remote, t.v[i].path) == 0)
			b.bad[i] = true;
		else
			r = -1;
	}
	if (r == 0)
		r = cmd_get_files(ctx, top, remote, local, &t, &b);
	cmd_get_bad_free(&b);
	close(top);
	tree_free(&t);
	return r;
}

/*
 * get -r REMOTE [LOCAL]: into LOCAL/BASE if LOCAL is a directory, as
 * decided once for all tries of the command (ctx->dest).
 */
int
cmd_get_tree(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct msg_attr a;
	struct stat st;
	char *base;

	if (rpc_stat(ctx->rpc, argv[1], &a) != RPC_OK)
		return cmd_rpc_fail(ctx, argv[1]);
	if (a.kind != MFTP_KIND_DIR)
		return cmd_fail(ctx, "%s: not a directory", argv[1]);
	if (ctx->dest == NULL) {
		base = cmd_basename(argv[1]);
		if (argc > 2 && base != NULL && !(ctx->opts & CMD_OPT('T')) &&
		    (cmd_into(argv[2]) ||
			(stat(argv[2], &st) == 0 && S_ISDIR(st.st_mode))))
			ctx->dest = cmd_join(argv[2], base);
		else if (argc > 2)
			ctx->dest = xstrdup(argv[2]);
		else
			ctx->dest = base != NULL ? xstrdup(base) : NULL;
		free(base);
	}
	if (ctx->dest == NULL)
		return cmd_fail(ctx,
		    "%s: no directory name to save it under; give LOCAL",
		    argv[1]);
	free(ctx->tree_resume);
	ctx->tree_resume = xfer_resume_cmd("reget -rT", argv[1], ctx->dest);
	return tree_missed_end(
	    ctx, cmd_get_dir(ctx, argv[1], ctx->dest, a.mode, 0), "downloaded");
}
