/*
 * daemon_env.h: what mftpd takes from the environment it was started
 * with (TZ, NOTIFY_SOCKET), and the end of the rest.
 */
#ifndef MFTP_DAEMON_ENV_H
#define MFTP_DAEMON_ENV_H

/*
 * Keep NOTIFY_SOCKET (for daemon_env_notify_socket()) and TZ, then wipe
 * every string of the environment in place and empty it, TZ set again:
 * no child forked later holds the rest, in its memory or in its
 * /proc/PID/environ.  First thing in main, before anything reads or
 * changes the environment and before any child exists.
 */
void daemon_env_scrub(void);

/* systemd's notification socket, NULL if mftpd was not given one. */
const char *daemon_env_notify_socket(void);

#endif
