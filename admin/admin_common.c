/*
 * admin_common.c: code the ftpuser-* tools share (see admin_common.h).
 *
 * Runs as: root, from an administrator's shell or script.  Passwords are
 * wiped from every buffer that held them before it is freed.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin_common.h"
#include "err.h"
#include "human.h"
#include "log.h"
#include "quota.h"
#include "util.h"

static const char *admin_progname = "ftpuser";
static const char *admin_usage_text = "";
static void (*admin_fail_fn)(void *);
static void *admin_fail_arg;

void
admin_init(const char *progname, const char *usage_text)
{
	admin_progname = progname;
	admin_usage_text = usage_text;
	log_init(progname, 1);
}

void
admin_usage(void)
{
	fputs(admin_usage_text, stderr);
	exit(ADMIN_EXIT_USAGE);
}

/* The usage, then the options every tool takes (ftpuser(8)). */
void
admin_help(void)
{
	fputs(admin_usage_text, stdout);
	printf("\n"
	       "  -c, --config=FILE  mftpd's configuration file\n"
	       "                     (default %s)\n"
	       "  -h, --help         show this help and exit\n"
	       "      --version      show the version and exit\n"
	       "See ftpuser(8).\n",
	    MFTP_CONFIG_DEFAULT);
	exit(0);
}

void
admin_version(void)
{
	printf("%s %s\n", admin_progname, PACKAGE_VERSION);
	exit(0);
}

void
admin_common_option(
    int ch, const char *arg, const char **config_path, const char *word)
{
	switch (ch) {
	case 'c':
		*config_path = arg;
		return;
	case 'V':
		admin_version();
	case 'h':
		admin_help();
	default:
		admin_usage_errx(
		    "unknown option or missing argument: %s", word);
	}
}

void
admin_usage_errx(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", admin_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	admin_usage();
}

void
admin_name_count(int argc, char *argv[], int first, int min)
{
	char *all, *more;
	int i;

	if (argc - first < min)
		admin_usage_errx("no user name given");
	if (argc - first <= 1)
		return;
	all = xstrdup(argv[first]);
	for (i = first + 1; i < argc; i++) {
		xasprintf(&more, "%s %s", all, argv[i]);
		free(all);
		all = more;
	}
	admin_usage_errx("one user name only, not %d (%s)", argc - first, all);
}

uint64_t
admin_parse_size(const char *what, const char *s)
{
	uint64_t v;

	if (human_parse_size(s, &v) == 0)
		return v;
	if (errno == ERANGE)
		admin_usage_errx("%s '%s' is too large (at most %ju bytes)",
		    what, s, (uintmax_t)UINT64_MAX);
	admin_usage_errx("%s '%s' is not a size (a number with an optional "
			 "K, M, G, T, P or E, powers of 1024)",
	    what, s);
}

uint64_t
admin_parse_count(const char *what, const char *s, uint64_t max)
{
	uint64_t v;

	/* No suffixes: "1k" files would have to mean 1000 or 1024. */
	if (human_parse_count(s, max, &v) == -1)
		admin_usage_errx("%s '%s' is not a count (a whole number "
				 "from 0 to %ju, no suffix)",
		    what, s, (uintmax_t)max);
	return v;
}

const char *
admin_parse_name(const char *name)
{
	if (!userdb_valid_name(name))
		admin_usage_errx(
		    "invalid user name '%s' (1 to %d of a-z, 0-9, '_' "
		    "and '-', not starting with a digit or '-')",
		    name, MFTP_USER_MAX);
	return name;
}

const char *
admin_parse_home(const char *path)
{
	if (!admin_valid_home(path))
		admin_usage_errx("home '%s' is not a plain absolute path (no "
				 "':', '//', '.' or '..', no trailing '/')",
		    path);
	return path;
}

static void
admin_vmsg(int with_errno, const char *fmt, va_list ap)
{
	int saved = errno;

	fflush(stdout);
	fprintf(stderr, "%s: ", admin_progname);
	vfprintf(stderr, fmt, ap);
	if (with_errno)
		fprintf(stderr, ": %s", strerror(saved));
	fputc('\n', stderr);
	errno = saved;
}

