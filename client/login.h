/*
 * login.h: connecting and logging in, the first time (with the
 * password asked again after a wrong one, as ssh does) and again after
 * a transfer stopped by Ctrl-C closed the connection.
 *
 * Runs as: the user, in mftp.
 */
#ifndef MFTP_CLIENT_LOGIN_H
#define MFTP_CLIENT_LOGIN_H

#include <stddef.h>

#include "digest.h"
#include "rpc.h"

struct cmd_ctx;

struct login {
	const char *host;
	const char *port;
	const char *bind; /* -o BindAddress: the local address, or NULL */
	struct rpc_trust trust;
	const char *user;
	int pwfd;	 /* --password-fd, or -1 */
	int pwfd_closed; /* read, and closed (login_first) */
	int have_secret; /* secret came from ~/.netrc */
	int ask_again;	 /* a wrong password may be asked for again */
	char *secret;	 /* MFTP_SECRET_MAX + 2 bytes, wiped by login_end */
	enum digest_alg verify; /* the checksum to ask for in HELLO */
};

/* Results of login_first, which are mftp's exit statuses. */
#define LOGIN_OK 0
#define LOGIN_CONNECT 3
#define LOGIN_REFUSED 4

/*
 * Connect, HELLO, then LOGIN: the password from l->secret when
 * have_secret, else read (password_read); a wrong one is asked again
 * while ask_again and the server allows (MFTP_LOGIN_TRIES).  *rp is the
 * logged-in session on LOGIN_OK; otherwise errbuf says what failed.  The
 * secret that worked stays in l->secret, for login_again.
 */
int login_first(struct login *l, struct rpc **rp, char *errbuf, size_t errlen);

/*
 * A new session in place of ctx->rpc, which is over, with the same
 * name, password and server key, back in ctx->cwd; 0, or -1 with the
 * reason in ctx.
 */
int login_again(struct cmd_ctx *ctx);

/* Wipe and free the kept secret. */
void login_end(struct login *l);

#endif
