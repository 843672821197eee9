/*
 * xfer_pass.h: one pass of pipelined GETs (xfer.c), for the rounds
 * that run them and fetch again what did not verify (xfer_round.c).
 */
#ifndef MFTP_CLIENT_XFER_PASS_H
#define MFTP_CLIENT_XFER_PASS_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"
#include "xfer.h"

/*
 * What a pass leaves for xfer_get_round to fetch again from the start:
 * a resumed file whose whole did not verify (its kept part is then
 * worthless), or a fresh one whose data did not match the checksum that
 * came with it.  Whether that file changed on the server while it was
 * sent, or what came is not the file, is asked (HASH) once no GET is in
 * flight: with a file rewritten meanwhile a second try verifies, and a
 * mismatch says which it was.
 */
enum {
	XFER_REDO_NONE,
	XFER_REDO_KEPT,
	XFER_REDO_FRESH
};

struct xfer_redo {
	int why;
	uint8_t hash[MFTP_HASH_LEN]; /* XFER_REDO_FRESH: the server's */
};

/*
 * Download v[0..n) in one pipelined pass, in mode (XFER_AUTO,
 * XFER_FORCE, XFER_FRESH; xfer_part.h); each: every failure is told as
 * it comes (tree_missed).  redo[i] says what of v[i] is to be fetched
 * again (NULL in a pass that fetches again: nothing is).  0, or -1
 * after cmd_fail().
 */
int xfer_get_pass(struct cmd_ctx *ctx, struct xfer_item *v, size_t n, int mode,
    int each, struct xfer_redo *redo);

/*
 * The server reading a file back to hash it before it answers a GET (no
 * checksum cached: seconds for gigabytes) says how far it is (WORKING):
 * a bar of its own, "NAME: the server checksums it", rather than a
 * silent wait.
 */
struct xfer_working {
	const struct cmd_ctx *ctx;
	const char *remote;
	struct progress *bar;
};

/*
 * Around a request the server may answer with WORKING first (GET, HASH):
 * the bar is shown while it hashes, and gone once the answer came.
 */
void xfer_working_begin(
    struct cmd_ctx *ctx, const char *remote, struct xfer_working *w);
void xfer_working_end(struct cmd_ctx *ctx, struct xfer_working *w);

#endif
