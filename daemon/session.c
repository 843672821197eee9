/*
 * session.c: the serving loop of a logged-in session.
 *
 * Runs as: the logged-in user, chrooted to the home, no capabilities,
 * NoNewPrivs, unable to fork.  Reads one frame at a time, dispatches it
 * through the request table, and ends the connection on anything
 * malformed.  Replies go out in request order, so a client may pipeline.
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "config.h"
#include "digest.h"
#include "err.h"
#include "frame.h"
#include "hash_pipe.h"
#include "log.h"
#include "msg.h"
#include "privsep_msg.h"
#include "proto.h"
#include "sandbox.h"
#include "session.h"
#include "slots.h"
#include "tls.h"
#include "transport.h"
#include "util.h"

static int cmd_quit(struct session *s, const struct msg *m);
static int cmd_again(struct session *s, const struct msg *m);

static const struct session_handler {
	uint8_t type;
	int (*fn)(struct session *, const struct msg *);
	/*
	 * Cut by the account's end (session_watch), it is answered with
	 * the ERROR that says so: the stream is in step for a reply, as
	 * an upload's is (the server sent nothing since PUT_READY), not a
	 * download's or a listing's, which stop amid their data.
	 */
	int answered_when_cut;
} session_handlers[] = {
	{ MFTP_MSG_HELLO, cmd_again, 0 },
	{ MFTP_MSG_LOGIN, cmd_again, 0 },
	{ MFTP_MSG_QUIT, cmd_quit, 0 },
	{ MFTP_MSG_PWD, cmd_pwd, 0 },
	{ MFTP_MSG_CWD, cmd_cwd, 0 },
	{ MFTP_MSG_LIST, cmd_list, 0 },
	{ MFTP_MSG_MKDIR, cmd_mkdir, 0 },
	{ MFTP_MSG_STAT, cmd_stat, 0 },
	{ MFTP_MSG_HASH, cmd_hash, 0 },
	{ MFTP_MSG_HASH_ALG, cmd_hash_alg, 0 },
	{ MFTP_MSG_REMOVE, cmd_remove, 0 },
	{ MFTP_MSG_RMDIR, cmd_rmdir, 0 },
	{ MFTP_MSG_RENAME, cmd_rename, 0 },
	{ MFTP_MSG_CHMOD, cmd_chmod, 0 },
	{ MFTP_MSG_SYMLINK, cmd_symlink, 0 },
	{ MFTP_MSG_READLINK, cmd_readlink, 0 },
	{ MFTP_MSG_QUOTA, cmd_quota, 0 },
	{ MFTP_MSG_GET, cmd_get, 0 },
	{ MFTP_MSG_PUT, cmd_put, 1 },
	{ MFTP_MSG_PUT_DATA, cmd_put, 1 },
};

int
session_reply_msg(struct session *s, const struct msg *m)
{
	return frame_send_msg(s->t, s->scratch, m) == 0 ? 0 : -1;
}

static void
session_end(struct session *s, const char *why) __attribute__((noreturn));

int
session_hash(
    struct session *s, int fd, uint64_t off, uint64_t len, uint64_t paced)
{
	uint64_t done = 0, piece, last = mono_ms(), now;
	struct buf *b = NULL;
	struct msg m;
	int r = 0;

	while (done < len) {
		/*
		 * Told to stop (session_watch): a file read back for minutes
		 * does not hold off the session's end.  As for a lost client,
		 * the request gives back what it holds and sends nothing.
		 */
		if ((r = transport_check(s->t)) != 0)
			break;
		piece = len - done < MFTP_WORKING_PIECE ? len - done :
							  MFTP_WORKING_PIECE;
		/* Paced: an eighth of a second's worth at a time. */
		if (done < paced)
			piece = transport_pace_piece(s->t,
			    (size_t)(paced - done < piece ? paced - done :
							    piece));
		if ((r = hash_pipe_fd(
			 s->hp, s->digest, fd, off + done, piece)) != 0)
			break;
		if (done < paced)
			transport_pace_out(s->t, (size_t)piece);
		done += piece;
		now = mono_ms();
		if (done == len || (s->features & MFTP_FEAT_WORKING) == 0 ||
		    now - last < MFTP_WORKING_INTERVAL_MS)
			continue;
		last = now;
		/* Its own buffer: the request may still point into scratch. */
		if (b == NULL)
			b = buf_new(256);
		memset(&m, 0, sizeof(m));
		m.type = MFTP_MSG_WORKING;
		m.offset = done;
		m.size = len;
		/*
		 * No reply can follow a frame cut short: the client is gone
		 * or the stream broken; not an error of the file.  The
		 * request ends (giving back what it holds: an upload's
		 * reservation), and with it the session.
		 */
		if (frame_send_msg(s->t, b, &m) != 0) {
			r = ERR_GONE;
			break;
		}
	}
	buf_free(b);
	return r;
}

