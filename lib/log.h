/*
 * log.h: logging to syslog or stderr, and fatal exits.
 *
 * log_init() must run before any chroot: with syslog it connects to
 * /dev/log at once (LOG_NDELAY) and loads the time zone, so nothing is
 * loaded from a user's home afterwards.
 */
#ifndef MFTP_LOG_H
#define MFTP_LOG_H

#include <stdarg.h>
#include <stdint.h>

/* to_stderr != 0: write "ident[pid]: message" lines to stderr. */
void log_init(const char *ident, int to_stderr);

/*
 * The syslog socket, or -1 (logging to stderr, or no syslog daemon).
 * A process that closes its descriptors before a chroot keeps this one.
 */
int log_fd(void);

/*
 * This process (the daemon's master, alone) connects its syslog socket
 * again when a line finds the reader gone (the syslog daemon restarted,
 * with a new socket at /dev/log), and sends that line again.  The
 * socket is shared by every process forked from it since log_init, so
 * they are heard again too; none of them may connect, from a chroot or
 * under a seccomp allowlist.
 */
void log_reconnects(void);

/*
 * on != 0: fatal errors go to stderr as well as to syslog, so that an
 * admin who started mftpd -f in a terminal sees why it did not start.
 */
void log_fatal_stderr(int on);

/* Change the ident (e.g. after fork, to name the process role). */
void log_set_ident(const char *ident);

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_warn appends ": strerror(errno)"; log_warnx does not. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The lines a client can make at will without ever trying a password:
 * its connection, a handshake it does not finish, bytes that are not
 * the protocol, a login deadline it lets pass, the end of its processes
 * for want of a resource (fatal_lack).  The daemon's master
 * decides for each connection, at a bounded rate (log_rate below),
 * whether that connection's lines of this kind are written, and the
 * processes it forks for it are told with log_set_noise(0) or (1); such
 * a line is written only if log_noise_ok().  A line of a login, failed
 * or not, is never of this kind: fail2ban reads those.
 */
void log_set_noise(int on);
int log_noise_ok(void);

/*
 * A kind of line logged at a bounded rate: a line every every_ms after a
 * burst of burst.  What a client can repeat at will (a refusal), or what
 * repeats by itself (accept failing), could log thousands of lines a
 * second, enough for journald's rate limit to drop every line of the
 * unit at that priority for a while (it counts each priority apart): at
 * warning, the "login failed" lines fail2ban reads among them.
 * The next line logged says how many were left out (quiet, which the
 * caller sets back to 0).  Static, with every_ms and burst set.
 */
struct log_rate {
	unsigned int every_ms, burst;
	uint64_t credit_ms, last_ms;
	unsigned long quiet; /* lines left out since the last one logged */
};

/* 1 if a line may be logged now; 0, and counted in quiet, if not. */
int log_rate_ok(struct log_rate *r);

/*
 * " (n more WHAT were not logged)" when r left n lines out since the
 * last one logged, else "", into buf (64 bytes and what's length will
 * do): the end of the next line logged, or of a summary.  quiet is set
 * back to 0.
 */
const char *
log_rate_unlogged(struct log_rate *r, const char *what, char *buf, size_t len);

/*
 * Log at LOG_CRIT and end the process through cleanup_exit(255).
 * fatal appends ": strerror(errno)"; fatalx does not.
 */
void
fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void
fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/*
 * fatalx for what the configuration names and a start cannot use (a
 * helper, the pre-auth user, the host key pair): cleanup_exit(1), the
 * status mftpd gives a configuration error (mftpd(8)).
 */
void fatalx_config(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/*
 * fatal("what: strerror(errno)") for a resource that the processes of a
 * connection lack (fork, socketpair, pipe2 failing: the unit's
 * TasksMax, descriptors), logged only if log_noise_ok(): a client
 * connecting in a loop while it lacks would write a line each.  The
 * monitor turns its noise on at a login (monitor_run): a logged-in
 * session's lack is always logged.
 */
void fatal_lack(const char *what) __attribute__((noreturn));

/*
 * fatalx() for a resource a connection's processes lack, said by the
 * message alone (memory: an allocation, SSL_new), logged only if
 * log_noise_ok(), as fatal_lack.
 */
void fatal_lackx(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/*
 * fatal_lack(what) when errno says a resource lacks (EMFILE, ENFILE,
 * ENOMEM, ENOBUFS, EAGAIN), else fatal("what: strerror(errno)"), which
 * is always logged: for a call that can fail either way (an open, a
 * seccomp filter's load).
 */
void fatal_or_lack(const char *what) __attribute__((noreturn));

/*
 * Ends the process.  The library's default calls _exit(); a program or a
 * test may define its own (it is a weak symbol) to clean up or to catch
 * fatal errors.
 */
void cleanup_exit(int status) __attribute__((noreturn));

#endif
