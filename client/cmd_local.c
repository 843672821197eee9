/*
 * cmd_local.c: the command table and its option parsing, and the
 * commands that stay on this machine (lcd, lls, lpwd, !, help, quit).
 *
 * Runs as: the user, in mftp.
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmds.h"
#include "intr.h"
#include "log.h"
#include "proto.h"
#include "rpc.h"
#include "termsafe.h"
#include "tilde.h"
#include "util.h"
#include "words.h"

static const struct cmd cmd_table[] = {
	{ "!", 0, 1, "", "", "L", cmd_shell, "!COMMAND",
	    "Run COMMAND with the local shell; ! alone starts an "
	    "interactive shell.",
	    CMD_OFFLINE },
	{ "bye", 0, 0, "", "", "", cmd_quit, "bye",
	    "End the session (same as quit).", CMD_OFFLINE },
	{ "?", 0, 1, "", "", "C", cmd_help, "? [COMMAND]", "The same as help.",
	    CMD_OFFLINE },
	{ "chmod", 2, -1, "", "", "-R", cmd_chmod, "chmod MODE PATH...",
	    "Set the permission bits of remote files or directories to the "
	    "octal MODE (e.g. 640); setuid, setgid and sticky bits are "
	    "refused, and a symbolic link has no mode of its own.",
	    0 },
	{ "cd", 0, 1, "", "", "R", cmd_cd, "cd [DIR]",
	    "Change the remote working directory (default: your home).", 0 },
	{ "df", 0, 0, "h", "", "", cmd_df, "df [-h]",
	    "Show your quota as df does: size, used, available (1K blocks, "
	    "or -h: KiB, MiB, GiB).",
	    0 },
	{ "exit", 0, 0, "", "", "", cmd_quit, "exit",
	    "End the session (same as quit).", CMD_OFFLINE },
	{ "get", 1, 2, "acrT", "", "RL", cmd_get, "get [-acrT] REMOTE [LOCAL]",
	    "Download REMOTE to LOCAL (default: its base name; into LOCAL if "
	    "that is a directory or ends with /); -c or -a: resume "
	    "LOCAL.part, and leave a LOCAL already complete as it is; -r: a "
	    "whole directory; -T: LOCAL itself, never a directory to put it "
	    "in.",
	    0 },
	{ "hash", 1, -1, "s", "", "R", cmd_hash, "hash [--sha256] PATH...",
	    "Show the checksum of remote files in the session's algorithm "
	    "(XXH3-128 as xxhsum -H2 prints it, or SHA-256); --sha256 (-s): "
	    "SHA-256, as sha256sum prints it.",
	    0 },
	{ "help", 0, 1, "", "", "C", cmd_help, "help [COMMAND]",
	    "List the commands, or describe one.", CMD_OFFLINE },
	{ "lcd", 0, 1, "", "", "L", cmd_lcd, "lcd [DIR]",
	    "Change the local working directory (default: your home).",
	    CMD_OFFLINE },
	{ "ln", 2, 2, "s", "", "RR", cmd_ln, "ln -s TARGET LINK",
	    "Make LINK a symbolic link to TARGET on the server (TARGET need "
	    "not exist; it resolves inside your home).",
	    0 },
	{ "lmkdir", 1, -1, "", "", "L", cmd_lmkdir, "lmkdir DIR...",
	    "Create local directories.", CMD_OFFLINE },
	{ "lls", 0, 1, "1ahlrtS", "", "L", cmd_lls, "lls [-1ahlrtS] [PATH]",
	    "List a local directory, with ls's options.", CMD_OFFLINE },
	{ "lpwd", 0, 0, "", "", "", cmd_lpwd, "lpwd",
	    "Print the local working directory.", CMD_OFFLINE },
	{ "lumask", 0, 1, "", "", "", cmd_lumask, "lumask [MODE]",
	    "Show or set (octal) the local umask, applied to downloads and "
	    "new local and remote directories.",
	    CMD_OFFLINE },
	{ "ls", 0, 1, "1ahlrtS", "", "R", cmd_ls, "ls [-1ahlrtS] [PATH]",
	    "List a remote directory: -a: also names starting with a dot "
	    "(partial uploads among them); -l: type, permissions, size, time; "
	    "-h: sizes in KiB, MiB, GiB; -t: newest first; -S: largest first; -r: "
	    "reversed; -1: one a line (always).",
	    0 },
	{ "mget", 1, -1, "acr", "", "R", cmd_mget, "mget [-acr] PATTERN...",
	    "Download the remote files matching each PATTERN (*, ?, [...] "
	    "in the last component) into the local directory.",
	    CMD_PATTERNS },
	{ "mkdir", 1, -1, "p", "", "R", cmd_mkdir, "mkdir [-p] DIR...",
	    "Create remote directories; -p: with their missing parents, and "
	    "no error for one that exists.",
	    0 },
	{ "mput", 1, -1, "acr", "", "L", cmd_mput, "mput [-acr] PATTERN...",
	    "Upload the local files matching each PATTERN into the remote "
	    "directory; -c or -a: not those already complete there.",
	    CMD_PATTERNS },
	{ "mv", 2, 2, "", "", "R", cmd_mv, "mv OLD NEW",
	    "Rename or move a remote file or directory; into NEW if that is "
	    "a directory.",
	    0 },
	{ "progress", 0, 0, "", "", "", cmd_progress, "progress",
	    "Turn the progress bar off or on.", CMD_OFFLINE },
	{ "put", 1, 2, "acrT", "", "LR", cmd_put, "put [-acrT] LOCAL [REMOTE]",
	    "Upload LOCAL to REMOTE (default: its base name; into REMOTE if "
	    "that is a directory or ends with /); an interrupted upload "
	    "always resumes; -r: "
	    "a whole directory; -c or -a (resume): files already complete "
	    "on the server are not sent again; -T: REMOTE itself, never a "
	    "directory to put it in.",
	    0 },
	{ "pwd", 0, 0, "", "", "", cmd_pwd, "pwd",
	    "Print the remote working directory.", 0 },
	{ "quit", 0, 0, "", "", "", cmd_quit, "quit", "End the session.",
	    CMD_OFFLINE },
	{ "quota", 0, 0, "", "", "", cmd_quota, "quota",
	    "Show your disk usage, limits and what is free.", 0 },
	{ "reget", 1, 2, "rT", "c", "RL", cmd_get, "reget [-rT] REMOTE [LOCAL]",
	    "Resume a download (same as get -c): files already complete "
	    "here are not fetched again; -r: a whole directory; -T: LOCAL "
	    "itself, never a directory to put it in.",
	    0 },
	{ "reput", 1, 2, "rT", "c", "LR", cmd_put, "reput [-rT] LOCAL [REMOTE]",
	    "Resume an upload (same as put -c): files already complete on "
	    "the server are not sent again; -r: a whole directory; -T: "
	    "REMOTE itself, never a directory to put it in.",
	    0 },
	{ "rename", 2, 2, "", "", "R", cmd_mv, "rename OLD NEW",
	    "The same as mv.", 0 },
	{ "rm", 1, -1, "fr", "", "R", cmd_rm, "rm [-fr] PATH...",
	    "Remove remote files; -r: directories with everything in them "
	    "(asked first at a terminal; not ., .. or /); -f: do not ask, "
	    "and no error for a missing path.",
	    0 },
	{ "rmdir", 1, -1, "", "", "R", cmd_rmdir, "rmdir DIR...",
	    "Remove empty remote directories.", 0 },
	{ "stat", 1, -1, "", "", "R", cmd_stat, "stat PATH...",
	    "Show a remote file's type, permissions, size and time "
	    "(a link's: of what it leads to).",
	    0 },
	{ "symlink", 2, 2, "", "", "RR", cmd_ln, "symlink TARGET LINK",
	    "The same as ln -s.", 0 },
	{ "version", 0, 0, "", "", "", cmd_version, "version",
	    "Show the version of mftp, of the protocol and of the server.",
	    CMD_OFFLINE },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0 },
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

const struct cmd *
cmd_at(size_t i)
{
	if (i >= sizeof(cmd_table) / sizeof(cmd_table[0]) - 1)
		return NULL;
	return &cmd_table[i];
}

/* Long spellings of option letters: "--NAME" is "-LETTER". */
static const struct cmd_long {
	const char *cmd;
	const char *name;
	char letter;
} cmd_longs[] = {
	{ "hash", "sha256", 's' },
};