int
session_reply_ok(struct session *s)
{
	struct msg m;

	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_OK;
	return session_reply_msg(s, &m);
}

int
session_reply_error(struct session *s, uint32_t code, const char *fmt, ...)
{
	char text[SESSION_WHY_MAX + 1];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	/* A long path said first: cut in its middle, the reason kept. */
	str_elide(text, MFTP_TEXT_MAX);
	return frame_send_error(s->t, s->scratch, code, "%s", text) == 0 ? 0 :
									   -1;
}

uint32_t
session_status(int err)
{
	switch (err) {
	case ENOENT:
		return MFTP_ST_NOT_FOUND;
	case EACCES:
	case EPERM:
	case EROFS:
		return MFTP_ST_PERM;
	case EEXIST:
		return MFTP_ST_EXISTS;
	case ENOTDIR:
	case ELOOP:
		return MFTP_ST_NOT_DIR;
	case EISDIR:
		return MFTP_ST_IS_DIR;
	case ENOTEMPTY:
		return MFTP_ST_NOT_EMPTY;
	case ENAMETOOLONG:
	case EINVAL:
		return MFTP_ST_INVALID;
	case ENOSPC:
		return MFTP_ST_NO_SPACE;
	case EDQUOT:
		return MFTP_ST_QUOTA;
	}
	return MFTP_ST_IO;
}

int
session_reply_errno(struct session *s, int err, const char *what)
{
	return session_reply_error(
	    s, session_status(err), "%s: %s", what, strerror(err));
}

/* Allocations from this size up are mapped each time, not kept. */
#define SESSION_MMAP_THRESHOLD (64 * 1024)

/* How often a session asks the file server whether its account was ended. */
#define SESSION_ACCOUNT_CHECK_MS QUOTA_ACCOUNT_FRESH_MS
/* How often every wait and transfer looks (session_watch). */
#define SESSION_WATCH_MS 1000

static int
cmd_quit(struct session *s, const struct msg *m)
{
	s->quit = 1;
	return session_reply_ok(s);
}

static int
cmd_again(struct session *s, const struct msg *m)
{
	return session_reply_error(s, MFTP_ST_INVALID, "already logged in");
}

static void __attribute__((noreturn))
session_end(struct session *s, const char *why)
{
	char more[64], qmore[96];

	log_info("session end user=%s addr=%s reason=%s in=%llu out=%llu "
		 "uploads=%llu downloads=%llu%s%s",
	    s->user, s->peer, why, (unsigned long long)transport_bytes_in(s->t),
	    (unsigned long long)transport_bytes_out(s->t),
	    (unsigned long long)s->files_in, (unsigned long long)s->files_out,
	    session_failed_unlogged(more, sizeof(more)),
	    cmd_quota_unlogged(qmore, sizeof(qmore)));
	transport_close_notify(s->t);
	transport_free(s->t);
	buf_free(s->scratch);
	digest_free(s->digest);
	_exit(0);
}

/*
 * The second TLS handshake, as the user: keyed by the secret exported
 * from the worker's session (it came through the auth helper's verdict),
 * with X25519 for fresh keys.  Nothing before it was written here.
 */
static void
session_start_tls(struct session *s, struct privsep_verdict *v, SSL_CTX *ctx,
    unsigned int login_timeout)
{
	int fd = transport_fd(s->t), r;
	SSL *ssl;

	if ((ssl = SSL_new(ctx)) == NULL || SSL_set_fd(ssl, fd) != 1)
		fatalx("SSL_new: %s", tls_error());
	SSL_set_accept_state(ssl);
	/*
	 * This session is the connection's last: nothing changes hands
	 * after it, so TLS may read ahead (fewer system calls per record).
	 */
	SSL_set_read_ahead(ssl, 1);
	tls_set_psk(ssl, v->psk);
	r = tls_handshake(ssl, fd, mono_ms() + (uint64_t)login_timeout * 1000);
	if (r == 0)
		r = tls_check_psk_dhe(ssl);
	/* The session keys are derived; the secret has done its work. */
	tls_set_psk(ssl, NULL);
	explicit_bzero(v->psk, sizeof(v->psk));
	if (r != 0) {
		log_warnx("TLS after login failed user=%s addr=%s: %s", s->user,
		    s->peer, r == ERR_TLS ? tls_error() : err_str(r));
		SSL_free(ssl);
		session_end(s, "tls-failed");
	}
	tls_read_ahead(ssl);
	transport_set_tls(s->t, ssl);
}

