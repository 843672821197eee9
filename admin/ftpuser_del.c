/*
 * ftpuser_del.c: ftpuser-del(8), remove a virtual user: its line in the
 * user database, its running sessions, its accounting file and, with
 * --remove-home, its home directory.  Its uid goes on the retired list
 * (admin_uid.h) so that no new user is given it while its files remain.
 *
 * Runs as: root, from an administrator's shell or script.  The home is a
 * directory its user can change at any moment, so it is removed through
 * descriptors only, never following a symbolic link and never entering
 * a mount point (samefs.h: a bind mount of a shared directory too); a
 * home that is not a directory owned by the user's uid is refused before
 * anything is changed.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin_common.h"
#include "admin_sessions.h"
#include "admin_uid.h"
#include "dirwalk.h"
#include "samefs.h"
#include "userdb.h"
#include "util.h"

#define PROGNAME "ftpuser-del"

static const char usage_text[] = "usage: " PROGNAME
				 " [-h] [-c config] [--remove-home] name\n";

/*
 * Open the home for removal: a directory (not a link to one) owned by
 * uid.  Returns the descriptor and its mount in *on, or exits 1.
 */
static int
open_home(const char *home, uid_t uid, struct samefs *on)
{
	struct stat st;
	int fd;

	if ((fd = open(home,
		 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		if (errno == ENOTDIR || errno == ELOOP)
			admin_errx("home %s %s; not removing it", home,
			    home_refused_why(home));
		/*
		 * Gone, or on storage not mounted now: the user stays, so
		 * that nothing is left behind unowned, and the admin is
		 * told how to remove the user alone.
		 */
		if (errno == ENOENT)
			admin_errx("home %s does not exist (storage not "
				   "mounted?); the user is kept: run "
				   "ftpuser-del without --remove-home to "
				   "remove the user alone",
			    home);
		admin_err("home %s", home);
	}
	if (fstat(fd, &st) == -1)
		admin_err("home %s", home);
	if (st.st_uid != uid)
		admin_errx("home %s is owned by uid %lu, not by the user's "
			   "uid %lu; not removing it",
		    home, (unsigned long)st.st_uid, (unsigned long)uid);
	if (samefs_of(fd, on) == -1)
		admin_err("home %s", home);
	return fd;
}

/* Nonzero if path a is b or lies below it (both without a trailing '/'). */
static int
path_within(const char *a, const char *b)
{
	size_t n = strlen(b);

	if (strcmp(b, "/") == 0)
		return 1;
	return strncmp(a, b, n) == 0 && (a[n] == '\0' || a[n] == '/');
}

/*
 * Refuse to remove u's home when it is, holds or lies in the home of
 * another user of db (a line copied by hand and renamed, a home set by
 * hand inside another): what --remove-home would take is that user's
 * too.  Homes are compared as the links in them resolve (a hand-written
 * "/srv//bob" is "/srv/bob"); one that does not exist holds nothing.
 */
static void
check_home_shared(const struct userdb *db, const struct user *u)
{
	const char *how;
	char *mine, *theirs;
	size_t i;

	if ((mine = realpath(u->home, NULL)) == NULL)
		return; /* open_home says why */
	for (i = 0; i < db->n; i++) {
		const struct user *o = &db->users[i];

		if (o == u || (theirs = realpath(o->home, NULL)) == NULL)
			continue;
		how = strcmp(mine, theirs) == 0 ? "is" :
		    path_within(mine, theirs)	? "lies in" :
		    path_within(theirs, mine)	? "holds" :
						  NULL;
		free(theirs);
		if (how != NULL)
			admin_errx("home %s %s the home %s of user '%s': not "
				   "removing it (fix the users file, or run "
				   "ftpuser-del without --remove-home to "
				   "remove the user alone)",
			    u->home, how, o->home, o->name);
	}
	free(mine);
}

/*
 * The removal walks the tree with one directory open at a time
 * (dirwalk.h), so that no depth the user can make stops it at the limit
 * of open files (nor at PATH_MAX): each directory is read whole, what is
 * not a directory removed as it is read and the subdirectories' names
 * kept; each is then entered, and removed once the walk is back in its
 * parent with nothing left below it.  The level counts are the entries
 * left and named.
 */
struct rm_walk {
	const struct samefs *on;
	size_t moved; /* 1 once the tree moved under the walk */
};

/* Warn of name in the walk's directory (with errno when with_errno). */
static void
rm_warn(
    const struct dirwalk *w, int with_errno, const char *what, const char *name)
{
	const char *dir = dirwalk_path(w);
	int len = (int)path_dir_len(dir);

	if (with_errno)
		admin_warn("%s%.*s/%s", what, len, dir, name);
	else
		admin_warnx("%.*s/%s: %s; left alone", len, dir, name, what);
}

/*
 * Read the directory open on fd: remove what is not a directory, name
 * the subdirectories to the walk, name and count what is left (a mount
 * point, anything on another file system, an entry that cannot be
 * removed).  It never stops the walk.
 */
static int
rm_read(struct dirwalk *w, int fd, void *arg)
{
	const struct rm_walk *rw = arg;
	size_t *bad = dirwalk_count(w);
	struct dirent *de;
	struct stat st;
	DIR *d;
	int dfd;

	/* fdopendir takes dfd; fd stays for the unlinkat calls. */
	if ((dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    (d = fdopendir(dfd)) == NULL) {
		admin_warn("cannot read %s", dirwalk_path(w));
		if (dfd != -1)
			close(dfd);
		(*bad)++;
		return 0;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		switch (samefs_statat(fd, de->d_name, rw->on, &st)) {
		case -1:
			if (errno != ENOENT) {
				rm_warn(w, 1, "", de->d_name);
				(*bad)++;
			}
			continue;
		case 0:
			rm_warn(w, 0,
			    st.st_dev != rw->on->dev ?
				"on another file system" :
				"a mount point",
			    de->d_name);
			(*bad)++;
			continue;
		}
		if (S_ISDIR(st.st_mode))
			dirwalk_subdir(w, de->d_name);
		else if (unlinkat(fd, de->d_name, 0) == -1 && errno != ENOENT) {
			rm_warn(w, 1, "cannot remove ", de->d_name);
			(*bad)++;
		}
	}
	if (errno != 0) {
		admin_warn("cannot read %s", dirwalk_path(w));
		(*bad)++;
	}
	closedir(d);
	return 0;
}

/* A subdirectory that does not open: gone (nothing left), or named. */
static int
rm_unopened(struct dirwalk *w, const char *name, void *arg)
{
	(void)arg;
	if (errno != ENOENT) {
		rm_warn(w, 1, "", name);
		(*dirwalk_count(w))++;
	}
	return 0;
}

/*
 * A subdirectory swapped for a mount point between its check and its
 * openat is left, named: checked again once open.
 */
static int
rm_check(struct dirwalk *w, int fd, const char *name, void *arg)
{
	const struct rm_walk *rw = arg;
	struct stat st;
	int r;

	if ((r = samefs_statat(fd, "", rw->on, &st)) == 1)
		return 1;
	rm_warn(w, r == -1, r == -1 ? "" : "a mount point", name);
	(*dirwalk_count(w))++;
	return 0;
}

/* One that keeps what was named below stays, unnamed. */
static int
rm_done(struct dirwalk *w, int fd, const char *name, size_t left, void *arg)
{
	(void)arg;
	if (left == 0 && unlinkat(fd, name, AT_REMOVEDIR) == -1 &&
	    errno != ENOENT) {
		rm_warn(w, 1, "cannot remove ", name);
		(*dirwalk_count(w))++;
	}
	return 0;
}

static void
rm_moved(struct dirwalk *w, int err, void *arg)
{
	struct rm_walk *rw = arg;

	(void)err;
	admin_warnx(
	    "%s was moved while it was emptied; not going on", dirwalk_path(w));
	rw->moved = 1;
}

static const struct dirwalk_ops rm_ops = {
	.read = rm_read,
	.unopened = rm_unopened,
	.check = rm_check,
	.done = rm_done,
	.moved = rm_moved,
};

/*
 * Remove everything below the directory dfd (path is for messages only).
 * Entries are taken by name relative to the directory the walk is in and
 * never followed when they are links; a mount point (of a directory or a
 * file), and anything on another file system, is left alone with what is
 * below it, named, and counted as an error.  No one but root mounts, and
 * a mount point cannot be renamed (EBUSY), so the user cannot put one
 * under a name between its check and its openat (which checks it again).
 * Returns the number of entries left and named (the directories that
 * hold them stay too, uncounted).
 */
static size_t
remove_below(int dfd, const char *path, const struct samefs *on)
{
	struct rm_walk rw = { .on = on, .moved = 0 };
	size_t bad = 0;
	int fd;

	if ((fd = openat(dfd, ".",
		 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		admin_warn("cannot read %s", path);
		return 1;
	}
	if (dirwalk_run(fd, path, &rm_ops, &rw, &bad) == -1 && !rw.moved) {
		admin_warn("cannot read %s", path);
		bad++;
	}
	/* What is named above, and the directory that moved. */
	return bad + rw.moved;
}

/*
 * name is not in the database.  An ftpuser-del killed between its write
 * of the users file and the removal of the accounting file (or an
 * ftpuser-add killed before its write) left that file: the sessions of
 * the removed user, which watch it, would run on.  It goes now, under
 * the lock, and they end within seconds on every machine.  Returns the
 * exit status; no file either is "no such user".
 */
static int
finish_removal(const struct config *c, const char *name, int remove_home)
{
	char *path;
	struct stat st;

	path = path_join(c->quota_dir, name);
	if (lstat(path, &st) == -1 || !S_ISREG(st.st_mode)) {
		free(path);
		admin_errx("no such user '%s'", name);
	}
	if (unlink(path) == -1)
		admin_err("user '%s' is not in the database, and its left-over "
			  "accounting file cannot be removed: %s",
		    name, path);
	printf("%s: user '%s' was not in the database; removed its "
	       "accounting file %s, left by a removal cut short: its "
	       "sessions end within seconds\n",
	    PROGNAME, name, path);
	free(path);
	if (fflush(stdout) == EOF)
		admin_err("writing the output");
	if (!remove_home)
		return 0;
	admin_warnx("the home of '%s' is not known without its line in the "
		    "users file; remove it by hand (the last line of %s/%s "
		    "names it)",
	    name, c->quota_dir, ADMIN_RETIRED_FILE);
	return ADMIN_EXIT_FAILURE;
}

/*
 * The user's sessions on other machines sharing the storage, which end
 * on seeing their accounting file gone: waited for by their session
 * slots, and said (known: those counted before the removal, which may
 * have ended before this looks).  0, or -1 (said) when some still run.
 */
static int
admin_del_elsewhere(
    const struct config *c, const char *name, uid_t uid, int known)
{
	int held, left;

	left = admin_wait_elsewhere(c, name, known, &held);
	if (held > 0 && left == 0)
		printf("%s: %d session%s of '%s' on other machines ended "
		       "too\n",
		    PROGNAME, held, held == 1 ? "" : "s", name);
	fflush(stdout);
	if (left <= 0)
		return 0;
	admin_warnx("%d session%s of '%s' still hold%s a slot in %s after "
		    "%d seconds (on other machines sharing it?): %s (its "
		    "process runs as uid %lu)",
	    left, left == 1 ? "" : "s", name, left == 1 ? "s" : "",
	    c->session_dir, ADMIN_ELSEWHERE_WAIT_MS / 1000,
	    ADMIN_ELSEWHERE_STUCK, (unsigned long)uid);
	return -1;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		ADMIN_COMMON_LONGOPTS,
		{ "remove-home", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = NULL, *name;
	struct admin_who who;
	struct config conf;
	struct userdb db;
	struct user *u;
	struct stat hst, lst;
	struct samefs on;
	char *home = NULL, *quota_file;
	size_t bad, ended;
	uid_t uid;
	int ch, lockfd, remove_home = 0, homefd = -1, rc = 0, elsewhere;

	admin_init(PROGNAME, usage_text);
	umask(077);
	opterr = 0; /* messages name the program, not argv[0] */
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			remove_home = 1;
			break;
		default:
			admin_common_option(
			    ch, optarg, &config_path, argv[optind - 1]);
		}
	}
	admin_name_count(argc, argv, optind, 1);
	name = admin_parse_name(argv[optind]);

	admin_require_root();
	admin_load_config(&conf, config_path);
	lockfd = admin_lock_db(&conf);
	admin_load_db(&db, &conf);
	if ((u = userdb_find(&db, name)) == NULL) {
		rc = finish_removal(&conf, name, remove_home);
		close(lockfd);
		userdb_free(&db);
		config_free(&conf);
		return rc;
	}
	home = xstrdup(u->home);
	uid = u->uid;
	/* Refuse a home we would not remove before the user is gone. */
	if (remove_home) {
		check_home_shared(&db, u);
		homefd = open_home(home, u->uid, &on);
	}

	/*
	 * Retired before the user is gone, under the lock: no ftpuser-add
	 * can take the uid in between, and a failure changes nothing.
	 * quota_dir is never made (admin_have_dir).
	 */
	admin_need_dir("quota_dir", conf.quota_dir, 0700);
	if (admin_retire_uid(&conf, uid, home) == -1)
		admin_err("cannot record uid %lu as retired in %s/%s",
		    (unsigned long)uid, conf.quota_dir, ADMIN_RETIRED_FILE);
	if (userdb_remove(&db, name) == -1)
		admin_errx("no such user '%s'", name);
	admin_write_db(&db, conf.users_file);
	/* Committed: the user can no longer log in. */

	/*
	 * Its sessions go before its files.  Without its accounting file,
	 * which every session of the user holds open, those of other
	 * machines sharing the storage end within seconds (quota.h); this
	 * machine's are ended below.  Removed under the lock: once it is
	 * let go, an ftpuser-add of the name makes the new user's file.
	 */
	admin_who_of(&who, uid, home, &conf, name, &db);
	elsewhere = admin_count_elsewhere(&conf, name, &who);
	quota_file = path_join(conf.quota_dir, name);
	if (unlink(quota_file) == -1 && errno != ENOENT) {
		admin_warn("cannot remove %s", quota_file);
		rc = ADMIN_EXIT_FAILURE;
	}
	free(quota_file);
	close(lockfd);
	userdb_free(&db);
	ended = admin_end_sessions(&who);
	printf("%s: removed user '%s'; ended %zu running session%s\n", PROGNAME,
	    name, ended, ended == 1 ? "" : "s");
	fflush(stdout);
	if (admin_del_elsewhere(&conf, name, uid, elsewhere) != 0)
		rc = ADMIN_EXIT_FAILURE;

	if (homefd != -1) {
		bad = remove_below(homefd, home, &on);
		/* The name must still be the directory just emptied. */
		if (bad == 0 &&
		    (fstat(homefd, &hst) == -1 || lstat(home, &lst) == -1 ||
			hst.st_dev != lst.st_dev || hst.st_ino != lst.st_ino)) {
			admin_warnx("%s changed while it was emptied", home);
			bad++;
		}
		close(homefd);
		if (bad == 0 && rmdir(home) == -1 && errno != ENOENT) {
			admin_warn("cannot remove %s", home);
			bad++;
		}
		if (bad > 0) {
			admin_warnx("user '%s' was removed, but %zu entr%s "
				    "of %s %s left",
			    name, bad, bad == 1 ? "y" : "ies", home,
			    bad == 1 ? "was" : "were");
			rc = ADMIN_EXIT_FAILURE;
		}
	}
	free(home);
	config_free(&conf);
	return rc;
}
