/*
 * progress.h: the progress bar of one transfer, on stderr (sizes
 * in the units of lib/human.h).
 *
 * Runs as: the user, in mftp.  Nothing here writes anything unless the
 * caller asked for a bar (stderr is a terminal and -q was not given).
 */
#ifndef MFTP_CLIENT_PROGRESS_H
#define MFTP_CLIENT_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

struct progress;

/*
 * A bar for a transfer of size bytes of which offset are already there,
 * named by the last component of name; NULL (and every call below a
 * no-op) unless enabled and stderr is a terminal.  It is
 * first drawn after a tenth of a second, so short transfers show none.
 */
struct progress *
progress_start(int enabled, const char *name, uint64_t size, uint64_t offset);
/*
 * done bytes of the file are there now.  Redraws at most ten times a
 * second; says "stalled" when done has not moved for five seconds.  The
 * argument is a struct progress * (or NULL), so that this can be an
 * rpc_progress_fn.
 */
void progress_update(void *p, uint64_t done);
/* Erase the bar, leaving the cursor at the start of its line, and free. */
void progress_end(struct progress *p);

#endif