/*
 * The home's mount, taken once: what is not on it (a share bound into
 * the home) counts for nothing, and the requests price it so.
 */
static void
session_home_mount(struct session *s)
{
	int fd;

	if ((fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) != -1 &&
	    samefs_of(fd, &s->home_mount) == 0)
		s->home_mount_known = 1;
	else
		log_warn("user=%s: the mount of the home; what is mounted "
			 "into it is priced as the home's",
		    s->user);
	if (fd != -1)
		close(fd);
}

/*
 * A damaged or unreadable accounting file refuses writes until the
 * administrator recounts; read here, under its lock, as the user (the
 * monitor only opened it, so that it never waits for that lock).  A
 * removal that a killed session left under way is settled now, by a
 * count of the home ("/": the process is chrooted to it), and so is one
 * that any later change finds (quota_set_home).  And when no other
 * session of the user holds a session slot, on any node, every byte
 * still reserved was left by an upload killed mid-way: it is dropped.
 */
static int
session_alone(void *arg)
{
	const struct session *s = arg;
	int n;

	if (s->quota.slot_fd == -1)
		return -1;
	if ((n = slots_alone(s->quota.slot_fd)) == -1)
		log_warn("session slots of user=%s", s->user);
	return n;
}

static void
session_check_quota(struct session *s, const char *quota_dir)
{
	struct quota_usage u;
	uint64_t dropped;
	int r;

	quota_set_home("/");
	/* Marked locked or removed: the first look at the account ends
	 * the session (session_check_account); nothing to settle. */
	if (s->quota.damaged || s->quota.readonly ||
	    quota_account_state(s->quota.fd, 1) != QUOTA_ACCOUNT_OPEN)
		return;
	r = quota_settle(s->quota.fd, "/", session_alone, s, &u, &dropped);
	if (dropped > 0)
		log_info("user=%s: %ju bytes reserved by uploads of sessions "
			 "that ended without giving them back were dropped",
		    s->user, (uintmax_t)dropped);
	/* Told to stop while another process held the lock: nothing done;
	 * the session ends at its first look (session_wait_request). */
	if (r == 0 || r == QUOTA_ERR_STOPPED)
		return;
	log_warnx("accounting file %s/%s of user=%s: %s; writes refused "
		  "until ftpuser-quota --recount",
	    quota_dir, s->user, s->user,
	    r == QUOTA_ERR_CORRUPT ? "damaged" : "cannot be read");
	s->quota.damaged = 1;
}

/*
 * A user that the administrator removed or locked, on this node or on
 * any other sharing the storage: the accounting file it holds open says
 * (quota_account_state).  Without an accounting file there is nothing
 * to look at; ftpuser-del and ftpuser-mod --lock end this node's
 * sessions themselves.  The file server is asked at most every
 * SESSION_ACCOUNT_CHECK_MS, so that a session on shared storage pays no
 * round trip per request.  Once ended, the account stays ended.
 */
static int
session_account(struct session *s)
{
	uint64_t now = mono_ms();
	int fresh;

	if (s->account_ended != QUOTA_ACCOUNT_OPEN)
		return s->account_ended;
	fresh = now - s->account_fetched_ms >= SESSION_ACCOUNT_CHECK_MS;
	if (fresh)
		s->account_fetched_ms = now;
	/* Open only to read: marked locked when the login came (monitor.c). */
	s->account_ended = s->quota.readonly ? QUOTA_ACCOUNT_LOCKED :
	    s->quota.fd != -1 ? quota_account_state(s->quota.fd, fresh) :
				QUOTA_ACCOUNT_OPEN;
	return s->account_ended;
}

/*
 * The account was ended: say so in the log and, when reply (the stream
 * is between requests), to the client, and end the session.
 */
