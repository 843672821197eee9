/*
 * cmds.h: the client's command table and what its handlers share.
 *
 * Runs as: the user, in mftp.  Remote commands (talking to the server
 * through rpc.h) live in cmd_remote.c; local ones, help, quit and the table
 * itself in cmd_local.c.
 */
#ifndef MFTP_CLIENT_CMDS_H
#define MFTP_CLIENT_CMDS_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "msg.h"

struct rpc;

/* The state every command sees. */
struct cmd_ctx {
	struct rpc *rpc;
	int quiet;    /* -q: no transfer summaries */
	mode_t umask; /* the process umask, read once at start */
	int quit;     /* set by quit: the shell stops after this command */
	char *reason; /* why the last command failed (see cmd_fail) */
};

/*
 * A handler gets argv[0] = the command's name and argc - 1 arguments,
 * already checked against min_args and max_args (-1: no maximum).  It
 * returns 0, or -1 after cmd_fail() / cmd_rpc_fail() said why.
 */
struct cmd {
	const char *name;
	int min_args;
	int max_args;
	int (*fn)(struct cmd_ctx *ctx, int argc, char **argv);
	const char *usage;
	const char *help;
};

/* The command called name, or NULL. */
const struct cmd *cmd_find(const char *name);

/* Record why a command failed; returns -1. */
int cmd_fail(struct cmd_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * Record the rpc layer's reason: the server's message as it is (it names
 * the path), the loss of the session, or a local failure prefixed with
 * path.
 */
int cmd_rpc_fail(struct cmd_ctx *ctx, const char *path);

/*
 * Parse ls/lls arguments: [-l] [--] [PATH].  Returns 0 with *longfmt and
 * *path (NULL when none), or -1 after cmd_fail().
 */
int cmd_parse_ls(struct cmd_ctx *ctx, int argc, char **argv, int *longfmt,
    const char **path);
/*
 * Sort entries by name and print them, one a line: the bare name, or with
 * longfmt "drwx------  4096 2026-11-22 13:49 name".
 */
void cmd_print_entries(struct msg_entry *v, size_t n, int longfmt);
void cmd_free_entries(struct msg_entry *v, size_t n);
/* "drwxr-xr-x" for an entry kind and permission bits; s has 11 bytes. */
void cmd_mode_string(uint8_t kind, uint32_t mode, char *s);

/* Handlers. */
int cmd_pwd(struct cmd_ctx *, int, char **);
int cmd_cd(struct cmd_ctx *, int, char **);
int cmd_ls(struct cmd_ctx *, int, char **);
int cmd_mkdir(struct cmd_ctx *, int, char **);
int cmd_stat(struct cmd_ctx *, int, char **);
int cmd_get(struct cmd_ctx *, int, char **);
int cmd_put(struct cmd_ctx *, int, char **);
int cmd_lcd(struct cmd_ctx *, int, char **);
int cmd_lls(struct cmd_ctx *, int, char **);
int cmd_lpwd(struct cmd_ctx *, int, char **);
int cmd_help(struct cmd_ctx *, int, char **);
int cmd_quit(struct cmd_ctx *, int, char **);

#endif
