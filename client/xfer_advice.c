/*
 * xfer_advice.c: the command a transfer's failure or interruption
 * gives to go on with it (xfer.h): "reget REMOTE LOCAL" for one file,
 * the whole command's in get -r, put -r, mget and mput
 * (ctx->tree_resume), and the line of a transfer stopped by Ctrl-C.
 *
 * Runs as: the user, in mftp.  Each command is quoted as it can be
 * typed back, so that what the line says is what resumes it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "human.h"
#include "rpc.h"
#include "util.h"
#include "words.h"
#include "xfer.h"

char *
xfer_resume_cmd(const char *cmd, const char *src, const char *dst)
{
	char *base = cmd_basename(src), *a = words_quote(src), *b = NULL, *s;
	const char *dashes = *src == '-' || *dst == '-' ? "-- " : "";

	if (base == NULL || strcmp(base, dst) != 0)
		b = words_quote(dst);
	xasprintf(&s, "%s %s%s%s%s", cmd, dashes, a, b != NULL ? " " : "",
	    b != NULL ? b : "");
	free(base);
	free(a);
	free(b);
	return s;
}

char *
xfer_resume_args(const char *cmd, int argc, char **argv)
{
	char *s = xstrdup(cmd), *q, *t;
	int k;

	for (k = 1; k < argc; k++)
		if (argv[k][0] == '-') {
			xasprintf(&t, "%s --", s);
			free(s);
			s = t;
			break;
		}
	for (k = 1; k < argc; k++) {
		q = words_quote(argv[k]);
		xasprintf(&t, "%s %s", s, q);
		free(q);
		free(s);
		s = t;
	}
	return s;
}

char *
xfer_resume_line(const struct cmd_ctx *ctx, const char *cmd, const char *src,
    const char *dst)
{
	char *line;

	/*
	 * From the shell, a file named on the command line resumes by the
	 * same command (the part is taken up); a tree's command is one of
	 * a session's.
	 */
	if (ctx->command_line && ctx->tree_resume == NULL)
		return xstrdup("the same mftp command again");
	if (ctx->command_line) {
		xasprintf(&line, "in a session, %s", ctx->tree_resume);
		return line;
	}
	if (ctx->tree_resume != NULL)
		return xstrdup(ctx->tree_resume);
	return xfer_resume_cmd(cmd, src, dst);
}

/* The line of a stopped transfer; how_far: "at 5 MiB of 9 MiB"... */
static int
xfer_interrupted_as(struct cmd_ctx *ctx, const char *name, const char *how_far,
    const char *cmd, const char *src, const char *dst)
{
	char *p = words_printable(name), *resume;
	int r;

	ctx->interrupted = 1;
	resume = xfer_resume_line(ctx, cmd, src, dst);
	r = cmd_fail(
	    ctx, "%s: interrupted %s; %s resumes it", p, how_far, resume);
	free(resume);
	free(p);
	return r;
}

/* how: "at" (a download's bytes), "after" (an upload's, then "sent"). */
static int
xfer_interrupted_came(struct cmd_ctx *ctx, const char *name, uint64_t came,
    uint64_t size, const char *how, const char *cmd, const char *src,
    const char *dst)
{
	char done[32], whole[32], how_far[96];

	human_size(came, done, sizeof(done));
	human_size(size, whole, sizeof(whole));
	snprintf(how_far, sizeof(how_far), "%s %s of %s%s", how, done, whole,
	    strcmp(how, "after") == 0 ? " sent" : "");
	return xfer_interrupted_as(ctx, name, how_far, cmd, src, dst);
}

int
xfer_interrupted(struct cmd_ctx *ctx, const char *name,
    const struct rpc_xfer *x, const char *cmd, const char *src, const char *dst)
{
	return xfer_interrupted_came(
	    ctx, name, x->offset + x->bytes, x->size, "at", cmd, src, dst);
}

int
xfer_interrupted_early(struct cmd_ctx *ctx, const char *name, const char *cmd,
    const char *src, const char *dst)
{
	return xfer_interrupted_as(
	    ctx, name, "before its data was sent", cmd, src, dst);
}

int
xfer_interrupted_sent(struct cmd_ctx *ctx, const char *name,
    const struct rpc_xfer *x, const char *cmd, const char *src, const char *dst)
{
	/* As far as the server took (rpc_put_data), not what was handed
	 * to the connection. */
	return xfer_interrupted_came(
	    ctx, name, x->offset + x->shown, x->size, "after", cmd, src, dst);
}
