/*
 * monitor.c: the per-connection monitor.
 *
 * Runs as: root, one per connection, forked by the master.  It never
 * reads or writes the client's socket and never parses TLS.  It takes
 * the mftpd-sign the master started ahead (the one process holding the
 * host key, for one handshake signature; it starts its own if there was
 * none), starts the pre-auth worker (which speaks TLS, HELLO and LOGIN as
 * an unprivileged user in an empty chroot) and, for each login attempt,
 * a fresh mftpd-auth helper.  The only bytes it reads are the helper's
 * verdicts.  On a good verdict it checks the home, tells the worker,
 * waits for it to end the first TLS session, enters the home, becomes
 * the user for good and serves the session in this same process, which
 * starts with the second TLS handshake.
 */
#include <sys/types.h>
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
#include "helper_spawn.h"
#include "log.h"
#include "monitor.h"
#include "monitor_check.h"
#include "monitor_limits.h"
#include "preauth.h"
#include "privsep_msg.h"
#include "proto.h"
#include "quota.h"
#include "session.h"
#include "transport.h"
#include "util.h"

/* Children of this monitor, killed on every way out. */
static pid_t monitor_worker = -1;
static pid_t monitor_helper = -1;
static pid_t monitor_signer = -1;
static pid_t monitor_checker = -1;
/* The monitor's own pid: its forks inherit the pids above, not the duty. */
static pid_t monitor_self = -1;
static const char *monitor_peer = "?";

/*
 * A child that made a system call outside its seccomp allowlist died of
 * SIGSYS (a later SIGKILL does not change a dead child's status).
 */
static void
monitor_check_death(const pid_t *pid, int status)
{
	const char *who = "mftpd-sign";

	if (pid == &monitor_worker)
		who = "pre-auth worker";
	else if (pid == &monitor_helper)
		who = "mftpd-auth";
	else if (pid == &monitor_checker)
		who = "verdict check";
	helper_log_death(who, status, monitor_peer);
}

static void
monitor_reap(pid_t *pid)
{
	pid_t r;
	int status;

	if (*pid <= 0)
		return;
	kill(*pid, SIGKILL);
	while ((r = waitpid(*pid, &status, 0)) == -1 && errno == EINTR)
		;
	if (r != -1)
		monitor_check_death(pid, status);
	*pid = -1;
}

/* Wait (bounded) for a child that ends by itself, and log how it did. */
static void
monitor_finish(pid_t *pid, int timeout_ms)
{
	int status;

	if ((status = monitor_wait_exit(pid, timeout_ms)) != -1)
		monitor_check_death(pid, status);
}

/*
 * fatal() in the monitor must not leave a worker or helper behind.  A
 * fork of it (the verdict's check, the worker) kills nothing: the pids
 * it inherited are its siblings', and one reaped meanwhile may name an
 * unrelated process by now.
 */
void
cleanup_exit(int status)
{
	if (getpid() == monitor_self) {
		monitor_reap(&monitor_helper);
		monitor_reap(&monitor_signer);
		monitor_reap(&monitor_checker);
		monitor_reap(&monitor_worker);
	}
	_exit(status);
}

/*
 * The user's accounting file, opened as root before the chroot (it lies
 * outside the home, and the user could not open it anyway).  A missing
 * one does not stop the session: it serves reads and deletes and refuses
 * writes (monitor_log_quota says so).  Its contents are read by the
 * serving process (session.c), so that no wait for its lock is the
 * monitor's.
 *
 * Opened before the verdict's check reads the user database, by the
 * name the verdict gives (one component in quota_dir: quota_open), and
 * kept only if the check agrees.  ftpuser-del writes the database, then
 * removes this file: a removal before the open is seen by the check, and
 * one after it by the session's watch of the file it holds (nlink 0), on
 * whatever node the tool ran.  Opened after the check, a removal in
 * between left a session with no file to watch, which no tool of another
 * node could end, nor this node's once it had stopped looking.
 */
