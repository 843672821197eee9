/*
 * preauth.c: the pre-auth worker.
 *
 * Runs as: the unprivileged pre-auth user (_mftp), chrooted to an empty
 * root-owned directory, NoNewPrivs, unable to fork.  It is the only
 * process that parses client bytes before login: HELLO, then LOGIN,
 * each LOGIN passed to the auth helper.  It never learns whether a login
 * succeeded: on success the monitor kills it.
 */
#include <sys/types.h>
#include <sys/prctl.h>

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
#include "preauth.h"
#include "privsep_msg.h"
#include "proto.h"
#include "transport.h"
#include "userdb.h"
#include "util.h"

#define PREAUTH_SOFTWARE "mftpd " PACKAGE_VERSION

struct preauth {
	const struct monitor_args *a;
	struct transport *t;
	struct buf *scratch;
	uint64_t deadline;
	int helper_fd;
	int hello_done;
	int tries;
};

static void __attribute__((noreturn)) preauth_exit(struct preauth *p)
{
	transport_free(p->t);
	buf_free(p->scratch);
	_exit(0);
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
	r.features = MFTP_FEAT_NONE & m->features;
	r.text = PREAUTH_SOFTWARE;
	if (frame_send_msg(p->t, p->scratch, &r) != 0)
		preauth_exit(p);
	p->hello_done = 1;
}

static void
preauth_login(struct preauth *p, const struct msg *m)
{
	int r;

	if (!p->hello_done) {
		preauth_error(p, MFTP_ST_BAD_FRAME, "HELLO must come first");
		preauth_exit(p);
	}
	if (privsep_send_request(p->helper_fd, m->user, m->secret) == -1)
		fatal("sending the login to the auth helper");
	/* On success the monitor kills this process while it waits. */
	r = privsep_recv_failed(p->helper_fd, preauth_left(p));
	if (r == ERR_TIMEOUT) {
		preauth_error(p, MFTP_ST_TIMEOUT, "login timed out");
		preauth_exit(p);
	}
	if (r != 0)
		fatalx("auth helper: %s", err_str(r));
	p->tries++;
	/* A name that is not a valid one is not echoed into the log. */
	log_notice("login failed user=%s addr=%s attempt=%d",
	    userdb_valid_name(m->user) ? m->user : "(invalid)", p->a->peer,
	    p->tries);
	/* A growing pause makes guessing slow; it is the same for all. */
	sleep_ms((unsigned int)p->tries * MFTP_LOGIN_DELAY_MS);
	preauth_error(p, MFTP_ST_AUTH, "login incorrect");
	if (p->tries >= MFTP_LOGIN_TRIES)
		preauth_exit(p);
}

void
preauth_run(const struct monitor_args *a, int helper_fd, int alive_fd)
{
	struct preauth p;
	struct msg m;
	int root, r;

	/* Die with the monitor; if it is already gone, go too. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() == 1)
		_exit(1);
	if ((root = drop_open_root(a->cfg->preauth_chroot)) == -1)
		fatal("%s", a->cfg->preauth_chroot);
	{
		int keep[] = { a->sock, helper_fd, alive_fd, log_fd(), root };

		fd_close_except(keep, 5);
	}
	drop_chroot_user(root, a->preauth_uid, a->preauth_gid);

	memset(&p, 0, sizeof(p));
	memset(&m, 0, sizeof(m));
	p.a = a;
	p.helper_fd = helper_fd;
	p.deadline = mono_ms() + (uint64_t)a->cfg->login_timeout * 1000;
	p.t = transport_new(a->sock, preauth_left(&p));
	p.scratch = buf_new(MFTP_FRAME_BUF);

	for (;;) {
		transport_set_timeout(p.t, preauth_left(&p));
		r = frame_recv_msg(p.t, p.scratch, &m);
		if (r == ERR_EOF)
			preauth_exit(&p);
		if (r == ERR_TIMEOUT || (r == 0 && preauth_left(&p) == 0)) {
			log_notice("login timeout addr=%s", a->peer);
			preauth_error(&p, MFTP_ST_TIMEOUT, "login timed out");
			preauth_exit(&p);
		}
		if (r != 0) {
			log_warnx("bad frame before login addr=%s: %s", a->peer,
			    err_str(r));
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
				log_warnx("bad frame before login addr=%s: "
					  "unexpected %s",
				    a->peer, msg_name(m.type));
				preauth_error(&p, MFTP_ST_BAD_FRAME,
				    "unexpected message");
				preauth_exit(&p);
			}
			preauth_error(
			    &p, MFTP_ST_NOT_LOGGED_IN, "log in first");
		}
		msg_clear(&m);
	}
}
