/*
 * admin_uid.c: uid allocation for ftpuser-add, and the uids it must not
 * give: system accounts, and uids still holding a removed user's files
 * (see admin_uid.h).
 *
 * Runs as: root, from an administrator's shell or script, under the user
 * database lock.  The homes' base is walked without following symbolic
 * links: its contents are the users' to shape.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin_common.h"
#include "admin_uid.h"
#include "util.h"

/* Uids seen, kept sorted and unique by admin_uid_set_tidy. */
struct admin_uid_set {
	uid_t *v;
	size_t n, cap, sorted;
};

static int
admin_cmp_uid(const void *a, const void *b)
{
	uid_t x = *(const uid_t *)a, y = *(const uid_t *)b;

	return x < y ? -1 : x > y;
}

static void
admin_uid_set_tidy(struct admin_uid_set *s)
{
	size_t i, j = 0;

	qsort(s->v, s->n, sizeof(*s->v), admin_cmp_uid);
	for (i = 0; i < s->n; i++)
		if (j == 0 || s->v[j - 1] != s->v[i])
			s->v[j++] = s->v[i];
	s->n = s->sorted = j;
}

static void
admin_uid_set_add(struct admin_uid_set *s, uid_t u)
{
	/* A home's files mostly share one owner: skip repeats cheaply. */
	if (s->n > 0 && s->v[s->n - 1] == u)
		return;
	if (s->n == s->cap) {
		admin_uid_set_tidy(s);
		if (s->n * 2 >= s->cap) {
			s->cap = s->cap ? s->cap * 2 : 64;
			s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
		}
	}
	s->v[s->n++] = u;
}

static int
admin_uid_set_has(const struct admin_uid_set *s, uid_t u)
{
	return bsearch(&u, s->v, s->sorted, sizeof(*s->v), admin_cmp_uid) !=
	    NULL;
}

/*
 * Add the owner and group of every file under c->home_base that lie in
 * [lo, hi].  A part that cannot be read is warned about and skipped.
 * Unlike the removal and the count of a home (samefs.h), this walk goes
 * into mount points: a uid that owns a file a home can reach, a bind
 * mount's included, must not be handed to a new user.
 */
static void
admin_scan_base(
    const struct config *c, uid_t lo, uid_t hi, struct admin_uid_set *s)
{
	char *const paths[] = { c->home_base, NULL };
	FTSENT *e;
	FTS *fts;

	/* FTS_PHYSICAL: a link is an entry of its own, never followed. */
	if ((fts = fts_open(paths, FTS_PHYSICAL | FTS_NOCHDIR, NULL)) == NULL) {
		if (errno != ENOENT)
			admin_warn("cannot read %s", c->home_base);
		return;
	}
	while ((e = fts_read(fts)) != NULL) {
		switch (e->fts_info) {
		case FTS_DNR:
		case FTS_ERR:
		case FTS_NS:
			if (e->fts_errno != ENOENT)
				admin_warnx("cannot read %s: %s", e->fts_path,
				    strerror(e->fts_errno));
			continue;
		case FTS_DP:
			continue;
		default:
			break;
		}
		if (e->fts_statp->st_uid >= lo && e->fts_statp->st_uid <= hi)
			admin_uid_set_add(s, e->fts_statp->st_uid);
		if (e->fts_statp->st_gid >= lo && e->fts_statp->st_gid <= hi)
			admin_uid_set_add(s, (uid_t)e->fts_statp->st_gid);
	}
	if (errno != 0)
		admin_warn("cannot read %s", c->home_base);
	fts_close(fts);
}

/*
 * Call fn(uid, home, arg) for each line of the retired list whose home
 * still exists and is owned by its uid (the others hold nothing).
 */
static void
admin_scan_retired(
    const struct config *c, void (*fn)(uid_t, const char *, void *), void *arg)
{
	char *path, *line = NULL, *home;
	const char *errstr;
	size_t size = 0;
	ssize_t len;
	struct stat st;
	long long v;
	FILE *fp;
	int fd;

	path = path_join(c->quota_dir, ADMIN_RETIRED_FILE);
	/* Never waits on a FIFO put in the file's place (EINVAL). */
	if ((fd = open_regular_at(AT_FDCWD, path, O_RDONLY, 0)) == -1) {
		if (errno == EINVAL)
			admin_errx("cannot read %s: not a regular file", path);
		if (errno != ENOENT)
			admin_err("cannot read %s", path);
		free(path);
		return;
	}
	if ((fp = fdopen(fd, "r")) == NULL)
		admin_err("cannot read %s", path);
	while ((len = getline(&line, &size, fp)) != -1) {
		if (len > 0 && line[len - 1] == '\n')
			line[len - 1] = '\0';
		/* A line cut short by a crash is skipped. */
		if ((home = strchr(line, ':')) == NULL || home[1] != '/')
			continue;
		*home++ = '\0';
		v = strtonum(line, 1, ADMIN_ID_MAX, &errstr);
		if (errstr != NULL)
			continue;
		if (lstat(home, &st) == 0 && st.st_uid == (uid_t)v)
			fn((uid_t)v, home, arg);
	}
	if (ferror(fp))
		admin_err("cannot read %s", path);
	fclose(fp);
	free(line);
	free(path);
}