static void __attribute__((noreturn))
session_account_end(struct session *s, int reply)
{
	const char *what = s->account_ended == QUOTA_ACCOUNT_LOCKED ? "locked" :
								      "removed";

	log_notice("session ended user=%s addr=%s: the account was %s", s->user,
	    s->peer, what);
	/* What is still sent (the reply, close_notify) is not stopped. */
	transport_set_watch(s->t, NULL, NULL, 0);
	if (reply)
		(void)session_reply_error(s, MFTP_ST_PERM,
		    "the account %s was %s by the administrator; the session "
		    "ends",
		    s->user, what);
	session_end(s,
	    s->account_ended == QUOTA_ACCOUNT_LOCKED ? "account-locked" :
						       "account-removed");
}

/*
 * SIGTERM: ftpuser-del and ftpuser-mod --lock on this node, once they
 * removed or marked the accounting file, and mftpd's stop after
 * shutdown_timeout.  The session does not die of it unheard: it ends at
 * its next look (session_watch, within SESSION_WATCH_MS; a file read
 * back to be hashed stops after its piece, session_hash; any other call
 * outside the transport finishes first), and logs its end as any other.
 */
static volatile sig_atomic_t session_terminated;

static void
session_on_term(int sig)
{
	(void)sig;
	session_terminated = 1;
}

/* session_stop's reply: none, between requests, in answer to LOGIN. */
#define SESSION_STOP_QUIET 0
#define SESSION_STOP_REPLY 1
#define SESSION_STOP_LOGIN 2

/*
 * Told to stop (session_watch, SIGTERM): a fresh look at the account
 * says whether it was ended, for the client (ERROR PERM) and the log;
 * otherwise the line says reason=terminated, and the client sees the
 * connection close.  A LOGIN not answered yet is refused: with that
 * PERM, or with ERROR(BUSY), a login to try again later (mftpd stops),
 * not answered OK for a session that would end at its first request.
 */
static void __attribute__((noreturn)) session_stop(struct session *s, int reply)
{
	if (s->account_ended == QUOTA_ACCOUNT_OPEN) {
		s->account_fetched_ms = 0;
		(void)session_account(s);
	}
	if (s->account_ended != QUOTA_ACCOUNT_OPEN)
		session_account_end(s, reply != SESSION_STOP_QUIET);
	transport_set_watch(s->t, NULL, NULL, 0);
	if (reply == SESSION_STOP_LOGIN) {
		log_notice("login of user=%s addr=%s refused: told to stop "
			   "before its answer (SIGTERM: mftpd stops)",
		    s->user, s->peer);
		/*
		 * The server's doing, not the user's: UNAVAILABLE, which a
		 * client takes as "try again later", as for a server it
		 * cannot reach (BUSY would read as the user's own limit).
		 */
		(void)session_reply_error(s, MFTP_ST_UNAVAILABLE,
		    "the server ended this session before the login was "
		    "answered (it is stopping); log in again later");
	}
	session_end(s, "terminated");
}

/* Between requests: an ended account ends the session, the client told. */
static void
session_check_account(struct session *s)
{
	if (session_terminated || session_account(s) != QUOTA_ACCOUNT_OPEN)
		session_stop(s, SESSION_STOP_REPLY);
}

/*
 * A removal that a killed session left under way, which the count of
 * the home could not settle (a directory the user cannot read, say, that
 * an administrator made so: MKDIR and CHMOD keep their owner's r-x):
 * the usage stays high, and this process does not count the home again
 * (quota_set_home).  Said once.
 */
static void
session_note_unsettled(struct session *s)
{
	const char *why;

	if (s->unsettled_logged || (why = quota_home_failed()) == NULL)
		return;
	s->unsettled_logged = 1;
	log_warnx("user=%s: usage left high by a removal that a killed "
		  "session did not finish: the home cannot be counted (%s); "
		  "counted again at the next login, exact after "
		  "ftpuser-quota --recount",
	    s->user, why);
}

/*
 * The transport's watch (transport_set_watch): within a request too, a
 * transfer that would run for hours stops once the account is ended, as
 * the tools' signal stops it on their own node.  The request then fails
 * (an upload gives its reservation back) and the session ends.
 */
static int
session_watch(void *arg)
{
	return session_terminated || session_account(arg) != QUOTA_ACCOUNT_OPEN;
}

