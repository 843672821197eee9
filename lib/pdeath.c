/*
 * pdeath.c: die with the parent, with no window (pdeath.h).
 *
 * Runs as: the pre-auth worker and the helpers, right after their fork
 * and again after their change of ids (which clears the signal).
 */
#include <sys/types.h>
#include <sys/prctl.h>

#include <unistd.h>

#include "pdeath.h"

int
pdeath_arm(int sig, pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, sig) == -1)
		return -1;
	/* Reparented before the prctl: no signal will come. */
	return getppid() == parent ? 0 : -1;
}
