/*
 * cmd_sftp.c: the commands sftp and lftp users reach for beyond the
 * basics: mkdir -p, rm -r, mv into a directory, df, lmkdir, lumask,
 * progress and version.
 *
 * Runs as: the user, in mftp.  rm -r walks the remote tree one listing
 * at a time, depth first, no deeper than CMD_TREE_DEPTH.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <readpassphrase.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "human.h"
#include "intr.h"
#include "progress.h"
#include "proto.h"
#include "rpc.h"
#include "util.h"
#include "words.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0"
#endif

/* How deep rm -r goes: deeper trees are left with an error. */
#define CMD_TREE_DEPTH 64

/* A missing path that rm -f does not count as a failure. */
static int
cmd_gone(struct cmd_ctx *ctx)
{
	return !rpc_lost(ctx->rpc) && rpc_code(ctx->rpc) == MFTP_ST_NOT_FOUND;
}

/* mkdir -p: each missing component in turn; existing directories pass. */
static int
cmd_mkdir_parents(struct cmd_ctx *ctx, const char *path)
{
	struct msg_attr a;
	char *p, *q;
	int r = 0;

	/* Nothing to walk: the server says what it says to mkdir ''. */
	if (*path == '\0') {
		if (rpc_mkdir(ctx->rpc, path, 0777 & ~ctx->umask) != RPC_OK)
			return cmd_rpc_fail(ctx, path);
		return 0;
	}
	p = xstrdup(path);
	for (q = p + 1;; q++) {
		if (*q != '/' && *q != '\0')
			continue;
		if (q[-1] != '/') {
			char c = *q;

			*q = '\0';
			if ((r = cmd_stopped(ctx)) == -1)
				break;
			if (rpc_stat(ctx->rpc, p, &a) == RPC_OK) {
				if (a.kind != MFTP_KIND_DIR) {
					r = cmd_fail(ctx,
					    "%s: exists and is not a directory",
					    p);
					break;
				}
			} else if (!cmd_gone(ctx) ||
			    rpc_mkdir(ctx->rpc, p, 0777 & ~ctx->umask) !=
				RPC_OK) {
				r = cmd_rpc_fail(ctx, p);
				break;
			}
			*q = c;
		}
		if (*q == '\0')
			break;
	}
	free(p);
	return r;
}

int
cmd_mkdir(struct cmd_ctx *ctx, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (cmd_stopped(ctx) == -1)
			return -1;
		if (ctx->opts & CMD_OPT('p')) {
			if (cmd_mkdir_parents(ctx, argv[i]) == -1)
				return -1;
		} else if (rpc_mkdir(ctx->rpc, argv[i], 0777 & ~ctx->umask) !=
		    RPC_OK)
			return cmd_rpc_fail(ctx, argv[i]);
	}
	return 0;
}

struct cmd_names {
	struct msg_entry *v;
	size_t n;
};

static int
cmd_names_add(void *arg, const struct msg_entry *e)
{
	struct cmd_names *acc = arg;

	if (strcmp(e->name, ".") == 0 || strcmp(e->name, "..") == 0)
		return 0;
	cmd_add_entry(&acc->v, &acc->n, e->name, &e->attr);
	return 0;
}

/* Everything in the directory dir, then dir itself. */
static int
cmd_rm_tree(struct cmd_ctx *ctx, const char *dir, int depth)
{
	struct cmd_names acc = { NULL, 0 };
	size_t i;
	char *p;
	int r = 0;

	if (depth > CMD_TREE_DEPTH)
		return cmd_fail(
		    ctx, "%s: more than %d levels deep", dir, CMD_TREE_DEPTH);
	if (cmd_stopped(ctx) == -1)
		return -1;
	if (rpc_list(ctx->rpc, dir, cmd_names_add, &acc) != RPC_OK) {
		cmd_free_entries(acc.v, acc.n);
		return cmd_rpc_fail(ctx, dir);
	}
	for (i = 0; i < acc.n && r == 0; i++) {
		p = cmd_join(dir, acc.v[i].name);
		if (acc.v[i].attr.kind == MFTP_KIND_DIR)
			r = cmd_rm_tree(ctx, p, depth + 1);
		else if ((r = cmd_stopped(ctx)) == 0 &&
		    rpc_remove(ctx->rpc, p) != RPC_OK)
			r = cmd_rpc_fail(ctx, p);
		free(p);
	}
	cmd_free_entries(acc.v, acc.n);
	if (r == 0 && (r = cmd_stopped(ctx)) == 0 &&
	    rpc_rmdir(ctx->rpc, dir) != RPC_OK)
		r = cmd_rpc_fail(ctx, dir);
	return r;
}

