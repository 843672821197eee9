/*
 * shell.c: the command loop: reads lines, splits them into words, runs
 * commands from the table and reports failures.
 *
 * Runs as: the user, in mftp.  Interactive input goes through libedit
 * (line editing, tab completion, history kept in ~/.mftp_history,
 * ~/.editrc); batch input is read as plain lines.
 */
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <errno.h>
#include <histedit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "complete.h"
#include "intr.h"
#include "login.h"
#include "log.h"
#include "rpc.h"
#include "shell.h"
#include "tls.h"
#include "util.h"
#include "words.h"

#define SHELL_HISTORY 1000
#define SHELL_HISTORY_FILE ".mftp_history"

/* How one line went. */
#define SHELL_OK 0
#define SHELL_FAILED 1 /* the command failed; the session goes on */
#define SHELL_LOST 3   /* the session is over */
#define SHELL_INTR 130 /* Ctrl-C stopped a transfer in batch mode */

/* "!COMMAND": the rest of the line goes to the shell as it is. */
static int
shell_bang(struct cmd_ctx *ctx, const char *line)
{
	const struct cmd *c = cmd_find("!");
	char *argv[3], *rest;
	size_t n;
	int r;

	rest = xstrdup(line + 1);
	n = strlen(rest);
	while (n > 0 && (rest[n - 1] == '\n' || rest[n - 1] == '\r'))
		rest[--n] = '\0';
	argv[0] = (char *)"!";
	argv[1] = rest;
	argv[2] = NULL;
	r = c->fn(ctx, 2, argv);
	free(rest);
	return r;
}

/*
 * Ctrl-C during a command: a script ends (status 130, as a shell's ^C),
 * whether it stopped a transfer or came after its last bytes (while the
 * file was hashed or put into place), when the command went on to the
 * end.  At the prompt only a stopped transfer matters, which closed the
 * connection: the session goes on, logged in again.
 */
static int
shell_interrupted(struct cmd_ctx *ctx)
{
	int stopped = ctx->interrupted;

	ctx->interrupted = 0;
	intr_clear();
	if (!ctx->interactive) {
		if (!stopped)
			fprintf(stderr, "mftp: interrupted\n");
		return SHELL_INTR;
	}
	if (login_again(ctx) == -1) {
		fprintf(stderr, "mftp: %s\n", ctx->reason);
		return SHELL_LOST;
	}
	return SHELL_FAILED;
}

/* The first pause before a reconnect, and the longest. */
#define SHELL_RETRY_PAUSE_MS 1000
#define SHELL_RETRY_PAUSE_MAX_MS 5000

/*
 * --retry N: a script's transfer, or one named on the command line,
 * whose connection was lost (a node behind a balancer died, a network
 * blip) logs in again, to whichever node answers, and runs the command
 * again as it was typed: a get resumes the .part files that carry mftp's
 * resume record by itself, as a put does on the server.  It never gains
 * a -c: that would take up a .part the first try refused as the user's
 * own (no record), append to it and rename it onto LOCAL, which only a
 * user who typed get -c may ask for.  Where it saves is what the first
 * try decided (cmd_run_again): the directory LOCAL that get -r LOCAL
 * made is no reason to go into LOCAL/BASE now.  At most ctx->retry
 * reconnects for one command, with a growing pause; every resumed file
 * is verified as any other.  A download that wrote into a descriptor,
 * a device or a FIFO (ctx->spent) is not run again: what it wrote stays
 * there, and a new try would write the whole file after it.
 */
static int
shell_retry(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const char *const resumable[] = { "get", "reget", "mget", "put",
		"reput", "mput" };
	unsigned int pause;
	size_t i;
	int tries, r = SHELL_LOST;

	if (ctx->interactive || ctx->retry == 0)
		return SHELL_LOST;
	for (i = 0; i < sizeof(resumable) / sizeof(resumable[0]); i++)
		if (strcmp(argv[0], resumable[i]) == 0)
			break;
	if (i == sizeof(resumable) / sizeof(resumable[0]))
		return SHELL_LOST;
	for (tries = 1; tries <= ctx->retry; tries++) {
		/* A first try's data in /dev/stdout would come twice. */
		if (ctx->spent != NULL) {
			cmd_note("not retried: data already went into %s, "
				 "which cannot be resumed: a new try would "
				 "write it again",
			    ctx->spent);
			break;
		}
		pause = (unsigned int)tries * SHELL_RETRY_PAUSE_MS;
		if (pause > SHELL_RETRY_PAUSE_MAX_MS)
			pause = SHELL_RETRY_PAUSE_MAX_MS;
		fprintf(stderr,
		    "mftp: connection lost; reconnecting to resume (%d of "
		    "%d)\n",
		    tries, ctx->retry);
		sleep_ms(pause);
		if (login_again(ctx) == -1) {
			fprintf(stderr, "mftp: %s\n", ctx->reason);
			continue;
		}
		if (cmd_run_again(ctx, argc, argv) == 0) {
			r = SHELL_OK;
			break;
		}
		cmd_say(ctx, ctx->reason);
		if (ctx->interrupted || !rpc_lost(ctx->rpc)) {
			r = SHELL_FAILED;
			break;
		}
	}
	return r;
}

