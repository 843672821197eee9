/*
 * cmds.h: the client's command table and what its handlers share.
 *
 * Runs as: the user, in mftp.  The table, option parsing, local commands
 * and help are in cmd_local.c; single remote requests in cmd_remote.c;
 * ls and the listing format in cmd_list.c; mkdir, rm, mv, df and the
 * other sftp-like commands in cmd_sftp.c; chmod, ln -s and symlink in
 * cmd_link.c; transfers of trees and globs
 * in cmd_multi.c, get -r in cmd_get_tree.c (on top of xfer.c).
 */
#ifndef MFTP_CLIENT_CMDS_H
#define MFTP_CLIENT_CMDS_H

#include <sys/types.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msg.h"

struct rpc;

/* The state every command sees. */
struct cmd_ctx {
	struct rpc *rpc;
	int quiet;    /* -q: no transfer lines, no progress bar */
	int progress; /* draw progress bars (stderr is a terminal) */
	mode_t umask; /* the process umask, read once at start */
	int quit;     /* set by quit: the shell stops after this command */
	char *reason; /* why the last command failed (see cmd_fail) */
	/* the command running, as typed: its argv[0] (cmd_run_again) */
	const char *name;
	uint64_t opts;	 /* the options given to this command (CMD_OPT) */
	int stdin_cmds;	 /* commands come from stdin: keep it from ! */
	int interactive; /* commands come from a person at the prompt */
	int verbose;	 /* -v: batch commands are echoed */
	int cmds_fd;	 /* where batch commands are read, else -1 */
	int interrupted; /* Ctrl-C closed the session (a transfer, WORKING) */
	char *cwd;	 /* the remote directory cd went to, or NULL */
	struct login *login; /* how to log in again (login.h) */
	int retry;	     /* --retry: a batch transfer's reconnects */
	/*
	 * Where this command saves, once get or put (-r or not) decided
	 * between NAME and NAME/BASE; NULL before.  cmd_run_again keeps it,
	 * so that a retry saves where the first try began to, whatever
	 * that try made meanwhile (the directory NAME, say).
	 */
	char *dest;
	/*
	 * get -r, put -r, mget and mput: the command that goes on with all
	 * of it ("reget -rT REMOTE DEST", "reput -rT LOCAL DEST", "mget -c
	 * PATTERN..."), which the line of a file interrupted in it gives,
	 * rather than that file's own; NULL otherwise.  cmd_run clears it.
	 */
	char *tree_resume;
	/*
	 * The transfer named on mftp's command line runs (cmdline_run): the
	 * user is back at the shell after it, where no session command can
	 * be typed.
	 */
	int command_line;
	/*
	 * A download of this command wrote into this descriptor, device or
	 * FIFO (xfer.c), which keeps what came and cannot be resumed: a
	 * retry would write the file again after it.  NULL before; cmd_run
	 * clears it, cmd_run_again keeps it.
	 */
	char *spent;
	/*
	 * The command runs again, after a reconnect (--retry): cmd_run
	 * clears it, cmd_run_again sets it.  Its downloads then leave the
	 * files already complete here as they are (XFER_GET_SKIP, without
	 * -c's taking up of a .part that is not mftp's).
	 */
	int rerun;
	/*
	 * For each word of the command line cmd_run is given, nonzero if
	 * it starts with a ~ neither quoted nor escaped
	 * (words_split_tilde): such a local name's ~ is a home directory.
	 * NULL (a command made by mftp itself): none is.
	 */
	const char *tilde;
	/*
	 * put -r and mput: the files and directories the walk or the glob
	 * found that were removed before they could be sent (tree_gone),
	 * and the first of them; cmd_run_again clears them.
	 */
	size_t gone;
	char *gone_first;
	/*
	 * get -r, reget -r and mget, put -r and mput, hash: the files and
	 * directories that failed on their own while the rest was
	 * transferred (tree_missed), and the first of them; cmd_run_again
	 * clears them.
	 */
	size_t missed;
	char *missed_first;
};

/* The bit for option letter c (a-z, A-Z, 0-9) in cmd_ctx.opts. */
#define CMD_OPT(c)                                     \
	(UINT64_C(1) << ((c) >= 'a' ? (c) - 'a' :      \
		 (c) >= 'A'	    ? 26 + (c) - 'A' : \
				      52 + (c) - '0'))

