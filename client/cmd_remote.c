/*
 * cmd_remote.c: the commands that act on the server one path at a time:
 * pwd, cd, rmdir, stat, hash, quota, and get and put of single files
 * (trees and globs are in cmd_multi.c; ls in cmd_list.c; mkdir, rm and
 * mv in cmd_sftp.c).
 *
 * Runs as: the user, in mftp.  Names that come from the server are printed
 * only through words_printable() or words_quote().
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmds.h"
#include "digest.h"
#include "human.h"
#include "intr.h"
#include "progress.h"
#include "proto.h"
#include "rpc.h"
#include "tree.h"
#include "util.h"
#include "words.h"
#include "xfer.h"
#include "xfer_kept.h"

int
cmd_pwd(struct cmd_ctx *ctx, int argc, char **argv)
{
	char *path, *p;

	if (rpc_pwd(ctx->rpc, &path) != RPC_OK)
		return cmd_rpc_fail(ctx, NULL);
	p = words_printable(path);
	printf("%s\n", p);
	fflush(stdout);
	free(p);
	free(path);
	return 0;
}

int
cmd_cd(struct cmd_ctx *ctx, int argc, char **argv)
{
	char *path;

	/* cd alone goes home: the root of the session. */
	const char *dir = argc > 1 ? argv[1] : "/";

	if (rpc_cwd(ctx->rpc, dir, &path) != RPC_OK)
		return cmd_rpc_fail(ctx, dir);
	/* Where a new login after Ctrl-C goes back to (login_again). */
	free(ctx->cwd);
	ctx->cwd = path;
	return 0;
}

int
cmd_rmdir(struct cmd_ctx *ctx, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (cmd_stopped(ctx) == -1)
			return -1;
		if (rpc_rmdir(ctx->rpc, argv[i]) != RPC_OK)
			return cmd_rpc_fail(ctx, argv[i]);
	}
	return 0;
}

int
cmd_stat(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const char *kinds[] = { "unknown", "file", "directory",
		"symbolic link", "other" };
	struct msg_attr a;
	char modes[11], when[64], *p;
	struct tm tm;
	time_t t;
	int i;

	for (i = 1; i < argc; i++) {
		if (cmd_stopped(ctx) == -1)
			return -1;
		if (rpc_stat(ctx->rpc, argv[i], &a) != RPC_OK)
			return cmd_rpc_fail(ctx, argv[i]);
		cmd_mode_string(a.kind, a.mode, modes);
		t = (time_t)a.mtime;
		if (localtime_r(&t, &tm) == NULL ||
		    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %z", &tm) ==
			0)
			strlcpy(when, "?", sizeof(when));
		p = words_quote(argv[i]);
		printf("%s\n  type: %s\n  mode: %04o (%s)\n  size: %ju\n"
		       "  modified: %s\n",
		    p, kinds[a.kind < 5 ? a.kind : 0],
		    (unsigned int)(a.mode & 07777), modes, (uintmax_t)a.size,
		    when);
		fflush(stdout);
		free(p);
	}
	return 0;
}

/* What cmd_hash's steps share. */
struct cmd_hash_arg {
	struct cmd_ctx *ctx;
	char **names;
	enum digest_alg alg;
	int stop; /* the name whose reply or request stopped it, or -1 */
	int one;  /* a single name: its refusal is the command's failure */
	int failed;
};

/*
 * A name refused: with several, said at once and counted (tree_missed),
 * the others still hashed; a single one is the command's failure alone,
 * with no "the rest was" after it.
 */
static void
cmd_hash_refused(struct cmd_hash_arg *a, size_t i)
{
	cmd_rpc_fail(a->ctx, a->names[i]);
	if (a->one)
		a->failed = 1;
	else
		tree_missed(a->ctx, a->names[i]);
}

static const char *
cmd_hash_path(void *arg, size_t i)
{
	return ((struct cmd_hash_arg *)arg)->names[i];
}

static int
cmd_hash_send(void *arg, size_t i, size_t flying)
{
	struct cmd_hash_arg *a = arg;

	(void)flying;
	if (intr_pending()) {
		a->stop = (int)i;
		return XFER_PIPE_STOP;
	}
	if (rpc_hash_send(a->ctx->rpc, a->names[i], a->alg) == RPC_OK)
		return XFER_PIPE_SENT;
	if (rpc_lost(a->ctx->rpc)) {
		a->stop = (int)i;
		return XFER_PIPE_STOP;
	}
	/* Refused here (a name too long): as by the server. */
	cmd_hash_refused(a, i);
	return XFER_PIPE_SKIP;
}

/*
 * The name as sha256sum(1) prints it: one with a newline is escaped
 * (newline as \n, backslash as \\) and its line starts with a
 * backslash (*escaped set), so that sha256sum -c reads it back.  Other
 * control characters are shown as '?' (words_printable), as everywhere.
 */
