/*
 * session_log.c: the log lines of a session's transfers, and the escape
 * of what a client names in a log line.
 *
 * Runs as: the serving process (session.c).
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* Only stravis() is used; say which strnvis() we would mean. */
#define LIBBSD_OPENBSD_VIS
#include <vis.h>

#include "log.h"
#include "session.h"
#include "util.h"

/* Longest escaped text in a log line; the line itself has 1024 bytes. */
#define SESSION_LOG_TEXT_MAX 400

/*
 * s cut to SESSION_LOG_TEXT_MAX in its middle (a reason after a long
 * path is kept), then escaped with vis(3) flags (cut before, so that no
 * escape is cut in two), and cut at its end if escapes made it longer;
 * free it.
 */
static char *
session_log_escape(const char *s, int flags)
{
	char *vis, *cut = xstrdup(s);

	str_elide(cut, SESSION_LOG_TEXT_MAX);
	if (stravis(&vis, cut, flags | VIS_OCTAL | VIS_TAB | VIS_NL | VIS_DQ) ==
	    -1)
		fatalx("out of memory escaping a log field");
	free(cut);
	if (strlen(vis) > SESSION_LOG_TEXT_MAX)
		strlcpy(vis + SESSION_LOG_TEXT_MAX - 3, "...", 4);
	return vis;
}

char *
session_log_path(const char *path)
{
	return session_log_escape(path, VIS_WHITE);
}

/*
 * The lines of failed transfers: 1 a second after a burst of 20.  A
 * client can repeat at will a request that fails (a GET of a missing
 * file, a PUT of a name refused at once), each with its line: thousands
 * a second from one session, past journald's own limit (log.h).  The
 * next such line logged, or the session's end, says how many were left
 * out.  A transfer that succeeds is always logged.
 */
static struct log_rate session_failed_lines = { .every_ms = 1000, .burst = 20 };

const char *
session_failed_unlogged(char *buf, size_t len)
{
	return log_rate_unlogged(
	    &session_failed_lines, "failed transfers", buf, len);
}

void
session_log_transfer(struct session *s, const char *op, const char *path,
    uint64_t bytes, uint64_t offset, uint64_t size, uint64_t start_ms,
    const char *why)
{
	char *vpath, *vwhy = NULL, more[64];

	if (why != NULL && !log_rate_ok(&session_failed_lines))
		return;
	/*
	 * Names come from the client: escaped so that one stays one token
	 * (spaces too) and no text can pass for another log line.
	 */
	vpath = session_log_path(path);
	if (why != NULL)
		vwhy = session_log_escape(why, 0);
	log_info("transfer user=%s addr=%s op=%s path=%s bytes=%llu "
		 "offset=%llu size=%llu result=%s ms=%llu%s%s%s%s",
	    s->user, s->peer, op, vpath, (unsigned long long)bytes,
	    (unsigned long long)offset, (unsigned long long)size,
	    why == NULL ? "ok" : "error",
	    (unsigned long long)(mono_ms() - start_ms),
	    why == NULL ? "" : " reason=\"", why == NULL ? "" : vwhy,
	    why == NULL ? "" : "\"",
	    why == NULL ? "" : session_failed_unlogged(more, sizeof(more)));
	free(vpath);
	free(vwhy);
}
