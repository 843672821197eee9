/*
 * ftpuser_add.c: ftpuser-add(8), add a virtual user: a line in the user
 * database, a home directory owned by the user's uid, and an empty
 * accounting file.
 *
 * Runs as: root, from an administrator's shell or script.  Either all of
 * it is made or, on any failure, what was made is removed again.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin_common.h"
#include "admin_password.h"
#include "admin_limits.h"
#include "admin_uid.h"
#include "human.h"
#include "mftp_limits.h"
#include "quota.h"
#include "samefs.h"
#include "userdb.h"
#include "util.h"

#define PROGNAME "ftpuser-add"

/* What has been made so far, removed again on failure. */
struct add_undo {
	char *home;	  /* created home directory */
	char *quota_file; /* created accounting file */
};

static const char usage_text[] =
    "usage: " PROGNAME " [-h] [-c config] [--password-stdin] [--uid uid]\n"
    "       [--gid gid] [--force] [--home dir] [--quota-bytes size]\n"
    "       [--quota-files n] [--max-sessions n] [--rate size]\n"
    "       [--allow-from addr[/len],...] name\n";

static void
add_undo_run(void *arg)
{
	struct add_undo *undo = arg;

	if (undo->quota_file != NULL && unlink(undo->quota_file) == -1)
		admin_warn("cannot remove %s", undo->quota_file);
	if (undo->home != NULL && rmdir(undo->home) == -1)
		admin_warn("cannot remove %s", undo->home);
}

/* Digits only, as sizes and counts: strtonum would take blanks and '+'. */
static uid_t
parse_id(const char *what, const char *s)
{
	uint64_t v;

	if (human_parse_count(s, ADMIN_ID_MAX, &v) == -1 || v == 0)
		admin_usage_errx("%s '%s' is not a whole number from 1 to %lld",
		    what, s, ADMIN_ID_MAX);
	return (uid_t)v;
}