static char *
cmd_hash_name(const char *name, int *escaped)
{
	char *e, *p, *q;

	*escaped = strchr(name, '\n') != NULL;
	if (!*escaped)
		return words_printable(name);
	e = q = xcalloc(2 * strlen(name) + 1, 1);
	for (; *name != '\0'; name++) {
		if (*name == '\n' || *name == '\\') {
			*q++ = '\\';
			*q++ = *name == '\n' ? 'n' : '\\';
		} else
			*q++ = *name;
	}
	p = words_printable(e);
	free(e);
	return p;
}

/* A checksum printed; one refused said and counted (tree_missed). */
static int
cmd_hash_recv(void *arg, size_t i)
{
	struct cmd_hash_arg *a = arg;
	uint8_t h[MFTP_HASH_LEN];
	char hex[DIGEST_HEX_MAX + 1], *p;
	int escaped;

	if (rpc_hash_recv(a->ctx->rpc, a->alg, h) != RPC_OK) {
		if (rpc_lost(a->ctx->rpc)) {
			if (a->stop == -1)
				a->stop = (int)i;
			return XFER_PIPE_STOP;
		}
		cmd_hash_refused(a, i);
		return XFER_PIPE_SENT;
	}
	digest_hex(h, digest_len(a->alg), hex);
	p = cmd_hash_name(a->names[i], &escaped);
	printf("%s%s  %s\n", escaped ? "\\" : "", hex, p);
	fflush(stdout);
	free(p);
	return XFER_PIPE_SENT;
}

/*
 * As xxhsum -H2 or sha256sum prints it: "HEX  NAME", in the session's
 * checksum, or SHA-256 with --sha256 (-s) whatever the session uses.
 * The HASH requests are pipelined (xfer_pipeline), the replies printed
 * in order; a file refused is said and the others go on, the command
 * failing at the end (tree_missed_end).  Ctrl-C sends no more requests;
 * the replies in flight are still printed.
 */
int
cmd_hash(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct xfer_pipe ops = { cmd_hash_send, cmd_hash_recv,
		cmd_hash_path };
	struct cmd_hash_arg a = { ctx, argv + 1, rpc_digest(ctx->rpc), -1,
		argc == 2, 0 };
	int r = 0;

	if (ctx->opts & CMD_OPT('s'))
		a.alg = DIGEST_SHA256;
	xfer_pipeline(ctx->rpc, (size_t)(argc - 1), &ops, &a);
	if (a.stop != -1 && !rpc_lost(ctx->rpc) && intr_pending())
		r = cmd_stopped(ctx);
	else if (a.stop != -1)
		r = cmd_rpc_fail(ctx, a.names[a.stop]);
	else if (a.failed)
		r = -1; /* the reason is set (cmd_hash_refused) */
	return tree_missed_end(ctx, r, "hashed");
}

/*
 * One row of the quota table; bytes in human units, files as counts.
 * What is free is what is neither used nor reserved (reserved: by
 * uploads in progress, which the server counts as used when a request
 * asks for room).
 */
static void
cmd_quota_row(const char *what, uint64_t used, uint64_t reserved,
    uint64_t limit, int bytes)
{
	uint64_t taken = used + reserved < used ? UINT64_MAX : used + reserved;
	uint64_t free = taken < limit ? limit - taken : 0;
	char u[32], l[32], f[32];

	if (bytes) {
		human_size(used, u, sizeof(u));
		human_size(limit, l, sizeof(l));
		human_size(free, f, sizeof(f));
	} else {
		snprintf(u, sizeof(u), "%ju", (uintmax_t)used);
		snprintf(l, sizeof(l), "%ju", (uintmax_t)limit);
		snprintf(f, sizeof(f), "%ju", (uintmax_t)free);
	}
	if (limit == 0) {
		strlcpy(l, "unlimited", sizeof(l));
		strlcpy(f, "unlimited", sizeof(f));
	}
	printf("%-6s %12s %12s %12s\n", what, u, l, f);
}

int
cmd_quota(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct msg_quota q;
	char r[32];

	if (rpc_quota(ctx->rpc, &q) != RPC_OK)
		return cmd_rpc_fail(ctx, NULL);
	printf("%-6s %12s %12s %12s\n", "", "used", "limit", "free");
	cmd_quota_row(
	    "bytes", q.bytes_used, q.bytes_reserved, q.bytes_limit, 1);
	cmd_quota_row("files", q.files_used, 0, q.files_limit, 0);
	if (q.bytes_reserved > 0) {
		human_size(q.bytes_reserved, r, sizeof(r));
		printf("%s %sis reserved by uploads in progress.\n", r,
		    q.bytes_limit != 0 ? "of the limit " : "");
	}
	fflush(stdout);
	return 0;
}

/*
 * get and put refuse an empty REMOTE, as an empty LOCAL: STAT "" would
 * take it for the working directory.  -1.
 */
static int
cmd_empty_remote(struct cmd_ctx *ctx)
{
	return cmd_fail(
	    ctx, "an empty REMOTE names no file (the working directory is .)");
}

/*
 * get: STAT says what the file is (and gives the resume key), then xfer
 * downloads it into LOCAL.part (LOCAL/BASE.part when LOCAL is a
 * directory, as decided once for all tries: ctx->dest) and renames that
 * when it verified.
 */
