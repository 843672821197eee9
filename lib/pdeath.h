/*
 * pdeath.h: a child that must not outlive the process that forked it
 * (the pre-auth worker, the helpers).
 *
 * PR_SET_PDEATHSIG is armed after the fork, so the parent may already be
 * gone when it is: the child then has a new parent and no signal will
 * ever come.  That new parent is init only when no process above is a
 * subreaper (PR_SET_CHILD_SUBREAPER: systemd's user manager, a
 * container's init, a supervisor); so the child compares its parent with
 * the pid it was forked by, never with 1.
 */
#ifndef MFTP_PDEATH_H
#define MFTP_PDEATH_H

#include <sys/types.h>

/*
 * Ask for sig when the parent dies, then check the parent is still
 * parent (its pid, taken before the fork).  0: armed; -1: the prctl
 * failed, or the parent has gone and the caller must exit now.
 */
int pdeath_arm(int sig, pid_t parent);

#endif