int
session_recv_frame(struct session *s, struct msg *m)
{
	int r;

	transport_set_deadline(
	    s->t, mono_ms() + (uint64_t)s->idle_timeout * 1000);
	r = frame_recv_msg(s->t, s->scratch, m);
	transport_set_deadline(s->t, 0);
	return r;
}

/*
 * The connection failed under the session (the transport's ERR_IO): a
 * reset, or keepalive's probes or our retransmissions unanswered (a
 * client whose machine or network vanished).  Said with the system's words when there are some,
 * not as a bad frame; the session ends, reason=connection-lost.
 */
static void __attribute__((noreturn)) session_lost(struct session *s)
{
	int e = transport_sys_errno(s->t);

	if (e != 0)
		log_notice("connection lost user=%s addr=%s: %s", s->user,
		    s->peer, strerror(e));
	session_end(s, "connection-lost");
}

/*
 * Wait for the next request, at most the idle timeout, looking at the
 * account before it and every SESSION_ACCOUNT_CHECK_MS meanwhile: a
 * session the administrator ended elsewhere does not wait for its next
 * request to notice.
 */
static void
session_wait_request(struct session *s, unsigned int idle_timeout)
{
	uint64_t deadline = mono_ms() + (uint64_t)idle_timeout * 1000, now;
	int slice;

	for (;;) {
		now = mono_ms();
		if (now >= deadline) {
			(void)session_reply_error(s, MFTP_ST_TIMEOUT,
			    "idle timeout (%u s)", idle_timeout);
			session_end(s, "idle-timeout");
		}
		slice = deadline - now < SESSION_ACCOUNT_CHECK_MS ?
		    (int)(deadline - now) :
		    SESSION_ACCOUNT_CHECK_MS;
		/* Ready, or stopped by session_watch: checked below. */
		if (transport_wait(s->t, slice) != 0)
			break;
		session_check_account(s);
	}
	/* Once a request (one system call), and during a long wait. */
	session_check_account(s);
	session_note_unsettled(s);
}

/* The session's checksum, from the features granted at HELLO. */
static enum digest_alg
session_alg(uint64_t features)
{
	return (features & MFTP_FEAT_SUPPORTED & MFTP_FEAT_XXH128) != 0 ?
	    DIGEST_XXH128 :
	    DIGEST_SHA256;
}

/*
 * A SHA-256 session hashes uploads in a second thread, which can only be
 * made now (drop.h).  It waits idle on a condition variable until an
 * upload; its stack is small and the buffers exist only during one, so
 * an idle session stays small.  XXH3-128 is fast enough inline: no
 * thread.  Without one (the start failed) uploads are hashed inline.
 */
void
session_spawn(void *arg)
{
	struct session_spawn *sp = arg;

	sp->hp = hash_pipe_new(0);
	if (session_alg(sp->features) == DIGEST_SHA256 &&
	    hash_pipe_start(sp->hp) == -1)
		log_warnx("no hashing thread: %s; uploads hash inline",
		    strerror(errno));
}