int
shell_command(struct cmd_ctx *ctx, int argc, char **argv)
{
	if (cmd_run(ctx, argc, argv) == 0)
		return 0;
	cmd_say(ctx, ctx->reason);
	if (rpc_lost(ctx->rpc) && !ctx->interrupted &&
	    shell_retry(ctx, argc, argv) == SHELL_OK)
		return 0;
	return -1;
}

/* A command that asks nothing of the server (or none at all, a name
 * mistyped): no login for it. */
static int
shell_is_local(const char *name)
{
	const struct cmd *c = cmd_find(name);

	return c == NULL || (c->flags & CMD_OFFLINE) != 0;
}

/*
 * At the prompt: a session the server ended (its idle_timeout, a
 * restart, a node gone behind a balancer) is logged in again, to the
 * key the first login checked, rather than ending mftp: before a
 * command (cmd NULL) once the server has closed the connection, which
 * nothing of the command was sent on; after one that lost it (cmd),
 * saying that it was not run again.  0 (nothing to do, or logged in
 * again), or -1 after the reason was said.
 */
static int
shell_relogin(struct cmd_ctx *ctx, const char *cmd)
{
	char *q;

	if (cmd == NULL && !rpc_peer_gone(ctx->rpc))
		return 0;
	if (cmd == NULL)
		cmd_note("the server closed the session (idle for too long?); "
			 "logging in again");
	if (login_again(ctx) == -1) {
		fprintf(stderr, "mftp: %s\n", ctx->reason);
		return -1;
	}
	if (cmd != NULL) {
		q = words_quote(cmd);
		cmd_note("logged in again; %s was not run again: it may have "
			 "been done, or not",
		    q);
		free(q);
	}
	return 0;
}

static int
shell_line(struct cmd_ctx *ctx, const char *line)
{
	const char *err;
	char **argv, *p, *tilde;
	size_t n;
	int argc, r, tolerant = 0;

	while (*line == ' ' || *line == '\t')
		line++;
	/*
	 * A line ends with its newline, or a CR LF.  A CR anywhere else (a
	 * file with CR line ends is one long line) would cut the line
	 * short where it is taken for its end, and the commands after it
	 * would vanish without a word.
	 */
	n = strlen(line);
	if (n > 0 && line[n - 1] == '\n')
		n--;
	if (n > 0 && line[n - 1] == '\r')
		n--;
	if (memchr(line, '\r', n) != NULL) {
		fprintf(stderr,
		    "mftp: a carriage return inside a line (a file "
		    "with CR line ends?)\n");
		return SHELL_FAILED;
	}
	if (n == 0 || *line == '#')
		return SHELL_OK;
	/* As in sftp's batch files: "-rm x" may fail, the run goes on. */
	if (*line == '-' && !ctx->interactive) {
		tolerant = 1;
		line++;
		n--;
		/* Blanks may follow, and a ! or a comment, as sftp reads it. */
		while (n > 0 && (*line == ' ' || *line == '\t')) {
			line++;
			n--;
		}
		if (n == 0 || *line == '#')
			return SHELL_OK;
	}
	if (*line == '!') {
		r = shell_bang(ctx, line) == 0 ? SHELL_OK : SHELL_FAILED;
		if (r == SHELL_FAILED)
			fprintf(stderr, "mftp: !: %s\n", ctx->reason);
		/* A ^C that killed the command ends a script, "-" or not. */
		if (!ctx->interactive && intr_pending())
			return shell_interrupted(ctx);
		return tolerant ? SHELL_OK : r;
	}
	/* The line's end is no blank to escape: "a\\" is an error. */
	p = xstrdup(line);
	p[n] = '\0';
	r = words_split_tilde(p, &argc, &argv, &tilde, &err);
	free(p);
	if (r == -1) {
		fprintf(stderr, "mftp: %s\n", err);
		return tolerant ? SHELL_OK : SHELL_FAILED;
	}
	if (argc == 0) {
		words_free(argv);
		free(tilde);
		return SHELL_OK;
	}
	r = SHELL_OK;
	ctx->tilde = tilde;
	if (ctx->interactive && !shell_is_local(argv[0]) &&
	    shell_relogin(ctx, NULL) == -1)
		r = SHELL_LOST; /* said; a second try would wait as long */
	else if (shell_command(ctx, argc, argv) != 0) {
		r = rpc_lost(ctx->rpc) ? SHELL_LOST : SHELL_FAILED;
		/* At the prompt a lost session is no end: the next command
		 * has a new one (this one is not run again: it may have
		 * been done). */
		if (r == SHELL_LOST && ctx->interactive && !ctx->interrupted &&
		    shell_relogin(ctx, argv[0]) == 0)
			r = SHELL_FAILED;
	}
	ctx->tilde = NULL;
	free(tilde);
	if (ctx->interrupted || (!ctx->interactive && intr_pending()))
		r = shell_interrupted(ctx);
	else if (r == SHELL_FAILED && tolerant)
		r = SHELL_OK;
	fflush(stdout);
	words_free(argv);
	return r;
}