static int
cmd_long_opt(struct cmd_ctx *ctx, const struct cmd *c, const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(cmd_longs) / sizeof(cmd_longs[0]); i++)
		if (strcmp(cmd_longs[i].cmd, c->name) == 0 &&
		    strcmp(cmd_longs[i].name, name) == 0) {
			ctx->opts |= CMD_OPT(cmd_longs[i].letter);
			return 0;
		}
	return cmd_fail(ctx,
	    "unknown option '--%s'; usage: %s (put -- before a name that "
	    "starts with '-')",
	    name, c->usage);
}

static int cmd_run_once(struct cmd_ctx *ctx, int argc, char **argv);

int
cmd_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	free(ctx->dest);
	ctx->dest = NULL;
	free(ctx->tree_resume);
	ctx->tree_resume = NULL;
	free(ctx->spent);
	ctx->spent = NULL;
	return cmd_run_once(ctx, argc, argv);
}

/*
 * A local name's leading "~" or "~USER" (tilde_expand): *out a new
 * string, else NULL.  0, or -1 after cmd_fail() for an unknown user.
 */
static int
cmd_tilde(struct cmd_ctx *ctx, const char *path, int glob, char **out)
{
	if (tilde_expand(path, glob, out) == 0)
		return 0;
	cmd_fail(ctx, "%s", *out);
	free(*out);
	*out = NULL;
	return -1;
}