void
admin_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	admin_vmsg(0, fmt, ap);
	va_end(ap);
}

void
admin_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	admin_vmsg(1, fmt, ap);
	va_end(ap);
}

void
admin_on_failure(void (*fn)(void *), void *arg)
{
	admin_fail_fn = fn;
	admin_fail_arg = arg;
}

static void
admin_run_failure(void)
{
	void (*fn)(void *) = admin_fail_fn;

	/* Once only, even if the cleanup itself fails fatally. */
	admin_fail_fn = NULL;
	if (fn != NULL)
		fn(admin_fail_arg);
}

/*
 * The library's fatal() ends here (this replaces its weak default): undo
 * what the tool had made, then exit with the tools' failure status.
 */
void
cleanup_exit(int status)
{
	admin_run_failure();
	_exit(status == 0 ? 0 : ADMIN_EXIT_FAILURE);
}

void
admin_errx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	admin_vmsg(0, fmt, ap);
	va_end(ap);
	admin_run_failure();
	exit(ADMIN_EXIT_FAILURE);
}

void
admin_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	admin_vmsg(1, fmt, ap);
	va_end(ap);
	admin_run_failure();
	exit(ADMIN_EXIT_FAILURE);
}

void
admin_err_walked(const char *fmt, ...)
{
	va_list ap;
	int with_errno = errno != EPERM;

	va_start(ap, fmt);
	admin_vmsg(with_errno, fmt, ap);
	va_end(ap);
	admin_run_failure();
	exit(ADMIN_EXIT_FAILURE);
}

/*
 * A users_file that is a symbolic link (each node's link to the one file
 * on shared storage) is replaced by the file it leads to: the rename of
 * a rewrite would put a file of this machine's own in the link's place,
 * which no other node reads, and the lock beside the link would be this
 * machine's alone.  A link that leads nowhere (the storage not mounted)
 * is an error, not an empty database to start a new file in.
 */
static void
admin_resolve_users_file(struct config *c)
{
	struct stat st;
	char *real;

	if (lstat(c->users_file, &st) == -1 || !S_ISLNK(st.st_mode))
		return;
	if ((real = realpath(c->users_file, NULL)) == NULL)
		admin_err("users_file %s is a symbolic link that cannot be "
			  "followed",
		    c->users_file);
	free(c->users_file);
	c->users_file = real;
}

void
admin_load_config(struct config *c, const char *path)
{
	char err[512];

	if (path == NULL)
		path = MFTP_CONFIG_DEFAULT;
	if (config_load(c, path, err, sizeof(err)) == -1)
		admin_errx("%s", err);
	admin_resolve_users_file(c);
}

/*
 * A users_file that does not exist: never taken for an empty one, nor
 * made here, where the storage it lives on may not be mounted (the
 * package makes an empty one at installation).
 */
static void __attribute__((noreturn)) admin_missing_db(const struct config *c)
{
	admin_errx("%s does not exist: if it is on shared storage, check "
		   "that it is mounted; to start a new user database, make "
		   "it empty with 'install -m 0600 /dev/null %s'",
	    c->users_file, c->users_file);
}

int
admin_lock_db(const struct config *c)
{
	struct stat st;
	int fd;

	/* Before the lock file is made beside it. */
	if (stat(c->users_file, &st) == -1 && errno == ENOENT)
		admin_missing_db(c);

	if ((fd = userdb_lock(c->users_file, ADMIN_LOCK_TIMEOUT)) == -1) {
		if (errno == EWOULDBLOCK)
			admin_errx("user database is locked by another "
				   "process (%s.lock)",
			    c->users_file);
		admin_err("cannot lock %s.lock", c->users_file);
	}
	return fd;
}

/*
 * Whether some password could match hash h: crypt(3) takes it as a
 * setting, and what it makes of a password is as long as h (a hash
 * edited by hand, 'x' or a string of any length, is matched by none).
 * Each such check is one hashing at h's cost (a few ms for bcrypt):
 * the first ADMIN_HASH_CHECKS of a run are made, the rest taken as good.
 */
