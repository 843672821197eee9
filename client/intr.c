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
#include <string.h>

#include "intr.h"

static volatile sig_atomic_t intr_flag;
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
}

void
intr_note(void)
{
	intr_flag = 1;
}
