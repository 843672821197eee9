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
 * user it names.
 */
#include <sys/types.h>
#include <sys/pidfd.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
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

/* In the child: the reason the verdict is wrong, or NULL. */
static const char *
monitor_check_child(const struct config *cfg, const struct privsep_verdict *v,
    char *buf, size_t len)
{
	struct userdb db = { NULL, 0 };
	struct user *u;
	const char *why = NULL;

	if (userdb_load(&db, cfg->users_file, buf, len) == -1)
		return buf;
	if ((u = userdb_find(&db, v->name)) == NULL)
		why = "the user is not in the user database";
	else if (u->hash[0] == '!')
		why = "the account is locked";
	else if (u->uid != v->uid || u->gid != v->gid)
		why = "uid or gid differ from the user database";
	else if (strcmp(u->home, v->home) != 0)
		why = "the home differs from the user database";
	else if (u->quota_bytes != v->quota_bytes ||
	    u->quota_files != v->quota_files)
		why = "the quotas differ from the user database";
	else if (u->max_sessions != v->max_sessions || u->rate != v->rate ||
	    strcmp(u->allow, v->allow) != 0)
		why = "the limits differ from the user database";
	else if (v->uid == 0 || v->gid == 0)
		why = "root is never a session's identity";
	userdb_free(&db);
	return why;
}

int
monitor_check_verdict(const struct config *cfg, const struct privsep_verdict *v,
    int timeout_ms, char *why, size_t whylen)
{
	struct pollfd pfd;
	char buf[512];
	const char *bad;
	ssize_t n;
	pid_t pid;
	int p[2], status;

	if (pipe2(p, O_CLOEXEC) == -1)
		fatal("pipe2");
	switch ((pid = fork())) {
	case -1:
		fatal("fork");
	case 0:
		close(p[0]);
		bad = monitor_check_child(cfg, v, buf, sizeof(buf));
		if (bad != NULL && write(p[1], bad, strlen(bad)) == -1)
			_exit(2);
		_exit(bad == NULL ? 0 : 1);
	}
	close(p[1]);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	n = 0;
	while (poll(&pfd, 1, timeout_ms) == -1 && errno == EINTR)
		;
	if (pfd.revents != 0)
		n = read(p[0], why, whylen - 1);
	why[n > 0 ? n : 0] = '\0';
	close(p[0]);
	status = monitor_wait_exit(&pid, timeout_ms);
	if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (why[0] == '\0')
		snprintf(why, whylen, "the check did not finish");
	return -1;
}
