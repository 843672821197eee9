/*
 * ftpuser_mod.c: ftpuser-mod(8), change a virtual user: password, quota
 * limits, home directory, locked or not.  Locking also ends the user's
 * running sessions.
 *
 * Runs as: root, from an administrator's shell or script.  All changes
 * asked for on one command line go into the user database in one atomic
 * rewrite under its lock; a failure before it changes nothing there.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin_common.h"
#include "admin_password.h"
#include "admin_limits.h"
#include "admin_sessions.h"
#include "quota.h"
#include "slots.h"
#include "userdb.h"
#include "util.h"

#define PROGNAME "ftpuser-mod"

static const char usage_text[] =
    "usage: " PROGNAME " [-h] [-c config] [--password | --password-stdin]\n"
    "       [--quota-bytes size] [--quota-files n] [--home dir]\n"
    "       [--max-sessions n] [--rate size] [--allow-from addr[/len],...]\n"
    "       [--lock | --unlock] name\n";

/* What the command line asks for. */
struct mod_opts {
	const char *config_path;
	const char *name;
	const char *home;	    /* NULL: unchanged */
	int password;		    /* 1: terminal, 2: standard input */
	int lock;		    /* 1: lock, -1: unlock */
	struct admin_limits limits; /* quotas, sessions, rate, networks */
};

static void
parse_args(int argc, char *argv[], struct mod_opts *o)
{
	static const struct option longopts[] = {
		ADMIN_COMMON_LONGOPTS,
		{ "password", no_argument, NULL, 'p' },
		{ "password-stdin", no_argument, NULL, 'P' },
		{ "home", required_argument, NULL, 'd' },
		{ "lock", no_argument, NULL, 'L' },
		{ "unlock", no_argument, NULL, 'U' },
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
		case 'p':
		case 'P':
			if (o->password != 0)
				admin_usage_errx("give --password or "
						 "--password-stdin once");
			o->password = ch == 'p' ? 1 : 2;
			break;
		case 'd':
			o->home = admin_parse_home(optarg);
			break;
		case 'L':
		case 'U':
			if (o->lock != 0)
				admin_usage_errx(
				    "give --lock or --unlock once");
			o->lock = ch == 'L' ? 1 : -1;
			break;
		default:
			admin_common_option(
			    ch, optarg, &o->config_path, argv[optind - 1]);
		}
	}
	admin_name_count(argc, argv, optind, 1);
	o->name = admin_parse_name(argv[optind]);
	if (o->password == 0 && o->lock == 0 && o->home == NULL &&
	    !admin_limits_given(&o->limits))
		admin_usage_errx("nothing to change");
}

/*
 * The new home: an existing directory must be the user's own; a missing
 * one is made (parents owned by root, 0755) owned by the user, 0700.
 */
