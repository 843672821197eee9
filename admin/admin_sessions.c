/*
 * admin_sessions.c: find a user's serving processes in /proc and end
 * them (see admin_sessions.h).
 *
 * Runs as: root, from ftpuser-del and ftpuser-mod.  Everything read from
 * /proc describes processes the user controls; it is only compared,
 * never trusted further, and each process is re-checked after its pidfd
 * is open, so that the signal reaches the process that was checked.
 */
#include <sys/types.h>
#include <sys/pidfd.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "admin_common.h"
#include "admin_sessions.h"
#include "config.h"
#include "slots.h"
#include "userdb.h"
#include "util.h"

/* The serving program's name, as /proc/PID/exe shows its path. */
#define ADMIN_SERVER_NAME "mftpd"

/* Looks for sessions: the first at once, the next after this long. */
#define ADMIN_SESSION_LOOKS 3
#define ADMIN_SESSION_RELOOK_MS 500

/* Nonzero if /proc/PID's real uid is uid. */
static int
admin_proc_uid_is(pid_t pid, uid_t uid)
{
	unsigned long ruid;

	return proc_status(pid, "Uid:", &ruid) == 0 &&
	    ruid == (unsigned long)uid;
}

/* /proc/PID's parent, or 0. */
static pid_t
admin_proc_ppid(pid_t pid)
{
	unsigned long ppid;

	return proc_status(pid, "PPid:", &ppid) == 0 ? (pid_t)ppid : 0;
}

/* Nonzero if /proc/PID's executable is named ADMIN_SERVER_NAME. */
static int
admin_proc_is_server(pid_t pid)
{
	static const char deleted[] = " (deleted)";
	char path[64], exe[PATH_MAX + 1], *base;
	ssize_t n;
	size_t dl = sizeof(deleted) - 1;

	snprintf(path, sizeof(path), "/proc/%ld/exe", (long)pid);
	if ((n = readlink(path, exe, sizeof(exe) - 1)) <= 0)
		return 0;
	exe[n] = '\0';
	/* A serving process outlives an upgrade of its binary. */
	if ((size_t)n > dl && strcmp(exe + n - dl, deleted) == 0)
		exe[n - dl] = '\0';
	base = strrchr(exe, '/');
	return strcmp(base != NULL ? base + 1 : exe, ADMIN_SERVER_NAME) == 0;
}

/* Nonzero if /proc/PID's root directory is the file st is. */
static int
admin_proc_root_is(pid_t pid, const struct stat *st)
{
	char path[64];
	struct stat rs;

	snprintf(path, sizeof(path), "/proc/%ld/root", (long)pid);
	return stat(path, &rs) == 0 && rs.st_dev == st->st_dev &&
	    rs.st_ino == st->st_ino;
}

/*
 * Nonzero if /proc/PID holds a descriptor of the file at path, also one
 * removed since (the link then reads "PATH (deleted)").
 */
static int
admin_proc_holds(pid_t pid, const char *path)
{
	static const char deleted[] = " (deleted)";
	char dir[64], fdpath[64 + 256], link[PATH_MAX + sizeof(deleted)];
	size_t len = strlen(path);
	struct dirent *de;
	int found = 0;
	ssize_t n;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%ld/fd", (long)pid);
	if ((d = opendir(dir)) == NULL)
		return 0;
	while (!found && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(fdpath, sizeof(fdpath), "%s/%s", dir, de->d_name);
		if ((n = readlink(fdpath, link, sizeof(link) - 1)) <= 0)
			continue;
		link[n] = '\0';
		found = strncmp(link, path, len) == 0 &&
		    (link[len] == '\0' || strcmp(link + len, deleted) == 0);
	}
	closedir(d);
	return found;
}

/*
 * A serving process of the user: its real uid is the user's, it runs
 * mftpd, and it is this configuration's: a child of the master named
 * in this configuration's pid_file (the connection's monitor, which
 * became the serving process at login); or else it is chrooted in the
 * user's home, or holds the user's accounting file, removed since or
 * not.  The root alone would miss a
 * session that logged in before ftpuser-mod --home, chrooted in the old
 * home; the uid alone would also match the sessions of another mftpd
 * on the machine that gives the same uid to a user of its own.  When a
 * user of this database has the uid too, its sessions have the same
 * master (and may have the same root): only the accounting file tells
 * them apart.
 */
static int
admin_is_session(pid_t pid, const struct admin_who *w)
{
	if (!admin_proc_uid_is(pid, w->uid) || !admin_proc_is_server(pid))
		return 0;
	if (w->uid_shared)
		return w->acct[0] != '\0' && admin_proc_holds(pid, w->acct);
	if (w->master > 0 && admin_proc_ppid(pid) == w->master)
		return 1;
	return (w->have_home && admin_proc_root_is(pid, &w->home)) ||
	    (w->acct[0] != '\0' && admin_proc_holds(pid, w->acct));
}

/*
 * Signal every session of w with SIGTERM; their pidfds go to *fds
 * (*nfds of them).
 */
static void
admin_signal_sessions(const struct admin_who *w, int **fds, size_t *nfds)
{
	const char *errstr;
	struct dirent *de;
	DIR *d;
	pid_t pid;
	int fd;

	if ((d = opendir("/proc")) == NULL)
		admin_err("cannot read /proc");
	while ((errno = 0, de = readdir(d)) != NULL) {
		pid = (pid_t)strtonum(de->d_name, 1, INT_MAX, &errstr);
		if (errstr != NULL || !admin_is_session(pid, w))
			continue;
		if ((fd = pidfd_open(pid, 0)) == -1) {
			if (errno != ESRCH)
				admin_warn("pidfd_open(%ld)", (long)pid);
			continue;
		}
		/* The pid may have been reused before the pidfd was open:
		 * check again what the pidfd now pins. */
		if (!admin_is_session(pid, w)) {
			close(fd);
			continue;
		}
		if (pidfd_send_signal(fd, SIGTERM, NULL, 0) == -1) {
			if (errno != ESRCH)
				admin_warn("cannot end process %ld", (long)pid);
			close(fd);
			continue;
		}
		*fds = xreallocarray(*fds, *nfds + 1, sizeof(**fds));
		(*fds)[(*nfds)++] = fd;
	}
	if (errno != 0)
		admin_err("cannot read /proc");
	closedir(d);
}

