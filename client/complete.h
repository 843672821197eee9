/*
 * complete.h: tab completion at the prompt: command names, remote paths
 * (from a LIST of the directory being completed) and local paths.
 *
 * Runs as: the user, in mftp.
 */
#ifndef MFTP_CLIENT_COMPLETE_H
#define MFTP_CLIENT_COMPLETE_H

struct cmd_ctx;
struct editline;

struct complete;

/*
 * Bind the tab key of el to completion for the commands of the table
 * (what each operand names is in struct cmd's operands).  el's client
 * data is taken for it.
 */
struct complete *complete_new(struct cmd_ctx *ctx, struct editline *el);
/*
 * Forget the cached remote listing: call before each prompt, so that a
 * listing is reused while one line is edited and never after.
 */
void complete_forget(struct complete *c);
void complete_free(struct complete *c);

#endif
