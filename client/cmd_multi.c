/*
 * cmd_multi.c: commands that move many files: put -r (whole trees,
 * empty directories included), mget and mput (globs); get -r is in
 * cmd_get_tree.c.
 *
 * Runs as: the user, in mftp.  Remote names reach local paths only after
 * tree_name_ok() said they are single components.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "intr.h"
#include "proto.h"
#include "rpc.h"
#include "tree.h"
#include "util.h"
#include "words.h"
#include "xfer.h"
#include "xfer_kept.h"
#include "xfer_local.h"

/* "PATH: exists on the server and is not a directory": -1. */
static int
cmd_not_remote_dir(struct cmd_ctx *ctx, const char *path)
{
	char *p = words_printable(path);
	int r;

	r = cmd_fail(ctx, "%s: exists on the server and is not a directory", p);
	free(p);
	return r;
}

/*
 * MKDIR of put -r's top: made, or a directory already there (STAT).
 * Anything else there fails the command before a file is tried.
 */
static int
cmd_remote_mkdir(struct cmd_ctx *ctx, const char *path, uint32_t mode)
{
	struct msg_attr a;

	if (rpc_mkdir(ctx->rpc, path, mode) == RPC_OK)
		return 0;
	if (rpc_lost(ctx->rpc) || rpc_code(ctx->rpc) != MFTP_ST_EXISTS)
		return cmd_rpc_fail(ctx, path);
	if (rpc_stat(ctx->rpc, path, &a) != RPC_OK)
		return cmd_rpc_fail(ctx, path);
	return a.kind == MFTP_KIND_DIR ? 0 : cmd_not_remote_dir(ctx, path);
}

/*
 * MKDIR of a subdirectory of put -r, from the local directory local:
 * 0 when it is there, made or already a directory (STAT, only when the
 * name exists); 1 when the server refused it on its own (permission
 * denied in its parent, a file of its name in the way, an invalid name:
 * xfer_put_refused_alone), said and counted (tree_missed), what is
 * below it to be left out; -1 after cmd_fail(): the quota, the
 * server's disk, the session lost, Ctrl-C.
 */
static int
cmd_put_subdir(
    struct cmd_ctx *ctx, const char *path, uint32_t mode, const char *local)
{
	struct msg_attr a;

	if (rpc_mkdir(ctx->rpc, path, mode) == RPC_OK)
		return 0;
	if (!rpc_lost(ctx->rpc) && rpc_code(ctx->rpc) == MFTP_ST_EXISTS) {
		if (rpc_stat(ctx->rpc, path, &a) != RPC_OK) {
			if (!xfer_put_refused_alone(ctx))
				return cmd_rpc_fail(ctx, path);
			cmd_rpc_fail(ctx, path);
		} else if (a.kind == MFTP_KIND_DIR)
			return 0;
		else
			(void)cmd_not_remote_dir(ctx, path);
	} else if (!xfer_put_refused_alone(ctx))
		return cmd_rpc_fail(ctx, path);
	else
		cmd_rpc_fail(ctx, path);
	tree_missed(ctx, local);
	return 1;
}

/* Whether path is below one of the n directories in left. */
static bool
cmd_put_below(const char *path, char *const *left, size_t n)
{
	size_t i, l;

	for (i = 0; i < n; i++) {
		l = strlen(left[i]);
		if (strncmp(path, left[i], l) == 0 && path[l] == '/')
			return true;
	}
	return false;
}

bool
cmd_put_skips(const struct cmd_ctx *ctx)
{
	return (ctx->opts & CMD_OPT('c')) != 0 || ctx->rerun;
}

/*
 * cmd_put_skips: done[i] set for each file of t (below top, to go
 * below remote) that is already whole on the server; those of the
 * directories in left are not looked at.  0, or -1 after cmd_fail().
 */