static void
monitor_open_quota(const struct monitor_args *a,
    const struct privsep_verdict *v, struct session_quota *q)
{
	memset(q, 0, sizeof(*q));
	q->limits.bytes = v->quota_bytes;
	q->limits.files = v->quota_files;
	if ((q->fd = quota_open(a->cfg->quota_dir, v->name)) != -1)
		return;
	/*
	 * Marked locked (0400) and root without CAP_DAC_OVERRIDE: opened
	 * to read, and said so, the session ends at once, saying the account
	 * is locked, as it would on seeing the mark later; also if the mark
	 * has gone meanwhile (an unlock under way): nothing could be charged
	 * through it.
	 */
	if (errno == EACCES &&
	    (q->fd = quota_open_read(a->cfg->quota_dir, v->name)) != -1 &&
	    quota_account_state(q->fd, 1) == QUOTA_ACCOUNT_LOCKED) {
		q->readonly = 1;
		return;
	}
	if (q->fd != -1) {
		close(q->fd);
		q->fd = -1;
		errno = EACCES;
	}
	/* Only a missing one is what a recount makes again. */
	q->open_errno = errno;
	q->damaged = 1;
}

/* Once the login is accepted: an accounting file not opened, logged. */
static void
monitor_log_quota(const struct monitor_args *a, const struct privsep_verdict *v,
    const struct session_quota *q)
{
	if (q->fd != -1)
		return;
	errno = q->open_errno;
	if (errno == ENOENT)
		log_warn("accounting file %s/%s of user=%s: writes refused "
			 "until ftpuser-quota --recount",
		    a->cfg->quota_dir, v->name, v->name);
	else
		log_warn("accounting file %s/%s of user=%s cannot be opened; "
			 "writes refused",
		    a->cfg->quota_dir, v->name, v->name);
}

/* The helpers' arguments, as the master would give them. */
static void
monitor_helper_args(const struct monitor_args *a, struct helper_spawn *h)
{
	h->preauth_uid = a->preauth_uid;
	h->preauth_gid = a->preauth_gid;
	h->log_stderr = a->log_stderr;
	h->key_fd = -1;
	h->fingerprint = NULL;
}

/*
 * fork+exec a fresh mftpd-auth with the worker's end on fd 0 and a new
 * verdict channel on fd 1.  Returns the monitor's end of that channel.
 */
static int
monitor_spawn_helper(const struct monitor_args *a, int worker_fd)
{
	struct helper_spawn h;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		fatal_lack("socketpair");
	monitor_helper_args(a, &h);
	monitor_helper = helper_spawn(&h, "mftpd-auth", a->cfg->auth_helper,
	    a->cfg->users_file, a->cfg->login_timeout, worker_fd, sv[1]);
	if (monitor_helper == -1)
		fatal_lack("fork");
	close(sv[1]);
	return sv[0];
}

/*
 * The channel to mftpd-sign for this connection's one handshake
 * signature: the spare the master had ready (daemon/spare_signer.c), or
 * when it had none, one started now.  Returns the worker's end of it.
 */
static int
monitor_spawn_signer(const struct monitor_args *a)
{
	struct helper_spawn h;
	int sv[2];

	if (a->sign_fd != -1)
		return a->sign_fd;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		fatal_lack("socketpair");
	monitor_helper_args(a, &h);
	h.key_fd = a->key_fd;
	h.fingerprint = a->host_fp;
	monitor_signer = helper_spawn(&h, "mftpd-sign", a->cfg->sign_helper,
	    a->cfg->host_key, a->cfg->login_timeout, sv[1], -1);
	if (monitor_signer == -1)
		fatal_lack("fork");
	close(sv[1]);
	return sv[0];
}

/*
 * Tell the worker how the login ended and wait (bounded) for it to exit.
 * Accepted (refusal 0): it ends the first TLS session with close_notify
 * and exits 0, and only then may the serving process start the second;
 * 1 when it did.  Refused: it sends the client ERROR(refusal, why).
 */