/*
 * A handler gets argv[0] = the command's name and argc - 1 operands,
 * options already removed (into ctx->opts) and the count checked against
 * min_args and max_args (-1: no maximum).  It returns 0, or -1 after
 * cmd_fail() / cmd_rpc_fail() said why.
 */
struct cmd {
	const char *name;
	int min_args;
	int max_args;
	const char *opts;    /* option letters it takes */
	const char *implied; /* options it always has (reget: "c") */
	/*
	 * What each operand names, for completion: 'R' remote path, 'L'
	 * local path, 'C' command name, '-' nothing (a mode), one letter
	 * per position; the last
	 * letter goes for all further operands.
	 */
	const char *operands;
	int (*fn)(struct cmd_ctx *ctx, int argc, char **argv);
	const char *usage;
	const char *help;
	/* CMD_OFFLINE: asks nothing of the server (the prompt logs in
	 * again for the others, shell.c).  CMD_PATTERNS: its operands are
	 * patterns (fnmatch, glob), as completion writes names into them. */
	int flags;
};
#define CMD_OFFLINE 1
#define CMD_PATTERNS 2

/* The command called name, or NULL. */
const struct cmd *cmd_find(const char *name);
/* The i-th command of the table (for completion), NULL past the end. */
const struct cmd *cmd_at(size_t i);

/*
 * Run one split command line: options (up to "--" or the first word not
 * starting with '-'), operand count, handler.  0, or -1 with the reason
 * in ctx->reason.
 */
int cmd_run(struct cmd_ctx *ctx, int argc, char **argv);
/*
 * Run the same command line again after its session was lost (--retry):
 * as cmd_run, but the destination its first try decided (ctx->dest) is
 * taken as it is.
 */
int cmd_run_again(struct cmd_ctx *ctx, int argc, char **argv);