/*
 * The width libedit is told is never below SHELL_MIN_COLS.  libedit
 * (3.1 of 2021-08) writes past the end of its display buffers when it
 * redraws on a terminal narrower than its prompt: a window made 5
 * columns wide, then a line typed, corrupted the heap (valgrind: an
 * invalid write in el_gets into what el_resize allocated).  Its own
 * SIGWINCH handler (EL_SIGNAL) sizes them to the terminal, then raises
 * the signal again for the handler that was there before, this one,
 * which sizes them again, to the floor, before anything is redrawn.  A
 * window that narrow then wraps the line oddly, and nothing worse.
 *
 * Resizing allocates.  In el_gets libedit's own handler does so too, in
 * the same signal; anywhere else (a transfer, whose buffers are being
 * allocated, a command) the handler only notes the resize, and the
 * width is set before the next el_gets, outside any handler.
 */
#define SHELL_MIN_COLS 20
static EditLine *shell_el;
static volatile sig_atomic_t shell_in_gets, shell_winch_pending;

static void
shell_fit_width(void)
{
	struct winsize ws;
	char co[12], *p = co + sizeof(co);
	unsigned int cols;

	if (shell_el == NULL || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == -1 ||
	    ws.ws_col == 0)
		return;
	cols = ws.ws_col < SHELL_MIN_COLS ? SHELL_MIN_COLS : ws.ws_col;
	/* In digits without stdio, which a signal handler may not use. */
	*--p = '\0';
	do
		*--p = (char)('0' + cols % 10);
	while ((cols /= 10) > 0);
	(void)el_set(shell_el, EL_SETTC, "co", p, NULL);
}

static void
shell_on_winch(int sig)
{
	int e = errno;

	(void)sig;
	if (shell_in_gets)
		shell_fit_width();
	else
		shell_winch_pending = 1;
	errno = e;
}

/* el_gets, with libedit's width set to the window's (at least the floor). */
static const char *
shell_gets(EditLine *el, int *n)
{
	const char *line;

	if (shell_winch_pending) {
		shell_winch_pending = 0;
		shell_fit_width();
	}
	shell_in_gets = 1;
	line = el_gets(el, n);
	shell_in_gets = 0;
	return line;
}

static void
shell_catch_winch(EditLine *el)
{
	struct sigaction sa;

	shell_el = el;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = shell_on_winch;
	sigemptyset(&sa.sa_mask);
	/* A transfer's system calls go on through a resize. */
	sa.sa_flags = SA_RESTART;
	(void)sigaction(SIGWINCH, &sa, NULL);
	shell_winch_pending = 1; /* a window already that narrow */
}

static char *
shell_prompt(EditLine *el)
{
	return (char *)"mftp> ";
}

/*
 * Whether libedit may open path: absent or a regular file.  It opens
 * with fopen(3), which would wait on a FIFO for good (and read or write
 * a device); such a file is left alone, with a note that says what is
 * done without it.
 */
static int
shell_file_ok(const char *path, const char *without)
{
	struct stat st;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		cmd_note("%s is not a regular file; %s", path, without);
		return 0;
	}
	return 1;
}

/* ~/.mftp_history, or NULL without a home or one fit to use. */
static char *
shell_history_file(void)
{
	char *path = home_file(SHELL_HISTORY_FILE);

	if (path == NULL)
		return NULL;
	if (!shell_file_ok(path, "no history is kept")) {
		free(path);
		return NULL;
	}
	return path;
}

/*
 * $EDITRC or ~/.editrc, as el_source(el, NULL) finds it, if fit to read;
 * the home as for the history (home_dir: the password database's when
 * HOME is unset or empty).
 */
static void
shell_editrc(EditLine *el)
{
	const char *env = getenv("EDITRC");
	char *path;

	if (env != NULL && *env != '\0')
		path = xstrdup(env);
	else if ((path = home_file(".editrc")) == NULL)
		return;
	if (access(path, F_OK) == 0 && shell_file_ok(path, "not read"))
		el_source(el, path);
	free(path);
}

