/*
 * monitor.c: the per-connection monitor.
 *
 * Runs as: root, one per connection, forked by the master.  It never
 * reads the client's socket.  It starts the pre-auth worker (which speaks
 * to the client as an unprivileged user in an empty chroot) and, for each
 * login attempt, a fresh mftpd-auth helper.  The only bytes it reads are
 * the helper's verdicts.  On a good verdict it kills the worker, enters
 * the user's home, becomes the user for good and serves the session in
 * this same process.
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
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
#include "preauth.h"
#include "privsep_msg.h"
#include "proto.h"
#include "quota.h"
#include "session.h"
#include "sha256.h"
#include "transport.h"
#include "util.h"

/* Children of this monitor, killed on every way out. */
static pid_t monitor_worker = -1;
static pid_t monitor_helper = -1;

static void
monitor_reap(pid_t *pid)
{
	if (*pid <= 0)
		return;
	kill(*pid, SIGKILL);
	while (waitpid(*pid, NULL, 0) == -1 && errno == EINTR)
		;
	*pid = -1;
}

/* fatal() in the monitor must not leave a worker or helper behind. */
void
cleanup_exit(int status)
{
	monitor_reap(&monitor_helper);
	monitor_reap(&monitor_worker);
	_exit(status);
}

/* An ERROR for the client, written without reading anything. */
static void
monitor_refuse(int sock, const char *why)
{
	struct transport *t = transport_new(sock, 5000);
	struct buf *b = buf_new(MFTP_FRAME_BUF);

	(void)frame_send_error(t, b, MFTP_ST_INTERNAL, "%s", why);
	buf_free(b);
	transport_free(t);
}

/*
 * The user's accounting file, opened as root before the chroot (it lies
 * outside the home, and the user could not open it anyway).  A missing
 * or unreadable one does not stop the session: it serves reads and
 * deletes and refuses writes, and this is logged once, here.
 */
static void
monitor_open_quota(const struct monitor_args *a,
    const struct privsep_verdict *v, struct session_quota *q)
{
	struct quota_usage u;
	int r;

	memset(q, 0, sizeof(*q));
	q->limits.bytes = v->quota_bytes;
	q->limits.files = v->quota_files;
	if ((q->fd = quota_open(a->cfg->quota_dir, v->name)) == -1) {
		log_warn("accounting file %s/%s of user=%s: writes refused "
			 "until ftpuser-quota --recount",
		    a->cfg->quota_dir, v->name, v->name);
		q->damaged = 1;
	} else if ((r = quota_read(q->fd, &u)) != 0) {
		log_warnx("accounting file %s/%s of user=%s: %s; writes "
			  "refused until ftpuser-quota --recount",
		    a->cfg->quota_dir, v->name, v->name,
		    r == QUOTA_ERR_CORRUPT ? "damaged" : "cannot be read");
		q->damaged = 1;
	}
}

/*
 * fork+exec a fresh mftpd-auth with the worker's end on fd 0 and a new
 * verdict channel on fd 1.  Returns the monitor's end of that channel.
 */
