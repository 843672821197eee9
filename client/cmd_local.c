/*
 * cmd_local.c: the command table, the commands that stay on this machine
 * (lcd, lls, lpwd, help, quit) and the listing format ls and lls share.
 *
 * Runs as: the user, in mftp.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmds.h"
#include "log.h"
#include "proto.h"
#include "rpc.h"
#include "util.h"
#include "words.h"

static const struct cmd cmd_table[] = {
	{ "bye", 0, 0, cmd_quit, "bye", "End the session (same as quit)." },
	{ "cd", 1, 1, cmd_cd, "cd DIR",
	    "Change the remote working directory." },
	{ "exit", 0, 0, cmd_quit, "exit", "End the session (same as quit)." },
	{ "get", 1, 2, cmd_get, "get REMOTE [LOCAL]",
	    "Download REMOTE to LOCAL (default: its base name; into LOCAL "
	    "if that is a directory)." },
	{ "help", 0, 1, cmd_help, "help [COMMAND]",
	    "List the commands, or describe one." },
	{ "lcd", 0, 1, cmd_lcd, "lcd [DIR]",
	    "Change the local working directory (default: your home)." },
	{ "lls", 0, -1, cmd_lls, "lls [-l] [PATH]",
	    "List a local directory; -l: type, permissions, size, time." },
	{ "lpwd", 0, 0, cmd_lpwd, "lpwd",
	    "Print the local working directory." },
	{ "ls", 0, -1, cmd_ls, "ls [-l] [PATH]",
	    "List a remote directory; -l: type, permissions, size, time." },
	{ "mkdir", 1, 1, cmd_mkdir, "mkdir DIR", "Create a remote directory." },
	{ "put", 1, 2, cmd_put, "put LOCAL [REMOTE]",
	    "Upload LOCAL to REMOTE (default: its base name; into REMOTE "
	    "if that is a directory)." },
	{ "pwd", 0, 0, cmd_pwd, "pwd", "Print the remote working directory." },
	{ "quit", 0, 0, cmd_quit, "quit", "End the session." },
	{ "stat", 1, 1, cmd_stat, "stat PATH",
	    "Show a remote file's type, permissions, size and time." },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

const struct cmd *
cmd_find(const char *name)
{
	const struct cmd *c;

	for (c = cmd_table; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

int
cmd_fail(struct cmd_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		fatalx("out of memory formatting a string");
	va_end(ap);
	free(ctx->reason);
	ctx->reason = s;
	return -1;
}

int
cmd_rpc_fail(struct cmd_ctx *ctx, const char *path)
{
	char *p;
	int r;

	/*
	 * The server names the path in its own messages; a local failure
	 * (code 0) gets it here.  A lost session is not about the path.
	 */
	if (path == NULL || rpc_lost(ctx->rpc) || rpc_code(ctx->rpc) != 0)
		return cmd_fail(ctx, "%s", rpc_text(ctx->rpc));
	p = words_printable(path);
	r = cmd_fail(ctx, "%s: %s", p, rpc_text(ctx->rpc));
	free(p);
	return r;
}

int
cmd_parse_ls(
    struct cmd_ctx *ctx, int argc, char **argv, int *longfmt, const char **path)
{
	int i;

	*longfmt = 0;
	*path = NULL;
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "-l") != 0)
			return cmd_fail(ctx,
			    "unknown option '%s'; usage: %s "
			    "[-l] [PATH]",
			    argv[i], argv[0]);
		*longfmt = 1;
	}
	if (i < argc)
		*path = argv[i++];
	if (i < argc)
		return cmd_fail(ctx, "usage: %s [-l] [PATH]", argv[0]);
	return 0;
}

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

static int
cmd_entry_cmp(const void *a, const void *b)
{
	const struct msg_entry *x = a, *y = b;

	return strcmp(x->name, y->name);
}

