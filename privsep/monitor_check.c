/*
 * monitor_check.c: the monitor does not take a good verdict on faith.
 *
 * Runs as: root, in the per-connection monitor, and in a child of it
 * forked for the one check.  The child reads the user database and
 * compares the verdict's record with it; only a one-line answer comes
 * back.  So the database, with every user's hash, never enters the
 * monitor's memory, which becomes the user's serving process.  A helper
 * that was subverted (it reads bytes from the pre-auth worker) can thus
 * not hand out another uid, another home, other quotas or other limits
 * (sessions, rate, allowed networks) than the administrator gave the
 * user it names.  The child is forked while the login is still under
 * way, so that a good verdict waits for the read and the comparison,
 * not for a fork and the child's exit too.
 */
#include <sys/types.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "monitor_check.h"
#include "privsep_msg.h"
#include "userdb.h"
#include "util.h"

/*
 * Wait until the child can be reaped or the deadline passes: on its
 * pidfd, which becomes readable when it exits, so the wait ends then and
 * not at the next tick of a polling loop (every login waits for three
 * children: the helper, the check, the worker).  Where pidfds are
 * missing, a short sleep between looks.
 */
static void
monitor_wait_readable(pid_t pid, uint64_t deadline)
{
	struct pollfd pfd;
	uint64_t now;
	int fd;

	if ((fd = pidfd_open(pid, 0)) == -1) {
		sleep_ms(1);
		return;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	while ((now = mono_ms()) < deadline &&
	    poll(&pfd, 1, (int)(deadline - now)) == -1 && errno == EINTR)
		;
	close(fd);
}

int
monitor_wait_exit(pid_t *pid, int timeout_ms)
{
	uint64_t deadline = mono_ms() + (uint64_t)timeout_ms;
	int status;
	pid_t r;

	if (*pid <= 0)
		return -1;
	for (;;) {
		r = waitpid(*pid, &status, WNOHANG);
		if (r == *pid) {
			*pid = -1;
			return status;
		}
		if (r == -1 && errno != EINTR) {
			*pid = -1;
			return -1;
		}
		if (mono_ms() >= deadline)
			break;
		monitor_wait_readable(*pid, deadline);
	}
	kill(*pid, SIGKILL);
	while (waitpid(*pid, NULL, 0) == -1 && errno == EINTR)
		;
	*pid = -1;
	return -1;
}

/*
 * The reason the verdict disagrees with the database, or NULL; *kind is
 * the answer's first letter: 'R' when the user is no longer there, 'L'
 * when the account is locked (the administrator's doing while the login
 * waited, told to the client as a running session is told), 'P' when
 * only the password hash differs, else 'N'.
 */
static const char *
monitor_check_user(
    struct userdb *db, const struct privsep_verdict *v, char *kind)
{
	struct user *u;

	*kind = 'R';
	if ((u = userdb_find(db, v->name)) == NULL)
		return "the user is not in the user database";
	*kind = 'L';
	if (u->hash[0] == '!')
		return "the account is locked";
	*kind = 'N';
	if (u->uid != v->uid || u->gid != v->gid)
		return "uid or gid differ from the user database";
	if (strcmp(u->home, v->home) != 0)
		return "the home differs from the user database";
	if (u->quota_bytes != v->quota_bytes ||
	    u->quota_files != v->quota_files)
		return "the quotas differ from the user database";
	if (u->max_sessions != v->max_sessions || u->rate != v->rate ||
	    strcmp(u->allow, v->allow) != 0)
		return "the limits differ from the user database";
	if (v->uid == 0 || v->gid == 0)
		return "root is never a session's identity";
	/*
	 * The helper read the database at its start, before the login:
	 * a password changed since (the leaked one replaced) must not
	 * let the old one in.
	 */
	if (strcmp(u->hash, v->hash) != 0) {
		*kind = 'P';
		return "the password hash differs from the user database";
	}
	return NULL;
}

/*
 * The child: wait for the verdict (or the channel's end, or the
 * deadline), then read the database, as it is now, answer "Y", or the
 * kind of refusal (monitor_check_user) and the reason, and exit.  The
 * read comes after the verdict: a login can take long (a password typed
 * at a prompt), and a user locked or a quota changed meanwhile must
 * count; and a connection that never logs in costs no read, nor a copy
 * of the database held while it waits.
 */
static void __attribute__((noreturn))
monitor_check_child(const struct config *cfg, int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct userdb db = { NULL, 0 };
	struct privsep_verdict v;
	char err[512], ans[sizeof(err) + 1], kind = 'N';
	const char *why;
	ssize_t n;
	int r;

	while ((r = poll(&pfd, 1, timeout_ms)) == -1 && errno == EINTR)
		;
	/* MSG_TRUNC: a message of another size is no verdict. */
	if (r != 1 ||
	    (n = recv(fd, &v, sizeof(v), MSG_TRUNC)) != (ssize_t)sizeof(v))
		_exit(1);
	if (userdb_load(&db, cfg->users_file, err, sizeof(err)) == 0)
		why = monitor_check_user(&db, &v, &kind);
	else
		why = err;
	snprintf(ans, sizeof(ans), "%c%s", why == NULL ? 'Y' : kind,
	    why == NULL ? "" : why);
	r = send(fd, ans, strlen(ans), MSG_NOSIGNAL) == -1;
	explicit_bzero(&v, sizeof(v));
	userdb_free(&db);
	_exit(r);
}

pid_t
monitor_check_start(const struct config *cfg, int timeout_ms, int *fd)
{
	int sv[2], keep[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		fatal_lack("socketpair");
	switch ((pid = fork())) {
	case -1:
		fatal_lack("fork");
	case 0:
		/* Not the client's socket, nor the worker's channels. */
		keep[0] = sv[1];
		keep[1] = log_fd();
		fd_close_except(keep, 2);
		monitor_check_child(cfg, sv[1], timeout_ms);
	}
	close(sv[1]);
	*fd = sv[0];
	return pid;
}

int
monitor_check_verdict(int fd, const struct privsep_verdict *v, int timeout_ms,
    char *why, size_t whylen, char *tell, size_t tell_len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct privsep_verdict copy = *v;
	char ans[600];
	ssize_t n = -1;
	int r;

	/* The check has no use for the session's secret. */
	explicit_bzero(copy.psk, sizeof(copy.psk));
	if (send(fd, &copy, sizeof(copy), MSG_NOSIGNAL) ==
	    (ssize_t)sizeof(copy)) {
		while ((r = poll(&pfd, 1, timeout_ms)) == -1 && errno == EINTR)
			;
		if (r == 1)
			n = recv(fd, ans, sizeof(ans) - 1, 0);
	}
	explicit_bzero(&copy, sizeof(copy));
	if (n >= 1 && ans[0] == 'Y')
		return 0;
	if (n > 1 && ans[0] != '\0' && strchr("RLPN", ans[0]) != NULL) {
		ans[n] = '\0';
		snprintf(why, whylen, "%s", ans + 1);
		switch (ans[0]) {
		case 'R':
		case 'L':
			/*
			 * As a running session is told (session.c), but not
			 * by name: a subverted helper's verdict may name
			 * another user than the client's.
			 */
			snprintf(tell, tell_len,
			    "your account was %s by the administrator",
			    ans[0] == 'R' ? "removed" : "locked");
			return MFTP_ST_PERM;
		case 'P':
			snprintf(tell, tell_len,
			    "your password was changed while you logged in; "
			    "log in again with the new one");
			return MFTP_ST_PERM;
		}
	} else
		snprintf(why, whylen, "the check did not finish");
	snprintf(tell, tell_len,
	    "your account cannot be served now; please tell the "
	    "administrator");
	return MFTP_ST_INTERNAL;
}
