/*
 * xfer_part.h: a download's LOCAL.part, inside the client's transfers
 * (xfer.c): its name, its resume key (an xattr, else a sidecar file),
 * its lock, and whether an existing one may be taken up.
 *
 * Runs as: the user, in mftp.
 */
#ifndef MFTP_CLIENT_XFER_PART_H
#define MFTP_CLIENT_XFER_PART_H

#include <stdint.h>
#include <time.h>

struct cmd_ctx;
struct xfer_item;

/* Where the key of a LOCAL.part is kept: an xattr, else a sidecar file. */
#define XFER_KEY_XATTR "user.mftp.resume"

/* How a pass of downloads treats an existing LOCAL.part. */
#define XFER_AUTO 0  /* resume it if its key matches */
#define XFER_FORCE 1 /* resume it unless its key is known to differ */
#define XFER_FRESH 2 /* start over */

/*
 * A LOCAL.part taken for one download: its descriptor, locked, or -1
 * while there is none (the download makes it when its data comes), and
 * the offset its GET asked for.  kept: the bytes up to offset, hashed
 * before the GET went (xfer_kept.h); NULL from 0.  why: the reason it
 * was refused.  theirs: the part had no resume record and get -c took
 * it up as it was (then its times, to give back): its kept bytes are
 * the user's, not known to be the remote file's start, so they are
 * neither recorded as mftp's nor ever emptied (xfer_get_recv).
 */
struct xfer_slot {
	char *part;
	int fd;
	uint64_t offset;
	struct digest *kept;
	char *why;
	int theirs;
	struct timespec times[2];
};

/* LOCAL.part, or for a long name its first bytes, '~', a hash, ".part". */
char *xfer_part_path(const char *local);
/* The same with ".mftp-part": the part used beside a LOCAL.part that is
 * not one of mftp's downloads. */
char *xfer_part_alt(const char *local);
/* Where PART's key goes without xattrs, beside it: ".PART.key". */
char *xfer_sidecar(const char *part);

/*
 * Whether one of mftp's downloads into LOCAL was interrupted: a
 * LOCAL.part or a LOCAL.mftp-part with a resume record.  A file of the
 * user's of either name says nothing of LOCAL.
 */
int xfer_part_pending(int at, const char *local);

/*
 * LOCAL is one of mftp's descriptors (/dev/stdout), a device, a FIFO or
 * a socket (/dev/null, a pipe to another program): the data is written
 * into it as it comes, never through a .part renamed over it, which
 * would replace the device, or the file the descriptor is open on, with
 * a file of its own.
 */
int xfer_is_direct(int at, const char *local);

/* The key of PART, open on fd, which needs none any more (the
 * download ended); with fd -1, whatever record PART has. */
void xfer_key_drop(int fd, int at, const char *part);

/* Best effort: without a key the .part is resumed only by get -c. */
void
xfer_key_write(int fd, int at, const char *part, uint64_t size, int64_t mtime);

/*
 * A direct LOCAL that is the pipe or FIFO mftp reads its batch commands
 * from is no place for a download: what the server sent would be read
 * as the next commands.  -1 with the reason in ctx for one, else 0.
 */
int xfer_direct_check(struct cmd_ctx *ctx, int at, const char *local);

/* Open a direct LOCAL for writing (checked as above); -1 with the
 * reason in ctx. */
int xfer_open_direct(struct cmd_ctx *ctx, int at, const char *local);

/*
 * The part for data from s->offset on, locked: the one the plan took,
 * or one made now, or (another was made since the plan) that one if it
 * may be emptied.  Its kept bytes stay; the rest goes.  -1 with the
 * reason in ctx.
 */
int xfer_open_part(struct cmd_ctx *ctx, const struct xfer_item *it,
    struct xfer_slot *s, int mode);

/* The part still has the name it was opened by: nothing renamed over it. */
int xfer_part_named(int fd, int at, const char *part);

/*
 * Before its GET goes: take an existing LOCAL.part (locked) and say
 * where the download starts.  One that is not there is made when the
 * data comes.  -1 with the reason in ctx and errno (EMFILE: out of
 * descriptors, which the parts of other GETs in flight may be holding):
 * the GET is not sent.
 */
int xfer_plan(struct cmd_ctx *ctx, const struct xfer_item *it, int mode,
    struct xfer_slot *s);

/* A slot's part, untouched: its lock goes with its descriptor. */
void xfer_slot_free(struct xfer_slot *s);

#endif
