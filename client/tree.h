/*
 * tree.h: walking a directory tree, remote (LIST recursion) or local,
 * into a flat list for get -r and put -r.
 *
 * Runs as: the user, in mftp.
 */
#ifndef MFTP_CLIENT_TREE_H
#define MFTP_CLIENT_TREE_H

#include <stddef.h>

#include "msg.h"

struct cmd_ctx;

struct tree_entry {
	char *path; /* relative to the top: "a", "a/b" */
	struct msg_attr attr;
};

/*
 * Everything below the top (not the top itself): directories and regular
 * files, each directory before what it holds.
 */
struct tree {
	struct tree_entry *v;
	size_t n;
	size_t bytes; /* what v and its paths take */
};

/*
 * A remote walk holds at most RPC_LIST_MAX entries and TREE_BYTES_MAX
 * bytes of them: paths of 4 KB each would make a million 4 GB.
 */
#define TREE_BYTES_MAX (256 << 20)

/*
 * Why put -r and mput skip a file removed after the directory or the
 * glob named it (the upload of the rest goes on), as lls leaves it out.
 */
#define TREE_GONE "it is no longer there (removed meanwhile)"

/*
 * Why put -r fails on a file or directory whose name, or that of a
 * directory on its way, is now a symbolic link or a file: swapped since
 * the walk read it (xfer_local_open_below), and not followed.
 */
#define TREE_SWAPPED                                              \
	"a symbolic link or a file took its place, or that of a " \
	"directory on its way, since it was read: not followed, not sent"

/*
 * A file or directory (path) that put -r or mput found was removed
 * before it could be sent: a note now, and counted in ctx, so that
 * the command fails once the rest is sent (tree_gone_end).
 */
void tree_gone(struct cmd_ctx *ctx, const char *path);
/*
 * The end of put -r or mput, which returned r: r if it failed; -1 with
 * a reason that counts and names what tree_gone skipped, if anything
 * was; else 0.  A script must not take a partial upload for a whole
 * one (as rsync's status 24 says a source file vanished).
 */
int tree_gone_end(struct cmd_ctx *ctx, int r);

/*
 * get -r, reget -r and mget; put -r and mput: one file or directory
 * (path, the one the data comes from: the remote one of a download,
 * the local one of an upload) failed on its own (the server refused
 * it, or its local file could not be read or written; the reason is in
 * ctx): the reason is printed now and it is counted in ctx, so that
 * the rest is still transferred and then the command fails
 * (tree_missed_end).
 */
void tree_missed(struct cmd_ctx *ctx, const char *path);
/*
 * The end of get -r, mget, put -r or mput, which returned r: as
 * tree_gone_end, for what tree_missed counted: r if it failed, else -1
 * with a reason that counts and names them ("... was not done; the
 * rest was", done "downloaded" or "uploaded"), if any; else 0.
 */
int tree_missed_end(struct cmd_ctx *ctx, int r, const char *done);

/*
 * Walk the remote directory top by LIST, the listings of a level sent
 * together.  Symbolic links and other kinds are skipped with a note.
 * Any name a server should never send ("", ".", "..", or one with a
 * '/'), which could otherwise lead a download out of its directory,
 * fails the walk (tree_bad_name), and so does a name listed twice, and
 * a tree larger than RPC_LIST_MAX entries or TREE_BYTES_MAX bytes.
 * A directory below top whose listing the server refuses on its own is
 * said and counted (tree_missed), and left empty; with each (one of
 * the directories mget -r matched), top itself too.  0, or -1 with the
 * reason in ctx (t then holds what was found).
 */
int tree_remote(struct cmd_ctx *ctx, const char *top, struct tree *t, int each);

/*
 * Walk the local directory top, open on topfd (followed if it is a
 * symbolic link), each directory below opened in the one above it
 * (xfer_local_open_below), never by its path name again.  Symbolic
 * links inside are skipped with a note, not followed, and so are
 * devices, sockets and FIFOs, and a file or directory removed after
 * its directory was read (tree_gone).  0, or -1 with the reason in
 * ctx.
 */
int tree_local(struct cmd_ctx *ctx, const char *top, int topfd, struct tree *t);

void tree_free(struct tree *t);

/* Nonzero if a name from a listing can be used as one path component. */
int tree_name_ok(const char *name);
/*
 * cmd_fail() for a listing of dir that held name, which tree_name_ok
 * refused: "nothing of top was downloaded" (top NULL: "nothing").
 */
int tree_bad_name(
    struct cmd_ctx *ctx, const char *dir, const char *name, const char *top);

#endif