/*
 * Wait up to ms for the processes of fds to exit (a pidfd is readable
 * once its process has); returns how many are still running.
 */
static size_t
admin_wait_exit(const int *fds, size_t n, int ms)
{
	struct pollfd *p;
	uint64_t end = mono_ms() + (uint64_t)ms, now;
	size_t i, left;
	int r;

	p = xreallocarray(NULL, n > 0 ? n : 1, sizeof(*p));
	for (i = 0; i < n; i++) {
		p[i].fd = fds[i];
		p[i].events = POLLIN;
		p[i].revents = 0;
	}
	for (;;) {
		for (i = 0, left = 0; i < n; i++)
			if (p[i].fd != -1 && (p[i].revents & POLLIN) != 0)
				p[i].fd = -1; /* exited: poll ignores it */
			else if (p[i].fd != -1)
				left++;
		if (left == 0 || (now = mono_ms()) >= end)
			break;
		r = poll(p, n, (int)(end - now));
		if (r == -1 && errno != EINTR)
			admin_err("poll");
	}
	free(p);
	return left;
}

/* One look: end the sessions found; how many. */
static size_t
admin_end_once(const struct admin_who *w)
{
	int *fds = NULL;
	size_t n = 0, i;

	admin_signal_sessions(w, &fds, &n);
	if (n > 0 && admin_wait_exit(fds, n, ADMIN_SESSION_GRACE * 1000) > 0) {
		/* A stopped or stuck process: SIGKILL cannot be caught. */
		for (i = 0; i < n; i++)
			(void)pidfd_send_signal(fds[i], SIGKILL, NULL, 0);
		if (admin_wait_exit(fds, n, ADMIN_SESSION_GRACE * 1000) > 0)
			admin_warnx("a session of uid %lu did not end",
			    (unsigned long)w->uid);
	}
	for (i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
	return n;
}

void
admin_who_of(struct admin_who *w, uid_t uid, const char *home,
    const struct config *c, const char *name, const struct userdb *db)
{
	char dir[PATH_MAX], buf[32];
	const char *errstr;
	ssize_t n;
	size_t i;
	int fd;

	memset(w, 0, sizeof(*w));
	w->uid = uid;
	for (i = 0; i < db->n; i++)
		if (db->users[i].uid == uid &&
		    strcmp(db->users[i].name, name) != 0)
			w->uid_shared = 1;
	w->have_home = stat(home, &w->home) == 0;
	/* As the kernel names the file a descriptor holds: no links. */
	if (realpath(c->quota_dir, dir) != NULL &&
	    (size_t)snprintf(w->acct, sizeof(w->acct), "%.*s/%s",
		(int)path_dir_len(dir), dir, name) >= sizeof(w->acct))
		w->acct[0] = '\0';
	/* The master, if it runs: the pid file's, and an mftpd.  A FIFO in
	 * the file's place reads as empty (O_NONBLOCK), never waited on. */
	if ((fd = open(c->pid_file,
		 O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)) == -1)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	w->master = (pid_t)strtonum(buf, 2, INT_MAX, &errstr);
	if (errstr != NULL || !admin_proc_uid_is(w->master, 0) ||
	    !admin_proc_is_server(w->master))
		w->master = 0;
}

size_t
admin_count_sessions(const struct admin_who *w)
{
	const char *errstr;
	struct dirent *de;
	size_t n = 0;
	pid_t pid;
	DIR *d;

	if ((d = opendir("/proc")) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		pid = (pid_t)strtonum(de->d_name, 1, INT_MAX, &errstr);
		if (errstr == NULL && admin_is_session(pid, w))
			n++;
	}
	closedir(d);
	return n;
}

int
admin_count_elsewhere(
    const struct config *c, const char *name, const struct admin_who *w)
{
	int held = slots_count(c->session_dir, name);
	size_t here;

	if (held <= 0)
		return 0;
	here = admin_count_sessions(w);
	return (size_t)held > here ? held - (int)here : 0;
}

int
admin_wait_elsewhere(
    const struct config *c, const char *name, int known, int *held)
{
	struct timespec ts = { 0, 100 * 1000000L };
	uint64_t deadline = mono_ms() + ADMIN_ELSEWHERE_WAIT_MS;
	int n;

	*held = 0;
	if ((n = slots_count(c->session_dir, name)) == -1)
		return -1;
	*held = n > known ? n : known;
	if (n == 0)
		return 0;
	while (n > 0 && mono_ms() < deadline) {
		(void)nanosleep(&ts, NULL);
		if ((n = slots_count(c->session_dir, name)) == -1)
			return -1;
	}
	return n;
}

size_t
admin_end_sessions(const struct admin_who *w)
{
	struct timespec ts = { 0, ADMIN_SESSION_RELOOK_MS * 1000000L };
	size_t total = 0, n;
	int i;

	/*
	 * A login checked against the old database may still be becoming
	 * a session: look again after a moment, until a look finds none.
	 */
	for (i = 0; i < ADMIN_SESSION_LOOKS; i++) {
		if (i > 0)
			(void)nanosleep(&ts, NULL);
		n = admin_end_once(w);
		total += n;
		if (n == 0 && i > 0)
			break;
	}
	return total;
}