#define ADMIN_HASH_CHECKS 16
static int
admin_hash_matchable(const char *h)
{
	static unsigned int checks;
	struct crypt_data *cd;
	const char *r;
	int ok;

	if (crypt_checksalt(h) == CRYPT_SALT_INVALID)
		return 0;
	if (checks++ >= ADMIN_HASH_CHECKS)
		return 1;
	/* struct crypt_data is 32 KiB: on the heap. */
	cd = xcalloc(1, sizeof(*cd));
	r = crypt_rn("", h, cd, sizeof(*cd));
	ok = r != NULL && r[0] != '*' && strlen(r) == strlen(h);
	freezero(cd, sizeof(*cd));
	return ok;
}

/*
 * A warning, once, for users whose hash crypt(3) can use but is not of
 * the method and cost ftpuser-add makes (written by hand or imported):
 * their logins work, but mftpd-auth verifies the default method's dummy
 * after theirs so that a failure costs what an unknown name's does, and
 * their own hash's time still adds to it.  Another, for those whose
 * hash no password matches (admin_hash_matchable).
 */
static void
admin_warn_legacy(const struct userdb *db)
{
	static int warned;
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	const char *first = NULL, *dead = NULL, *end;
	size_t i, n = 0, ndead = 0;

	if (warned ||
	    crypt_gensalt_rn(NULL, 0, NULL, 0, setting, sizeof(setting)) ==
		NULL ||
	    (end = strrchr(setting, '$')) == NULL)
		return;
	warned = 1;
	for (i = 0; i < db->n; i++) {
		const char *h = db->users[i].hash;

		if (h[0] == '!' || h[0] == '*' ||
		    userdb_hash_current(h, setting))
			continue;
		if (!admin_hash_matchable(h)) {
			if (ndead++ == 0)
				dead = db->users[i].name;
		} else if (n++ == 0)
			first = db->users[i].name;
	}
	if (ndead > 0)
		admin_warnx("warning: %zu user%s ('%s'%s) %s a password hash "
			    "no password matches: %s cannot log in; set a "
			    "password (ftpuser-mod --password NAME), or lock "
			    "the account (ftpuser-mod --lock NAME) to say so",
		    ndead, ndead == 1 ? "" : "s", dead,
		    ndead == 1 ? "" : ", ...", ndead == 1 ? "has" : "have",
		    ndead == 1 ? "it" : "they");
	if (n > 0)
		admin_warnx("warning: %zu user%s ('%s'%s) %s a password hash "
			    "of another method or cost than new ones "
			    "('%.*s'): logins work, but a failed one takes "
			    "that hash's time on top of an unknown name's, "
			    "which can tell that the name exists; set a new "
			    "password (ftpuser-mod --password NAME)",
		    n, n == 1 ? "" : "s", first, n == 1 ? "" : ", ...",
		    n == 1 ? "has" : "have", (int)(end - setting + 1), setting);
}

void
admin_load_db(struct userdb *db, const struct config *c)
{
	char err[512];
	struct stat st;

	if (userdb_load(db, c->users_file, err, sizeof(err)) == -1) {
		if (errno == ENOENT)
			admin_missing_db(c);
		admin_errx("%s", err);
	}
	/*
	 * The file mftpd-auth would refuse (userdb_trusted), and with it
	 * every login: lines someone else could write are not for root to
	 * build on, nor to bless by writing them back as root's.
	 */
	if (stat(c->users_file, &st) == 0 && !userdb_trusted(&st)) {
		userdb_free(db);
		if (st.st_uid == 0 && (st.st_mode & 022) == 0)
			admin_errx("%s can be read by others (mode %04o): "
				   "its password hashes are no longer root's "
				   "secret, and mftpd refuses every login "
				   "meanwhile; chmod 0600 it (and change the "
				   "passwords if others did read it)",
			    c->users_file, (unsigned int)(st.st_mode & 07777));
		admin_errx("%s is not root's alone (owner uid %lu, mode %04o): "
			   "its lines may not be root's, and mftpd refuses "
			   "every login meanwhile; check them, then chown "
			   "root and chmod 0600 it",
		    c->users_file, (unsigned long)st.st_uid,
		    (unsigned int)(st.st_mode & 07777));
	}
	admin_warn_legacy(db);
}

