/*
 * log.c: logging to syslog or stderr, fatal exits.
 *
 * Runs in every process role.  log_init() connects to the syslog socket
 * at once and loads the time zone, so that after a chroot nothing is read
 * from the new root to write a log line.  It speaks to /dev/log itself
 * rather than through syslog(3), so the socket is a known descriptor that
 * a process entering a chroot can keep (log_fd()) while closing the rest.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <paths.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

static int log_to_stderr = 1;
static int log_sock = -1;
static int log_fatal_too;
static char log_ident[64] = "mftp";
/* This process's lines of a connection that never logs in (log.h). */
static int log_noise = 1;
/* The one process that connects again when the reader is gone. */
static pid_t log_keeper;
/*
 * This process's id, for its lines: getpid is a system call, and a
 * session logs a line for each file it moves.  A fork's child learns
 * its own (log_forked); 0 until the first line.
 */
static pid_t log_pid;
static int log_pid_kept;

static void
log_forked(void)
{
	log_pid = getpid();
}

static pid_t
log_self(void)
{
	if (log_pid_kept)
		return log_pid;
	/* Kept only once every fork will renew it. */
	log_pid = getpid();
	if (pthread_atfork(NULL, NULL, log_forked) == 0)
		log_pid_kept = 1;
	return log_pid;
}

/* Connect fd to the syslog socket; a datagram socket may be connected
 * again, to a new reader at the same path. */
static int
log_connect(int fd)
{
	struct sockaddr_un sun;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strlcpy(sun.sun_path, _PATH_LOG, sizeof(sun.sun_path));
	return connect(fd, (struct sockaddr *)&sun, sizeof(sun));
}

void
log_init(const char *ident, int to_stderr)
{
	time_t now = time(NULL);
	struct tm tm;

	log_to_stderr = to_stderr;
	strlcpy(log_ident, ident, sizeof(log_ident));
	/* Load the time zone now; later conversions reuse it. */
	tzset();
	(void)localtime_r(&now, &tm);
	if (to_stderr || log_sock != -1)
		return;
	log_sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (log_sock != -1 && log_connect(log_sock) == -1) {
		close(log_sock);
		log_sock = -1;
	}
}

void
log_reconnects(void)
{
	log_keeper = getpid();
}

int
log_fd(void)
{
	return log_sock;
}

void
log_fatal_stderr(int on)
{
	log_fatal_too = on;
}

void
log_set_ident(const char *ident)
{
	strlcpy(log_ident, ident, sizeof(log_ident));
}

/* One RFC 3164 datagram: "<PRI>Mmm dd hh:mm:ss ident[pid]: msg". */
static void
log_syslog(int prio, const char *msg)
{
	char line[1200], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int n;

	if (log_sock == -1)
		return;
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "<%d>%s %s[%ld]: %s",
	    LOG_DAEMON | prio, stamp, log_ident, (long)log_self(), msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (send(log_sock, line, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) !=
		-1 ||
	    (errno != ECONNREFUSED && errno != ENOTCONN && errno != ECONNRESET))
		return;
	/*
	 * The syslog daemon was restarted: its socket at the path is a new
	 * one.  Only the keeper (the master) connects again, and only when
	 * a line failed: a chrooted or sandboxed process could not.  Every
	 * process it forked shares this socket and is heard again too.
	 */
	if (log_keeper == 0 || getpid() != log_keeper ||
	    log_connect(log_sock) == -1)
		return;
	(void)send(log_sock, line, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/*
 * "ident[pid]: msg" on stderr, in one write: dprintf would ask the
 * descriptor's type and offset first, two more system calls a line.
 */
static void
log_stderr(const char *msg)
{
	char line[1200];
	ssize_t w;
	size_t at = 0, len;
	int n;

	n = snprintf(line, sizeof(line), "%s[%ld]: %s\n", log_ident,
	    (long)log_self(), msg);
	if (n < 0)
		return;
	len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
	line[len - 1] = '\n'; /* a line cut short still ends */
	while (at < len) {
		w = write(STDERR_FILENO, line + at, len - at);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		at += (size_t)w;
	}
}

static void
log_vmsg(int prio, int with_errno, const char *fmt, va_list ap)
{
	char msg[1024];
	unsigned char *p;
	int saved = errno;
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_errno) {
		n = strlen(msg);
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(saved));
	}
	/*
	 * A client's text (a path, a user name) must not forge log lines:
	 * no control character reaches the log.
	 */
	for (p = (unsigned char *)msg; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
	if (log_to_stderr)
		log_stderr(msg);
	else {
		log_syslog(prio, msg);
		if (prio == LOG_CRIT && log_fatal_too)
			dprintf(STDERR_FILENO, "%s: %s\n", log_ident, msg);
	}
	errno = saved;
}

#define LOG_FN(name, prio, with_errno)               \
	void name(const char *fmt, ...)              \
	{                                            \
		va_list ap;                          \
		va_start(ap, fmt);                   \
		log_vmsg(prio, with_errno, fmt, ap); \
		va_end(ap);                          \
	}

LOG_FN(log_info, LOG_INFO, 0)
LOG_FN(log_notice, LOG_NOTICE, 0)
LOG_FN(log_warn, LOG_WARNING, 1)
LOG_FN(log_warnx, LOG_WARNING, 0)
LOG_FN(log_debug, LOG_DEBUG, 0)

/* Log at LOG_CRIT and end the process with status (log.h). */
#define FATAL_FN(name, with_errno, status)               \
	void name(const char *fmt, ...)                  \
	{                                                \
		va_list ap;                              \
		va_start(ap, fmt);                       \
		log_vmsg(LOG_CRIT, with_errno, fmt, ap); \
		va_end(ap);                              \
		cleanup_exit(status);                    \
	}

FATAL_FN(fatal, 1, 255)
FATAL_FN(fatalx, 0, 255)
FATAL_FN(fatalx_config, 0, 1)

void
fatal_lack(const char *what)
{
	if (log_noise_ok())
		fatal("%s", what);
	cleanup_exit(255);
}

void
fatal_lackx(const char *fmt, ...)
{
	va_list ap;

	if (log_noise_ok()) {
		va_start(ap, fmt);
		log_vmsg(LOG_CRIT, 0, fmt, ap);
		va_end(ap);
	}
	cleanup_exit(255);
}

void
fatal_or_lack(const char *what)
{
	if (errno == EMFILE || errno == ENFILE || errno == ENOMEM ||
	    errno == ENOBUFS || errno == EAGAIN)
		fatal_lack(what);
	fatal("%s", what);
}

__attribute__((weak)) void
cleanup_exit(int status)
{
	_exit(status);
}

void
log_set_noise(int on)
{
	log_noise = on;
}

int
log_noise_ok(void)
{
	return log_noise;
}

const char *
log_rate_unlogged(struct log_rate *r, const char *what, char *buf, size_t len)
{
	buf[0] = '\0';
	if (r->quiet > 0)
		snprintf(
		    buf, len, " (%lu more %s were not logged)", r->quiet, what);
	r->quiet = 0;
	return buf;
}

int
log_rate_ok(struct log_rate *r)
{
	const uint64_t cap = (uint64_t)r->burst * r->every_ms;
	uint64_t now = mono_ms();

	/* A line costs every_ms; credit comes with the time. */
	if (r->last_ms == 0)
		r->credit_ms = cap;
	else if ((r->credit_ms += now - r->last_ms) > cap)
		r->credit_ms = cap;
	r->last_ms = now;
	if (r->credit_ms < r->every_ms) {
		r->quiet++;
		return 0;
	}
	r->credit_ms -= r->every_ms;
	return 1;
}
