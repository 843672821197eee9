/*
 * intr.h: Ctrl-C (SIGINT) in the client: a flag the transfer loops and
 * the prompt look at, rather than the default of ending the process.
 *
 * Runs as: the user, in mftp.
 */
#ifndef MFTP_CLIENT_INTR_H
#define MFTP_CLIENT_INTR_H

#include <stdio.h>

/*
 * Catch SIGINT from now on.  With batch set, a Ctrl-C outside a transfer
 * (intr_transfer) still ends the process at once, by the signal, as the
 * default would; inside one it only raises the flag, so the transfer can
 * stop cleanly and say so first.
 */
void intr_catch(int batch);
/*
 * A transfer starts (1) or ends (0).  The calls nest: a command of many
 * files (put -r) is one transfer from its first file to its last, and
 * each file's own start and end inside it keep it so.
 */
void intr_transfer(int on);
/* Ctrl-C was pressed since the last intr_clear(). */
int intr_pending(void);
void intr_clear(void);
/*
 * Before the first line written after a Ctrl-C, to fp: blank the "^C"
 * the terminal echoed at the start of that line (fp a terminal).
 */
void intr_erase_echo(FILE *fp);
/* The echo of this Ctrl-C is gone already (its line was ended). */
void intr_echo_done(void);
/*
 * Take a Ctrl-C that went to a local command (!) and killed it as one
 * this process got: pending, as a shell takes it.
 */
void intr_note(void);

#endif