void
admin_secret_free(char *secret)
{
	if (secret != NULL)
		freezero(secret, strlen(secret));
}

struct user *
admin_find_user(struct userdb *db, const char *name)
{
	struct user *u;

	if ((u = userdb_find(db, name)) == NULL)
		admin_errx("no such user '%s'", name);
	return u;
}

const struct user *
admin_find_uid(const struct userdb *db, uid_t uid)
{
	size_t i;

	for (i = 0; i < db->n; i++)
		if (db->users[i].uid == uid)
			return &db->users[i];
	return NULL;
}

int
admin_valid_home(const char *path)
{
	const char *p, *comp;
	size_t len;

	if (path[0] != '/' || strlen(path) > 4095)
		return 0;
	for (p = path; *p != '\0'; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f || *p == ':')
			return 0;
	/* Each '/' starts a component that is not empty, "." or "..";
	 * this also refuses "/" alone, "//" and a trailing '/'. */
	for (p = path; *p == '/'; p = comp + len) {
		comp = p + 1;
		len = strcspn(comp, "/");
		if (len == 0 || (len == 1 && comp[0] == '.') ||
		    (len == 2 && comp[0] == '.' && comp[1] == '.'))
			return 0;
	}
	return 1;
}

/*
 * Whether names looked up in the directory fd (path, for the message)
 * are root's to choose: see admin_check_parents.  name is the one looked
 * up next, checked when others may write to the directory.
 */
static int
admin_dir_safe(int fd, const char *path, const char *name)
{
	struct stat st;

	if (fstat(fd, &st) == -1)
		return -1;
	if (st.st_uid == 0 && (st.st_mode & 022) == 0)
		return 0;
	if (st.st_uid == 0 && (st.st_mode & S_ISVTX) != 0 &&
	    (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == -1 ?
		    errno == ENOENT :
		    st.st_uid == 0))
		return 0;
	admin_warnx("%s is not root's alone: a user could swap the names in "
		    "it; nothing is made or changed under it",
	    path);
	errno = EPERM;
	return -1;
}

/*
 * Walk path from "/", each directory checked (admin_dir_safe) before a
 * name is looked up in it; missing ones are made (root's, 0755) when
 * make is set.  Returns a descriptor of path's parent, with path's last
 * component in last; or -1 with errno (ENOENT: a missing directory on
 * the way when make is not set).
 */
