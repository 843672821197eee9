/*
 * preauth.c: the pre-auth worker.
 *
 * Runs as: the unprivileged pre-auth user (_mftp), chrooted to an empty
 * root-owned directory, NoNewPrivs, unable to fork.  It is the only
 * process that parses client bytes before login: the first TLS
 * handshake (signed through mftpd-sign: this process never holds the
 * private key), then HELLO and LOGIN inside it, each LOGIN passed with
 * the session's exported secret to the auth helper.  After a good login
 * the monitor says so; this process sends close_notify and exits, and
 * the serving process continues with a second handshake keyed by that
 * secret (doc/PROTOCOL.md).
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "drop.h"
#include "err.h"
#include "frame.h"
#include "log.h"
#include "monitor.h"
#include "msg.h"
#include "pdeath.h"
#include "preauth.h"
#include "preauth_tls.h"
#include "privsep_msg.h"
#include "proto.h"
#include "sandbox.h"
#include "tls.h"
#include "transport.h"
#include "userdb.h"
#include "util.h"

#define PREAUTH_SOFTWARE "mftpd " PACKAGE_VERSION

struct preauth {
	const struct monitor_args *a;
	const struct preauth_fds *fds;
	struct transport *t;
	struct buf *scratch;
	uint64_t deadline;
	int hello_done;
	uint64_t features; /* granted in HELLO_OK */
	int tries;
};

static void __attribute__((noreturn))
preauth_exit_status(struct preauth *p, int status)
{
	transport_free(p->t);
	buf_free(p->scratch);
	_exit(status);
}

/*
 * Every end but a login handed on (preauth_finish) exits 1: the monitor
 * serves a session only on a 0, and a worker that gave up (the login
 * deadline, say) while the monitor still checked a good verdict has
 * told the client the login failed.
 */
static void __attribute__((noreturn)) preauth_exit(struct preauth *p)
{
	preauth_exit_status(p, 1);
}

/* Milliseconds left until the login deadline (at least 0). */
static int
preauth_left(const struct preauth *p)
{
	uint64_t now = mono_ms();

	return now >= p->deadline ? 0 : (int)(p->deadline - now);
}

static void
preauth_error(struct preauth *p, uint32_t code, const char *text)
{
	(void)frame_send_error(p->t, p->scratch, code, "%s", text);
}

static void
preauth_hello(struct preauth *p, const struct msg *m)
{
	struct msg r;

	if (p->hello_done) {
		preauth_error(p, MFTP_ST_BAD_FRAME, "HELLO sent twice");
		preauth_exit(p);
	}
	if (m->version_min > MFTP_PROTO_VERSION ||
	    m->version_max < MFTP_PROTO_VERSION) {
		char text[128];

		snprintf(text, sizeof(text),
		    "no protocol version in common: the server speaks %u, "
		    "the client %u to %u",
		    MFTP_PROTO_VERSION, m->version_min, m->version_max);
		preauth_error(p, MFTP_ST_VERSION, text);
		preauth_exit(p);
	}
	memset(&r, 0, sizeof(r));
	r.type = MFTP_MSG_HELLO_OK;
	r.version_min = r.version_max = MFTP_PROTO_VERSION;
	r.features = MFTP_FEAT_SUPPORTED & m->features;
	/* verify = sha256: every checksum of the session is SHA-256. */
	if (p->a->cfg->verify == MFTP_DIGEST_SHA256)
		r.features &= ~MFTP_FEAT_XXH128;
	r.text = PREAUTH_SOFTWARE;
	if (frame_send_msg(p->t, p->scratch, &r) != 0)
		preauth_exit(p);
	p->hello_done = 1;
	p->features = r.features;
}

/*
 * The monitor accepted the login.  Nothing may follow LOGIN on the wire
 * until its reply: bytes already here belong to neither handshake, so
 * the client is told and the session ends.  Otherwise close_notify ends
 * this TLS session at a record boundary, and the client's next bytes are
 * the serving process's ClientHello.
 */
static void __attribute__((noreturn)) preauth_finish(struct preauth *p)
{
	if (transport_pending(p->t) != 0) {
		log_warnx(
		    "request after LOGIN before its reply addr=%s", p->a->peer);
		preauth_error(p, MFTP_ST_BAD_FRAME,
		    "nothing may follow LOGIN until its reply "
		    "(protocol 2)");
		preauth_exit_status(p, 1);
	}
	transport_close_notify(p->t);
	preauth_exit_status(p, 0);
}

/*
 * Wait for the outcome of one attempt: AUTH_FAILED from the helper
 * (returns), or LOGIN_DONE from the monitor (does not return).
 */