int
cmd_get(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct xfer_item it;
	struct stat st;
	char *base;
	int r;

	/* Before -r too: "" would be ".part" here, or mkdir(""). */
	if (argc > 2 && argv[2][0] == '\0')
		return cmd_fail(ctx, "an empty LOCAL names no file");
	if (argv[1][0] == '\0')
		return cmd_empty_remote(ctx);
	if (ctx->opts & CMD_OPT('r'))
		return cmd_get_tree(ctx, argc, argv);
	memset(&it, 0, sizeof(it));
	if (rpc_stat(ctx->rpc, argv[1], &it.attr) != RPC_OK)
		return cmd_rpc_fail(ctx, argv[1]);
	if (it.attr.kind == MFTP_KIND_DIR)
		return cmd_fail(
		    ctx, "%s: is a directory (use get -r)", argv[1]);
	/* STAT follows links: one it shows as a link leads nowhere. */
	if (it.attr.kind == MFTP_KIND_LINK)
		return cmd_fail(ctx,
		    "%s: a symbolic link to nothing (its target is missing)",
		    argv[1]);
	if (it.attr.kind != MFTP_KIND_FILE)
		return cmd_fail(ctx, "%s: not a regular file", argv[1]);
	if (ctx->dest == NULL) {
		if ((base = cmd_basename(argv[1])) == NULL)
			return cmd_fail(ctx,
			    "%s: no file name to save it under; give LOCAL",
			    argv[1]);
		if (argc > 2 && !(ctx->opts & CMD_OPT('T')) &&
		    (cmd_into(argv[2]) ||
			(stat(argv[2], &st) == 0 && S_ISDIR(st.st_mode))))
			ctx->dest = cmd_join(argv[2], base);
		else
			ctx->dest = xstrdup(argc > 2 ? argv[2] : base);
		free(base);
	}
	it.local = xstrdup(ctx->dest);
	it.at = AT_FDCWD;
	it.remote = argv[1];
	r = xfer_get(ctx, &it, 1, cmd_get_flags(ctx) & ~XFER_GET_EACH);
	free(it.local);
	return r;
}

/*
 * put -c (reput), or put tried again: whether local is already whole on
 * the server as ctx->dest, compared as put -r compares its files
 * (xfer_put_complete, which says so).  1 it is, 0 not, -1 after
 * cmd_fail().
 */
static int
cmd_put_whole(struct cmd_ctx *ctx, const char *local, const struct stat *st)
{
	struct xfer_item it;
	char same = 0, *real;
	int r;

	/*
	 * Its own path: the comparison opens no link (O_NOFOLLOW), and a
	 * link named here is the file it leads to, as put reads it.
	 */
	if ((real = realpath(local, NULL)) == NULL)
		return 0;
	memset(&it, 0, sizeof(it));
	it.local = real;
	it.remote = ctx->dest;
	it.at = AT_FDCWD;
	it.attr.size = (uint64_t)st->st_size;
	r = xfer_put_complete(ctx, &it, 1, &same);
	free(real);
	return r == -1 ? -1 : same;
}

/*
 * put: the remote name is REMOTE, or REMOTE/BASE when REMOTE ends with a
 * slash or is an existing directory, or BASE; decided once for all
 * tries of the command (ctx->dest).  With cmd_put_skips, a file already
 * whole there is left as it is.
 */
int
cmd_put(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *local = argv[1];
	struct msg_attr a;
	struct stat st;
	char *base;
	int e;

	if (argc > 2 && argv[2][0] == '\0')
		return cmd_empty_remote(ctx);
	if (ctx->opts & CMD_OPT('r'))
		return cmd_put_tree(ctx, argc, argv);
	if (stat(local, &st) == -1)
		return cmd_fail(ctx, "%s: %s", local, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return xfer_put_is_dir(ctx, local);
	if ((base = cmd_basename(local)) == NULL)
		return cmd_fail(ctx, "%s: no file name", local);
	if (ctx->dest != NULL)
		; /* decided by the first try (cmd_run_again) */
	else if (argc < 3)
		ctx->dest = xstrdup(base);
	else if (ctx->opts & CMD_OPT('T'))
		ctx->dest = xstrdup(argv[2]);
	else if (cmd_into(argv[2]))
		ctx->dest = cmd_join(argv[2], base);
	else {
		e = rpc_stat(ctx->rpc, argv[2], &a);
		if (e == RPC_LOST) {
			free(base);
			return cmd_rpc_fail(ctx, argv[2]);
		}
		if (e == RPC_OK && a.kind == MFTP_KIND_DIR)
			ctx->dest = cmd_join(argv[2], base);
		else
			ctx->dest = xstrdup(argv[2]);
	}
	free(base);
	if (cmd_put_skips(ctx) && S_ISREG(st.st_mode) &&
	    (e = cmd_put_whole(ctx, local, &st)) != 0)
		return e == 1 ? 0 : -1;
	return xfer_put(ctx, local, ctx->dest);
}
