/*
 * mftpd_auth.c: mftpd-auth, the only reader of the user database and the
 * only caller of crypt(3).
 *
 * Runs as: root, fork+exec'ed by the per-connection monitor, one run per
 * login attempt, as soon as the connection is accepted.  It opens the
 * user database as root, then drops to the pre-auth user before it reads
 * a byte that came from a client.  The file is read only when the
 * request has come, and of its users only the one named is kept.
 *
 *   fd 0: SOCK_SEQPACKET to the pre-auth worker: one AUTH_REQUEST in;
 *         AUTH_FAILED out when the login fails.
 *   fd 1: SOCK_SEQPACKET to the monitor: one VERDICT out; a good one
 *         carries the TLS session secret from the request, the only way
 *         it reaches the monitor (which never reads the worker).
 *
 * Any malformed input is fatal: the helper exits without a verdict, and
 * the monitor ends the session.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth_prefault.h"
#include "auth_verify.h"
#include "drop.h"
#include "err.h"
#include "helper_args.h"
#include "log.h"
#include "privsep_msg.h"
#include "sandbox.h"
#include "userdb.h"
#include "util.h"

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr,
	    "usage: mftpd-auth [-e] [-t seconds] users-file "
	    "uid gid\n"
	    "(started by mftpd; not for interactive use)\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct privsep_verdict v;
	uint8_t psk[MFTP_PSK_LEN];
	uint64_t features = 0;
	struct user user, *u = NULL;
	struct helper_args a;
	char err[768], *name = NULL, *secret = NULL;
	int r, db_fd;

	helper_args_parse(argc, argv, "et:", "mftpd-auth", usage, &a);

	/*
	 * Open the database while still root, then let root go.  It is
	 * read only once a request has come: a connection that sends
	 * nothing costs no read of it, and no copy of it held while the
	 * helper waits.  One that cannot be opened (userdb_open: the
	 * reason in err) answers the request as unavailable, not as a
	 * failed login.
	 */
	db_fd = userdb_open(a.file, err, sizeof(err));
	/* The prefault thread is made as the pre-auth user, under the list. */
	drop_user_spawn(a.uid, a.gid, auth_prefault_spawn, NULL);
	sandbox_auth();

	/* From here on the input comes from a client, through P. */
	r = privsep_recv_request(
	    STDIN_FILENO, a.timeout_ms, &name, &secret, psk, &features);
	if (r != 0) {
		if (r == ERR_EOF || r == ERR_TIMEOUT)
			exit(0);
		fatalx("bad request from the pre-auth worker: %s", err_str(r));
	}
	/*
	 * The whole file is read and checked whatever the name, so that
	 * the time it takes tells nothing about it; one user is kept.
	 */
	r = -1;
	if (db_fd != -1) {
		r = userdb_load_one(db_fd, a.file,
		    userdb_valid_name(name) ? name : "", &user, err,
		    sizeof(err));
		close(db_fd);
	}
	memset(&v, 0, sizeof(v));
	if (r == -1) {
		/*
		 * No password can be checked: the server's fault, whoever
		 * asks and whatever the password, so the answer tells
		 * nothing of the user.  Not a failed login, which fail2ban
		 * would count against every user while the file is away:
		 * the worker gets no AUTH_FAILED, the monitor the reason
		 * (it logs it at the rate of the lines a client can make).
		 */
		v.unavailable = 1;
		strlcpy(v.why, err, sizeof(v.why));
		freezero(secret, strlen(secret));
		if (privsep_send_verdict(STDOUT_FILENO, &v) == -1)
			fatal("sending the verdict");
		explicit_bzero(psk, sizeof(psk));
		free(name);
		return 0;
	}
	if (r == 1)
		u = &user;

	v.ok = auth_verify(u != NULL ? u->hash : NULL, secret);
	freezero(secret, strlen(secret));
	if (v.ok) {
		strlcpy(v.name, u->name, sizeof(v.name));
		v.uid = u->uid;
		v.gid = u->gid;
		if (strlcpy(v.home, u->home, sizeof(v.home)) >= sizeof(v.home))
			fatalx("home of %s is too long", u->name);
		v.quota_bytes = u->quota_bytes;
		v.quota_files = u->quota_files;
		v.max_sessions = u->max_sessions;
		v.rate = u->rate;
		if (strlcpy(v.allow, u->allow, sizeof(v.allow)) >=
		    sizeof(v.allow))
			fatalx("allow-list of %s is too long", u->name);
		memcpy(v.psk, psk, sizeof(v.psk));
		v.features = features;
		/* crypt(3) made it, so it fits; the check compares it. */
		if (strlcpy(v.hash, u->hash, sizeof(v.hash)) >= sizeof(v.hash))
			fatalx("password hash of %s is too long", u->name);
	}
	explicit_bzero(psk, sizeof(psk));
	/* The monitor learns first; then the worker may answer the client. */
	if (privsep_send_verdict(STDOUT_FILENO, &v) == -1)
		fatal("sending the verdict");
	if (!v.ok && privsep_send_failed(STDIN_FILENO) == -1)
		fatal("answering the pre-auth worker");
	explicit_bzero(&v, sizeof(v));
	free(name);
	if (u != NULL)
		user_free(u);
	return 0;
}