static void
preauth_wait_outcome(struct preauth *p)
{
	struct pollfd pfd[2];
	char *text = NULL;
	uint32_t refusal;
	int r;

	pfd[0].fd = p->fds->helper;
	pfd[1].fd = p->fds->ctl;
	pfd[0].events = pfd[1].events = POLLIN;
	for (;;) {
		r = poll(pfd, 2, preauth_left(p));
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			fatal("poll");
		if (r == 0) {
			preauth_error(p, MFTP_ST_TIMEOUT, "login timed out");
			preauth_exit(p);
		}
		break;
	}
	if (pfd[1].revents != 0) {
		r = privsep_recv_login_done(p->fds->ctl, 0, &refusal, &text);
		if (r != 0)
			fatalx("monitor: %s", err_str(r));
		if (refusal == 0)
			preauth_finish(p);
		preauth_error(p, refusal, text);
		free(text);
		preauth_exit_status(p, 1);
	}
	if ((r = privsep_recv_failed(p->fds->helper, 0)) != 0)
		fatalx("auth helper: %s", err_str(r));
}

static void
preauth_login(struct preauth *p, const struct msg *m)
{
	uint8_t psk[MFTP_PSK_LEN];

	if (!p->hello_done) {
		preauth_error(p, MFTP_ST_BAD_FRAME, "HELLO must come first");
		preauth_exit(p);
	}
	if (tls_export_psk(transport_tls(p->t), psk) != 0)
		fatalx("exporting the session secret: %s", tls_error());
	if (privsep_send_request(
		p->fds->helper, m->user, m->secret, psk, p->features) == -1)
		fatal("sending the login to the auth helper");
	explicit_bzero(psk, sizeof(psk));
	preauth_wait_outcome(p);
	p->tries++;
	/*
	 * A name that is not a valid one is not echoed into the log.  A
	 * warning: journald rate-limits each priority apart, so the notice
	 * and info lines a logged-in client can make by the thousand (its
	 * transfers) never crowd out the line fail2ban reads.
	 */
	log_warnx("login failed user=%s addr=%s attempt=%d",
	    userdb_valid_name(m->user) ? m->user : "(invalid)", p->a->peer,
	    p->tries);
	/* A growing pause makes guessing slow; it is the same for all. */
	sleep_ms((unsigned int)p->tries * MFTP_LOGIN_DELAY_MS);
	preauth_error(p, MFTP_ST_AUTH, "login incorrect");
	if (p->tries >= MFTP_LOGIN_TRIES)
		preauth_exit(p);
}

/*
 * A protocol-1 client speaks in clear and sends HELLO first: read that
 * one frame (so closing does not reset the connection under our answer)
 * and answer in the only language it understands.
 */
static void __attribute__((noreturn)) preauth_refuse_plain(struct preauth *p)
{
	struct msg m;

	memset(&m, 0, sizeof(m));
	if (log_noise_ok())
		log_notice("protocol-1 (plaintext) client refused addr=%s",
		    p->a->peer);
	(void)frame_recv_msg(p->t, p->scratch, &m);
	msg_clear(&m);
	preauth_error(p, MFTP_ST_VERSION,
	    "this server requires mftp protocol 2 (TLS); upgrade the client");
	(void)shutdown(transport_fd(p->t), SHUT_WR);
	preauth_exit(p);
}

/* The first handshake, after a look at the first byte. */
static void
preauth_start_tls(struct preauth *p, SSL_CTX *ctx)
{
	int fd = transport_fd(p->t), r;
	uint8_t first;
	SSL *ssl;

	if ((r = tls_peek_byte(fd, p->deadline, &first)) != 0) {
		/* A port probe that sent nothing is not worth a line. */
		if (r == ERR_TIMEOUT && log_noise_ok())
			log_notice("login timeout addr=%s: no TLS handshake",
			    p->a->peer);
		preauth_exit(p);
	}
	/* 0x16: a TLS handshake record; 0x00: a protocol-1 length. */
	if (first == 0x00)
		preauth_refuse_plain(p);
	if (first != 0x16) {
		if (log_noise_ok())
			log_warnx("not TLS from addr=%s (first byte 0x%02x)",
			    p->a->peer, first);
		preauth_exit(p);
	}
	/* Both fail for want of memory only. */
	if ((ssl = SSL_new(ctx)) == NULL)
		fatal_lackx("SSL_new: %s", tls_error());
	if (SSL_set_fd(ssl, fd) != 1)
		fatal_lackx("SSL_set_fd: %s", tls_error());
	SSL_set_accept_state(ssl);
	r = tls_handshake(ssl, fd, p->deadline);
	if (r != 0 && log_noise_ok()) {
		if (r == ERR_TIMEOUT)
			log_notice("login timeout addr=%s: TLS handshake "
				   "not finished",
			    p->a->peer);
		else
			log_notice("TLS handshake failed addr=%s: %s",
			    p->a->peer,
			    r == ERR_TLS ? tls_error() : err_str(r));
	}
	if (r != 0) {
		SSL_free(ssl);
		preauth_exit(p);
	}
	transport_set_tls(p->t, ssl);
}