int
cmd_run_again(struct cmd_ctx *ctx, int argc, char **argv)
{
	int r;

	ctx->rerun = 1;
	r = cmd_run_once(ctx, argc, argv);
	ctx->rerun = 0;
	return r;
}

static int
cmd_run_once(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd *c;
	const char *o;
	char **args, **made;
	size_t nk;
	int i, k, n, r = 0;

	ctx->gone = 0;
	free(ctx->gone_first);
	ctx->gone_first = NULL;
	ctx->missed = 0;
	free(ctx->missed_first);
	ctx->missed_first = NULL;
	/* An unknown one too: its failure is said under its name. */
	ctx->name = argv[0];
	if ((c = cmd_find(argv[0])) == NULL)
		return cmd_fail(ctx, "unknown command (try help)");
	ctx->opts = 0;
	for (o = c->implied; *o != '\0'; o++)
		ctx->opts |= CMD_OPT(*o);
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (argv[i][1] == '-') {
			if (cmd_long_opt(ctx, c, argv[i] + 2) == -1)
				return -1;
			continue;
		}
		for (o = argv[i] + 1; *o != '\0'; o++) {
			if (!isalnum((unsigned char)*o) ||
			    strchr(c->opts, *o) == NULL)
				return cmd_fail(ctx,
				    "unknown option '-%c'; usage: %s (put -- "
				    "before a name that starts with '-')",
				    *o, c->usage);
			ctx->opts |= CMD_OPT(*o);
		}
	}
	/* -a is lftp's and sftp's name for resuming (-c). */
	if ((ctx->opts & CMD_OPT('a')) && strchr(c->opts, 'c') != NULL)
		ctx->opts |= CMD_OPT('c');
	n = argc - i;
	if (n < c->min_args || (c->max_args >= 0 && n > c->max_args))
		return cmd_fail(ctx, "usage: %s", c->usage);
	args = xcalloc((size_t)n + 2, sizeof(*args));
	made = xcalloc((size_t)n + 1, sizeof(*made));
	args[0] = argv[0];
	memcpy(args + 1, argv + i, (size_t)n * sizeof(*args));
	/* A local name's unquoted ~ is the home directory. */
	nk = strlen(c->operands);
	for (k = 0; k < n && nk > 0 && ctx->tilde != NULL && r == 0; k++) {
		if (c->operands[(size_t)k < nk ? (size_t)k : nk - 1] != 'L' ||
		    !ctx->tilde[i + k])
			continue;
		r = cmd_tilde(ctx, args[k + 1], c->fn == cmd_mput, &made[k]);
		if (made[k] != NULL)
			args[k + 1] = made[k];
	}
	if (r == 0)
		r = c->fn(ctx, n + 1, args);
	for (k = 0; k < n; k++)
		free(made[k]);
	free(made);
	free(args);
	return r;
}

