/*
 * login.c: connecting and logging in: the first time, with a wrong
 * password asked again on a terminal, and again after Ctrl-C stopped a
 * transfer by closing the connection.
 *
 * Runs as: the user, in mftp.  The password is kept, in one buffer that
 * is wiped at the end, for as long as the session may have to log in
 * again (as lftp keeps it); it never leaves this process but in LOGIN.
 * The caller allocates it (MFTP_SECRET_MAX + 2 bytes) and may have
 * filled it from ~/.netrc.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "intr.h"
#include "login.h"
#include "mftp_limits.h"
#include "password.h"
#include "proto.h"
#include "rpc.h"
#include "tls_crypto.h"
#include "util.h"
#include "words.h"

#define LOGIN_CONNECT_TIMEOUT_MS (10 * 1000)
#define LOGIN_SECRET_LEN (MFTP_SECRET_MAX + 2)

/*
 * The server gave up on the connection at its login deadline
 * (login_timeout, 30 s by default) while a person at the terminal was
 * reading the key's question or typing the password: no failure of
 * theirs, and nothing the server acted on.
 */
static int
login_expired(const struct login *l, const struct rpc *r)
{
	return l->ask_again && rpc_lost(r) && rpc_code(r) == MFTP_ST_TIMEOUT;
}

static struct rpc *login_connect(struct login *l, const struct rpc_trust *trust,
    char *errbuf, size_t errlen);

/*
 * A new connection in place of r, which expired while the person was
 * asked (freed here): to the key r checked (just pinned, or answered
 * "yes" to) and no other, asking nothing again.
 */
static struct rpc *
login_reconnect(struct login *l, struct rpc *r, char *errbuf, size_t errlen)
{
	struct rpc_trust trust = l->trust;
	char fp[TLS_FP_LEN];

	strlcpy(fp, rpc_server_key(r), sizeof(fp));
	rpc_free(r);
	trust.interactive = 0;
	trust.quiet = 1;
	trust.expect_fp = fp;
	return login_connect(l, &trust, errbuf, errlen);
}

static struct rpc *
login_connect(
    struct login *l, const struct rpc_trust *trust, char *errbuf, size_t errlen)
{
	struct rpc *r;

	if ((r = rpc_connect(l->host, l->port, l->bind,
		 LOGIN_CONNECT_TIMEOUT_MS, trust, errbuf, errlen)) == NULL)
		return NULL;
	/* Until logged in (login_first, login_again): ^C ends each wait. */
	rpc_set_interruptible(r, 1);
	rpc_set_verify(r, l->verify);
	if (rpc_hello(r) != RPC_OK) {
		/* Only after the question: a reconnect asks none. */
		if (trust->expect_fp == NULL && login_expired(l, r))
			return login_reconnect(l, r, errbuf, errlen);
		snprintf(errbuf, errlen, "%s", rpc_text(r));
		rpc_free(r);
		return NULL;
	}
	return r;
}

/*
 * --password-fd is read once: then closed, so that no command run with
 * ! inherits a way to read the password again (a here-string is a file
 * that can be read from its start).  The number stays in l->pwfd: it
 * says where the password came from.  The standard descriptors stay
 * open: the commands may follow the password on the standard input.
 */
static void
login_close_pwfd(struct login *l)
{
	if (l->pwfd > STDERR_FILENO && !l->pwfd_closed) {
		close(l->pwfd);
		l->pwfd_closed = 1;
	}
}