static void
admin_retired_add(uid_t uid, const char *home, void *arg)
{
	(void)home;
	admin_uid_set_add(arg, uid);
}

/* What admin_uid_held looks for: one uid, and the home holding it. */
struct admin_held {
	uid_t uid;
	char *home;
};

static void
admin_retired_match(uid_t uid, const char *home, void *arg)
{
	struct admin_held *h = arg;

	if (uid == h->uid && h->home == NULL)
		h->home = xstrdup(home);
}

int
admin_uid_retired(const struct config *c, uid_t uid, char *buf, size_t buflen)
{
	struct admin_held h = { uid, NULL };

	admin_scan_retired(c, admin_retired_match, &h);
	if (h.home == NULL)
		return 0;
	snprintf(buf, buflen, "the kept home %s of a removed user", h.home);
	free(h.home);
	return 1;
}

int
admin_uid_held(const struct config *c, uid_t uid, char *buf, size_t buflen,
    const char **why)
{
	struct admin_uid_set s = { NULL, 0, 0, 0 };

	if (admin_uid_retired(c, uid, buf, buflen)) {
		*why = buf;
		return 1;
	}
	admin_scan_base(c, uid, uid, &s);
	free(s.v);
	if (s.n > 0) {
		snprintf(buf, buflen, "files under %s", c->home_base);
		*why = buf;
		return 1;
	}
	return 0;
}

int
admin_uid_system(const struct config *c, uid_t uid, char *buf, size_t buflen)
{
	struct passwd *pw;

	errno = 0;
	if ((pw = getpwuid(uid)) != NULL) {
		snprintf(buf, buflen, "is the uid of the system account '%s'",
		    pw->pw_name);
		return 1;
	}
	if (uid < c->uid_min) {
		snprintf(buf, buflen,
		    "is below uid_min (%lu), among the system's uids",
		    (unsigned long)c->uid_min);
		return 1;
	}
	return 0;
}

int
admin_gid_system(const struct config *c, gid_t gid, char *buf, size_t buflen)
{
	struct group *gr;

	errno = 0;
	if ((gr = getgrgid(gid)) != NULL) {
		snprintf(buf, buflen, "is the gid of the system group '%s'",
		    gr->gr_name);
		return 1;
	}
	if (gid < c->uid_min) {
		snprintf(buf, buflen,
		    "is below uid_min (%lu), among the system's gids",
		    (unsigned long)c->uid_min);
		return 1;
	}
	return 0;
}

int
admin_retire_uid(const struct config *c, uid_t uid, const char *home)
{
	char *path, *line, lastc = '\n';
	struct stat st;
	int fd, len, rc = -1, saved;

	path = path_join(c->quota_dir, ADMIN_RETIRED_FILE);
	/*
	 * One short append, synced: a crash (or a full disk) leaves at most
	 * a cut line, which readers skip.  It is ended first, so that it
	 * does not swallow this record.
	 */
	fd = open(
	    path, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd != -1 && fstat(fd, &st) == 0 && st.st_size > 0 &&
	    pread(fd, &lastc, 1, st.st_size - 1) != 1)
		lastc = '\n';
	len = xasprintf(&line, "%s%lu:%s\n", lastc == '\n' ? "" : "\n",
	    (unsigned long)uid, home);
	if (fd != -1 && write(fd, line, (size_t)len) == len && fsync(fd) == 0)
		rc = 0;
	saved = errno;
	if (fd != -1)
		close(fd);
	free(line);
	free(path);
	errno = saved;
	return rc;
}

/* A NULL from getpwuid/getgrgid with one of these errno means "none". */
static int
admin_not_found(int e)
{
	return e == 0 || e == ENOENT || e == ESRCH || e == EBADF || e == EPERM;
}

int
admin_alloc_uid(const struct userdb *db, const struct config *c, uid_t *uid)
{
	struct admin_uid_set used = { NULL, 0, 0, 0 };
	uid_t cand;
	size_t i;
	int rc = -1;

	/* Every uid and gid of the database, and every held uid. */
	for (i = 0; i < db->n; i++) {
		admin_uid_set_add(&used, db->users[i].uid);
		admin_uid_set_add(&used, (uid_t)db->users[i].gid);
	}
	admin_scan_retired(c, admin_retired_add, &used);
	admin_scan_base(c, c->uid_min, c->uid_max, &used);
	admin_uid_set_tidy(&used);
	for (cand = c->uid_min;; cand++) {
		if (admin_uid_set_has(&used, cand))
			goto next;
		/* gid defaults to the uid, so the group must be free too. */
		errno = 0;
		if (getpwuid(cand) != NULL)
			goto next;
		if (!admin_not_found(errno))
			admin_err("getpwuid(%lu)", (unsigned long)cand);
		errno = 0;
		if (getgrgid((gid_t)cand) != NULL)
			goto next;
		if (!admin_not_found(errno))
			admin_err("getgrgid(%lu)", (unsigned long)cand);
		*uid = cand;
		rc = 0;
		break;
next:
		if (cand == c->uid_max)
			break;
	}
	free(used.v);
	return rc;
}