/*
 * A failure's reason or a note, formatted and made safe for the
 * terminal, once for every caller: it may name a server's file (a local
 * path made of it, a .part) as it came.
 */
static char *
cmd_safe_text(const char *fmt, va_list ap)
{
	char *s, *safe;

	if (vasprintf(&s, fmt, ap) < 0)
		fatalx("out of memory formatting a string");
	safe = termsafe_str(s);
	free(s);
	return safe;
}

int
cmd_fail(struct cmd_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int e = errno;

	/* Formatted before the old reason goes: it may be an argument. */
	va_start(ap, fmt);
	s = cmd_safe_text(fmt, ap);
	va_end(ap);
	free(ctx->reason);
	ctx->reason = s;
	/* The caller may still look at why it failed (xfer_plan). */
	errno = e;
	return -1;
}

int
cmd_rpc_fail(struct cmd_ctx *ctx, const char *path)
{
	char *p;
	int r;

	/* A session closed on Ctrl-C (rpc_recv): as a stopped transfer. */
	if (rpc_lost(ctx->rpc) && intr_pending())
		ctx->interrupted = 1;
	/*
	 * The server names the path in its own messages, but for QUOTA's,
	 * which speak of the account ("quota exceeded: 4 of 4 files used,
	 * 1 more needed"): those, and a local failure (code 0), get it
	 * here, so that mkdir -p says which directory did not fit.  A lost
	 * session is not about the path.
	 */
	/*
	 * sftp's get, ls and rm expand patterns; here only mget and mput
	 * do, in the last name alone, which a name that is not there may
	 * not know.
	 */
	if (path != NULL && rpc_code(ctx->rpc) == MFTP_ST_NOT_FOUND &&
	    strpbrk(path, "*?[") != NULL && ctx->name != NULL)
		return cmd_fail(ctx,
		    strcmp(ctx->name, "mget") == 0 ||
			    strcmp(ctx->name, "mput") == 0 ?
			"%s (patterns are expanded in the last name only)" :
			"%s (only mget and mput expand *, ? and [...])",
		    rpc_text(ctx->rpc));
	if (path == NULL || rpc_lost(ctx->rpc) ||
	    (rpc_code(ctx->rpc) != 0 && rpc_code(ctx->rpc) != MFTP_ST_QUOTA))
		return cmd_fail(ctx, "%s", rpc_text(ctx->rpc));
	p = words_printable(path);
	r = cmd_fail(ctx, "%s: %s", p, rpc_text(ctx->rpc));
	free(p);
	return r;
}

int
cmd_stopped(struct cmd_ctx *ctx)
{
	return intr_pending() ? cmd_fail(ctx, "interrupted") : 0;
}