/* 1 if the directory open on fd has no entry, 0 if it has, -1 (errno). */
static int
dir_empty(int fd)
{
	struct dirent *de;
	DIR *d;
	int dfd, n = 0;

	if ((dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return -1;
	}
	while ((errno = 0, de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	if (errno != 0) {
		closedir(d);
		return -1;
	}
	closedir(d);
	return n == 0;
}

/*
 * Whether home, which exists, is what an ftpuser-add killed before it
 * wrote the users file left (no cleanup runs on SIGKILL): a directory,
 * not a link nor a mount point, of mode 0700, empty, owned by a uid of
 * uid_min..uid_max that no user of db, no passwd entry and no removed
 * user's kept home has (the uid that ftpuser-add had taken for it), or
 * by root (the kill came before its chown) when it is the default home,
 * home_base/name: a --home could name any empty root directory, such as
 * a lost+found.  Such a home holds nothing of anyone, and the new user
 * takes it over (make_home).
 */
static int
leftover_home(const struct userdb *db, const struct config *c, const char *home,
    int is_default)
{
	struct samefs on;
	struct stat st;
	char why[512];
	int fd, pfd, r = 0;

	if ((fd = open(
		 home, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return 0;
	if ((pfd = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
		-1 ||
	    samefs_of(pfd, &on) == -1 || samefs_statat(fd, "", &on, &st) != 1)
		goto out;
	if ((st.st_mode & 07777) != 0700 || dir_empty(fd) != 1)
		goto out;
	if (st.st_uid == 0 ?
		!is_default :
		(st.st_uid < c->uid_min || st.st_uid > c->uid_max ||
		    admin_find_uid(db, st.st_uid) != NULL ||
		    getpwuid(st.st_uid) != NULL ||
		    admin_uid_retired(c, st.st_uid, why, sizeof(why))))
		goto out;
	r = 1;
out:
	if (pfd != -1)
		close(pfd);
	close(fd);
	return r;
}

/*
 * Make the home directory, owned by uid:gid, mode 0700; or, when
 * leftover is set, take over the one leftover_home found there.
 */
static void
make_home(
    const char *home, uid_t uid, gid_t gid, int leftover, struct add_undo *undo)
{
	struct stat st;
	int fd;

	/* Nowhere a user could swap a name on the way (said why). */
	if (admin_check_parents(home) == -1)
		admin_err_walked("cannot create %s", home);
	if (!leftover && mkdir(home, 0700) == -1)
		admin_err("cannot create %s", home);
	undo->home = xstrdup(home);
	/* Through a descriptor of the directory just made, never a name
	 * that could have been swapped for a link in between. */
	if ((fd = open(
		 home, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		admin_err("cannot open %s", home);
	/*
	 * A leftover's owner could write in it until the chown, and could
	 * have opened its mode to others meanwhile: once the user's and
	 * 0700 nobody else can add an entry, so it must be empty then, or
	 * it is given back.
	 */
	if (leftover) {
		free(undo->home);
		undo->home = NULL; /* not ours to remove before the chown */
		if (fstat(fd, &st) == -1 || fchown(fd, uid, gid) == -1 ||
		    fchmod(fd, 0700) == -1)
			admin_err("cannot give %s to %lu:%lu", home,
			    (unsigned long)uid, (unsigned long)gid);
		if (dir_empty(fd) != 1) {
			if (fchown(fd, st.st_uid, st.st_gid) == -1 ||
			    fchmod(fd, st.st_mode & 07777) == -1)
				admin_warn("cannot give %s back", home);
			admin_errx("home %s already exists", home);
		}
		undo->home = xstrdup(home);
	}
	if (fchown(fd, uid, gid) == -1)
		admin_err("cannot give %s to %lu:%lu", home, (unsigned long)uid,
		    (unsigned long)gid);
	if (fchmod(fd, 0700) == -1)
		admin_err("cannot chmod %s", home);
	close(fd);
}

/* The accounting file (quota.h): zero usage, for an empty home. */
static void
make_quota_file(const struct config *c, const char *name, struct add_undo *undo)
{
	char *path;

	path = path_join(c->quota_dir, name);
	/* A left-over file of a removed user of that name is replaced: the
	 * new home is empty. */
	if (quota_create(c->quota_dir, name) == -1) {
		if (errno != EEXIST)
			admin_err("cannot create %s", path);
		if (unlink(path) == -1)
			admin_err("cannot replace %s", path);
		if (quota_create(c->quota_dir, name) == -1)
			admin_err("cannot create %s", path);
	}
	undo->quota_file = path;
}

/*
 * home_base/name, as plain a path as --home must be: home_base's
 * trailing '/'s are left out ("/srv/mftp/" would give "/srv/mftp//bob",
 * a home that ftpuser-mod --home refuses; "/": the homes are /name), and
 * one that still makes no plain path ("..", "//" inside) is an error
 * naming it.
 */
static char *
default_home(const struct config *c, const char *name)
{
	char *home = path_join(c->home_base, name);

	if (!admin_valid_home(home))
		admin_errx("home_base %s gives the home %s, not a plain "
			   "absolute path (no '//', '.' or '..'): fix it in "
			   "the configuration, or give --home",
		    c->home_base, home);
	return home;
}

/* What the command line asks for. */
struct add_opts {
	const char *config_path;
	const char *name;
	const char *home; /* NULL: home_base/name */
	int from_stdin;
	int force; /* --uid, --gid may be a system's, a removed user's */
	int have_uid;
	int have_gid;
	uid_t uid;
	gid_t gid;
	struct admin_limits limits; /* quotas, sessions, rate, networks */
};

static void
parse_args(int argc, char *argv[], struct add_opts *o)
{
	static const struct option longopts[] = {
		ADMIN_COMMON_LONGOPTS,
		{ "password-stdin", no_argument, NULL, 'P' },
		{ "uid", required_argument, NULL, 'u' },
		{ "force", no_argument, NULL, 'F' },
		{ "gid", required_argument, NULL, 'g' },
		{ "home", required_argument, NULL, 'd' },
		ADMIN_LIMITS_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(o, 0, sizeof(*o));
	opterr = 0; /* messages name the program, not argv[0] */
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		if (admin_limits_option(&o->limits, ch, optarg))
			continue;
		switch (ch) {
		case 'P':
			o->from_stdin = 1;
			break;
		case 'F':
			o->force = 1;
			break;
		case 'u':
			o->uid = parse_id("uid", optarg);
			o->have_uid = 1;
			break;
		case 'g':
			o->gid = (gid_t)parse_id("gid", optarg);
			o->have_gid = 1;
			break;
		case 'd':
			o->home = admin_parse_home(optarg);
			break;
		default:
			admin_common_option(
			    ch, optarg, &o->config_path, argv[optind - 1]);
		}
	}
	admin_name_count(argc, argv, optind, 1);
	if (o->force && !o->have_uid && !o->have_gid)
		admin_usage_errx("--force goes with --uid or --gid");
	o->name = admin_parse_name(argv[optind]);
}

/*
 * A uid given with --uid that is a system account's, or that still owns
 * a removed user's files, would hand the new user what that uid owns;
 * a gid, given with --gid or the number of the --uid (the default), that
 * is a system group's would give the user's sessions and files that
 * group: only with --force.
 */
static void
check_given_ids(const struct config *c, const struct add_opts *o)
{
	char why[512];
	const char *held;
	gid_t gid = o->have_gid ? o->gid : (gid_t)o->uid;

	if (o->have_uid && admin_uid_system(c, o->uid, why, sizeof(why)))
		admin_errx("uid %lu %s: the new user would own its files "
			   "and processes; give --force to use it anyway",
		    (unsigned long)o->uid, why);
	if (o->have_uid && admin_uid_held(c, o->uid, why, sizeof(why), &held))
		admin_errx("uid %lu still owns %s: the new user would own "
			   "them; give --force to use it anyway",
		    (unsigned long)o->uid, held);
	if (!admin_gid_system(c, gid, why, sizeof(why)))
		return;
	if (o->have_gid)
		admin_errx("gid %lu %s: the new user's sessions and files "
			   "would have that group; give --force to use it "
			   "anyway",
		    (unsigned long)gid, why);
	admin_errx("gid %lu %s (without --gid, the gid is the number of "
		   "--uid): the new user's sessions and files would have "
		   "that group; give another with --gid, or --force to use "
		   "it anyway",
	    (unsigned long)gid, why);
}

/*
 * Refuse what would clash with db or the file system: run once before
 * the password is asked (so that no one types it in vain) and again
 * under the lock (the answer that counts).  1 if home is there, left
 * over by a killed ftpuser-add (leftover_home), 0 if it is not there.
 */
static int
check_new_user(const struct userdb *db, const struct config *c,
    const struct add_opts *o, const char *home)
{
	const struct user *other;
	struct stat st;
	size_t i;

	for (i = 0; i < db->n; i++)
		if (strcmp(db->users[i].name, o->name) == 0)
			admin_errx("user '%s' already exists", o->name);
	/* One more would make the file unreadable to every program. */
	if (db->n >= MFTP_USERDB_USERS_MAX)
		admin_errx("the user database is full (%d users); remove "
			   "one with ftpuser-del first",
		    MFTP_USERDB_USERS_MAX);
	if (o->have_uid && (other = admin_find_uid(db, o->uid)) != NULL)
		admin_errx("uid %lu is already used by '%s'",
		    (unsigned long)o->uid, other->name);
	if ((o->have_uid || o->have_gid) && !o->force)
		check_given_ids(c, o);
	if (lstat(home, &st) == 0) {
		if (leftover_home(db, c, home, o->home == NULL))
			return 1;
		admin_errx("home %s already exists", home);
	}
	if (errno != ENOENT)
		admin_err("%s", home);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct add_undo undo = { NULL, NULL };
	struct add_opts o;
	struct config conf;
	struct userdb db;
	struct user u;
	char *password, *hash, *home;
	uid_t uid;
	int lockfd, leftover;

	admin_init(PROGNAME, usage_text);
	umask(022);
	parse_args(argc, argv, &o);
	/* Before the password is asked: it could not be stored. */
	admin_require_root();
	admin_load_config(&conf, o.config_path);
	if (o.home != NULL)
		home = xstrdup(o.home);
	else
		home = default_home(&conf, o.name);

	/* Ask for the password before taking the lock, so that typing
	 * does not hold it. */
	admin_load_db(&db, &conf);
	check_new_user(&db, &conf, &o, home);
	userdb_free(&db);
	/* Never made here, nor on a bare mount point (admin_have_dir). */
	if (o.home == NULL)
		admin_need_dir("home_base", conf.home_base, 0755);
	admin_need_dir("quota_dir", conf.quota_dir, 0700);
	password = admin_read_password(o.from_stdin, conf.password_min);
	hash = admin_hash_password(password);
	admin_secret_free(password);

	lockfd = admin_lock_db(&conf);
	admin_load_db(&db, &conf);
	leftover = check_new_user(&db, &conf, &o, home);
	if (o.have_uid)
		uid = o.uid;
	else if (admin_alloc_uid(&db, &conf, &uid) == -1)
		admin_errx("no free uid in %lu..%lu (uid_min..uid_max; a uid "
			   "that owns files under %s or a removed user's "
			   "kept home is not free)",
		    (unsigned long)conf.uid_min, (unsigned long)conf.uid_max,
		    conf.home_base);

	admin_on_failure(add_undo_run, &undo);
	make_home(home, uid, o.have_gid ? o.gid : (gid_t)uid, leftover, &undo);
	make_quota_file(&conf, o.name, &undo);

	memset(&u, 0, sizeof(u));
	strlcpy(u.name, o.name, sizeof(u.name));
	u.hash = hash;
	u.uid = uid;
	u.gid = o.have_gid ? o.gid : (gid_t)uid;
	u.home = home;
	u.allow = xstrdup("");
	admin_limits_apply(&o.limits, &u);
	if (userdb_add(&db, &u) == -1)
		admin_errx("the user database is full (%d users)",
		    MFTP_USERDB_USERS_MAX);
	admin_write_db(&db, conf.users_file);
	/* Committed: from here on nothing is undone. */
	admin_on_failure(NULL, NULL);
	admin_limits_note(&o.limits, &u);

	close(lockfd);
	userdb_free(&db);
	admin_secret_free(hash);
	free(home);
	free(undo.home);
	free(undo.quota_file);
	free(u.allow);
	admin_limits_free(&o.limits);
	config_free(&conf);
	return 0;
}
