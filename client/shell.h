/*
 * shell.h: the command loop, interactive (libedit) or batch.
 *
 * Runs as: the user, in mftp.
 */
#ifndef MFTP_CLIENT_SHELL_H
#define MFTP_CLIENT_SHELL_H

#include <stdio.h>

struct cmd_ctx;

/*
 * Run commands until quit or end of input, then QUIT the session.
 * Interactive (in == NULL): read from the terminal with line editing and
 * history, report failures and go on.  Batch: read lines from in, skip
 * blank ones and those starting with '#', and stop at the first failing
 * command.  Failures are printed as "mftp: COMMAND: REASON".
 * Returns the exit status: 0, 1 (a command failed in batch mode) or
 * 3 (the session was lost).
 */
int shell_run(struct cmd_ctx *ctx, FILE *in);
/*
 * Run one split command line as a script runs its lines: its failure
 * printed, and a transfer whose connection was lost run again as
 * --retry says (ctx->retry).  0, or -1; rpc_lost() tells whether the
 * session is over.  For a transfer named on mftp's command line.
 */
int shell_command(struct cmd_ctx *ctx, int argc, char **argv);

#endif
