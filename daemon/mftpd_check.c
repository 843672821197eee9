/*
 * mftpd_check.c: what mftpd checks outside its configuration file, at
 * its start, at each reload (SIGHUP) and for -t: the pre-auth account
 * and chroot, the helpers it runs as root, the user database, and the
 * host key pair, which a process of its own (mftpd-sign -c) checks so
 * that the private key never enters the daemon.
 *
 * Runs as: root, in the master (or the process that becomes it).
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "helper_spawn.h"
#include "hostkey.h"
#include "log.h"
#include "mftpd_check.h"
#include "userdb.h"
#include "util.h"

/* mkdir path (mode 0755) if missing: the run-time directory may not
 * exist yet when not started by systemd (RuntimeDirectory=). */
static int
mftpd_mkdir(const char *path)
{
	if (mkdir(path, 0755) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

int
mftpd_mkdir_parent(const char *path)
{
	char *copy = xstrdup(path);
	int rc;

	rc = mftpd_mkdir(dirname(copy));
	free(copy);
	return rc;
}

/*
 * For -t, which makes nothing: whether a start can make what it makes
 * of path where it is missing, the directory path is in
 * (mftpd_mkdir_parent), so the one above it must be there.  0, or -1
 * with the reason (key: the setting that names path).
 */
static int
mftpd_check_makeable(
    const char *key, const char *path, char *err, size_t errlen)
{
	char *c1 = xstrdup(path), *c2, *parent, *above;
	struct stat st;
	int r = 0;

	/* dirname may return its argument cut short, or "." or "/". */
	parent = dirname(c1);
	c2 = xstrdup(parent);
	above = dirname(c2);
	if (stat(parent, &st) == -1 && errno == ENOENT &&
	    (stat(above, &st) == -1 || !S_ISDIR(st.st_mode))) {
		snprintf(err, errlen,
		    "%s %s: %s does not exist (a start makes %s, not more)",
		    key, path, above, parent);
		r = -1;
	}
	free(c1);
	free(c2);
	return r;
}

/* A helper the monitor runs as root: an executable only root can change. */
static int
mftpd_check_helper(const char *what, const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) == -1) {
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022) ||
	    access(path, X_OK) == -1) {
		snprintf(err, errlen,
		    "%s %s must be an executable owned by root and writable "
		    "by root only",
		    what, path);
		return -1;
	}
	return 0;
}

/*
 * The host key pair, checked by "mftpd-sign -c" in a process of its own
 * so that the private key never enters this one, whose children become
 * the pre-auth workers and the users' processes.  It checks the key
 * file open on key_fd (which this process never reads) against the
 * certificate at its path and against fp, the key of the certificate
 * this process loaded.
 */
static int
mftpd_check_key_pair(const struct config *c, int key_fd, const char *fp,
    char *err, size_t errlen)
{
	char *argv[] = { "mftpd-sign", "-c", "-k", "3", "-p", (char *)fp,
		c->host_cert, c->host_key, NULL };
	char out[512], tz[HELPER_TZ_MAX], *envp[3];
	const char *what = "pipe";
	int pout[2] = { -1, -1 }, perr[2] = { -1, -1 }, status, i;
	ssize_t n, m;
	pid_t pid = -1;

	/*
	 * A failure here fails the check, not the process: on a reload (a
	 * unit at its TasksMax=, no descriptor or memory left) the master
	 * keeps the configuration in force, and its sessions.
	 */
	helper_env(tz, sizeof(tz), envp);
	if (pipe2(pout, O_CLOEXEC) == 0 && pipe2(perr, O_CLOEXEC) == 0) {
		what = "fork";
		pid = fork();
	}
	if (pid == -1) {
		snprintf(err, errlen, "%s for %s -c: %s", what, c->sign_helper,
		    strerror(errno));
		for (i = 0; i < 2; i++) {
			if (pout[i] != -1)
				close(pout[i]);
			if (perr[i] != -1)
				close(perr[i]);
		}
		return -1;
	}
	if (pid == 0) {
		/* As every helper (helper_spawn): SIGHUP is the master's. */
		if (signal(SIGHUP, SIG_IGN) == SIG_ERR ||
		    dup2(pout[1], STDOUT_FILENO) == -1 ||
		    dup2(perr[1], STDERR_FILENO) == -1 ||
		    helper_key_fd(key_fd) == -1)
			_exit(127);
		execve(c->sign_helper, argv, envp);
		_exit(127);
	}
	close(pout[1]);
	close(perr[1]);
	/* Both are a line at most: the fingerprint, or the reason. */
	n = read(pout[0], out, sizeof(out) - 1);
	out[n > 0 ? n : 0] = '\0';
	m = read(perr[0], err, errlen - 1);
	err[m > 0 ? m : 0] = '\0';
	close(pout[0]);
	close(perr[0]);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	err[strcspn(err, "\n")] = '\0';
	out[strcspn(out, "\n")] = '\0';
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (err[0] == '\0')
			snprintf(err, errlen, "%s -c failed", c->sign_helper);
		return -1;
	}
	log_info("host key %s fingerprint %s", c->host_key, out);
	return 0;
}