/*
 * 1 if path is a symbolic link, 0 if not (or the server cannot say: one
 * without READLINK), -1 with the session lost.  STAT follows links, so
 * a link to a directory looks like the directory.  The entry itself is
 * asked about: "ln/" names what the link leads to, and READLINK of it
 * says "no link" (readlink(2)), so it is asked without its trailing
 * slashes.
 */
static int
cmd_is_link(struct cmd_ctx *ctx, const char *path)
{
	char *target = NULL, *entry = xstrdup(path);
	size_t n = strlen(entry);
	int e;

	if (!rpc_has_links(ctx->rpc)) {
		free(entry);
		return 0;
	}
	while (n > 1 && entry[n - 1] == '/')
		entry[--n] = '\0';
	if ((e = rpc_readlink_send(ctx->rpc, entry)) == RPC_OK)
		e = rpc_readlink_recv(ctx->rpc, &target);
	free(target);
	free(entry);
	if (rpc_lost(ctx->rpc))
		return -1;
	return e == RPC_OK;
}

/* At a terminal, rm -r asks before it removes a whole directory. */
static int
cmd_rm_confirm(struct cmd_ctx *ctx, const char *dir)
{
	char prompt[600], ans[16], *q;

	if (!ctx->interactive || (ctx->opts & CMD_OPT('f')))
		return 1;
	q = words_quote(dir);
	snprintf(prompt, sizeof(prompt),
	    "rm: remove directory %s and everything in it? (y/N) ", q);
	free(q);
	if (readpassphrase(prompt, ans, sizeof(ans), RPP_ECHO_ON) == NULL) {
		/* Ctrl-C at the question: what follows goes on a line of
		 * its own, not after the "^C". */
		fputc('\n', stderr);
		intr_echo_done();
		return 0;
	}
	return ans[0] == 'y' || ans[0] == 'Y';
}

int
cmd_rm(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct msg_attr a;
	char *base;
	int i, link, force = (ctx->opts & CMD_OPT('f')) != 0;

	for (i = 1; i < argc; i++) {
		if (cmd_stopped(ctx) == -1)
			return -1;
		/* An empty name goes to the server, which says so. */
		if ((ctx->opts & CMD_OPT('r')) && argv[i][0] != '\0') {
			/*
			 * ".", ".." and "/" name no entry the RMDIR at the
			 * end of the walk could remove: refused before the
			 * walk empties the directory they lead to.
			 */
			if ((base = cmd_basename(argv[i])) == NULL)
				return cmd_fail(
				    ctx, "%s: " MFTP_TEXT_NO_ENTRY, argv[i]);
			free(base);
			if (rpc_stat(ctx->rpc, argv[i], &a) != RPC_OK) {
				if (force && cmd_gone(ctx))
					continue;
				return cmd_rpc_fail(ctx, argv[i]);
			}
			/* A link to a directory goes as a link, as in rm(1). */
			if (a.kind == MFTP_KIND_DIR &&
			    (link = cmd_is_link(ctx, argv[i])) == -1)
				return cmd_rpc_fail(ctx, argv[i]);
			if (a.kind == MFTP_KIND_DIR && !link) {
				if (!cmd_rm_confirm(ctx, argv[i]))
					return cmd_fail(
					    ctx, "%s: not removed", argv[i]);
				if (cmd_rm_tree(ctx, argv[i], 0) == -1)
					return -1;
				continue;
			}
		}
		if (rpc_remove(ctx->rpc, argv[i]) != RPC_OK &&
		    !(force && cmd_gone(ctx)))
			return cmd_rpc_fail(ctx, argv[i]);
	}
	return 0;
}