static int
monitor_spawn_helper(const struct monitor_args *a, int worker_fd)
{
	char uid[16], gid[16], timeout[16];
	char *argv[12];
	char *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	int sv[2], n = 0;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		fatal("socketpair");
	snprintf(uid, sizeof(uid), "%lu", (unsigned long)a->preauth_uid);
	snprintf(gid, sizeof(gid), "%lu", (unsigned long)a->preauth_gid);
	snprintf(timeout, sizeof(timeout), "%u", a->cfg->login_timeout);
	argv[n++] = "mftpd-auth";
	if (a->log_stderr)
		argv[n++] = "-e";
	argv[n++] = "-t";
	argv[n++] = timeout;
	argv[n++] = "--";
	argv[n++] = a->cfg->users_file;
	argv[n++] = uid;
	argv[n++] = gid;
	argv[n] = NULL;

	switch ((monitor_helper = fork())) {
	case -1:
		fatal("fork");
	case 0:
		/* The helper dies with its monitor. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
			_exit(127);
		if (dup2(worker_fd, STDIN_FILENO) == -1 ||
		    dup2(sv[1], STDOUT_FILENO) == -1)
			_exit(127);
		closefrom(STDERR_FILENO + 1);
		execve(a->cfg->auth_helper, argv, envp);
		_exit(127);
	}
	close(sv[1]);
	return sv[0];
}

/*
 * Whether the worker has exited, waiting a moment for it: its exit closes
 * the helper's input (which then ends) a little before the pipe shows it.
 */
static int
monitor_worker_gone(int alive_fd)
{
	struct pollfd pfd = { .fd = alive_fd, .events = POLLIN };

	while (poll(&pfd, 1, 1000) == -1)
		if (errno != EINTR)
			return 0;
	return pfd.revents != 0;
}

/*
 * Wait for the helper's verdict, the worker's exit, or the deadline.
 * Returns 1 with v filled when a verdict came, 0 when the worker is gone
 * or time ran out (the session is over).
 */
static int
monitor_wait(const struct monitor_args *a, int verdict_fd, int alive_fd,
    uint64_t deadline, struct privsep_verdict *v)
{
	struct pollfd pfd[2];
	uint64_t now;
	int r;

	pfd[0].fd = verdict_fd;
	pfd[0].events = POLLIN;
	pfd[1].fd = alive_fd;
	pfd[1].events = POLLIN;
	for (;;) {
		now = mono_ms();
		if (now >= deadline) {
			log_notice("login timeout addr=%s", a->peer);
			return 0;
		}
		r = poll(pfd, 2, (int)(deadline - now));
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			fatal("poll");
		/*
		 * The worker never writes here: readable means it exited,
		 * and the session is over.  Checked first: a helper waiting
		 * for the next attempt then sees its input close and exits
		 * without a verdict, which is no error.
		 */
		if (pfd[1].revents != 0)
			return 0;
		if (pfd[0].revents != 0) {
			r = privsep_recv_verdict(verdict_fd, 0, v);
			if (r == ERR_EOF && monitor_worker_gone(alive_fd))
				return 0;
			if (r != 0)
				fatalx("auth helper gave no valid verdict "
				       "(addr=%s): %s",
				    a->peer, err_str(r));
			return 1;
		}
	}
}

void
monitor_run(const struct monitor_args *a)
{
	struct privsep_verdict v;
	struct session_quota q;
	struct stat st;
	uint64_t deadline;
	int wh[2], alive[2], verdict_fd, tries = 0, got, home;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, wh) == -1)
		fatal("socketpair");
	if (pipe2(alive, O_CLOEXEC) == -1)
		fatal("pipe2");

	switch ((monitor_worker = fork())) {
	case -1:
		fatal("fork");
	case 0:
		monitor_worker = -1;
		close(wh[1]);
		close(alive[0]);
		/* alive[1] stays open, unused, until the worker exits. */
		preauth_run(a, wh[0], alive[1]);
	}
	close(wh[0]);
	close(alive[1]);

	/*
	 * The worker enforces the login deadline itself and tells the
	 * client; this is the backstop for a worker that does not.
	 */
	deadline = mono_ms() + (uint64_t)a->cfg->login_timeout * 1000 + 2000;
	for (;;) {
		if (tries == MFTP_LOGIN_TRIES) {
			/* The worker answers the last failure and exits. */
			memset(&v, 0, sizeof(v));
			(void)monitor_wait(a, -1, alive[0], deadline, &v);
			cleanup_exit(0);
		}
		verdict_fd = monitor_spawn_helper(a, wh[1]);
		got = monitor_wait(a, verdict_fd, alive[0], deadline, &v);
		close(verdict_fd);
		if (!got)
			cleanup_exit(0);
		/*
		 * After its verdict the helper still answers the worker;
		 * let it finish rather than kill it mid-way.
		 */
		while (waitpid(monitor_helper, NULL, 0) == -1 && errno == EINTR)
			;
		monitor_helper = -1;
		if (v.ok)
			break;
		tries++;
	}

	/* Logged in: the worker has done its part. */
	monitor_reap(&monitor_worker);
	close(wh[1]);
	close(alive[0]);
	log_info("login user=%s addr=%s", v.name, a->peer);

	/*
	 * The home must be a real directory of the user's own; anything
	 * else is an administrator's mistake the user is told about.
	 */
	if ((home = drop_open_root(v.home)) == -1 || fstat(home, &st) == -1 ||
	    st.st_uid != v.uid) {
		log_warnx("home %s of %s is missing or not owned by uid %lu",
		    v.home, v.name, (unsigned long)v.uid);
		monitor_refuse(a->sock,
		    "your home directory is not available; "
		    "please tell the administrator");
		cleanup_exit(1);
	}
	monitor_open_quota(a, &v, &q);
	/*
	 * libcrypto would load its configuration and provider modules on
	 * first use; do it now, while "/" is still the real root.
	 */
	sha256_init_library();
	/*
	 * Hold nothing but the client's socket, the log socket and the
	 * accounting file into the user's root: no other descriptor may
	 * point outside it, and that one is only read and written at a
	 * fixed place, never used to reach a path.
	 */
	{
		int keep[] = { a->sock, log_fd(), home, q.fd };

		fd_close_except(keep, 4);
	}
	drop_chroot_user(home, v.uid, v.gid);
	session_run(a->sock, &v, &q, a->cfg->idle_timeout, a->peer);
}