static int
admin_walk_parents(const char *path, int make, char last[NAME_MAX + 1])
{
	size_t size = strlen(path) + 2, clen;
	char *dir = xcalloc(1, size), name[NAME_MAX + 1];
	const char *comp = path, *rest;
	int fd, nfd, saved;

	strlcpy(dir, "/", size);
	if ((fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		goto fail;
	for (;;) {
		while (*comp == '/')
			comp++;
		clen = strcspn(comp, "/");
		if (clen == 0 || clen > NAME_MAX) {
			errno = clen == 0 ? EINVAL : ENAMETOOLONG;
			goto fail;
		}
		memcpy(name, comp, clen);
		name[clen] = '\0';
		for (rest = comp + clen; *rest == '/'; rest++)
			;
		/* The parent of the last name is looked in too. */
		if (admin_dir_safe(fd, dir, name) == -1)
			goto fail;
		if (*rest == '\0') {
			memcpy(last, name, clen + 1);
			free(dir);
			return fd;
		}
		if ((make && mkdirat(fd, name, 0755) == -1 &&
			errno != EEXIST) ||
		    (nfd = openat(
			 fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
			goto fail;
		close(fd);
		fd = nfd;
		if (strcmp(dir, "/") != 0)
			strlcat(dir, "/", size);
		strlcat(dir, name, size);
		comp = rest;
	}
fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	free(dir);
	errno = saved;
	return -1;
}

void
admin_write_db(const struct userdb *db, const char *path)
{
	int r;

	if ((r = userdb_write(db, path)) == -1)
		admin_err("cannot write %s", path);
	if (r == 1)
		admin_warn("%s is written, but its directory could not be "
			   "synced: a crash could still undo the change",
		    path);
}

int
admin_check_parents(const char *path)
{
	char last[NAME_MAX + 1];
	int fd;

	if ((fd = admin_walk_parents(path, 0, last)) == -1)
		return errno == ENOENT ? 0 : -1;
	close(fd);
	return 0;
}

int
admin_have_dir(const char *key, const char *path, mode_t mode)
{
	struct stat st;
	char last[NAME_MAX + 1];
	int fd, r = -1;

	/* A directory on the way that is not root's alone: said there. */
	if ((fd = admin_walk_parents(path, 0, last)) == -1 && errno == EPERM)
		return -1;
	if (fd != -1) {
		r = fstatat(fd, last, &st, 0);
		close(fd);
		if (r == 0 && !S_ISDIR(st.st_mode)) {
			admin_warnx("%s %s is not a directory", key, path);
			return -1;
		}
		/*
		 * The names in it are users' names, root's to make: not
		 * sticky either, or another could take a user's name first.
		 */
		if (r == 0 && (st.st_uid != 0 || (st.st_mode & 022) != 0)) {
			admin_warnx("%s %s is not root's alone (owner uid %lu, "
				    "mode %04o): a user could put files in it "
				    "under users' names; nothing is made or "
				    "changed under it (chown root %s; "
				    "chmod go-w %s)",
			    key, path, (unsigned long)st.st_uid,
			    (unsigned int)(st.st_mode & 07777), path, path);
			return -1;
		}
	}
	if (r == 0)
		return 0;
	if (errno == ENOENT)
		admin_warnx("%s %s does not exist: if it is on shared storage, "
			    "check that it is mounted; to start it, make it "
			    "with 'install -d -m %04o %s'",
		    key, path, (unsigned int)mode, path);
	else
		admin_warn("cannot use %s %s", key, path);
	return -1;
}

void
admin_need_dir(const char *key, const char *path, mode_t mode)
{
	if (admin_have_dir(key, path, mode) == 0)
		return;
	admin_run_failure();
	exit(ADMIN_EXIT_FAILURE);
}

int
admin_mkdirs_fresh(const char *path, mode_t mode)
{
	char last[NAME_MAX + 1];
	int fd, dfd, rc = -1, saved;

	if ((fd = admin_walk_parents(path, 1, last)) == -1)
		return -1;
	/* One there already fails with EEXIST: it may be someone else's. */
	if (mkdirat(fd, last, mode) == -1)
		goto out;
	/* The exact mode whatever the umask, on what was just made. */
	if ((dfd = openat(fd, last,
		 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		goto out;
	rc = fchmod(dfd, mode);
	saved = errno;
	close(dfd);
	errno = saved;
out:
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

void
admin_require_root(void)
{
	if (geteuid() != 0)
		admin_errx("must be run as root (the user database and the "
			   "accounting files are root's)");
}

int
admin_read_usage(
    const struct config *c, const char *name, struct quota_usage *u)
{
	int fd, r, saved;

	if ((fd = quota_open(c->quota_dir, name)) == -1)
		return -1;
	r = quota_read_timed(fd, u, ADMIN_USAGE_WAIT * 1000);
	saved = errno;
	close(fd);
	errno = saved;
	return r == ERR_IO ? -1 : r;
}

int
admin_sync_lock_mark(const struct config *c, const struct user *u)
{
	int locked = u->hash[0] == '!';

	if (quota_set_locked(c->quota_dir, u->name, locked) == -1 &&
	    errno != ENOENT) {
		admin_warn("cannot mark %s/%s %s", c->quota_dir, u->name,
		    locked ? "locked" : "unlocked");
		return -1;
	}
	return 0;
}