/* Record why a command failed; returns -1, errno as it was. */
int cmd_fail(struct cmd_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * Record the rpc layer's reason: the server's message as it is (it names
 * the path), the loss of the session, or a local failure prefixed with
 * path.
 */
int cmd_rpc_fail(struct cmd_ctx *ctx, const char *path);
/*
 * Ctrl-C at the prompt during a command of many requests (rm -r, or
 * several names): 0 to go on, or -1 with the reason "interrupted", to
 * stop before the next request.  Each request already sent is answered,
 * so the session goes on.
 */
int cmd_stopped(struct cmd_ctx *ctx);
/* A remark on stderr that is not a failure ("mftp: skipping ..."). */
void cmd_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * "mftp: COMMAND: text" on stderr (text NULL: "failed"): a command's
 * failure, said by the shell at its end, and that of one file of a
 * command that goes on (tree_missed, the later failures of a pass),
 * said at once the same way.
 */
void cmd_say(const struct cmd_ctx *ctx, const char *text);
/* cmd_note with a va_list, for the client's other messages. */
void
cmd_vnote(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/*
 * Sort entries and print them, one a line: the name quoted as
 * words_quote() does, or with -l "drwx------  4096 2026-11-22 13:49
 * name".  opts are ls's: -t by time, -S by size, -r reversed, -l long,
 * -h sizes in human units (cmd_list.c).
 */
void cmd_print_entries(struct msg_entry *v, size_t n, uint64_t opts);
/* The two halves of cmd_print_entries: sort as opts say, then print. */
void cmd_sort_entries(struct msg_entry *v, size_t n, uint64_t opts);
/*
 * Print in the order given.  With -l, entry i shows "name -> target"
 * when targets (may be NULL) has a target at i (cmd_link_targets).
 */
void cmd_print_sorted(
    const struct msg_entry *v, size_t n, uint64_t opts, char *const *targets);
/*
 * What each link among the n entries of a listing of path holds, one
 * pointer an entry (NULL where it is no link or READLINK failed), by
 * pipelined READLINKs; NULL when the server has no READLINK or the
 * session was lost (cmd_link.c).  Free with cmd_free_targets.
 */
char **cmd_link_targets(
    struct cmd_ctx *ctx, const char *path, const struct msg_entry *v, size_t n);
void cmd_free_targets(char **targets, size_t n);
/* Whether ls without -a leaves name out (dotfiles, partial uploads). */
int cmd_list_hidden(const char *name, uint64_t opts);
/* Append name (copied) and attr to the array *v of *n entries. */
void cmd_add_entry(struct msg_entry **v, size_t *n, const char *name,
    const struct msg_attr *attr);
void cmd_free_entries(struct msg_entry *v, size_t n);
/* "drwxr-xr-x" for an entry kind and permission bits; s has 11 bytes. */
void cmd_mode_string(uint8_t kind, uint32_t mode, char *s);

/*
 * The last component of path, ignoring trailing slashes (a new string),
 * or NULL if there is none fit to name a file ("", ".", "..", "/").
 */
char *cmd_basename(const char *path);
/* dir + "/" + name, without doubling a slash dir ends with; dir "" is none. */
char *cmd_join(const char *dir, const char *name);
/*
 * Whether a destination names a directory to put into, by its form
 * alone: it ends with a slash ("dir/"), as for cp.
 */
int cmd_into(const char *dest);
/* An octal mode of octal digits alone, at most max: 0, or -1. */
int cmd_octal(const char *s, unsigned long max, unsigned long *out);

/* Handlers. */
int cmd_pwd(struct cmd_ctx *, int, char **);
int cmd_cd(struct cmd_ctx *, int, char **);
int cmd_ls(struct cmd_ctx *, int, char **);
int cmd_mkdir(struct cmd_ctx *, int, char **);
int cmd_rmdir(struct cmd_ctx *, int, char **);
int cmd_rm(struct cmd_ctx *, int, char **);
int cmd_mv(struct cmd_ctx *, int, char **);
int cmd_stat(struct cmd_ctx *, int, char **);
int cmd_hash(struct cmd_ctx *, int, char **);
int cmd_quota(struct cmd_ctx *, int, char **);
int cmd_get(struct cmd_ctx *, int, char **);
int cmd_put(struct cmd_ctx *, int, char **);
int cmd_mget(struct cmd_ctx *, int, char **);
int cmd_mput(struct cmd_ctx *, int, char **);
int cmd_get_tree(struct cmd_ctx *, int, char **);
/*
 * get -r's work, for mget -r too: the remote directory remote (of
 * mode mode) as the local directory local.  With each (one of the
 * directories mget -r matched), remote itself failing on its own (the
 * server will not list it, local cannot be made) is said and counted
 * (tree_missed), as one below it is, and the others go on.  0, or -1
 * after cmd_fail().
 */
int cmd_get_dir(struct cmd_ctx *ctx, const char *remote, const char *local,
    uint32_t mode, int each);
/*
 * xfer_get's flags for the files of get -r and mget: each on its own;
 * with -c (reget) a .part without a key resumed, and a file already
 * complete skipped (so for get's one file, but for "each").
 */
int cmd_get_flags(const struct cmd_ctx *ctx);
/*
 * Whether put, put -r and mput leave out the files already whole on
 * the server (xfer_put_complete): reput, -c or -a, and a command tried
 * again (--retry), whose first try may have sent them.
 */
bool cmd_put_skips(const struct cmd_ctx *ctx);
int cmd_put_tree(struct cmd_ctx *, int, char **);
int cmd_lcd(struct cmd_ctx *, int, char **);
int cmd_lls(struct cmd_ctx *, int, char **);
int cmd_lpwd(struct cmd_ctx *, int, char **);
int cmd_shell(struct cmd_ctx *, int, char **);
int cmd_help(struct cmd_ctx *, int, char **);
int cmd_quit(struct cmd_ctx *, int, char **);
int cmd_df(struct cmd_ctx *, int, char **);
int cmd_lmkdir(struct cmd_ctx *, int, char **);
int cmd_lumask(struct cmd_ctx *, int, char **);
int cmd_progress(struct cmd_ctx *, int, char **);
int cmd_version(struct cmd_ctx *, int, char **);
int cmd_chmod(struct cmd_ctx *, int, char **);
int cmd_ln(struct cmd_ctx *, int, char **);

#endif