int
login_first(struct login *l, struct rpc **rp, char *errbuf, size_t errlen)
{
	struct rpc *r;
	int e, tries, typed = 0;

	*rp = NULL;
	if ((r = login_connect(l, &l->trust, errbuf, errlen)) == NULL)
		return LOGIN_CONNECT;
	for (tries = 1;; tries++) {
		if (!l->have_secret && !typed &&
		    password_read(l->pwfd, l->user, l->host, l->secret,
			LOGIN_SECRET_LEN, errbuf, errlen) == -1) {
			rpc_free(r);
			return LOGIN_REFUSED;
		}
		login_close_pwfd(l);
		e = rpc_login(r, l->user, l->secret);
		if (e == RPC_OK)
			break;
		/*
		 * The deadline passed while the password was typed: the
		 * same password, once, on a new connection.
		 */
		if (!l->have_secret && l->pwfd < 0 && !typed &&
		    login_expired(l, r)) {
			if ((r = login_reconnect(l, r, errbuf, errlen)) ==
			    NULL) {
				explicit_bzero(l->secret, LOGIN_SECRET_LEN);
				return LOGIN_CONNECT;
			}
			typed = 1;
			tries--;
			continue;
		}
		typed = 0;
		explicit_bzero(l->secret, LOGIN_SECRET_LEN);
		if (e == RPC_SERVER && rpc_code(r) == MFTP_ST_AUTH &&
		    l->ask_again && !l->have_secret && l->pwfd < 0 &&
		    tries < MFTP_LOGIN_TRIES && !rpc_lost(r)) {
			fprintf(
			    stderr, "Permission denied, please try again.\n");
			continue;
		}
		snprintf(errbuf, errlen, "login as %s on %s failed: %s",
		    l->user, l->host, rpc_text(r));
		/*
		 * BUSY in answer to LOGIN is the user's own session limit
		 * (the server's limits answer the connect): a refusal.
		 * UNAVAILABLE is the server's fault, whoever logs in: as
		 * for a server that cannot be reached, try again later.
		 */
		e = rpc_code(r) == MFTP_ST_UNAVAILABLE ||
			(e == RPC_LOST && rpc_code(r) != MFTP_ST_AUTH &&
			    rpc_code(r) != MFTP_ST_BUSY) ?
		    LOGIN_CONNECT :
		    LOGIN_REFUSED;
		rpc_free(r);
		return e;
	}
	rpc_set_interruptible(r, 0);
	*rp = r;
	return LOGIN_OK;
}

int
login_again(struct cmd_ctx *ctx)
{
	struct login *l = ctx->login;
	struct rpc_trust trust;
	struct rpc *r;
	char errbuf[512], fp[TLS_FP_LEN], *path, *q;

	if (l == NULL || l->secret == NULL || l->secret[0] == '\0')
		return cmd_fail(ctx, "cannot log in again: no password kept");
	/* The Ctrl-C that brought us here is dealt with; a new one ends
	 * this login's waits (rpc_set_interruptible, tls_set_stop). */
	intr_clear();
	/*
	 * The key was checked at the first login: that one again, whether
	 * a pin, a CA or the policy vouched for it then; another only if a
	 * pin or a CA does now (with no pin kept, as with
	 * UserKnownHostsFile=/dev/null, the policy alone would take any).
	 */
	strlcpy(fp, rpc_server_key(ctx->rpc), sizeof(fp));
	trust = l->trust;
	trust.interactive = 0;
	trust.quiet = 1;
	trust.expect_fp = fp;
	if ((r = login_connect(l, &trust, errbuf, sizeof(errbuf))) == NULL)
		return cmd_fail(ctx, "cannot connect again: %s", errbuf);
	if (rpc_login(r, l->user, l->secret) != RPC_OK) {
		cmd_fail(ctx, "cannot log in again: %s", rpc_text(r));
		rpc_free(r);
		return -1;
	}
	rpc_set_interruptible(r, 0);
	rpc_free(ctx->rpc);
	ctx->rpc = r;
	/* Logged in: a directory gone meanwhile leaves the new session
	 * in the home, said, rather than ending it. */
	if (ctx->cwd != NULL) {
		if (rpc_cwd(r, ctx->cwd, &path) != RPC_OK) {
			q = words_quote(ctx->cwd);
			cmd_note("logged in again, but not in %s (%s): in the "
				 "home",
			    q, rpc_text(r));
			free(q);
			free(ctx->cwd);
			ctx->cwd = NULL;
			return rpc_lost(r) ? cmd_rpc_fail(ctx, NULL) : 0;
		}
		free(path);
	}
	return 0;
}

void
login_end(struct login *l)
{
	if (l->secret != NULL)
		freezero(l->secret, LOGIN_SECRET_LEN);
	l->secret = NULL;
}
