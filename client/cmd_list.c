/*
 * cmd_list.c: ls, and the listing format ls and lls share: which entries
 * show (dotfiles and partial uploads only with -a), their order (name,
 * or -t time, -S size, -r reversed) and the long format (-l, with -h
 * sizes in human units).
 *
 * Runs as: the user, in mftp.  Names that come from the server are
 * printed only through words_quote().
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmds.h"
#include "human.h"
#include "intr.h"
#include "proto.h"
#include "rpc.h"
#include "util.h"
#include "words.h"

void
cmd_mode_string(uint8_t kind, uint32_t mode, char *s)
{
	static const char rwx[] = "rwxrwxrwx";
	int i;

	switch (kind) {
	case MFTP_KIND_DIR:
		s[0] = 'd';
		break;
	case MFTP_KIND_FILE:
		s[0] = '-';
		break;
	case MFTP_KIND_LINK:
		s[0] = 'l';
		break;
	default:
		s[0] = '?';
		break;
	}
	for (i = 0; i < 9; i++)
		s[i + 1] = mode & (0400 >> i) ? rwx[i] : '-';
	if (mode & S_ISUID)
		s[3] = s[3] == 'x' ? 's' : 'S';
	if (mode & S_ISGID)
		s[6] = s[6] == 'x' ? 's' : 'S';
	if (mode & S_ISVTX)
		s[9] = s[9] == 'x' ? 't' : 'T';
	s[10] = '\0';
}

/* The order qsort gets: set before each sort (one thread, one sort). */
static uint64_t cmd_list_order;

static int
cmd_list_cmp(const void *a, const void *b)
{
	const struct msg_entry *x = a, *y = b;
	int r = 0;

	/* As ls(1): newest or largest first, then by name. */
	if ((cmd_list_order & CMD_OPT('t')) && x->attr.mtime != y->attr.mtime)
		r = x->attr.mtime > y->attr.mtime ? -1 : 1;
	else if ((cmd_list_order & CMD_OPT('S')) &&
	    x->attr.size != y->attr.size)
		r = x->attr.size > y->attr.size ? -1 : 1;
	else
		r = strcmp(x->name, y->name);
	return (cmd_list_order & CMD_OPT('r')) ? -r : r;
}

/* A size as ls -h shows it, in the units of every size: "1.5 KiB". */
static void
cmd_list_size(uint64_t v, int human, char *s, size_t len)
{
	if (human)
		human_size(v, s, len);
	else
		snprintf(s, len, "%ju", (uintmax_t)v);
}

int
cmd_list_hidden(const char *name, uint64_t opts)
{
	/* Dotfiles, and so the partial uploads .NAME.mftp-part. */
	return !(opts & CMD_OPT('a')) && name[0] == '.';
}

void
cmd_sort_entries(struct msg_entry *v, size_t n, uint64_t opts)
{
	cmd_list_order = opts;
	qsort(v, n, sizeof(*v), cmd_list_cmp);
}

void
cmd_print_entries(struct msg_entry *v, size_t n, uint64_t opts)
{
	cmd_sort_entries(v, n, opts);
	cmd_print_sorted(v, n, opts, NULL);
}

void
cmd_print_sorted(
    const struct msg_entry *v, size_t n, uint64_t opts, char *const *targets)
{
	char modes[11], when[32], sizes[32], *name, *target;
	int longfmt = (opts & CMD_OPT('l')) != 0;
	struct tm tm;
	time_t t;
	size_t i;
	int w = 1, len;

	for (i = 0; i < n && longfmt; i++) {
		cmd_list_size(v[i].attr.size, (opts & CMD_OPT('h')) != 0, sizes,
		    sizeof(sizes));
		if ((len = (int)strlen(sizes)) > w)
			w = len;
	}
	for (i = 0; i < n; i++) {
		name = words_quote(v[i].name);
		if (!longfmt) {
			printf("%s\n", name);
			free(name);
			continue;
		}
		cmd_mode_string(v[i].attr.kind, v[i].attr.mode, modes);
		t = (time_t)v[i].attr.mtime;
		if (localtime_r(&t, &tm) == NULL ||
		    strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm) == 0)
			strlcpy(when, "?", sizeof(when));
		cmd_list_size(v[i].attr.size, (opts & CMD_OPT('h')) != 0, sizes,
		    sizeof(sizes));
		/* As ls -l: "name -> target" for a link whose target is known. */
		if (targets != NULL && targets[i] != NULL) {
			target = words_quote(targets[i]);
			printf("%s  %*s %s %s -> %s\n", modes, w, sizes, when,
			    name, target);
			free(target);
		} else
			printf("%s  %*s %s %s\n", modes, w, sizes, when, name);
		free(name);
	}
	fflush(stdout);
}

void
cmd_add_entry(struct msg_entry **v, size_t *n, const char *name,
    const struct msg_attr *attr)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[*n].name = xstrdup(name);
	(*v)[*n].attr = *attr;
	(*n)++;
}

void
cmd_free_entries(struct msg_entry *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

struct cmd_ls_acc {
	struct msg_entry *v;
	size_t n;
	uint64_t opts;
};

static int
cmd_ls_add(void *arg, const struct msg_entry *e)
{
	struct cmd_ls_acc *acc = arg;

	/* The server should not send these; a listing never shows them. */
	if (strcmp(e->name, ".") == 0 || strcmp(e->name, "..") == 0 ||
	    cmd_list_hidden(e->name, acc->opts))
		return 0;
	cmd_add_entry(&acc->v, &acc->n, e->name, &e->attr);
	return 0;
}

int
cmd_ls(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct cmd_ls_acc acc = { NULL, 0, ctx->opts };
	const char *path = argc > 1 ? argv[1] : "";
	struct msg_attr a;
	char **targets = NULL, *base;

	/* A dotfile named on its own is shown, as ls(1) shows it. */
	if ((base = cmd_basename(path)) != NULL && base[0] == '.' &&
	    rpc_stat(ctx->rpc, path, &a) == RPC_OK && a.kind != MFTP_KIND_DIR)
		acc.opts |= CMD_OPT('a');
	free(base);
	if (rpc_lost(ctx->rpc))
		return cmd_rpc_fail(ctx, path);
	if (rpc_list(ctx->rpc, path, cmd_ls_add, &acc) != RPC_OK) {
		cmd_free_entries(acc.v, acc.n);
		return cmd_rpc_fail(ctx, path);
	}
	cmd_sort_entries(acc.v, acc.n, ctx->opts);
	if (ctx->opts & CMD_OPT('l')) {
		targets = cmd_link_targets(ctx, path, acc.v, acc.n);
		/* Ctrl-C while the targets came: nothing printed. */
		if (intr_pending()) {
			cmd_free_targets(targets, acc.n);
			cmd_free_entries(acc.v, acc.n);
			return rpc_lost(ctx->rpc) ? cmd_rpc_fail(ctx, path) :
						    cmd_stopped(ctx);
		}
	}
	cmd_print_sorted(acc.v, acc.n, ctx->opts, targets);
	cmd_free_targets(targets, acc.n);
	cmd_free_entries(acc.v, acc.n);
	/* A listing that lost the session on the way has failed. */
	if (rpc_lost(ctx->rpc))
		return cmd_rpc_fail(ctx, path);
	return 0;
}
