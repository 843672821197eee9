/*
 * cmd_remote.c: the commands that act on the server: pwd, cd, ls, mkdir,
 * stat, get and put.
 *
 * Runs as: the user, in mftp.  Names that come from the server are printed
 * only through words_printable(), and a downloaded file reaches its final
 * name only by rename() once it is complete.
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
#include "proto.h"
#include "rpc.h"
#include "util.h"
#include "words.h"

static double
cmd_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "1.0 MiB", "512 B": binary units, one decimal above bytes. */
static void
cmd_human(char *s, size_t len, double v)
{
	static const char *unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB",
		"EiB" };
	size_t i = 0;

	while (v >= 1024 && i < sizeof(unit) / sizeof(unit[0]) - 1) {
		v /= 1024;
		i++;
	}
	if (i == 0)
		snprintf(s, len, "%.0f B", v);
	else
		snprintf(s, len, "%.1f %s", v, unit[i]);
}

/* One line after a transfer: "NAME: 1.0 MiB in 0.01 s (100.0 MiB/s)". */
static void
cmd_report(struct cmd_ctx *ctx, const char *name, uint64_t bytes, double secs)
{
	char size[32], rate[32], *p;

	if (ctx->quiet)
		return;
	cmd_human(size, sizeof(size), (double)bytes);
	cmd_human(
	    rate, sizeof(rate), (double)bytes / (secs > 1e-6 ? secs : 1e-6));
	p = words_printable(name);
	printf("%s: %s in %.2f s (%s/s)\n", p, size, secs, rate);
	fflush(stdout);
	free(p);
}

/*
 * The last component of path, ignoring trailing slashes (a new string),
 * or NULL if there is none fit to name a file ("", ".", "..", "/").
 */
static char *
cmd_basename(const char *path)
{
	const char *end, *start;
	char *s;

	end = path + strlen(path);
	while (end > path && end[-1] == '/')
		end--;
	for (start = end; start > path && start[-1] != '/'; start--)
		;
	if (end == start || (end - start == 1 && *start == '.') ||
	    (end - start == 2 && start[0] == '.' && start[1] == '.'))
		return NULL;
	s = xmalloc((size_t)(end - start) + 1);
	memcpy(s, start, (size_t)(end - start));
	s[end - start] = '\0';
	return s;
}

/* dir + "/" + name, without doubling a slash dir ends with. */
static char *
cmd_join(const char *dir, const char *name)
{
	char *s;
	size_t n = strlen(dir);

	xasprintf(
	    &s, "%s%s%s", dir, n > 0 && dir[n - 1] == '/' ? "" : "/", name);
	return s;
}

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

	if (rpc_cwd(ctx->rpc, argv[1], &path) != RPC_OK)
		return cmd_rpc_fail(ctx, argv[1]);
	free(path);
	return 0;
}

int
cmd_mkdir(struct cmd_ctx *ctx, int argc, char **argv)
{
	if (rpc_mkdir(ctx->rpc, argv[1], 0777 & ~ctx->umask) != RPC_OK)
		return cmd_rpc_fail(ctx, argv[1]);
	return 0;
}

struct cmd_ls_acc {
	struct msg_entry *v;
	size_t n;
};

static int
cmd_ls_add(void *arg, const struct msg_entry *e)
{
	struct cmd_ls_acc *acc = arg;

	/* The server should not send these; a listing never shows them. */
	if (strcmp(e->name, ".") == 0 || strcmp(e->name, "..") == 0)
		return 0;
	acc->v = xreallocarray(acc->v, acc->n + 1, sizeof(*acc->v));
	acc->v[acc->n].name = xstrdup(e->name);
	acc->v[acc->n].attr = e->attr;
	acc->n++;
	return 0;
}

int
cmd_ls(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct cmd_ls_acc acc = { NULL, 0 };
	const char *path;
	int longfmt;

	if (cmd_parse_ls(ctx, argc, argv, &longfmt, &path) == -1)
		return -1;
	if (rpc_list(ctx->rpc, path != NULL ? path : "", cmd_ls_add, &acc) !=
	    RPC_OK) {
		cmd_free_entries(acc.v, acc.n);
		return cmd_rpc_fail(ctx, path);
	}
	cmd_print_entries(acc.v, acc.n, longfmt);
	cmd_free_entries(acc.v, acc.n);
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

	if (rpc_stat(ctx->rpc, argv[1], &a) != RPC_OK)
		return cmd_rpc_fail(ctx, argv[1]);
	cmd_mode_string(a.kind, a.mode, modes);
	t = (time_t)a.mtime;
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %z", &tm) == 0)
		strlcpy(when, "?", sizeof(when));
	p = words_printable(argv[1]);
	printf("%s\n  type: %s\n  mode: %04o (%s)\n  size: %ju\n"
	       "  modified: %s\n",
	    p, kinds[a.kind < 5 ? a.kind : 0], (unsigned int)(a.mode & 07777),
	    modes, (uintmax_t)a.size, when);
	fflush(stdout);
	free(p);
	return 0;
}

