/*
 * session.h: the serving process of a logged-in user.
 */
#ifndef MFTP_SESSION_H
#define MFTP_SESSION_H

#include <stdint.h>

struct buf;
struct msg;
struct privsep_verdict;
struct transport;

/* One logged-in session; handlers in cmd_*.c work on it. */
struct session {
	struct transport *t;
	struct buf *scratch; /* frame in/out, MFTP_FRAME_MAX */
	const char *user;
	const char *peer;
	uint64_t files_in; /* completed uploads, for the log */
	uint64_t files_out;
	int quit; /* set by QUIT: end after the reply */
};

/*
 * Serve the session on sock.  Runs as the user, chrooted to the home,
 * with privileges already dropped.  Replies OK to the LOGIN the pre-auth
 * worker read, then serves requests until QUIT, EOF, the idle timeout or
 * a malformed frame.  Never returns.
 */
void session_run(int sock, const struct privsep_verdict *v,
    unsigned int idle_timeout, const char *peer) __attribute__((noreturn));

/* Reply helpers for handlers: 0, or -1 when the connection is gone. */
int session_reply_ok(struct session *s);
int session_reply_msg(struct session *s, const struct msg *m);
/* ERROR with a status chosen from errno and "what: strerror". */
int session_reply_errno(struct session *s, int err, const char *what);
int session_reply_error(struct session *s, uint32_t code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
