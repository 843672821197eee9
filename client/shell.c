/*
 * shell.c: the command loop: reads lines, splits them into words, runs
 * commands from the table and reports failures.
 *
 * Runs as: the user, in mftp.  Interactive input goes through libedit
 * (line editing, history, ~/.editrc); batch input is read as plain lines.
 */
#include <histedit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "log.h"
#include "rpc.h"
#include "shell.h"
#include "util.h"
#include "words.h"

#define SHELL_HISTORY 1000

/* How one line went. */
#define SHELL_OK 0
#define SHELL_FAILED 1 /* the command failed; the session goes on */
#define SHELL_LOST 3   /* the session is over */

static int
shell_line(struct cmd_ctx *ctx, const char *line)
{
	const struct cmd *c;
	const char *err;
	char **argv;
	int argc, r;

	while (*line == ' ' || *line == '\t')
		line++;
	if (*line == '\0' || *line == '\n' || *line == '#')
		return SHELL_OK;
	if (words_split(line, &argc, &argv, &err) == -1) {
		fprintf(stderr, "mftp: %s\n", err);
		return SHELL_FAILED;
	}
	if (argc == 0) {
		words_free(argv);
		return SHELL_OK;
	}
	r = SHELL_OK;
	if ((c = cmd_find(argv[0])) == NULL) {
		char *p = words_printable(argv[0]);

		fprintf(stderr, "mftp: %s: unknown command '%s' (try help)\n",
		    p, p);
		free(p);
		r = SHELL_FAILED;
	} else if (argc - 1 < c->min_args ||
	    (c->max_args >= 0 && argc - 1 > c->max_args)) {
		fprintf(stderr, "mftp: %s: usage: %s\n", c->name, c->usage);
		r = SHELL_FAILED;
	} else if (c->fn(ctx, argc, argv) != 0) {
		fprintf(stderr, "mftp: %s: %s\n", c->name,
		    ctx->reason != NULL ? ctx->reason : "failed");
		r = rpc_lost(ctx->rpc) ? SHELL_LOST : SHELL_FAILED;
	}
	fflush(stdout);
	words_free(argv);
	return r;
}

static char *
shell_prompt(EditLine *el)
{
	return (char *)"mftp> ";
}

static int
shell_interactive(struct cmd_ctx *ctx)
{
	HistEvent ev;
	History *hist;
	EditLine *el;
	const char *line;
	int n, r = SHELL_OK;

	if ((hist = history_init()) == NULL)
		fatalx("cannot set up the command history");
	history(hist, &ev, H_SETSIZE, SHELL_HISTORY);
	history(hist, &ev, H_SETUNIQUE, 1);
	if ((el = el_init("mftp", stdin, stdout, stderr)) == NULL)
		fatalx("cannot set up line editing");
	el_set(el, EL_EDITOR, "emacs");
	el_set(el, EL_SIGNAL, 1);
	el_set(el, EL_PROMPT, shell_prompt);
	el_set(el, EL_HIST, history, hist);
	el_source(el, NULL);

	while (!ctx->quit) {
		if ((line = el_gets(el, &n)) == NULL || n <= 0) {
			/* End of input (^D): leave the prompt's line tidy. */
			putchar('\n');
			break;
		}
		if (strspn(line, " \t\n") != strlen(line))
			history(hist, &ev, H_ENTER, line);
		if ((r = shell_line(ctx, line)) == SHELL_LOST)
			break;
	}
	el_end(el);
	history_end(hist);
	return r == SHELL_LOST ? SHELL_LOST : SHELL_OK;
}

static int
shell_batch(struct cmd_ctx *ctx, FILE *in)
{
	char *line = NULL;
	size_t cap = 0;
	int r = SHELL_OK;

	while (!ctx->quit && getline(&line, &cap, in) != -1) {
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

	r = in == NULL ? shell_interactive(ctx) : shell_batch(ctx, in);
	if (r == SHELL_LOST || rpc_lost(ctx->rpc))
		return 3;
	/* Say goodbye even after a failed batch command. */
	if (rpc_quit(ctx->rpc) != RPC_OK && r == SHELL_OK) {
		fprintf(stderr, "mftp: quit: %s\n", rpc_text(ctx->rpc));
		return rpc_lost(ctx->rpc) ? 3 : 1;
	}
	return r == SHELL_OK ? 0 : 1;
}