static int
cmd_put_dir_done(struct cmd_ctx *ctx, int top, const char *remote,
    const struct tree *t, char *const *left, size_t nleft, char *done)
{
	struct xfer_item *v = xreallocarray(NULL, t->n + 1, sizeof(*v));
	size_t *at = xreallocarray(NULL, t->n + 1, sizeof(*at));
	char *same;
	size_t i, k = 0;
	int r;

	for (i = 0; i < t->n; i++) {
		if (t->v[i].attr.kind == MFTP_KIND_DIR ||
		    cmd_put_below(t->v[i].path, left, nleft))
			continue;
		memset(&v[k], 0, sizeof(v[k]));
		v[k].remote = cmd_join(remote, t->v[i].path);
		v[k].local = xstrdup(t->v[i].path);
		v[k].at = top;
		v[k].attr.size = t->v[i].attr.size;
		at[k++] = i;
	}
	same = xcalloc(k + 1, 1);
	r = xfer_put_complete(ctx, v, k, same);
	for (i = 0; i < k; i++)
		done[at[i]] = same[i];
	free(same);
	free(at);
	xfer_items_free(v, k);
	return r;
}

/*
 * Upload the local directory local as the remote directory remote: the
 * directories first (parents before children, as the tree lists them),
 * then the files through one upload queue, small ones pipelined.  A
 * subdirectory the server refuses on its own is left out with all that
 * is below it (cmd_put_subdir), and the rest still goes.  A file
 * already whole on the server is not sent again when cmd_put_skips.
 */
static int
cmd_put_dir(
    struct cmd_ctx *ctx, const char *local, const char *remote, mode_t mode)
{
	struct xfer_putq *q;
	struct tree t;
	char *from, *to, **left, *done;
	size_t i, nleft = 0;
	int r, qr, top;

