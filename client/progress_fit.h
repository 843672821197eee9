/*
 * progress_fit.h: a file name fitted into the columns the progress bar
 * leaves it (progress_fit.c).
 *
 * Runs as: the user, in mftp.
 */
#ifndef MFTP_CLIENT_PROGRESS_FIT_H
#define MFTP_CLIENT_PROGRESS_FIT_H

#include <stddef.h>

/*
 * name (already made safe for the terminal) in at most cols columns:
 * whole if it fits, else its start and its end with "..." between, or
 * only its start below 5 columns.  At most outlen bytes are written to
 * out, its NUL included, whatever name holds.  Returns the columns
 * used.
 */
int progress_fit(const char *name, int cols, char *out, size_t outlen);

/*
 * The columns name takes on the terminal, counted as progress_fit counts
 * them (of its first 256 characters).
 */
int progress_cols(const char *name);

#endif