/*
 * Parse the user database as mftpd-auth will, in a child: at a start or
 * a reload the master's heap, which every session shares, must not grow
 * and be left with the holes of a large file's parse (-t goes the same
 * way).  0, or -1 with the reason in err.
 */
static int
mftpd_check_userdb(const char *path, char *err, size_t errlen)
{
	struct userdb db;
	ssize_t n;
	size_t got = 0;
	int p[2], status, r;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) == -1) {
		snprintf(err, errlen, "%s: pipe2: %s", path, strerror(errno));
		return -1;
	}
	switch ((pid = fork())) {
	case -1:
		snprintf(err, errlen, "%s: fork: %s", path, strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	case 0:
		close(p[0]);
		r = userdb_load(&db, path, err, errlen);
		/* A reason cut short by a failed write is said as a status. */
		if (r == -1 && write(p[1], err, strlen(err)) == -1)
			_exit(2);
		_exit(r == -1 ? 1 : 0);
	}
	close(p[1]);
	while (got < errlen - 1 &&
	    ((n = read(p[0], err + got, errlen - 1 - got)) > 0 ||
		(n == -1 && errno == EINTR)))
		if (n > 0)
			got += (size_t)n;
	err[got] = '\0';
	close(p[0]);
	while ((r = (int)waitpid(pid, &status, 0)) == -1 && errno == EINTR)
		;
	if (r == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (r != pid)
		status = -1;
	if (got == 0)
		snprintf(err, errlen, "%s: its check ended with status %d",
		    path, status);
	return -1;
}

int
mftpd_check(const struct config *c, const char *fp, uid_t *uid, gid_t *gid,
    int *key_fd, int dry, char *err, size_t errlen)
{
	struct passwd *pw;
	struct stat st;
	int r;

	errno = 0;
	if ((pw = getpwnam(c->preauth_user)) == NULL) {
		snprintf(err, errlen, "pre-auth user %s does not exist",
		    c->preauth_user);
		return -1;
	}
	if (pw->pw_uid == 0 || pw->pw_gid == 0) {
		snprintf(err, errlen,
		    "pre-auth user %s must not be root (uid %lu, gid %lu)",
		    c->preauth_user, (unsigned long)pw->pw_uid,
		    (unsigned long)pw->pw_gid);
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	endpwent();

	/* A dry run (-t) makes nothing: a missing chroot is made at start. */
	if (!dry &&
	    (mftpd_mkdir_parent(c->preauth_chroot) == -1 ||
		mftpd_mkdir(c->preauth_chroot) == -1)) {
		snprintf(err, errlen, "preauth_chroot %s: %s",
		    c->preauth_chroot, strerror(errno));
		return -1;
	}
	if (dry &&
	    (mftpd_check_makeable(
		 "preauth_chroot", c->preauth_chroot, err, errlen) == -1 ||
		mftpd_check_makeable("pid_file", c->pid_file, err, errlen) ==
		    -1))
		return -1;
	if (dry && stat(c->pid_file, &st) == 0 && !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "pid_file %s is not a regular file",
		    c->pid_file);
		return -1;
	}
	if ((r = lstat(c->preauth_chroot, &st)) == -1 &&
	    !(dry && errno == ENOENT)) {
		snprintf(
		    err, errlen, "%s: %s", c->preauth_chroot, strerror(errno));
		return -1;
	}
	if (r == 0 &&
	    (!S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022))) {
		snprintf(err, errlen,
		    "%s must be a directory owned by root and writable by "
		    "root only",
		    c->preauth_chroot);
		return -1;
	}

	/*
	 * A users_file mftpd-auth cannot use refuses every login (as
	 * unavailable): a failure of -t, which reads it too; a start or a
	 * reload goes on and says so (its storage may be mounted later).
	 */
	if ((r = userdb_open(c->users_file, err, errlen)) != -1) {
		close(r);
		r = mftpd_check_userdb(c->users_file, err, errlen);
	}
	if (r == -1 && dry)
		return -1;
	if (r == -1)
		log_warnx("%s; every login is refused until it is mended", err);
	if (mftpd_check_helper("auth helper", c->auth_helper, err, errlen) ==
		-1 ||
	    mftpd_check_helper("signing helper", c->sign_helper, err, errlen) ==
		-1)
		return -1;
	if ((*key_fd = hostkey_open_key(c->host_key, err, errlen)) == -1)
		return -1;
	if (mftpd_check_key_pair(c, *key_fd, fp, err, errlen) == -1) {
		close(*key_fd);
		return -1;
	}
	return 0;
}
