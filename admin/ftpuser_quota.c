/*
 * ftpuser_quota.c: ftpuser-quota(8), show a user's disk usage against the
 * limits, or recount it from the home into the accounting file.
 *
 *   ftpuser-quota [-c config] name|--all
 *   ftpuser-quota [-c config] --recount name|--all
 *
 * Runs as: root, from an administrator's shell or script.  The recount
 * walks a tree the user controls: it never follows a link (quota.c).
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin_common.h"
#include "err.h"
#include "human.h"
#include "quota.h"
#include "userdb.h"
#include "util.h"

#define PROGNAME "ftpuser-quota"

static const char usage_text[] = "usage: " PROGNAME
				 " [-h] [-c config] name | --all\n"
				 "       " PROGNAME
				 " [-h] [-c config] --recount name | --all\n";

/*
 * "9.5 MiB used of 10 MiB, 512 KiB free" and the like, for bytes.  What
 * uploads in progress reserved (the accounting file's second line) is
 * no room for anything else: it is said, and not counted as free.
 */
static void
show_bytes(uint64_t used, uint64_t reserved, uint64_t limit)
{
	char u[HUMAN_SIZE_LEN], l[HUMAN_SIZE_LEN], f[HUMAN_SIZE_LEN];
	uint64_t taken = used + reserved < used ? UINT64_MAX : used + reserved;

	human_size(used, u, sizeof(u));
	if (limit == 0)
		printf("  bytes: %s used, no limit (%llu)", u,
		    (unsigned long long)used);
	else {
		human_size(limit, l, sizeof(l));
		human_size(taken < limit ? limit - taken : 0, f, sizeof(f));
		printf("  bytes: %s used of %s, %s free (%llu of %llu)", u, l,
		    f, (unsigned long long)used, (unsigned long long)limit);
		if (used > limit) {
			human_size(used - limit, f, sizeof(f));
			printf("; %s over the limit", f);
		}
	}
	if (reserved > 0) {
		human_size(reserved, f, sizeof(f));
		printf("; %s reserved by uploads in progress", f);
	}
	putchar('\n');
}

static void
show_files(uint64_t used, uint64_t limit)
{
	if (limit == 0) {
		printf(
		    "  files: %llu used, no limit\n", (unsigned long long)used);
		return;
	}
	printf("  files: %llu used of %llu, %llu free",
	    (unsigned long long)used, (unsigned long long)limit,
	    (unsigned long long)(used < limit ? limit - used : 0));
	if (used > limit)
		printf("; %llu over the limit",
		    (unsigned long long)(used - limit));
	putchar('\n');
}

/* Show one user; 0, or -1 after saying what is wrong. */
static int
quota_show(const struct config *c, const struct user *u)
{
	struct quota_usage use;
	int r;

	r = admin_read_usage(c, u->name, &use);
	if (r == QUOTA_ERR_CORRUPT) {
		admin_warnx("%s: the accounting file %s/%s is damaged (uploads "
			    "are refused); repair it with: %s --recount %s",
		    u->name, c->quota_dir, u->name, PROGNAME, u->name);
		return -1;
	}
	if (r == QUOTA_ERR_BUSY) {
		admin_warnx("%s: the accounting file %s/%s is locked (a "
			    "recount of the user, or a long change by one of "
			    "its sessions, runs); try again",
		    u->name, c->quota_dir, u->name);
		return -1;
	}
	if (r == -1 && errno == ENOENT) {
		admin_warnx("%s: there is no accounting file %s/%s (uploads "
			    "are refused); make it with: %s --recount %s",
		    u->name, c->quota_dir, u->name, PROGNAME, u->name);
		return -1;
	}
	if (r != 0) {
		admin_warn(
		    "%s: cannot read %s/%s", u->name, c->quota_dir, u->name);
		return -1;
	}
	printf("%s\n", u->name);
	show_bytes(use.bytes, use.reserved, u->quota_bytes);
	show_files(use.files, u->quota_files);
	return 0;
}

/* "9.5 MiB (9961472 bytes) in 12 files" */
static void
describe(const struct quota_usage *u, char *out, size_t outlen)
{
	char h[HUMAN_SIZE_LEN];

	human_size(u->bytes, h, sizeof(h));
	snprintf(out, outlen, "%s (%llu bytes) in %llu files", h,
	    (unsigned long long)u->bytes, (unsigned long long)u->files);
}

/*
 * The users file as a recount last read it under the lock, and its
 * stat then: it is read again only once it has changed, so that a
 * recount of every user reads it about once, not once a user (with
 * 100000 users, hours of parsing).  The tools replace it whole, by a
 * rename (a new inode, change time and usually size); an edit by hand
 * changes its times.
 */
struct db_seen {
	struct userdb db;
	struct stat st;
	int valid; /* st tells what db was read from */
};

static int
db_same(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    stat_same_content(a, b);
}

/*
 * The user called name in the users file as it is now (the lock held),
 * or NULL; hint: where it is likely to be (its index at the start).
 */
static struct user *
db_user_now(
    const struct config *c, struct db_seen *seen, const char *name, size_t hint)
{
	struct stat st;
	int have;

	/* The stat before the read: a change in between reads it again. */
	have = stat(c->users_file, &st) == 0;
	if (!seen->valid || !have || !db_same(&st, &seen->st)) {
		userdb_free(&seen->db);
		admin_load_db(&seen->db, c);
		seen->st = st;
		seen->valid = have;
	}
	if (hint < seen->db.n && strcmp(seen->db.users[hint].name, name) == 0)
		return &seen->db.users[hint];
	return userdb_find(&seen->db, name);
}

