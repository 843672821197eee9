/*
 * helper_spawn.c: fork+exec of the privilege-separation helpers.
 *
 * Runs in: the monitor (root) and the master (root).  The child keeps
 * root until it has read its file (the user database, the host key);
 * the helper drops to the pre-auth user itself.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper_spawn.h"
#include "log.h"
#include "pdeath.h"
#include "util.h"

void
helper_log_death(const char *who, int status, const char *addr)
{
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
		log_warnx(
		    "%s killed by its sandbox (seccomp) addr=%s", who, addr);
	else if (strcmp(who, "mftpd-sign") == 0 && WIFEXITED(status) &&
	    WEXITSTATUS(status) == HELPER_SIGN_STALE_KEY)
		log_warnx("mftpd-sign refused the host key addr=%s: the host "
			  "key on disk no longer matches the certificate "
			  "mftpd loaded; no login works until mftpd is "
			  "reloaded (systemctl reload mftpd)",
		    addr);
}

void
helper_env(char *tz, size_t tzlen, char *envp[3])
{
	const char *v = getenv("TZ");
	int n = 0;

	envp[n++] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
	if (v != NULL && snprintf(tz, tzlen, "TZ=%s", v) < (int)tzlen)
		envp[n++] = tz;
	envp[n] = NULL;
}

int
helper_key_fd(int key_fd)
{
	/* dup2 onto itself leaves close-on-exec set: cleared by hand. */
	if (key_fd == 3)
		return fcntl(3, F_SETFD, 0);
	return dup2(key_fd, 3) == -1 ? -1 : 0;
}

pid_t
helper_spawn(const struct helper_spawn *h, const char *name, const char *path,
    const char *file, unsigned int timeout_s, int in_fd, int out_fd)
{
	char uid[16], gid[16], timeout[16], tz[HELPER_TZ_MAX], *envp[3];
	char *argv[16];
	int n = 0;
	pid_t pid, parent;

	snprintf(uid, sizeof(uid), "%lu", (unsigned long)h->preauth_uid);
	snprintf(gid, sizeof(gid), "%lu", (unsigned long)h->preauth_gid);
	snprintf(timeout, sizeof(timeout), "%u", timeout_s);
	argv[n++] = (char *)name;
	if (h->log_stderr)
		argv[n++] = "-e";
	argv[n++] = "-t";
	argv[n++] = timeout;
	if (h->key_fd != -1) {
		argv[n++] = "-k";
		argv[n++] = "3";
	}
	if (h->fingerprint != NULL) {
		argv[n++] = "-p";
		argv[n++] = (char *)h->fingerprint;
	}
	argv[n++] = "--";
	argv[n++] = (char *)file;
	argv[n++] = uid;
	argv[n++] = gid;
	argv[n] = NULL;
	helper_env(tz, sizeof(tz), envp);

	parent = getpid();
	switch ((pid = fork())) {
	case -1:
		return -1;
	case 0:
		/* A helper dies with the process that started it. */
		if (pdeath_arm(SIGKILL, parent) == -1)
			_exit(127);
		/*
		 * A group of its own: the master's spare would otherwise
		 * be in the master's, and under mftpd -f the terminal's
		 * Ctrl-C would kill it (and a connection's signer handed
		 * out but not yet used) with the master's graceful stop.
		 */
		if (setpgid(0, 0) == -1)
			_exit(127);
		/*
		 * Out of the terminal's foreground group, a write to it
		 * under 'stty tostop' would stop the helper (SIGTTOU) in
		 * the middle of a login; ignored, the write goes through.
		 */
		if (signal(SIGTTOU, SIG_IGN) == SIG_ERR)
			_exit(127);
		/*
		 * SIGHUP reloads the master only; a 'pkill -HUP mftpd'
		 * matches the helpers' names too.  Ignored here whoever
		 * starts it (the master handles it, a monitor ignores it),
		 * so a login in progress goes on.
		 */
		if (signal(SIGHUP, SIG_IGN) == SIG_ERR)
			_exit(127);
		/*
		 * No output: /dev/null, not the caller's (a terminal under
		 * mftpd -f -e); standard error stays, the log under -e.
		 */
		if (out_fd == -1 &&
		    (out_fd = open("/dev/null", O_WRONLY | O_CLOEXEC)) == -1)
			_exit(127);
		if (dup2(in_fd, STDIN_FILENO) == -1 ||
		    dup2(out_fd, STDOUT_FILENO) == -1)
			_exit(127);
		/* After those two, which may have been on 3. */
		if (h->key_fd != -1 && helper_key_fd(h->key_fd) == -1)
			_exit(127);
		closefrom(h->key_fd != -1 ? 4 : STDERR_FILENO + 1);
		execve(path, argv, envp);
		_exit(127);
	}
	return pid;
}