static int
shell_interactive(struct cmd_ctx *ctx)
{
	struct complete *comp;
	HistEvent ev;
	History *hist;
	EditLine *el;
	const char *line;
	char *histfile;
	mode_t um;
	int n, r = SHELL_OK;

	if ((hist = history_init()) == NULL)
		fatalx("cannot set up the command history");
	history(hist, &ev, H_SETSIZE, SHELL_HISTORY);
	history(hist, &ev, H_SETUNIQUE, 1);
	if ((histfile = shell_history_file()) != NULL)
		(void)history(hist, &ev, H_LOAD, histfile);
	if ((el = el_init("mftp", stdin, stdout, stderr)) == NULL)
		fatalx("cannot set up line editing");
	el_set(el, EL_EDITOR, "emacs");
	el_set(el, EL_SIGNAL, 1);
	el_set(el, EL_PROMPT, shell_prompt);
	el_set(el, EL_HIST, history, hist);
	comp = complete_new(ctx, el);
	shell_editrc(el);
	shell_catch_winch(el);

	intr_catch(0);
	/* ^C ends a handshake's wait too (a login again, login.c). */
	tls_set_stop(intr_pending);
	while (!ctx->quit) {
		/* A listing cached for completion is good for one line. */
		complete_forget(comp);
		intr_clear();
		line = shell_gets(el, &n);
		if (intr_pending()) {
			/* ^C: drop the line, a fresh prompt, as sftp does. */
			putchar('\n');
			el_reset(el);
			/* One that stopped a completion's listing closed the
			 * connection, as it stops a transfer. */
			if (rpc_lost(ctx->rpc) && login_again(ctx) == -1) {
				fprintf(stderr, "mftp: %s\n", ctx->reason);
				break;
			}
			continue;
		}
		if (line == NULL || n <= 0) {
			/* End of input (^D): leave the prompt's line tidy. */
			putchar('\n');
			break;
		}
		if (strspn(line, " \t\n") != strlen(line))
			history(hist, &ev, H_ENTER, line);
		if ((r = shell_line(ctx, line)) == SHELL_LOST)
			break;
	}
	if (histfile != NULL) {
		/* Names of files are nobody else's business. */
		um = umask(077);
		(void)history(hist, &ev, H_SAVE, histfile);
		umask(um);
		free(histfile);
	}
	complete_free(comp);
	(void)signal(SIGWINCH, SIG_DFL);
	shell_el = NULL;
	el_end(el);
	history_end(hist);
	return r == SHELL_LOST ? SHELL_LOST : SHELL_OK;
}

static int
shell_batch(struct cmd_ctx *ctx, FILE *in)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int r = SHELL_OK;

	intr_catch(1);
	while (!ctx->quit && (len = getline(&line, &cap, in)) != -1) {
		/* It would end the line early, where a C string ends. */
		if (strlen(line) != (size_t)len) {
			fprintf(stderr, "mftp: a NUL byte in a command line\n");
			r = SHELL_FAILED;
			break;
		}
		if (ctx->verbose) {
			printf("mftp> %s", line);
			if (line[0] == '\0' || line[strlen(line) - 1] != '\n')
				putchar('\n');
			fflush(stdout);
		}
		if ((r = shell_line(ctx, line)) != SHELL_OK)
			break;
	}
	if (r == SHELL_OK && ferror(in)) {
		fprintf(stderr, "mftp: error reading commands\n");
		r = SHELL_FAILED;
	}
	free(line);
	return r;
}

int
shell_run(struct cmd_ctx *ctx, FILE *in)
{
	int r;

	ctx->stdin_cmds = in == stdin;
	ctx->cmds_fd = in != NULL ? fileno(in) : -1;
	ctx->interactive = in == NULL;
	r = in == NULL ? shell_interactive(ctx) : shell_batch(ctx, in);
	if (r == SHELL_INTR) {
		/* A Ctrl-C after a transfer's end left the session as it was. */
		if (!rpc_lost(ctx->rpc))
			(void)rpc_quit(ctx->rpc);
		return r;
	}
	if (r == SHELL_LOST || rpc_lost(ctx->rpc))
		return 3;
	/* At the prompt, a session the server ended while it waited (its
	 * idle timeout) has no one to say goodbye to: quit is no failure. */
	if (ctx->interactive && rpc_peer_gone(ctx->rpc))
		return r == SHELL_OK ? 0 : 1;
	/* Say goodbye even after a failed batch command. */
	if (rpc_quit(ctx->rpc) != RPC_OK && r == SHELL_OK) {
		fprintf(stderr, "mftp: quit: %s\n", rpc_text(ctx->rpc));
		return rpc_lost(ctx->rpc) ? 3 : 1;
	}
	return r == SHELL_OK ? 0 : 1;
}