static int
monitor_release_worker(const struct monitor_args *a, int ctl_fd, int alive_fd,
    uint32_t refusal, const char *why)
{
	struct pollfd pfd = { .fd = alive_fd, .events = POLLIN };
	uint64_t deadline, now;
	int status, r;

	/*
	 * A refusal (logged, "login refused ...") comes after the pause of
	 * a failed first attempt: logins refused again and again on every
	 * connection max_sessions_per_ip lets a source have wrote lines as
	 * fast as passwords could be checked, past journald's own limit.
	 */
	if (refusal != 0)
		sleep_ms(MFTP_LOGIN_DELAY_MS);
	deadline = mono_ms() + 5000;
	if (privsep_send_login_done(ctl_fd, refusal, why) == -1)
		log_warn("telling the pre-auth worker (addr=%s)", a->peer);
	for (;;) {
		now = mono_ms();
		if (now >= deadline) {
			log_warnx(
			    "pre-auth worker did not finish addr=%s", a->peer);
			return 0;
		}
		r = poll(&pfd, 1, (int)(deadline - now));
		if (r == -1 && errno != EINTR)
			fatal("poll");
		if (r > 0)
			break;
	}
	/* Its end of the pipe closed: it has exited or is about to. */
	status = monitor_wait_exit(&monitor_worker, 2000);
	if (status != -1)
		monitor_check_death(&monitor_worker, status);
	return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/*
 * The helper could not read the user database: no password can be
 * checked, on this connection or any other, until the administrator
 * mends it (a file removed, storage not mounted, a line that does not
 * parse).  The client is told to try again later; the log says why, in
 * a line that is no failed login (fail2ban would ban every user for the
 * server's fault).  Any client can make one by sending LOGIN, so it is
 * one of the lines logged at a bounded rate (log_noise_ok).
 */
static void __attribute__((noreturn))
monitor_unavailable(const struct monitor_args *a, int ctl_fd, int alive_fd,
    const struct privsep_verdict *v)
{
	if (log_noise_ok())
		log_warnx("user database cannot be read addr=%s: %s; every "
			  "login is refused until it is mended",
		    a->peer, v->why);
	monitor_finish(&monitor_helper, 2000);
	(void)monitor_release_worker(a, ctl_fd, alive_fd, MFTP_ST_UNAVAILABLE,
	    "the server cannot check logins now; try again later");
	cleanup_exit(1);
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
			if (log_noise_ok())
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

/*
 * The user's home, to become the session's root: a directory, not
 * reached through a symbolic link, owned by the user.  Its descriptor,
 * or -1 with the reason logged for the administrator, who needs to
 * know which of those it is.
 */
static int
monitor_open_home(const struct privsep_verdict *v)
{
	struct stat st;
	int fd;

	if ((fd = drop_open_root(v->home)) == -1) {
		if (errno == ENOTDIR || errno == ELOOP)
			log_warnx("home %s of %s %s", v->home, v->name,
			    home_refused_why(v->home));
		else
			log_warn("home %s of %s", v->home, v->name);
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		log_warn("home %s of %s", v->home, v->name);
		close(fd);
		return -1;
	}
	if (st.st_uid != v->uid) {
		log_warnx("home %s of %s is owned by uid %lu, not by the "
			  "user's uid %lu",
		    v->home, v->name, (unsigned long)st.st_uid,
		    (unsigned long)v->uid);
		close(fd);
		return -1;
	}
	return fd;
}

void
monitor_run(const struct monitor_args *a)
{
	struct preauth_fds fds;
	struct privsep_verdict v;
	struct session_spawn sp;
	struct session_quota q;
	uint64_t deadline;
	char why[256], tell[320];
	uint32_t refusal;
	int wh[2], alive[2], ctl[2], verdict_fd, tries = 0, got, home;
	int slot, check_fd = -1;

	monitor_peer = a->peer;
	monitor_self = getpid();
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, wh) == -1 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl) == -1)
		fatal_lack("socketpair");
	if (pipe2(alive, O_CLOEXEC) == -1)
		fatal_lack("pipe2");
	fds.sign = monitor_spawn_signer(a);
	/*
	 * The host key file is the signer's alone: closed before anything
	 * else is forked, so that no worker or serving process could read
	 * the key through it.
	 */
	if (a->key_fd != -1)
		close(a->key_fd);

	switch ((monitor_worker = fork())) {
	case -1:
		fatal_lack("fork");
	case 0:
		close(wh[1]);
		close(alive[0]);
		close(ctl[1]);
		/* alive[1] stays open, unused, until the worker exits. */
		fds.helper = wh[0];
		fds.alive = alive[1];
		fds.ctl = ctl[0];
		preauth_run(a, &fds, monitor_self);
	}
	close(wh[0]);
	close(alive[1]);
	close(ctl[0]);
	close(fds.sign);

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
		/* After the worker and the first helper: they come first. */
		if (check_fd == -1)
			monitor_checker = monitor_check_start(
			    a->cfg, (int)(deadline - mono_ms()), &check_fd);
		got = monitor_wait(a, verdict_fd, alive[0], deadline, &v);
		close(verdict_fd);
		if (!got)
			cleanup_exit(0);
		/* A good verdict is the helper's last word: reaped below. */
		if (v.ok)
			break;
		if (v.unavailable)
			monitor_unavailable(a, ctl[1], alive[0], &v);
		/*
		 * After a refusal the helper still answers the worker; let
		 * it finish rather than kill it mid-way, within reason.
		 */
		monitor_finish(&monitor_helper, 2000);
		tries++;
	}
	/*
	 * The password was right: this connection's lines are no longer
	 * what any client can make at will, and its processes' lack of a
	 * resource (fatal_lack, an allocation) is logged, whatever the
	 * master decided for its connection line.
	 */
	log_set_noise(1);
	/* The handshake it signed for is long over. */
	monitor_reap(&monitor_signer);

	/* Before the check reads the database (monitor_open_quota). */
	monitor_open_quota(a, &v, &q);
	/*
	 * The home must be a real directory of the user's own; anything
	 * else is an administrator's mistake the user is told about, by
	 * the worker, inside the first TLS session.
	 */
	refusal = (uint32_t)monitor_check_verdict(
	    check_fd, &v, 5000, why, sizeof(why), tell, sizeof(tell));
	/* Only the check had a use for it: not carried into the session. */
	explicit_bzero(v.hash, sizeof(v.hash));
	if (refusal != 0) {
		log_warnx("verdict for user=%s refused addr=%s: %s", v.name,
		    a->peer, why);
		(void)monitor_release_worker(
		    a, ctl[1], alive[0], refusal, tell);
		cleanup_exit(1);
	}
	if ((home = monitor_open_home(&v)) == -1) {
		(void)monitor_release_worker(a, ctl[1], alive[0],
		    MFTP_ST_INTERNAL,
		    "your home directory is not available; "
		    "please tell the administrator");
		cleanup_exit(1);
	}
	/*
	 * The user's own limits: where it may log in from, and a session
	 * slot, held by this process (the serving one to be) until it
	 * ends, however it ends.
	 */
	if ((slot = monitor_limits(a, &v, &refusal, why, sizeof(why))) ==
	    MONITOR_LIMITS_REFUSED) {
		(void)monitor_release_worker(a, ctl[1], alive[0], refusal, why);
		cleanup_exit(1);
	}
	if (!monitor_release_worker(a, ctl[1], alive[0], 0, NULL)) {
		/* Not "login failed": the password was right. */
		log_notice("login of user=%s addr=%s abandoned: the pre-auth "
			   "worker ended first (the login deadline?)",
		    v.name, a->peer);
		explicit_bzero(v.psk, sizeof(v.psk));
		cleanup_exit(1);
	}
	/*
	 * The helper ended after its verdict and the check after its
	 * answer, both while the worker finished: reaped now, as root,
	 * without a wait on the way.
	 */
	monitor_finish(&monitor_helper, 2000);
	monitor_finish(&monitor_checker, 2000);
	/*
	 * Only now: the worker, waiting for the outcome, would take the
	 * helper channel's end for an error.
	 */
	close(wh[1]);
	close(ctl[1]);
	close(alive[0]);
	close(check_fd);
	log_info("login user=%s addr=%s", v.name, a->peer);
	monitor_log_quota(a, &v, &q);
	q.slot_fd = slot;
	/*
	 * Hold nothing but the client's socket, the log socket, the
	 * accounting file and the session slot into the user's root: no
	 * other descriptor may point outside it; the accounting file is
	 * only read and written at a fixed place, the slot file never
	 * touched (its lock is all it is for), and neither is used to
	 * reach a path.
	 */
	{
		int keep[] = { a->sock, log_fd(), home, q.fd, slot };

		fd_close_except(keep, 5);
	}
	/* The hash thread, if any, is made as the user (session.c). */
	sp.features = v.features;
	sp.hp = NULL;
	drop_chroot_user_spawn(home, v.uid, v.gid, session_spawn, &sp);
	session_run(a->sock, &v, &q, sp.hp, a->cfg, a->session_ctx, a->peer);
}