static void
prepare_home(const char *home, uid_t uid, gid_t gid)
{
	struct stat st;
	int fd;

	/* Nowhere a user could swap a name on the way (said why). */
	if (admin_check_parents(home) == -1)
		admin_err_walked("cannot use %s as a home", home);
	if (lstat(home, &st) == 0) {
		if (!S_ISDIR(st.st_mode) || st.st_uid != uid)
			admin_errx("home %s exists and is not a directory "
				   "owned by uid %lu",
			    home, (unsigned long)uid);
		return;
	}
	if (errno != ENOENT)
		admin_err("%s", home);
	/*
	 * Made here, or refused: under a sticky parent (/tmp) someone may
	 * put a directory of his own at that name after the lstat above,
	 * and it must not become the user's home with his inside it.
	 */
	if (admin_mkdirs_fresh(home, 0700) == -1)
		admin_err_walked("cannot create %s", home);
	/* Through a descriptor of the directory just made, never a name
	 * that could have been swapped for a link in between. */
	if ((fd = open(
		 home, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		admin_err("cannot open %s", home);
	if (fchown(fd, uid, gid) == -1 || fchmod(fd, 0700) == -1)
		admin_err("cannot give %s to %lu:%lu", home, (unsigned long)uid,
		    (unsigned long)gid);
	close(fd);
}

/*
 * Apply o to u; hash is the new password's hash, or NULL.  Returns
 * nonzero if --lock or --unlock found the account already so.
 */
static int
apply(struct user *u, const struct mod_opts *o, const char *hash)
{
	int locked = u->hash[0] == '!';
	const char *plain;
	char *nh;

	if (hash != NULL) {
		/* A new password keeps the account locked if it was. */
		if ((locked && o->lock != -1) || o->lock == 1)
			xasprintf(&nh, "!%s", hash);
		else
			nh = xstrdup(hash);
		admin_secret_free(u->hash);
		u->hash = nh;
	} else if (o->lock == 1 && !locked) {
		xasprintf(&nh, "!%s", u->hash);
		admin_secret_free(u->hash);
		u->hash = nh;
	} else if (o->lock == -1 && locked) {
		for (plain = u->hash; *plain == '!'; plain++)
			;
		if (*plain == '\0' || *plain == '*')
			admin_errx("user '%s' has no password to unlock; set "
				   "one with --password",
			    u->name);
		nh = xstrdup(plain);
		admin_secret_free(u->hash);
		u->hash = nh;
	}
	if (o->home != NULL) {
		free(u->home);
		u->home = xstrdup(o->home);
	}
	admin_limits_apply(&o->limits, u);
	return (o->lock == 1 && locked) || (o->lock == -1 && !locked);
}

int
main(int argc, char *argv[])
{
	struct mod_opts o;
	struct admin_who who;
	struct config conf;
	struct userdb db;
	struct user *u;
	char *password, *hash = NULL, *old_home = NULL;
	size_t ended, running;
	uid_t uid;
	int lockfd, already, one, unmarked, held = 0, left = 0, elsewhere = 0;

	admin_init(PROGNAME, usage_text);
	umask(022);
	parse_args(argc, argv, &o);
	admin_require_root();
	admin_load_config(&conf, o.config_path);

	/* Refuse an unknown user before the password is typed in vain;
	 * the password is read before the lock so typing does not hold
	 * it. */
	admin_load_db(&db, &conf);
	(void)admin_find_user(&db, o.name);
	userdb_free(&db);
	if (o.password != 0) {
		password = admin_read_password(
		    o.password == 2, conf.password_min);
		hash = admin_hash_password(password);
		admin_secret_free(password);
	}

	lockfd = admin_lock_db(&conf);
	admin_load_db(&db, &conf);
	u = admin_find_user(&db, o.name);
	if (o.home != NULL) {
		prepare_home(o.home, u->uid, u->gid);
		old_home = xstrdup(u->home);
	}
	uid = u->uid;
	already = apply(u, &o, hash);
	admin_write_db(&db, conf.users_file);
	admin_limits_note(&o.limits, u);
	/* Under the lock: the accounting file is still this user's. */
	admin_who_of(&who, uid, u->home, &conf, o.name, &db);
	/* Those of other machines, counted before the mark that ends them
	 * (they may be gone before the wait below looks). */
	if (o.lock == 1)
		elsewhere = admin_count_elsewhere(&conf, o.name, &who);
	/*
	 * The mark that sessions on every node see (quota.h), under the
	 * same lock as the users file, and on every run: one left apart
	 * from the file (an unlock by hand, a tool killed in between) is
	 * put back in line by any change.  Once the lock is let go, the
	 * name may be removed and given to a new user, whose file this
	 * must not mark.  The sessions of other machines sharing the
	 * storage end within seconds of a lock.
	 */
	unmarked = admin_sync_lock_mark(&conf, u) == -1;
	close(lockfd);

	/* A lock says it with the sessions it ended (below). */
	if (already && o.lock != 1)
		printf(
		    "%s: user '%s' was already unlocked\n", PROGNAME, o.name);
	/* The man page says it too; said here, where it is done. */
	if (old_home != NULL && strcmp(old_home, o.home) != 0)
		printf("%s: %s's home is now %s; nothing was moved from %s, "
		       "whose files the accounting still counts: move them, "
		       "then run ftpuser-quota --recount %s\n",
		    PROGNAME, o.name, o.home, old_home, o.name);
	/*
	 * Committed: a locked user can no longer log in; now end the
	 * sessions it has (even if it was locked already: one may have
	 * been let in just before).
	 */
	if (o.lock == 1) {
		ended = admin_end_sessions(&who);
		if (already)
			printf("%s: user '%s' was already locked; ended %zu "
			       "running session%s\n",
			    PROGNAME, o.name, ended, ended == 1 ? "" : "s");
		else
			printf("%s: locked user '%s'; ended %zu running "
			       "session%s\n",
			    PROGNAME, o.name, ended, ended == 1 ? "" : "s");
		/* Those of other machines: they see the mark, then end. */
		if (!unmarked)
			left = admin_wait_elsewhere(
			    &conf, o.name, elsewhere, &held);
		if (held > 0 && left == 0)
			printf("%s: %d session%s of '%s' on other machines "
			       "ended too\n",
			    PROGNAME, held, held == 1 ? "" : "s", o.name);
	} else if (o.password != 0 || o.home != NULL ||
	    admin_limits_given(&o.limits)) {
		/*
		 * A session read the user's line at its login and never
		 * again (it cannot: chrooted, it reaches no users file).
		 * Those of other machines sharing the storage hold session
		 * slots too.
		 */
		running = admin_count_sessions(&who);
		held = slots_count(conf.session_dir, o.name);
		if (held < 0 || (size_t)held < running)
			held = (int)running;
		one = held == 1;
		if ((size_t)held > running)
			printf("%s: %d session%s of '%s' run%s (%zu on this "
			       "machine) with what %s logged in with: the "
			       "change counts from %s next login (--lock ends "
			       "%s)\n",
			    PROGNAME, held, one ? "" : "s", o.name,
			    one ? "s" : "", running, one ? "it" : "they",
			    one ? "its" : "their", one ? "it" : "them");
		else if (running > 0)
			printf("%s: %zu session%s of '%s' run%s on this "
			       "machine with what %s logged in with: the "
			       "change counts from %s next login (--lock ends "
			       "%s)\n",
			    PROGNAME, running, one ? "" : "s", o.name,
			    one ? "s" : "", one ? "it" : "they",
			    one ? "its" : "their", one ? "it" : "them");
	}
	if (fflush(stdout) == EOF)
		admin_err("writing the output");
	/*
	 * The users file has the change, but the other nodes' sessions end
	 * by the mark (quota.h): not a success (said above, as a warning).
	 */
	if (unmarked)
		admin_errx("the users file says '%s' is %s, but its "
			   "accounting file could not say so: sessions on "
			   "other machines go on; mend it, then run this again",
		    o.name, u->hash[0] == '!' ? "locked" : "unlocked");
	if (left > 0)
		admin_errx("'%s' is locked, but %d session%s of it still "
			   "hold%s a slot in %s after %d seconds (on other "
			   "machines sharing it?): each ends when it sees the "
			   "lock, and an --unlock before that leaves it "
			   "running; %s (ftpuser-mod --lock there does)",
		    o.name, left, left == 1 ? "" : "s", left == 1 ? "s" : "",
		    conf.session_dir, ADMIN_ELSEWHERE_WAIT_MS / 1000,
		    ADMIN_ELSEWHERE_STUCK);

	free(old_home);
	userdb_free(&db);
	admin_secret_free(hash);
	admin_limits_free(&o.limits);
	config_free(&conf);
	return 0;
}
