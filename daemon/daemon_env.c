/*
 * daemon_env.c: the environment mftpd was started with, reduced to what
 * it reads from it.
 *
 * Runs in: the master, first thing in main.  An administrator who
 * starts mftpd from a shell hands it the shell's variables (tokens,
 * OPENSSL_CONF, MALLOC_*); a forked child, the serving process as the
 * user included, would hold them all in its memory and show them in
 * /proc/PID/environ.  The daemon needs two: TZ for its log's times, and
 * NOTIFY_SOCKET, which the master alone uses.  The helpers it execs get
 * an environment of their own (helper_spawn.c).
 */
#include <stdlib.h>
#include <string.h>

#include "daemon_env.h"
#include "log.h"
#include "util.h"

extern char **environ;

static char *notify_socket;

void
daemon_env_scrub(void)
{
	const char *v;
	char *tz = NULL, **e;

	if ((v = getenv("NOTIFY_SOCKET")) != NULL)
		notify_socket = xstrdup(v);
	if ((v = getenv("TZ")) != NULL)
		tz = xstrdup(v);
	/*
	 * clearenv() lets go of the list, not of the strings, which are
	 * the kernel's copy on the stack (/proc/PID/environ reads them):
	 * nothing has called setenv or putenv yet, so each is wiped where
	 * it is.
	 */
	for (e = environ; e != NULL && *e != NULL; e++)
		explicit_bzero(*e, strlen(*e));
	if (clearenv() != 0)
		fatalx("clearenv failed");
	if (tz != NULL && setenv("TZ", tz, 1) == -1)
		fatal("setenv TZ");
	free(tz);
}

const char *
daemon_env_notify_socket(void)
{
	return notify_socket;
}