void
preauth_run(
    const struct monitor_args *a, const struct preauth_fds *fds, pid_t monitor)
{
	struct preauth p;
	struct msg m;
	SSL_CTX *ctx;
	int root, r;

	/* Die with the monitor; if it is already gone, go too. */
	if (pdeath_arm(SIGKILL, monitor) == -1)
		_exit(1);
	/* The master's context: the certificate; the key stays outside. */
	ctx = a->preauth_ctx;
	preauth_tls_set_signer(fds->sign);
	if ((root = drop_open_root(a->cfg->preauth_chroot)) == -1)
		fatal_or_lack(a->cfg->preauth_chroot);
	{
		int keep[] = { a->sock, fds->helper, fds->alive, fds->sign,
			fds->ctl, log_fd(), root };

		fd_close_except(keep, sizeof(keep) / sizeof(keep[0]));
	}
	drop_chroot_user(root, a->preauth_uid, a->preauth_gid);

	memset(&p, 0, sizeof(p));
	memset(&m, 0, sizeof(m));
	p.a = a;
	p.fds = fds;
	p.deadline = mono_ms() + (uint64_t)a->cfg->login_timeout * 1000;
	p.t = transport_new(a->sock, preauth_left(&p));
	/* A frame sent a byte at a time, each in time, must not outlast it. */
	transport_set_deadline(p.t, p.deadline);
	p.scratch = buf_new(MFTP_FRAME_BUF);
	/*
	 * The last step of the setup, before the first byte from the
	 * client: from here on only the worker's allowlist.
	 */
	sandbox_preauth();
	preauth_start_tls(&p, ctx);

	for (;;) {
		transport_set_timeout(p.t, preauth_left(&p));
		r = frame_recv_msg(p.t, p.scratch, &m);
		if (r == ERR_EOF)
			preauth_exit(&p);
		/* A reset, or keepalive's probes unanswered: no bad frame.
		 * Said in the system's words, as a session's line. */
		if (r == ERR_IO) {
			if (log_noise_ok())
				log_notice("connection lost before login "
					   "addr=%s: %s",
				    a->peer,
				    transport_sys_errno(p.t) != 0 ?
					strerror(transport_sys_errno(p.t)) :
					err_str(r));
			preauth_exit(&p);
		}
		if (r == ERR_TIMEOUT || (r == 0 && preauth_left(&p) == 0)) {
			if (log_noise_ok())
				log_notice("login timeout addr=%s", a->peer);
			preauth_error(&p, MFTP_ST_TIMEOUT, "login timed out");
			preauth_exit(&p);
		}
		if (r != 0) {
			if (log_noise_ok())
				log_warnx("bad frame before login addr=%s: %s",
				    a->peer, err_str(r));
			preauth_error(&p, MFTP_ST_BAD_FRAME, err_str(r));
			preauth_exit(&p);
		}
		switch (m.type) {
		case MFTP_MSG_HELLO:
			preauth_hello(&p, &m);
			break;
		case MFTP_MSG_LOGIN:
			preauth_login(&p, &m);
			break;
		case MFTP_MSG_QUIT:
			memset(&m, 0, sizeof(m));
			m.type = MFTP_MSG_OK;
			(void)frame_send_msg(p.t, p.scratch, &m);
			preauth_exit(&p);
		default:
			if (MFTP_MSG_IS_REPLY(m.type) ||
			    m.type == MFTP_MSG_DATA_END) {
				/* A reply or trailer has no place here. */
				if (log_noise_ok())
					log_warnx("bad frame before login "
						  "addr=%s: unexpected %s",
					    a->peer, msg_name(m.type));
				preauth_error(&p, MFTP_ST_BAD_FRAME,
				    "unexpected message");
				preauth_exit(&p);
			}
			/*
			 * PUT_DATA's bytes follow it unasked: refused, they
			 * would be read as the next frames (a file holding a
			 * LOGIN would log in).  The stream cannot go on.
			 */
			if (m.type == MFTP_MSG_PUT_DATA) {
				if (log_noise_ok())
					log_warnx("bad frame before login "
						  "addr=%s: PUT_DATA",
					    a->peer);
				preauth_error(&p, MFTP_ST_BAD_FRAME,
				    "PUT_DATA before login: its data cannot "
				    "be told from requests");
				preauth_exit(&p);
			}
			preauth_error(
			    &p, MFTP_ST_NOT_LOGGED_IN, "log in first");
		}
		msg_clear(&m);
	}
}