void
cmd_say(const struct cmd_ctx *ctx, const char *text)
{
	char *p = words_printable(ctx->name != NULL ? ctx->name : "mftp");

	/* What was printed to stdout comes first, as the user saw it. */
	fflush(stdout);
	intr_erase_echo(stderr);
	fprintf(stderr, "mftp: %s: %s\n", p, text != NULL ? text : "failed");
	free(p);
}

void
cmd_vnote(const char *fmt, va_list ap)
{
	char *safe = cmd_safe_text(fmt, ap);

	/* What was printed to stdout comes first, as the user saw it. */
	fflush(stdout);
	intr_erase_echo(stderr);
	fprintf(stderr, "mftp: %s\n", safe);
	free(safe);
}

void
cmd_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cmd_vnote(fmt, ap);
	va_end(ap);
}

char *
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

int
cmd_into(const char *dest)
{
	size_t n = strlen(dest);

	return n > 0 && dest[n - 1] == '/';
}

char *
cmd_join(const char *dir, const char *name)
{
	char *s;
	size_t n = strlen(dir);

	if (n == 0)
		return xstrdup(name);
	xasprintf(&s, "%s%s%s", dir, dir[n - 1] == '/' ? "" : "/", name);
	return s;
}

int
cmd_octal(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	/* strtoul would skip blanks and take a sign. */
	if (*s == '\0' || strspn(s, "01234567") != strlen(s))
		return -1;
	for (; *s != '\0'; s++) {
		v = v * 8 + (unsigned long)(*s - '0');
		if (v > max)
			return -1;
	}
	*out = v;
	return 0;
}

int
cmd_lls(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct msg_entry *v = NULL;
	struct msg_attr a;
	const char *path;
	struct dirent *de;
	struct stat st;
	size_t n = 0;
	DIR *d;
	int fd;

	path = argc > 1 ? argv[1] : ".";
	if (lstat(path, &st) == -1)
		return cmd_fail(ctx, "%s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		v = xcalloc(1, sizeof(*v));
		v->name = xstrdup(path);
		msg_attr_from_stat(&st, &v->attr);
		cmd_print_entries(v, 1, ctx->opts);
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
		    strcmp(de->d_name, "..") == 0 ||
		    cmd_list_hidden(de->d_name, ctx->opts))
			continue;
		/* A file that vanished since readdir is simply left out. */
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		msg_attr_from_stat(&st, &a);
		cmd_add_entry(&v, &n, de->d_name, &a);
	}
	if (errno != 0) {
		closedir(d);
		cmd_free_entries(v, n);
		return cmd_fail(ctx, "%s: %s", path, strerror(errno));
	}
	closedir(d);
	cmd_print_entries(v, n, ctx->opts);
	cmd_free_entries(v, n);
	return 0;
}

