/*
 * session.h: the serving process of a logged-in user.
 */
#ifndef MFTP_SESSION_H
#define MFTP_SESSION_H

#include <stdint.h>

#include <openssl/ssl.h>

#include "digest.h"
#include "mftp_limits.h"
#include "quota.h"
#include "samefs.h"

/*
 * Room for the text of an ERROR before it is cut to MFTP_TEXT_MAX
 * (session_reply_error): two paths of MFTP_PATH_MAX and the words
 * around them, so that the reason said after a long path is not lost
 * on the way.
 */
#define SESSION_WHY_MAX (2 * MFTP_PATH_MAX + MFTP_TEXT_MAX)

struct config;

struct buf;
struct hash_pipe;
struct msg;
struct privsep_verdict;
struct transport;

/*
 * The accounting file as the monitor opened it (as root, before the
 * chroot) and the user's limits.  fd is -1 when the file could not be
 * opened; damaged is set when it is missing or was unreadable then (the
 * monitor has logged why).
 */
struct session_quota {
	int fd;
	/* fd -1: why the monitor could not open it (ENOENT: not there) */
	int open_errno;
	struct quota_limits limits;
	int damaged;
	/* fd is open only to read: the file was marked locked at login. */
	int readonly;
	/*
	 * The session slot's descriptor (slots.h), -1 without one: only
	 * asked whether other sessions of the user hold slots.
	 */
	int slot_fd;
};

/* One logged-in session; handlers in cmd_*.c work on it. */
struct session {
	struct transport *t;
	struct buf *scratch; /* frame in/out, MFTP_FRAME_MAX */
	const char *user;
	uid_t uid; /* the user's, which this process runs as */
	const char *peer;
	unsigned int idle_timeout; /* seconds: a wait, and a whole frame */
	/*
	 * Seconds a session whose client vanished without a word can hold
	 * what it holds (an upload's partial) before it is found gone:
	 * keepalive's, or idle_timeout's when that comes first.
	 */
	unsigned int lost_within;
	uint64_t files_in; /* completed uploads, for the log */
	uint64_t files_out;
	int quit; /* set by QUIT: end after the reply */
	/*
	 * The reason the session end's log line gives when a handler
	 * fails (returns non-zero); NULL: "stalled" after a wait for the
	 * client timed out, else "connection-lost".
	 */
	const char *end_why;

	/* Writes are refused while quota.damaged (logged once). */
	struct session_quota quota;
	/* When the account was last read from the file server (mono_ms). */
	uint64_t account_fetched_ms;
	/* QUOTA_ACCOUNT_LOCKED or _REMOVED once seen so: the session ends. */
	int account_ended;
	/* The count of the home failed (quota_home_failed), and was logged. */
	int unsettled_logged;
	/*
	 * The mount of the home ("/"), which the count of the home stays
	 * on: an entry on another (a share bound into the home) is neither
	 * charged nor credited (cmd_at_stat).  home_mount_known 0: it
	 * could not be told, and every entry is priced as the home's.
	 */
	struct samefs home_mount;
	int home_mount_known;
	struct digest *digest; /* one context, reset for each use */
	/*
	 * Uploads hash through it: in its thread for SHA-256 (started by
	 * session_spawn before the process lost the right to make one),
	 * inline otherwise.
	 */
	struct hash_pipe *hp;
	/*
	 * The HELLO feature bits the pre-auth worker granted (carried here
	 * through the auth helper's verdict), limited to what this build
	 * supports: the same protocol on both sides of the login.
	 */
	uint64_t features;
	/*
	 * The session's whole-file checksum, from the features: XXH3-128
	 * when MFTP_FEAT_XXH128 was granted, else SHA-256.  Every DATA_END
	 * and HASH_OK carries it.
	 */
	enum digest_alg alg;
};

/*
 * What the serving process makes before RLIMIT_NPROC 0, which it could
 * not make later: session_spawn(), called by drop_chroot_user_spawn() as
 * the user, fills hp (with its thread running in a SHA-256 session) from
 * features (the verdict's); session_run() takes it.
 */
struct session_spawn {
	uint64_t features;
	struct hash_pipe *hp;
};
void session_spawn(void *arg);

/*
 * Serve the session on sock.  Runs as the user, chrooted to the home,
 * with privileges already dropped.  First the second TLS handshake with
 * ctx, keyed by v->psk (wiped once used); then the OK to the LOGIN the
 * pre-auth worker read, then requests until QUIT, EOF, the idle timeout
 * or a malformed frame.  Uploads hash through hp, session_spawn()'s.
 * Never returns.
 */
void
session_run(int sock, struct privsep_verdict *v, const struct session_quota *q,
    struct hash_pipe *hp, const struct config *cfg, SSL_CTX *ctx,
    const char *peer) __attribute__((noreturn));

/*
 * Read one whole frame from the client within the idle timeout, however
 * its bytes are paced (each wait is bounded by it too): a frame sent a
 * byte at a time must not hold the session, or what a request holds.
 * frame_recv_msg's result; ERR_TIMEOUT past the deadline.
 */
int session_recv_frame(struct session *s, struct msg *m);

/* Reply helpers for handlers: 0, or -1 when the connection is gone. */
int session_reply_ok(struct session *s);
int session_reply_msg(struct session *s, const struct msg *m);
/* ERROR with a status chosen from errno and "what: strerror". */
int session_reply_errno(struct session *s, int err, const char *what);
int session_reply_error(struct session *s, uint32_t code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The wire status (MFTP_ST_*) for the errno of a failed file operation. */
uint32_t session_status(int err);

/*
 * Feed s->digest with len bytes of fd from off (through s->hp, as
 * hash_pipe_fd), before a reply that waits for it: in pieces, and where
 * the client asked for it (MFTP_FEAT_WORKING) with a WORKING frame
 * whenever a second has passed, so that reading back a large file does
 * not look like a dead server to the client.  Returns what
 * hash_pipe_fd returns, or ERR_GONE when a WORKING could not be sent,
 * or ERR_STOPPED when the session is to end (its watch, asked between
 * pieces: session_watch): the caller gives back what its request holds, sends nothing more and
 * returns non-zero, which ends the session.  The first paced bytes of
 * the read (at most len) are paced by the user's rate as if they were
 * sent (transport_pace_out): what is read for the client and not sent
 * to it, so that a user with a rate cannot make the server read faster
 * than about twice that rate (the bytes a GET sends are read twice
 * where the cache misses: to hash, and to send).
 */
int session_hash(
    struct session *s, int fd, uint64_t off, uint64_t len, uint64_t paced);

/*
 * One log line per transfer: "transfer user= addr= op= path= bytes=
 * offset= size= result=ok|error ms= [reason=]".  bytes is what went over
 * the wire in this request; the path is escaped (vis) so it stays one
 * token.  why is NULL on success.
 */
/*
 * A path from the client, escaped for a log line as the transfer lines
 * escape theirs (vis(3), one token, cut to SESSION_LOG_TEXT_MAX); free
 * it.
 */
char *session_log_path(const char *path);
void session_log_transfer(struct session *s, const char *op, const char *path,
    uint64_t bytes, uint64_t offset, uint64_t size, uint64_t start_ms,
    const char *why);
/*
 * " (n more failed transfers were not logged)", or "" when the transfer
 * lines left none out, into buf (64 bytes will do); the count starts
 * again.  For the session's end line.
 */
const char *session_failed_unlogged(char *buf, size_t len);

#endif