void
cmd_print_entries(struct msg_entry *v, size_t n, int longfmt)
{
	char modes[11], when[32], sizes[32], *name;
	struct tm tm;
	time_t t;
	size_t i;
	int w = 1, len;

	qsort(v, n, sizeof(*v), cmd_entry_cmp);
	for (i = 0; i < n && longfmt; i++) {
		len = snprintf(
		    sizes, sizeof(sizes), "%ju", (uintmax_t)v[i].attr.size);
		if (len > w)
			w = len;
	}
	for (i = 0; i < n; i++) {
		name = words_printable(v[i].name);
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
		printf("%s  %*ju %s %s\n", modes, w, (uintmax_t)v[i].attr.size,
		    when, name);
		free(name);
	}
	fflush(stdout);
}

void
cmd_free_entries(struct msg_entry *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

/* What lls shows of a local file, in the protocol's terms. */
static void
cmd_local_attr(const struct stat *st, struct msg_attr *a)
{
	if (S_ISDIR(st->st_mode))
		a->kind = MFTP_KIND_DIR;
	else if (S_ISREG(st->st_mode))
		a->kind = MFTP_KIND_FILE;
	else if (S_ISLNK(st->st_mode))
		a->kind = MFTP_KIND_LINK;
	else
		a->kind = MFTP_KIND_OTHER;
	a->mode = st->st_mode & 07777;
	a->size = (uint64_t)st->st_size;
	a->mtime = st->st_mtime;
}

int
cmd_lls(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct msg_entry *v = NULL;
	const char *path;
	struct dirent *de;
	struct stat st;
	size_t n = 0;
	DIR *d;
	int longfmt, fd;

	if (cmd_parse_ls(ctx, argc, argv, &longfmt, &path) == -1)
		return -1;
	if (path == NULL)
		path = ".";
	if (lstat(path, &st) == -1)
		return cmd_fail(ctx, "%s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		v = xcalloc(1, sizeof(*v));
		v->name = xstrdup(path);
		cmd_local_attr(&st, &v->attr);
		cmd_print_entries(v, 1, longfmt);
		cmd_free_entries(v, 1);
		return 0;
	}
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return cmd_fail(ctx, "%s: %s", path, strerror(errno));
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		/* A file that vanished since readdir is simply left out. */
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n].name = xstrdup(de->d_name);
		cmd_local_attr(&st, &v[n].attr);
		n++;
	}
	if (errno != 0) {
		closedir(d);
		cmd_free_entries(v, n);
		return cmd_fail(ctx, "%s: %s", path, strerror(errno));
	}
	closedir(d);
	cmd_print_entries(v, n, longfmt);
	cmd_free_entries(v, n);
	return 0;
}

int
cmd_lcd(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : getenv("HOME");

	if (dir == NULL || *dir == '\0')
		return cmd_fail(ctx, "HOME is not set; give a directory");
	if (chdir(dir) == -1)
		return cmd_fail(ctx, "%s: %s", dir, strerror(errno));
	return 0;
}

int
cmd_lpwd(struct cmd_ctx *ctx, int argc, char **argv)
{
	char *cwd, *p;

	if ((cwd = getcwd(NULL, 0)) == NULL)
		return cmd_fail(ctx, "%s", strerror(errno));
	p = words_printable(cwd);
	printf("%s\n", p);
	fflush(stdout);
	free(p);
	free(cwd);
	return 0;
}

int
cmd_help(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd *c;

	if (argc > 1) {
		if ((c = cmd_find(argv[1])) == NULL)
			return cmd_fail(
			    ctx, "unknown command '%s' (try help)", argv[1]);
		printf("usage: %s\n  %s\n", c->usage, c->help);
		fflush(stdout);
		return 0;
	}
	for (c = cmd_table; c->name != NULL; c++)
		printf("%-20s %s\n", c->usage, c->help);
	fflush(stdout);
	return 0;
}

int
cmd_quit(struct cmd_ctx *ctx, int argc, char **argv)
{
	ctx->quit = 1;
	return 0;
}