	/* Read, and its files opened, by this descriptor (tree_local). */
	if ((top = open(local, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return cmd_fail(ctx, "%s: %s", local, strerror(errno));
	if (tree_local(ctx, local, top, &t) == -1) {
		close(top);
		tree_free(&t);
		return -1;
	}
	left = xreallocarray(NULL, t.n ? t.n : 1, sizeof(*left));
	/* Owner rwx, so the files can go in whatever the local mode. */
	r = cmd_remote_mkdir(ctx, remote, (mode & 0777) | 0700);
	for (i = 0; i < t.n && r == 0; i++) {
		if (t.v[i].attr.kind != MFTP_KIND_DIR ||
		    cmd_put_below(t.v[i].path, left, nleft))
			continue;
		to = cmd_join(remote, t.v[i].path);
		from = cmd_join(local, t.v[i].path);
		r = cmd_put_subdir(
		    ctx, to, (t.v[i].attr.mode & 0777) | 0700, from);
		if (r == 1) {
			left[nleft++] = t.v[i].path;
			r = 0;
		}
		free(from);
		free(to);
	}
	done = xcalloc(t.n + 1, 1);
	if (r == 0 && cmd_put_skips(ctx))
		r = cmd_put_dir_done(ctx, top, remote, &t, left, nleft, done);
	/* Ctrl-C between two files stops it with its line (xfer_putq). */
	intr_transfer(1);
	q = xfer_putq_new(ctx);
	for (i = 0; i < t.n && r == 0; i++) {
		if (t.v[i].attr.kind == MFTP_KIND_DIR || done[i] ||
		    cmd_put_below(t.v[i].path, left, nleft))
			continue;
		to = cmd_join(remote, t.v[i].path);
		from = cmd_join(local, t.v[i].path);
		r = xfer_putq_add_at(q, top, t.v[i].path, from, to);
		free(from);
		free(to);
	}
	qr = xfer_putq_free(q);
	intr_transfer(0);
	free(done);
	free(left);
	close(top);
	tree_free(&t);
	return r == 0 ? qr : r;
}

/*
 * put -r LOCAL [REMOTE]: into REMOTE/BASE if REMOTE is a directory or
 * ends with a slash (not with -T), as decided once for all tries of the
 * command (ctx->dest).
 */
int
cmd_put_tree(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct msg_attr a;
	struct stat st;
	char *base;
	int e;

	if (stat(argv[1], &st) == -1)
		return cmd_fail(ctx, "%s: %s", argv[1], strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return cmd_fail(ctx, "%s: not a directory", argv[1]);
	if (ctx->dest == NULL) {
		base = cmd_basename(argv[1]);
		if (argc > 2 && base != NULL && !(ctx->opts & CMD_OPT('T')) &&
		    cmd_into(argv[2]))
			ctx->dest = cmd_join(argv[2], base);
		else if (argc > 2 && base != NULL &&
		    !(ctx->opts & CMD_OPT('T'))) {
			if ((e = rpc_stat(ctx->rpc, argv[2], &a)) == RPC_LOST) {
				free(base);
				return cmd_rpc_fail(ctx, argv[2]);
			}
			ctx->dest = e == RPC_OK && a.kind == MFTP_KIND_DIR ?
			    cmd_join(argv[2], base) :
			    xstrdup(argv[2]);
		} else if (argc > 2)
			ctx->dest = xstrdup(argv[2]);
		else
			ctx->dest = base != NULL ? xstrdup(base) : NULL;
		free(base);
	}
	if (ctx->dest == NULL)
		return cmd_fail(ctx,
		    "%s: no directory name to store it under; give REMOTE",
		    argv[1]);
	free(ctx->tree_resume);
	ctx->tree_resume = xfer_resume_cmd("reput -rT", argv[1], ctx->dest);
	return tree_gone_end(ctx,
	    tree_missed_end(ctx,
		cmd_put_dir(ctx, argv[1], ctx->dest, st.st_mode), "uploaded"));
}

/*
 * One name that mget or mput saves something under: to, the name; from,
 * what is saved (for the message); same, what says that two of them are
 * one file (mget: the remote path without "." parts and doubled
 * slashes; mput: the local device and inode); at, its index in the
 * caller's list.
 */
struct cmd_dest {
	const char *to;
	const char *from;
	char *same;
	size_t at;
};

/* The remote path p without "." components and doubled or trailing
 * slashes ("./a//b/" is "a/b"): two ways of naming one path compare
 * equal.  ".." stays, as a link before it may lead anywhere. */
static char *
cmd_path_key(const char *p)
{
	char *k = xmalloc(strlen(p) + 2), *o = k;
	const char *c = p, *e;

	if (*p == '/')
		*o++ = '/';
	for (; *c != '\0'; c = e) {
		while (*c == '/')
			c++;
		for (e = c; *e != '\0' && *e != '/'; e++)
			;
		if (e == c || (e - c == 1 && *c == '.'))
			continue;
		if (o > k && o[-1] != '/')
			*o++ = '/';
		memcpy(o, c, (size_t)(e - c));
		o += e - c;
	}
	if (o == k)
		*o++ = '.';
	*o = '\0';
	return k;
}

static int
cmd_dest_cmp(const void *a, const void *b)
{
	const struct cmd_dest *x = a, *y = b;
	int c = strcmp(x->to, y->to);

	return c != 0 ? c : strcmp(x->same, y->same);
}

/*
 * Before anything moves: two different files saved under one name would
 * leave only the later (and replace what was there), so that fails,
 * naming both.  The same file named twice is kept once: dup[at] is set
 * for each repeat.  Frees the keys.  0, or -1 with the reason in ctx.
 */
static int
cmd_dests_check(struct cmd_ctx *ctx, const char *verb, struct cmd_dest *d,
    size_t n, bool *dup)
{
	const struct cmd_dest *x, *y;
	char *qa, *qb, *qt;
	size_t i;
	int r = 0;

	qsort(d, n, sizeof(*d), cmd_dest_cmp);
	for (i = 1; i < n && r == 0; i++) {
		if (strcmp(d[i - 1].to, d[i].to) != 0)
			continue;
		if (strcmp(d[i - 1].same, d[i].same) == 0) {
			dup[d[i].at] = true;
			continue;
		}
		x = strcmp(d[i - 1].from, d[i].from) < 0 ? &d[i - 1] : &d[i];
		y = x == &d[i] ? &d[i - 1] : &d[i];
		qa = words_quote(x->from);
		qb = words_quote(y->from);
		qt = words_quote(x->to);
		r = cmd_fail(ctx,
		    "%s and %s would both be saved as %s; %s them one at a time",
		    qa, qb, qt, verb);
		free(qa);
		free(qb);
		free(qt);
	}
	for (i = 0; i < n; i++)
		free(d[i].same);
	return r;
}

struct cmd_match {
	const char *pattern;
	const char *dir; /* the pattern's directory part, "" for none */
	struct xfer_item *files;
	size_t nfiles;
	char **dirs;	  /* matching directories, for mget -r */
	uint32_t *dmodes; /* their modes */
	size_t ndirs;
	size_t matched;
	char *bad; /* a name that is not one component: the listing fails */
};

static int
cmd_match_add(void *arg, const struct msg_entry *e)
{
	struct cmd_match *m = arg;
	const char *slash = strrchr(m->pattern, '/');
	const char *glob = slash != NULL ? slash + 1 : m->pattern;
	char *q, *path;

	/* A server that sends one is broken or hostile (tree_bad_name). */
	if (!tree_name_ok(e->name)) {
		m->bad = xstrdup(e->name);
		return 1;
	}
	if (fnmatch(glob, e->name, FNM_PERIOD) != 0)
		return 0;
	m->matched++;
	if (e->attr.kind == MFTP_KIND_DIR) {
		m->dirs = xreallocarray(m->dirs, m->ndirs + 1, sizeof(char *));
		m->dmodes = xreallocarray(
		    m->dmodes, m->ndirs + 1, sizeof(*m->dmodes));
		m->dmodes[m->ndirs] = e->attr.mode;
		m->dirs[m->ndirs++] = cmd_join(m->dir, e->name);
	} else if (e->attr.kind == MFTP_KIND_FILE) {
		m->files = xreallocarray(
		    m->files, m->nfiles + 1, sizeof(*m->files));
		m->files[m->nfiles].remote = cmd_join(m->dir, e->name);
		m->files[m->nfiles].local = xstrdup(e->name);
		m->files[m->nfiles].at = AT_FDCWD;
		m->files[m->nfiles++].attr = e->attr;
	} else {
		/* By its path, as get -r names what it skips. */
		path = cmd_join(m->dir, e->name);
		q = words_quote(path);
		cmd_note("skipping %s: %s", q,
		    e->attr.kind == MFTP_KIND_LINK ?
			"symbolic link, not followed" :
			"not a regular file");
		free(q);
		free(path);
	}
	return 0;
}

static int
cmd_item_cmp(const void *a, const void *b)
{
	const struct xfer_item *x = a, *y = b;

	return strcmp(x->remote, y->remote);
}

/*
 * The names mget saves under: each file's, and with -r each directory's.
 * Fails on a clash; drops a file or directory matched twice.
 */
static int
cmd_mget_names(struct cmd_ctx *ctx, struct cmd_match *m, bool recursive)
{
	const size_t nf = m->nfiles, nd = recursive ? m->ndirs : 0;
	struct cmd_dest *d = xreallocarray(NULL, nf + nd + 1, sizeof(*d));
	bool *dup = xreallocarray(NULL, nf + nd + 1, sizeof(*dup));
	char **base = xreallocarray(NULL, nd + 1, sizeof(*base));
	size_t i, k;
	int r;

	for (i = 0; i < nf; i++) {
		d[i].to = m->files[i].local;
		d[i].from = m->files[i].remote;
		d[i].same = cmd_path_key(m->files[i].remote);
		d[i].at = i;
	}
	for (k = 0; k < nd; k++) {
		/* Listed names are single components: never NULL. */
		d[nf + k].to = base[k] = cmd_basename(m->dirs[k]);
		d[nf + k].from = m->dirs[k];
		d[nf + k].same = cmd_path_key(m->dirs[k]);
		d[nf + k].at = nf + k;
	}
	memset(dup, 0, (nf + nd + 1) * sizeof(*dup));
	r = cmd_dests_check(ctx, "get", d, nf + nd, dup);
	for (i = k = 0; i < nf; i++) {
		if (!dup[i])
			m->files[k++] = m->files[i];
		else {
			free(m->files[i].remote);
			free(m->files[i].local);
		}
	}
	m->nfiles = k;
	for (i = k = 0; i < m->ndirs; i++) {
		if (i < nd && dup[nf + i])
			free(m->dirs[i]);
		else {
			m->dmodes[k] = m->dmodes[i];
			m->dirs[k++] = m->dirs[i];
		}
	}
	m->ndirs = k;
	for (k = 0; k < nd; k++)
		free(base[k]);
	free(base);
	free(dup);
	free(d);
	return r;
}

/*
 * mget [-cr] PATTERN...: each pattern's last component is matched
 * against a listing of its directory (a leading dot only by a dot), and
 * the files come into the local working directory under their names.
 */
int
cmd_mget(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct cmd_match m;
	const char *slash;
	char *dir, *q, *base;
	size_t i;
	int k, r = 0, none;

	memset(&m, 0, sizeof(m));
	free(ctx->tree_resume);
	ctx->tree_resume = xfer_resume_args(
	    (ctx->opts & CMD_OPT('r')) ? "mget -cr" : "mget -c", argc, argv);
	for (k = 1; k < argc && r == 0; k++) {
		m.pattern = argv[k];
		m.matched = 0;
		slash = strrchr(argv[k], '/');
		if (slash == NULL)
			dir = xstrdup("");
		else /* "/x*" lists "/", "a/x*" lists "a" */
			xasprintf(&dir, "%.*s",
			    (int)(slash - argv[k]) + (slash == argv[k]),
			    argv[k]);
		m.dir = dir;
		if (slash != NULL && slash[1] == '\0')
			r = cmd_fail(ctx, "%s: no file name pattern", argv[k]);
		else if (rpc_list(ctx->rpc, dir, cmd_match_add, &m) != RPC_OK)
			r = m.bad != NULL && !rpc_lost(ctx->rpc) ?
			    tree_bad_name(ctx, dir, m.bad, NULL) :
			    cmd_rpc_fail(ctx, *dir != '\0' ? dir : ".");
		else if (m.matched == 0)
			r = cmd_fail(ctx, "%s: no match", argv[k]);
		free(dir);
	}
	qsort(m.files, m.nfiles, sizeof(*m.files), cmd_item_cmp);
	/* Skipped, each with its note: a script must not take it for done. */
	none = r == 0 && m.nfiles == 0 &&
	    (m.ndirs == 0 || !(ctx->opts & CMD_OPT('r')));
	if (r == 0)
		r = cmd_mget_names(ctx, &m, (ctx->opts & CMD_OPT('r')) != 0);
	if (r == 0 && m.nfiles > 0)
		r = xfer_get(ctx, m.files, m.nfiles, cmd_get_flags(ctx));
	for (i = 0; i < m.ndirs; i++) {
		if (r == 0 && (ctx->opts & CMD_OPT('r'))) {
			base = cmd_basename(m.dirs[i]);
			r = cmd_get_dir(ctx, m.dirs[i], base, m.dmodes[i], 1);
			free(base);
		} else if (r == 0) {
			q = words_quote(m.dirs[i]);
			cmd_note("skipping directory %s (use mget -r)", q);
			free(q);
		}
		free(m.dirs[i]);
	}
	free(m.dirs);
	free(m.dmodes);
	free(m.bad);
	xfer_items_free(m.files, m.nfiles);
	if (r == 0 && none)
		r = cmd_fail(
		    ctx, "nothing to download: every match was skipped");
	return tree_missed_end(ctx, r, "downloaded");
}

/* What mput found to send: a regular file, or with -r a directory. */
struct cmd_put_src {
	char *path;
	char *base; /* the remote name */
	struct stat st;
};

/*
 * mput's glob(3) of one pattern: regular files, and directories if -r,
 * appended to *v; symbolic links are skipped, not followed, and so is
 * everything else, each with a note.  0, or -1 with the reason in ctx.
 */
static int
cmd_mput_glob(
    struct cmd_ctx *ctx, const char *pattern, struct cmd_put_src **v, size_t *n)
{
	struct stat st;
	glob_t g;
	char *base, *q;
	size_t i;
	int e, r = 0;

	memset(&g, 0, sizeof(g));
	if ((e = glob(pattern, 0, NULL, &g)) != 0) {
		globfree(&g);
		return cmd_fail(ctx, "%s: %s", pattern,
		    e == GLOB_NOMATCH	  ? "no match" :
			e == GLOB_NOSPACE ? "out of memory" :
					    "cannot read a directory");
	}
	for (i = 0; i < g.gl_pathc && r == 0; i++) {
		const char *p = g.gl_pathv[i];

		q = words_quote(p);
		if (lstat(p, &st) == -1) {
			/* Removed since the glob read its directory. */
			if (errno == ENOENT) {
				tree_gone(ctx, p);
				free(q);
				continue;
			}
			free(q);
			r = cmd_fail(ctx, "%s: %s", p, strerror(errno));
			break;
		}
		base = cmd_basename(p);
		if (base == NULL)
			cmd_note("skipping %s: no file name", q);
		else if (S_ISLNK(st.st_mode))
			cmd_note("skipping %s: symbolic link, not followed", q);
		else if (S_ISDIR(st.st_mode) && !(ctx->opts & CMD_OPT('r')))
			cmd_note("skipping directory %s (use mput -r)", q);
		else if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
			cmd_note("skipping %s: not a regular file", q);
		else {
			*v = xreallocarray(*v, *n + 1, sizeof(**v));
			(*v)[*n].path = xstrdup(p);
			(*v)[*n].base = base;
			(*v)[(*n)++].st = st;
			base = NULL;
		}
		free(q);
		free(base);
	}
	globfree(&g);
	return r;
}

/*
 * cmd_put_skips: the regular files of v already whole on the server
 * marked in dup too, to be left out as the duplicates are.  0, or -1
 * after cmd_fail().
 */
static int
cmd_mput_done(
    struct cmd_ctx *ctx, const struct cmd_put_src *src, size_t n, bool *dup)
{
	struct xfer_item *v = xreallocarray(NULL, n + 1, sizeof(*v));
	size_t *at = xreallocarray(NULL, n + 1, sizeof(*at));
	char *same;
	size_t i, k = 0;
	int r;

	for (i = 0; i < n; i++) {
		if (dup[i] || S_ISDIR(src[i].st.st_mode))
			continue;
		memset(&v[k], 0, sizeof(v[k]));
		v[k].remote = xstrdup(src[i].base);
		v[k].local = xstrdup(src[i].path);
		v[k].at = AT_FDCWD;
		v[k].attr.size = (uint64_t)src[i].st.st_size;
		at[k++] = i;
	}
	same = xcalloc(k + 1, 1);
	r = xfer_put_complete(ctx, v, k, same);
	for (i = 0; i < k; i++)
		if (same[i])
			dup[at[i]] = true;
	free(same);
	free(at);
	xfer_items_free(v, k);
	return r;
}

/*
 * mput [-r] PATTERN...: glob(3) on this side; regular files go to the
 * remote working directory under their base names; symbolic links are
 * skipped, not followed; directories need -r.  Every pattern is read,
 * and the names checked, before anything is sent.
 */
int
cmd_mput(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct cmd_put_src *v = NULL;
	struct xfer_putq *pq;
	struct cmd_dest *d;
	bool *dup;
	size_t i, n = 0;
	int k, r = 0, qr;

	free(ctx->tree_resume);
	ctx->tree_resume = xfer_resume_args(
	    (ctx->opts & CMD_OPT('r')) ? "mput -cr" : "mput -c", argc, argv);
	for (k = 1; k < argc && r == 0; k++)
		r = cmd_mput_glob(ctx, argv[k], &v, &n);
	/* Skipped, each with its note: a script must not take it for done. */
	if (r == 0 && n == 0 && ctx->gone == 0)
		r = cmd_fail(ctx, "nothing to upload: every match was skipped");
	d = xreallocarray(NULL, n + 1, sizeof(*d));
	dup = xreallocarray(NULL, n + 1, sizeof(*dup));
	memset(dup, 0, (n + 1) * sizeof(*dup));
	for (i = 0; i < n; i++) {
		d[i].to = v[i].base;
		d[i].from = v[i].path;
		xasprintf(&d[i].same, "%ju:%ju", (uintmax_t)v[i].st.st_dev,
		    (uintmax_t)v[i].st.st_ino);
		d[i].at = i;
	}
	if (r == 0)
		r = cmd_dests_check(ctx, "put", d, n, dup);
	else
		for (i = 0; i < n; i++)
			free(d[i].same);
	if (r == 0 && cmd_put_skips(ctx))
		r = cmd_mput_done(ctx, v, n, dup);
	intr_transfer(1);
	pq = xfer_putq_new(ctx);
	for (i = 0; i < n && r == 0; i++) {
		if (dup[i])
			continue;
		if (!S_ISDIR(v[i].st.st_mode))
			r = xfer_putq_add(pq, v[i].path, v[i].base);
		/* Its own requests: after every reply. */
		else if ((r = xfer_putq_drain(pq)) == 0)
			r = cmd_put_dir(
			    ctx, v[i].path, v[i].base, v[i].st.st_mode);
	}
	qr = xfer_putq_free(pq);
	intr_transfer(0);
	for (i = 0; i < n; i++) {
		free(v[i].path);
		free(v[i].base);
	}
	free(v);
	free(dup);
	free(d);
	return tree_gone_end(
	    ctx, tree_missed_end(ctx, r == 0 ? qr : r, "uploaded"));
}