/*
 * get: STAT (for the mode) and GET go out together, and the data lands in
 * LOCAL.part, which is renamed onto LOCAL only when complete: an
 * interrupted download never damages an existing LOCAL.
 */
int
cmd_get(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *remote = argv[1];
	char *base, *local, *part;
	struct msg_attr a;
	struct rpc_xfer x;
	struct stat st;
	double t0;
	int fd, e, se, ret = -1;
	mode_t mode;

	if ((base = cmd_basename(remote)) == NULL)
		return cmd_fail(ctx,
		    "%s: no file name to save it under; "
		    "give LOCAL",
		    remote);
	if (argc > 2 && stat(argv[2], &st) == 0 && S_ISDIR(st.st_mode))
		local = cmd_join(argv[2], base);
	else
		local = xstrdup(argc > 2 ? argv[2] : base);
	xasprintf(&part, "%s.part", local);
	fd = open(
	    part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1) {
		cmd_fail(ctx, "%s: %s", part, strerror(errno));
		goto out;
	}
	t0 = cmd_now();
	if (rpc_stat_send(ctx->rpc, remote) != RPC_OK) {
		cmd_rpc_fail(ctx, remote);
		goto fail;
	}
	if (rpc_get_send(ctx->rpc, remote, 0) != RPC_OK) {
		cmd_rpc_fail(ctx, remote);
		/* Keep in step: STAT's reply is still due. */
		if (!rpc_lost(ctx->rpc))
			(void)rpc_stat_recv(ctx->rpc, &a);
		goto fail;
	}
	if ((se = rpc_stat_recv(ctx->rpc, &a)) == RPC_LOST) {
		cmd_rpc_fail(ctx, remote);
		goto fail;
	}
	/* Whatever STAT said, GET has its own reply to read. */
	if ((e = rpc_get_recv(ctx->rpc, fd, 0, &x)) != RPC_OK) {
		cmd_rpc_fail(ctx, e == RPC_LOCAL ? part : remote);
		goto fail;
	}
	mode = se == RPC_OK ? (mode_t)a.mode : 0644;
	if (fchmod(fd, mode & 0666 & ~ctx->umask) == -1) {
		cmd_fail(ctx, "%s: %s", part, strerror(errno));
		goto fail;
	}
	e = close(fd);
	fd = -1;
	if (e == -1 || rename(part, local) == -1) {
		cmd_fail(
		    ctx, "%s: %s", e == -1 ? part : local, strerror(errno));
		goto fail;
	}
	cmd_report(ctx, local, x.bytes, cmd_now() - t0);
	ret = 0;
	goto out;

fail:
	if (fd != -1)
		close(fd);
	(void)unlink(part);
out:
	free(part);
	free(local);
	free(base);
	return ret;
}

int
cmd_put(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *local = argv[1];
	char *base, *remote = NULL;
	struct msg_attr a;
	struct rpc_xfer x;
	struct stat st;
	double t0;
	int fd, e, ret = -1;

	if ((fd = open(local, O_RDONLY | O_CLOEXEC)) == -1)
		return cmd_fail(ctx, "%s: %s", local, strerror(errno));
	if (fstat(fd, &st) == -1) {
		cmd_fail(ctx, "%s: %s", local, strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		cmd_fail(ctx, "%s: is a directory (use put -r)", local);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		cmd_fail(ctx, "%s: not a regular file", local);
		goto out;
	}
	if ((base = cmd_basename(local)) == NULL) {
		cmd_fail(ctx, "%s: no file name", local);
		goto out;
	}
	if (argc < 3)
		remote = xstrdup(base);
	else if (argv[2][0] != '\0' && argv[2][strlen(argv[2]) - 1] == '/')
		remote = cmd_join(argv[2], base);
	else {
		/* An existing remote directory receives the file. */
		e = rpc_stat(ctx->rpc, argv[2], &a);
		if (e == RPC_LOST) {
			free(base);
			cmd_rpc_fail(ctx, argv[2]);
			goto out;
		}
		if (e == RPC_OK && a.kind == MFTP_KIND_DIR)
			remote = cmd_join(argv[2], base);
		else
			remote = xstrdup(argv[2]);
	}
	free(base);
	t0 = cmd_now();
	e = rpc_put(
	    ctx->rpc, remote, fd, (uint64_t)st.st_size, st.st_mode & 0777, &x);
	if (e != RPC_OK) {
		cmd_rpc_fail(ctx, remote);
		goto out;
	}
	cmd_report(ctx, remote, x.bytes, cmd_now() - t0);
	ret = 0;
out:
	free(remote);
	close(fd);
	return ret;
}