/* mv FILE DIR moves FILE into DIR, as mv(1) does. */
int
cmd_mv(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct msg_attr a;
	char *to = NULL, *base;
	int r = 0;

	if (rpc_stat(ctx->rpc, argv[2], &a) == RPC_OK &&
	    a.kind == MFTP_KIND_DIR && (base = cmd_basename(argv[1])) != NULL) {
		to = cmd_join(argv[2], base);
		free(base);
	} else if (rpc_lost(ctx->rpc))
		return cmd_rpc_fail(ctx, argv[2]);
	if (rpc_rename(ctx->rpc, argv[1], to != NULL ? to : argv[2]) != RPC_OK)
		r = cmd_rpc_fail(ctx, argv[1]);
	free(to);
	return r;
}

/* df: the quota as df(1) shows a file system (1K blocks, or -h). */
int
cmd_df(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct msg_quota q;
	char s[4][32];
	uint64_t v[4];
	int i;

	if (rpc_quota(ctx->rpc, &q) != RPC_OK)
		return cmd_rpc_fail(ctx, NULL);
	/*
	 * Used counts what uploads in progress reserved: it is no room for
	 * anything else, so that Used + Avail = Size as on a file system.
	 */
	v[0] = q.bytes_limit;
	v[1] = q.bytes_used + q.bytes_reserved < q.bytes_used ?
	    UINT64_MAX :
	    q.bytes_used + q.bytes_reserved;
	v[2] = q.bytes_limit > v[1] ? q.bytes_limit - v[1] : 0;
	for (i = 0; i < 3; i++) {
		if (i != 1 && q.bytes_limit == 0)
			strlcpy(s[i], "unlimited", sizeof(s[i]));
		else if (ctx->opts & CMD_OPT('h'))
			human_size(v[i], s[i], sizeof(s[i]));
		else
			snprintf(s[i], sizeof(s[i]), "%ju",
			    (uintmax_t)((v[i] + 1023) / 1024));
	}
	if (q.bytes_limit == 0)
		strlcpy(s[3], "-", sizeof(s[3]));
	else
		snprintf(s[3], sizeof(s[3]), "%ju%%",
		    (uintmax_t)((v[1] * 100 + q.bytes_limit - 1) /
			q.bytes_limit));
	printf("%12s %12s %12s %5s\n",
	    ctx->opts & CMD_OPT('h') ? "Size" : "1K-blocks", "Used", "Avail",
	    "Use%");
	printf("%12s %12s %12s %5s\n", s[0], s[1], s[2], s[3]);
	fflush(stdout);
	return 0;
}

int
cmd_lmkdir(struct cmd_ctx *ctx, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (mkdir(argv[i], 0777) == -1)
			return cmd_fail(
			    ctx, "%s: %s", argv[i], strerror(errno));
	return 0;
}

/* lumask [MODE]: the umask for downloads and new local directories. */
int
cmd_lumask(struct cmd_ctx *ctx, int argc, char **argv)
{
	unsigned long m;

	if (argc < 2) {
		printf("%04o\n", (unsigned int)ctx->umask);
		fflush(stdout);
		return 0;
	}
	if (cmd_octal(argv[1], 0777, &m) == -1)
		return cmd_fail(
		    ctx, "%s: not an octal mode (000 to 777)", argv[1]);
	ctx->umask = (mode_t)m;
	umask(ctx->umask);
	return 0;
}

int
cmd_progress(struct cmd_ctx *ctx, int argc, char **argv)
{
	ctx->progress = !ctx->progress;
	printf("Progress bar %s.\n", ctx->progress ? "on" : "off");
	fflush(stdout);
	return 0;
}

int
cmd_version(struct cmd_ctx *ctx, int argc, char **argv)
{
	char *s = words_printable(rpc_server_name(ctx->rpc));

	printf("mftp %s, protocol %d; server: %s\n", PACKAGE_VERSION,
	    MFTP_PROTO_VERSION, s);
	fflush(stdout);
	free(s);
	return 0;
}
