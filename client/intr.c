/*
 * intr.c: Ctrl-C (SIGINT) in the client.  The handler only sets flags;
 * the transfer loops (rpc_xfer.c) look at them between pieces of data
 * and the shell at the prompt.
 *
 * Runs as: the user, in mftp.  The handler is installed without
 * SA_RESTART, so that a read at the prompt returns and the line can be
 * cleared.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "intr.h"

static volatile sig_atomic_t intr_flag;
/* The "^C" the terminal echoed for this Ctrl-C is gone (intr_erase_echo). */
static int intr_echo_gone;
static volatile sig_atomic_t intr_in_transfer; /* nested starts */
static volatile sig_atomic_t intr_batch;

static void
intr_handler(int sig)
{
	/* A script outside a transfer: end as the default action would. */
	if (intr_batch && !intr_in_transfer) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	intr_flag = 1;
}

void
intr_catch(int batch)
{
	struct sigaction sa;

	intr_batch = batch;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = intr_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
}

void
intr_transfer(int on)
{
	if (on)
		intr_in_transfer++;
	else if (intr_in_transfer > 0)
		intr_in_transfer--;
}

int
intr_pending(void)
{
	return intr_flag != 0;
}

void
intr_clear(void)
{
	intr_flag = 0;
	intr_echo_gone = 0;
}

/*
 * A terminal echoes Ctrl-C as "^C" where the cursor stands: at the
 * start of a line, when it comes while a command waits (its line is
 * done) or between a tree's files.  The first line written after it
 * would follow it ("^Cmftp: ls: interrupted"): the two columns are
 * blanked first, once.  A line the caller ended itself (a question
 * answered by Ctrl-C, a bar erased with the echo) says so with
 * intr_echo_done.
 */
void
intr_erase_echo(FILE *fp)
{
	if (intr_flag == 0 || intr_echo_gone)
		return;
	intr_echo_gone = 1;
	if (isatty(fileno(fp)))
		fputs("\r  \r", fp);
}

void
intr_echo_done(void)
{
	if (intr_flag != 0)
		intr_echo_gone = 1;
}

void
intr_note(void)
{
	intr_flag = 1;
}