int
cmd_lcd(struct cmd_ctx *ctx, int argc, char **argv)
{
	char *home = NULL;
	const char *dir;
	int r = 0;

	/* No directory: the home, found as ~ is (cmd_tilde). */
	if (argc == 1 && cmd_tilde(ctx, "~", 0, &home) == -1)
		return -1;
	dir = argc > 1 ? argv[1] : home;
	if (chdir(dir) == -1)
		r = cmd_fail(ctx, "%s: %s", dir, strerror(errno));
	free(home);
	return r;
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

/*
 * The columns help wraps its text to: one less than a terminal's width
 * (a line that fills the last column makes some terminals wrap), 79 for
 * a pipe or a file; never so few that a line has no room for words.
 */
static int
cmd_help_cols(void)
{
	struct winsize ws;
	int cols = 79;

	if (isatty(STDOUT_FILENO) &&
	    ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		cols = ws.ws_col - 1;
	return cols < 40 ? 40 : cols;
}

/* Print text wrapped to width columns, lines after the first indented. */
static void
cmd_wrap(const char *text, int col, int indent, int width)
{
	const char *p = text, *sp;
	int len;

	while (*p != '\0') {
		len = (int)strlen(p);
		if (col + len > width) {
			/* The last blank that still fits, else the first one. */
			for (sp = p + (width - col); sp > p && *sp != ' '; sp--)
				;
			if (sp == p && (sp = strchr(p, ' ')) == NULL)
				sp = p + len;
			len = (int)(sp - p);
		}
		printf("%.*s\n", len, p);
		p += len;
		while (*p == ' ')
			p++;
		if (*p != '\0')
			printf("%*s", indent, "");
		col = indent;
	}
}

int
cmd_help(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd *c;
	int width;

	if (argc > 1) {
		if ((c = cmd_find(argv[1])) == NULL)
			return cmd_fail(
			    ctx, "unknown command '%s' (try help)", argv[1]);
		printf("usage: %s\n  ", c->usage);
		cmd_wrap(c->help, 2, 2, cmd_help_cols());
		fflush(stdout);
		return 0;
	}
	width = cmd_help_cols();
	for (c = cmd_table; c->name != NULL; c++) {
		/* A narrow terminal: the text under its command. */
		if (width < 27 + 30) {
			printf("%s\n    ", c->usage);
			cmd_wrap(c->help, 4, 4, width);
			continue;
		}
		printf("%-26s ", c->usage);
		cmd_wrap(c->help, 27, 27, width);
	}
	putchar('\n');
	cmd_wrap("Options come before names; -- ends them (rm -- -file).", 0, 0,
	    width);
	fflush(stdout);
	return 0;
}

int
cmd_quit(struct cmd_ctx *ctx, int argc, char **argv)
{
	ctx->quit = 1;
	return 0;
}

/*
 * !COMMAND: /bin/sh -c COMMAND, or the user's shell for a bare !.  While
 * it runs this process ignores ^C and ^\, which are meant for the child;
 * a ^C that kills the child is then taken as this process's own.
 * When the commands come from the standard input the child gets
 * /dev/null there, so it cannot eat the commands that follow.
 */
int
cmd_shell(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct sigaction ign, oint, oquit;
	const char *sh;
	pid_t pid;
	int status, fd;

	if ((sh = getenv("SHELL")) == NULL || *sh == '\0')
		sh = "/bin/sh";
	fflush(stdout);
	fflush(stderr);
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &oint);
	sigaction(SIGQUIT, &ign, &oquit);
	if ((pid = fork()) == -1) {
		status = errno;
		sigaction(SIGINT, &oint, NULL);
		sigaction(SIGQUIT, &oquit, NULL);
		return cmd_fail(ctx, "fork: %s", strerror(status));
	}
	if (pid == 0) {
		sigaction(SIGINT, &oint, NULL);
		sigaction(SIGQUIT, &oquit, NULL);
		signal(SIGPIPE, SIG_DFL);
		if (ctx->stdin_cmds &&
		    (fd = open("/dev/null", O_RDONLY)) != -1) {
			dup2(fd, STDIN_FILENO);
			if (fd != STDIN_FILENO)
				close(fd);
		}
		if (argc > 1 && argv[1][0] != '\0')
			execl("/bin/sh", "sh", "-c", argv[1], (char *)NULL);
		else
			execl(sh, sh, (char *)NULL);
		fprintf(stderr, "mftp: %s: %s\n",
		    argc > 1 && argv[1][0] != '\0' ? "/bin/sh" : sh,
		    strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGQUIT, &oquit, NULL);
	if (WIFSIGNALED(status)) {
		/*
		 * The terminal sent that ^C to this process too, which
		 * ignored it while the command ran: a script ends (130).
		 */
		if (WTERMSIG(status) == SIGINT)
			intr_note();
		return cmd_fail(ctx, "the command was killed by signal %d",
		    WTERMSIG(status));
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		return cmd_fail(ctx, "the command exited with status %d",
		    WEXITSTATUS(status));
	return 0;
}