void
session_run(int sock, struct privsep_verdict *v, const struct session_quota *q,
    struct hash_pipe *hp, const struct config *cfg, SSL_CTX *ctx,
    const char *peer)
{
	unsigned int idle_timeout = cfg->idle_timeout;
	struct sigaction sa;
	struct session s;
	struct msg m;
	size_t i;
	int r;

	memset(&s, 0, sizeof(s));
	memset(&m, 0, sizeof(m));
	s.user = v->name;
	s.uid = v->uid;
	s.peer = peer;
	s.idle_timeout = idle_timeout;
	s.lost_within = cfg->keepalive != 0 && cfg->keepalive < idle_timeout ?
	    cfg->keepalive :
	    idle_timeout;
	/* Idle time is measured between requests; within one, a stalled
	 * peer gets the same allowance per read or write. */
	s.t = transport_new(sock, (int)idle_timeout * 1000);
	s.scratch = buf_new(MFTP_FRAME_BUF);
	s.quota = *q;
	s.features = v->features & MFTP_FEAT_SUPPORTED;
	s.alg = session_alg(s.features);
	s.hp = hp;
	/* libcrypto was set up before the chroot: this loads nothing. */
	s.digest = digest_new(s.alg);
	umask(022);
	session_home_mount(&s);
	/* Uploads at the user's rate leave their backlog with the client. */
	transport_size_receive(s.t, v->rate);
	/*
	 * A client that vanishes in the middle of a download leaves bytes
	 * of ours unacknowledged, and TCP keepalive probes nothing then:
	 * the waits look at the acknowledgements themselves, for as long
	 * as keepalive gives a silent machine (listener.c).
	 */
	transport_set_silence(s.t, cfg->keepalive * 1000);
	/* Its end logged (session_on_term); SA_RESTART: only waits see it. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = session_on_term;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) == -1)
		fatal("sigaction");
	/*
	 * The last step of the setup, before the second handshake reads
	 * the client: from here on only the serving process's allowlist.
	 */
	sandbox_session();
	session_start_tls(&s, v, ctx, cfg->login_timeout);
	transport_set_watch(s.t, session_watch, &s, SESSION_WATCH_MS);
	/* Nor does a wait for the accounting lock that another process
	 * holds (a recount, a node that hangs) keep it from its end. */
	quota_set_stop(session_watch, &s);
	/* The user's rate paces all that follows (lib/ratelimit.h). */
	transport_set_rate(s.t, v->rate);
	session_check_quota(&s, cfg->quota_dir);

	/*
	 * The answer to the LOGIN that the pre-auth worker read: a refusal
	 * when the session was told to stop meanwhile (its settle's wait
	 * for the lock, above, ends then) or the account ended.
	 */
	if (session_terminated || session_account(&s) != QUOTA_ACCOUNT_OPEN)
		session_stop(&s, SESSION_STOP_LOGIN);
	if (session_reply_ok(&s) != 0)
		session_end(&s, "peer-gone");
	/*
	 * What the setup freed (the verdict's check, the handshakes, the
	 * allowlist's compilation) goes back to the system: an idle session
	 * keeps only what it uses.
	 */
	(void)malloc_trim(0);
	/*
	 * A transfer's large buffers (its chunk, TLS's read-ahead, the bulk
	 * write buffer) are mapped for it and unmapped when it ends, rather
	 * than left in the heap: the session is as small after a transfer
	 * as before.  A fixed threshold also keeps glibc from raising it
	 * after the first such free.
	 */
	(void)mallopt(M_MMAP_THRESHOLD, SESSION_MMAP_THRESHOLD);

	while (!s.quit) {
		session_wait_request(&s, idle_timeout);
		/* Nor may a request, sent a byte at a time, keep the session
		 * from the account's checks for ever. */
		r = session_recv_frame(&s, &m);
		if (r == ERR_STOPPED)
			session_stop(&s, SESSION_STOP_REPLY);
		if (r == ERR_EOF)
			session_end(&s, "closed");
		if (r == ERR_IO)
			session_lost(&s);
		if (r == ERR_TIMEOUT) {
			(void)session_reply_error(&s, MFTP_ST_TIMEOUT,
			    "a request not whole within the idle timeout "
			    "(%u s)",
			    idle_timeout);
			session_end(&s, "idle-timeout");
		}
		if (r != 0) {
			log_warnx("bad frame user=%s addr=%s: %s", s.user,
			    s.peer, err_str(r));
			(void)session_reply_error(
			    &s, MFTP_ST_BAD_FRAME, "%s", err_str(r));
			session_end(&s, "bad-frame");
		}
		for (i = 0;
		     i < sizeof(session_handlers) / sizeof(session_handlers[0]);
		     i++)
			if (session_handlers[i].type == m.type)
				break;
		if (i ==
		    sizeof(session_handlers) / sizeof(session_handlers[0])) {
			log_warnx("unexpected %s user=%s addr=%s",
			    msg_name(m.type), s.user, s.peer);
			(void)session_reply_error(&s, MFTP_ST_BAD_FRAME,
			    "unexpected message %s", msg_name(m.type));
			session_end(&s, "bad-frame");
		}
		if (session_handlers[i].fn(&s, &m) != 0) {
			/* Cut by session_watch: no reply into the stream,
			 * unless it is in step for one. */
			if (session_terminated ||
			    s.account_ended != QUOTA_ACCOUNT_OPEN)
				session_stop(&s,
				    session_handlers[i].answered_when_cut ?
					SESSION_STOP_REPLY :
					SESSION_STOP_QUIET);
			/* The client stopped reading or sending within
			 * the request, for the whole idle_timeout. */
			if (s.end_why == NULL && transport_timed_out(s.t))
				session_end(&s, "stalled");
			if (s.end_why == NULL)
				session_lost(&s);
			session_end(&s, s.end_why);
		}
		msg_clear(&m);
	}
	session_end(&s, "quit");
}