/*
 * The accounting file of u, open, for a recount: opened, or made where
 * it is missing, under the users file's lock, and only while the users
 * file still has u as the recount read it (same uid and home: the home
 * it counts).  Once the lock is let go the name may be removed and given
 * to someone else; the descriptor still reaches u's file, which the
 * removal unlinks, never the new user's, and a user removed before it
 * gets no file made again.  The file also gets the lock mark the users
 * file calls for (admin_sync_lock_mark).  -1 after saying why; *made:
 * the file was made here.
 */
static int
quota_open_for(const struct config *c, struct db_seen *seen,
    const struct user *u, size_t hint, int *made)
{
	struct user *now;
	int lockfd = admin_lock_db(c), fd = -1;

	*made = 0;
	now = db_user_now(c, seen, u->name, hint);
	if (now == NULL || now->uid != u->uid || strcmp(now->home, u->home)) {
		admin_warnx("%s: changed in the users file meanwhile; not "
			    "recounted",
		    u->name);
		goto out;
	}
	if ((fd = quota_open(c->quota_dir, u->name)) == -1 && errno == ENOENT) {
		if (admin_have_dir("quota_dir", c->quota_dir, 0700) == -1)
			goto out;
		if (quota_create(c->quota_dir, u->name) == -1) {
			admin_warn("%s: cannot create %s/%s", u->name,
			    c->quota_dir, u->name);
			goto out;
		}
		*made = 1;
		fd = quota_open(c->quota_dir, u->name);
	}
	if (fd == -1) {
		admin_warn(
		    "%s: cannot open %s/%s", u->name, c->quota_dir, u->name);
		goto out;
	}
	(void)admin_sync_lock_mark(c, now);
out:
	close(lockfd);
	return fd;
}

/* A recount's wait for a lock that another process holds. */
struct recount_wait {
	const char *name;
	uint64_t since;
	int said;
};

/*
 * The recount waits for the lock for as long as it is held (its count
 * must not miss a change), but not without a word: after a moment it
 * says what it waits for, once.  It never stops the wait.
 */
static int
recount_waiting(void *arg)
{
	struct recount_wait *w = arg;

	if (!w->said && mono_ms() - w->since >= ADMIN_USAGE_WAIT * 1000) {
		admin_warnx("%s: waiting for the accounting file's lock (a "
			    "recount of the user, or a long change by one of "
			    "its sessions, runs); ^C gives up, changing "
			    "nothing",
		    w->name);
		w->said = 1;
	}
	return 0;
}

/*
 * Recount one user under the accounting file's lock, making the file
 * first if it is missing.  0, or -1 after saying what is wrong.
 */
static int
quota_recount_user(const struct config *c, struct db_seen *seen,
    const struct user *u, size_t hint)
{
	struct recount_wait w = { u->name, mono_ms(), 0 };
	struct quota_usage before, after;
	char err[1024], now[128], was[128];
	int fd, r, made;

	/*
	 * A missing file: the home first.  A file made before a walk that
	 * then fails (the home not there, storage not mounted) would say
	 * zero used, and let the user store again what the home holds.
	 * Without it writes stay refused.
	 */
	if ((fd = quota_open(c->quota_dir, u->name)) == -1 && errno == ENOENT &&
	    quota_count_tree(u->home, &after, err, sizeof(err)) == -1) {
		admin_warnx("%s: cannot recount: %s", u->name, err);
		return -1;
	}
	if (fd != -1)
		close(fd);
	if ((fd = quota_open_for(c, seen, u, hint, &made)) == -1)
		return -1;
	quota_set_stop(recount_waiting, &w);
	if (made)
		strlcpy(was, "missing", sizeof(was));
	else if ((r = quota_read(fd, &before)) == 0)
		describe(&before, was, sizeof(was));
	else
		strlcpy(was, r == QUOTA_ERR_CORRUPT ? "damaged" : "unreadable",
		    sizeof(was));

	r = quota_recount(fd, u->home, &after, err, sizeof(err));
	quota_set_stop(NULL, NULL);
	close(fd);
	if (r == -1) {
		admin_warnx("%s: cannot recount: %s", u->name, err);
		return -1;
	}
	describe(&after, now, sizeof(now));
	printf("%s: %s; was %s\n", u->name, now, was);
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		ADMIN_COMMON_LONGOPTS,
		{ "recount", no_argument, NULL, 'r' },
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = NULL, *name = NULL;
	struct config conf;
	struct db_seen seen;
	struct userdb db;
	struct user *u;
	int ch, all = 0, recount = 0, failed = 0;
	size_t i;

	admin_init(PROGNAME, usage_text);
	opterr = 0; /* messages name the program, not argv[0] */
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			recount = 1;
			break;
		case 'a':
			all = 1;
			break;
		default:
			admin_common_option(
			    ch, optarg, &config_path, argv[optind - 1]);
		}
	}
	if (all && argc != optind)
		admin_usage_errx("--all goes without a user name");
	if (!all) {
		admin_name_count(argc, argv, optind, 1);
		name = admin_parse_name(argv[optind]);
	}
	admin_require_root();
	admin_load_config(&conf, config_path);
	admin_load_db(&db, &conf);
	memset(&seen, 0, sizeof(seen));

	if (!all) {
		u = admin_find_user(&db, name);
		failed = recount ?
		    quota_recount_user(&conf, &seen, u, 0) == -1 :
		    quota_show(&conf, u) == -1;
	}
	for (i = 0; all && i < db.n; i++) {
		if (recount ? quota_recount_user(
				  &conf, &seen, &db.users[i], i) == -1 :
			      quota_show(&conf, &db.users[i]) == -1)
			failed = 1;
	}
	if (fflush(stdout) == EOF || ferror(stdout))
		admin_err("writing the output");
	userdb_free(&seen.db);
	userdb_free(&db);
	config_free(&conf);
	return failed ? ADMIN_EXIT_FAILURE : 0;
}
