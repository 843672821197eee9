/*
 * userdb.c: the user database (/etc/mftp/users): parse, format, lock and
 * rewrite it atomically.
 *
 * Read by mftpd-auth (root, or the account it drops to) and rewritten by
 * the admin tools (root).  The file holds password hashes, so every
 * buffer that held its contents is wiped before it is freed.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allowlist.h"
#include "userdb.h"
#include "util.h"

/* The fields of a line before the limits existed, and with them. */
#define USERDB_NFIELDS_OLD 7
#define USERDB_NFIELDS 10

/* Largest uid/gid: 2^31 - 2 ((uid_t)-1 means "no change" to setresuid). */
#define USERDB_ID_MAX 2147483646ULL

/* A home directory path, as the kernel takes it. */
#define USERDB_HOME_MAX 4095

/* Most bytes a users file may have: every user on a line of the maximum. */
#define USERDB_FILE_MAX \
	((size_t)MFTP_USERDB_USERS_MAX * (MFTP_USERDB_LINE_MAX + 1))

static void userdb_error(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * The message into err, with every control byte it quotes shown as an
 * escape (\r, \t, \x1b): a line of the file saved with DOS line ends
 * must not read "quota '0' is not a decimal number", and nothing of the
 * file may move the cursor of the terminal or the log that shows the
 * message.  A message that quotes another one made here finds nothing
 * left to escape in it.
 */
static void
userdb_error(char *err, size_t errlen, const char *fmt, ...)
{
	const unsigned char *p;
	char *raw, hex[5];
	const char *esc;
	va_list ap;
	size_t o = 0, n;

	if (err == NULL || errlen == 0)
		return;
	raw = xmalloc(errlen);
	va_start(ap, fmt);
	vsnprintf(raw, errlen, fmt, ap);
	va_end(ap);
	for (p = (const unsigned char *)raw; *p != '\0'; p++) {
		if (*p >= ' ' && *p != 0x7f) {
			if (o + 1 >= errlen)
				break;
			err[o++] = (char)*p;
			continue;
		}
		esc = *p == '\r' ? "\\r" :
		    *p == '\n'	 ? "\\n" :
		    *p == '\t'	 ? "\\t" :
				   NULL;
		if (esc == NULL) {
			snprintf(hex, sizeof(hex), "\\x%02x", *p);
			esc = hex;
		}
		if (o + (n = strlen(esc)) >= errlen)
			break;
		memcpy(err + o, esc, n);
		o += n;
	}
	err[o] = '\0';
	freezero(raw, errlen);
}

int
userdb_valid_name(const char *name)
{
	size_t i;

	if (name == NULL)
		return 0;
	if (!((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_'))
		return 0;
	for (i = 1; name[i] != '\0'; i++) {
		if (i >= MFTP_USER_MAX)
			return 0;
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
			(name[i] >= '0' && name[i] <= '9') || name[i] == '_' ||
			name[i] == '-'))
			return 0;
	}
	return 1;
}

/* A crypt(3) string: printable ASCII without spaces or ':'. */
static int
userdb_valid_hash(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] >= 0x7f || s[i] == ':')
			return 0;
	return 1;
}

int
userdb_hash_current(const char *hash, const char *setting)
{
	const char *end = strrchr(setting, '$');

	return hash != NULL && end != NULL &&
	    strncmp(hash, setting, (size_t)(end - setting) + 1) == 0;
}

/* An absolute path without ':' and control characters. */
static int
userdb_valid_home(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > USERDB_HOME_MAX || s[0] != '/')
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < ' ' || s[i] == 0x7f || s[i] == ':')
			return 0;
	return 1;
}

/*
 * A decimal number of len bytes at s, digits only (no sign, no spaces),
 * not above max.
 */
static int
userdb_parse_num(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;
	unsigned int d;

	if (len == 0)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		d = (unsigned int)(s[i] - '0');
		if (v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static char *
userdb_strndup(const char *s, size_t len)
{
	char *p;

	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/*
 * The three limit fields of a ten-field line: max_sessions, rate and the
 * allow-list, which must be in canonical form (so that a database the
 * tools write reads back the same, byte for byte).  *allow is new.
 */
static int
userdb_parse_limits(const char *name, const char *const *f, const size_t *flen,
    uint64_t *ms, uint64_t *rate, char **allow, char *err, size_t errlen)
{
	struct user tmp;
	char *text, reason[256];

	if (userdb_parse_num(f[0], flen[0], MFTP_USER_SESSIONS_MAX, ms) == -1) {
		userdb_error(err, errlen,
		    "%s: session limit '%.*s' is not in 0..%d", name,
		    (int)flen[0], f[0], MFTP_USER_SESSIONS_MAX);
		return -1;
	}
	if (userdb_parse_num(f[1], flen[1], UINT64_MAX, rate) == -1) {
		userdb_error(err, errlen,
		    "%s: rate '%.*s' is not a decimal number", name,
		    (int)flen[1], f[1]);
		return -1;
	}
	/*
	 * The tools refuse less, and a line written by hand must not get
	 * through either: paced in pieces of MFTP_RATE_MIN, a session at 1
	 * byte a second would wait over an hour for each piece.
	 */
	if (*rate != 0 && *rate < MFTP_RATE_MIN) {
		userdb_error(err, errlen, "%s: rate '%.*s' is below %d", name,
		    (int)flen[1], f[1], MFTP_RATE_MIN);
		return -1;
	}
	if (flen[2] > MFTP_ALLOW_TEXT_MAX) {
		userdb_error(err, errlen, "%s: allow-list longer than %d bytes",
		    name, MFTP_ALLOW_TEXT_MAX);
		return -1;
	}
	text = userdb_strndup(f[2], flen[2]);
	memset(&tmp, 0, sizeof(tmp));
	if (user_set_allow(&tmp, text, reason, sizeof(reason)) == -1) {
		userdb_error(err, errlen, "%s: allow-list: %s", name, reason);
		free(text);
		return -1;
	}
	free(text);
	*allow = tmp.allow;
	return 0;
}

int
user_set_allow(struct user *u, const char *text, char *err, size_t errlen)
{
	struct allowlist l;
	char canon[MFTP_ALLOW_TEXT_MAX + 1];

	if (allowlist_parse(text, &l, err, errlen) == -1)
		return -1;
	if (allowlist_format(&l, canon, sizeof(canon)) == -1 ||
	    strcmp(canon, text) != 0) {
		userdb_error(err, errlen,
		    "'%s' is not in canonical form ('%s')", text, canon);
		return -1;
	}
	free(u->allow);
	u->allow = xstrdup(canon);
	return 0;
}

int
userdb_parse_line(const char *line, struct user *u, char *err, size_t errlen)
{
	const char *f[USERDB_NFIELDS], *p;
	size_t flen[USERDB_NFIELDS], n, len;
	uint64_t uid, gid, qb, qf, ms = 0, rate = 0;
	char *allow = NULL;

	for (p = line; *p == ' ' || *p == '\t'; p++)
		;
	if (*p == '\0' || *p == '#')
		return 1;
	if ((len = strlen(line)) > MFTP_USERDB_LINE_MAX) {
		userdb_error(err, errlen, "line longer than %d bytes",
		    MFTP_USERDB_LINE_MAX);
		return -1;
	}

	/*
	 * Split at ':' without copying; count every field.  The tenth (the
	 * allow-list) is the rest of the line: IPv6 addresses hold ':'.
	 */
	n = 0;
	p = line;
	for (;;) {
		const char *c = n == USERDB_NFIELDS - 1 ?
		    NULL :
		    memchr(p, ':', len - (size_t)(p - line));
		const char *end = c != NULL ? c : line + len;

		f[n] = p;
		flen[n] = (size_t)(end - p);
		n++;
		if (c == NULL)
			break;
		p = c + 1;
	}
	if (n != USERDB_NFIELDS_OLD && n != USERDB_NFIELDS) {
		userdb_error(err, errlen, "%zu field%s instead of %d or %d", n,
		    n == 1 ? "" : "s", USERDB_NFIELDS_OLD, USERDB_NFIELDS);
		return -1;
	}

	if (flen[0] > MFTP_USER_MAX) {
		userdb_error(err, errlen, "user name longer than %d bytes",
		    MFTP_USER_MAX);
		return -1;
	}
	memset(u, 0, sizeof(*u));
	memcpy(u->name, f[0], flen[0]);
	u->name[flen[0]] = '\0';
	if (!userdb_valid_name(u->name)) {
		userdb_error(err, errlen, "invalid user name '%s'", u->name);
		return -1;
	}
	if (!userdb_valid_hash(f[1], flen[1])) {
		/* The hash is not echoed: it is a secret. */
		userdb_error(err, errlen, "%s: invalid password hash", u->name);
		return -1;
	}
	if (userdb_parse_num(f[2], flen[2], USERDB_ID_MAX, &uid) == -1 ||
	    uid == 0) {
		userdb_error(err, errlen, "%s: uid '%.*s' is not in 1..%llu",
		    u->name, (int)flen[2], f[2], USERDB_ID_MAX);
		return -1;
	}
	if (userdb_parse_num(f[3], flen[3], USERDB_ID_MAX, &gid) == -1 ||
	    gid == 0) {
		userdb_error(err, errlen, "%s: gid '%.*s' is not in 1..%llu",
		    u->name, (int)flen[3], f[3], USERDB_ID_MAX);
		return -1;
	}
	if (!userdb_valid_home(f[4], flen[4])) {
		userdb_error(err, errlen,
		    "%s: home '%.*s' is not an absolute path", u->name,
		    (int)flen[4], f[4]);
		return -1;
	}
	if (userdb_parse_num(f[5], flen[5], UINT64_MAX, &qb) == -1) {
		userdb_error(err, errlen,
		    "%s: byte quota '%.*s' is not a decimal number", u->name,
		    (int)flen[5], f[5]);
		return -1;
	}
	if (userdb_parse_num(f[6], flen[6], UINT64_MAX, &qf) == -1) {
		userdb_error(err, errlen,
		    "%s: file quota '%.*s' is not a decimal number", u->name,
		    (int)flen[6], f[6]);
		return -1;
	}
	if (n == USERDB_NFIELDS &&
	    userdb_parse_limits(u->name, f + 7, flen + 7, &ms, &rate, &allow,
		err, errlen) == -1)
		return -1;
	u->hash = userdb_strndup(f[1], flen[1]);
	u->max_sessions = (unsigned int)ms;
	u->rate = rate;
	u->allow = allow != NULL ? allow : xstrdup("");
	u->uid = (uid_t)uid;
	u->gid = (gid_t)gid;
	u->home = userdb_strndup(f[4], flen[4]);
	u->quota_bytes = qb;
	u->quota_files = qf;
	return 0;
}

int
userdb_format_line(const struct user *u, char *out, size_t outlen)
{
	int n;

	if (!userdb_valid_name(u->name) || u->hash == NULL ||
	    !userdb_valid_hash(u->hash, strlen(u->hash)) || u->home == NULL ||
	    !userdb_valid_home(u->home, strlen(u->home)) || u->uid == 0 ||
	    u->uid > USERDB_ID_MAX || u->gid == 0 || u->gid > USERDB_ID_MAX)
		return -1;
	if (u->max_sessions > MFTP_USER_SESSIONS_MAX ||
	    (u->allow != NULL &&
		(strlen(u->allow) > MFTP_ALLOW_TEXT_MAX ||
		    strchr(u->allow, '\n') != NULL)))
		return -1;
	if (u->max_sessions == 0 && u->rate == 0 &&
	    (u->allow == NULL || u->allow[0] == '\0'))
		/* No limits: the seven fields older readers know. */
		n = snprintf(out, outlen, "%s:%s:%lu:%lu:%s:%llu:%llu\n",
		    u->name, u->hash, (unsigned long)u->uid,
		    (unsigned long)u->gid, u->home,
		    (unsigned long long)u->quota_bytes,
		    (unsigned long long)u->quota_files);
	else
		n = snprintf(out, outlen,
		    "%s:%s:%lu:%lu:%s:%llu:%llu:%u:%llu:%s\n", u->name, u->hash,
		    (unsigned long)u->uid, (unsigned long)u->gid, u->home,
		    (unsigned long long)u->quota_bytes,
		    (unsigned long long)u->quota_files, u->max_sessions,
		    (unsigned long long)u->rate,
		    u->allow != NULL ? u->allow : "");
	/* The line (newline excluded) must also be one userdb_parse takes. */
	if (n < 0 || (size_t)n >= outlen || n - 1 > MFTP_USERDB_LINE_MAX) {
		if (outlen > 0)
			explicit_bzero(out, outlen);
		return -1;
	}
	return 0;
}

/* A name of the file, as its line has it (not NUL-terminated). */
struct userdb_sortent {
	const char *name;
	size_t len;
	size_t line;
};

static int
userdb_sortent_cmp(const void *a, const void *b)
{
	const struct userdb_sortent *x = a, *y = b;
	int c;

	if ((c = memcmp(x->name, y->name, x->len < y->len ? x->len : y->len)) !=
	    0)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/*
 * Duplicate names: sort (name, line) pairs so that a file of many users
 * is checked in n log n; the second line of a pair is the one reported.
 */
static int
userdb_check_dups(struct userdb_sortent *s, size_t n, char *err, size_t errlen)
{
	struct userdb_sortent *dup = NULL;
	size_t i;

	if (n < 2)
		return 0;
	qsort(s, n, sizeof(*s), userdb_sortent_cmp);
	for (i = 1; i < n; i++) {
		if (s[i - 1].len != s[i].len ||
		    memcmp(s[i - 1].name, s[i].name, s[i].len) != 0)
			continue;
		/* Report the duplicate that comes first in the file. */
		if (dup == NULL || s[i].line < dup->line)
			dup = &s[i];
	}
	if (dup == NULL)
		return 0;
	userdb_error(err, errlen,
	    "line %zu: duplicate user '%.*s' (first on line %zu)", dup->line,
	    (int)dup->len, dup->name, dup[-1].line);
	return -1;
}

/* What userdb_walk does with each user; it owns u. */
typedef void (*userdb_each_fn)(struct user *u, void *arg);

/*
 * Parse every line of text, in order, and hand each user to each;
 * then check the names for duplicates.  0, or -1 with the first error
 * ("line N: reason").  Only the users' names and line numbers are kept
 * meanwhile.
 */
static int
userdb_walk(
    const char *text, userdb_each_fn each, void *arg, char *err, size_t errlen)
{
	struct userdb_sortent *s = NULL;
	struct user u;
	const char *p, *nl;
	char *buf, reason[256];
	size_t n = 0, cap = 0, len, line = 0;
	int r, rc = -1;

	buf = xmalloc(MFTP_USERDB_LINE_MAX + 1);
	for (p = text; *p != '\0'; p = nl + (*nl == '\n')) {
		line++;
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		len = (size_t)(nl - p);
		if (len > MFTP_USERDB_LINE_MAX) {
			userdb_error(err, errlen,
			    "line %zu: longer than %d bytes", line,
			    MFTP_USERDB_LINE_MAX);
			goto out;
		}
		memcpy(buf, p, len);
		buf[len] = '\0';
		r = userdb_parse_line(buf, &u, reason, sizeof(reason));
		if (r == 1)
			continue;
		if (r == -1) {
			userdb_error(err, errlen, "line %zu: %s", line, reason);
			goto out;
		}
		if (n == MFTP_USERDB_USERS_MAX) {
			user_free(&u);
			userdb_error(err, errlen,
			    "line %zu: more than %d users", line,
			    MFTP_USERDB_USERS_MAX);
			goto out;
		}
		if (n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			s = xreallocarray(s, cap, sizeof(*s));
		}
		/* A valid name is the line's start, up to its first ':'. */
		s[n].name = p;
		s[n].len = strlen(u.name);
		s[n++].line = line;
		each(&u, arg);
	}
	rc = userdb_check_dups(s, n, err, errlen);
out:
	freezero(buf, MFTP_USERDB_LINE_MAX + 1);
	free(s);
	return rc;
}

struct userdb_grow {
	struct userdb *db;
	size_t cap;
};

/* userdb_parse's: append u to the database. */
static void
userdb_keep(struct user *u, void *arg)
{
	struct userdb_grow *g = arg;

	if (g->db->n == g->cap) {
		g->cap = g->cap == 0 ? 16 : g->cap * 2;
		g->db->users = xreallocarray(
		    g->db->users, g->cap, sizeof(*g->db->users));
	}
	g->db->users[g->db->n++] = *u;
}

int
userdb_parse(struct userdb *db, const char *text, char *err, size_t errlen)
{
	struct userdb_grow g = { db, 0 };

	memset(db, 0, sizeof(*db));
	if (userdb_walk(text, userdb_keep, &g, err, errlen) == 0)
		return 0;
	userdb_free(db);
	return -1;
}

struct userdb_one {
	const char *name;
	struct user *u;
	int found;
};

/* userdb_parse_one's: keep u if it is the one, else let it go at once. */
static void
userdb_pick(struct user *u, void *arg)
{
	struct userdb_one *o = arg;

	if (!o->found && strcmp(u->name, o->name) == 0) {
		*o->u = *u;
		o->found = 1;
	} else
		user_free(u);
}

int
userdb_parse_one(const char *text, const char *name, struct user *u, char *err,
    size_t errlen)
{
	struct userdb_one o = { name, u, 0 };

	memset(u, 0, sizeof(*u));
	if (userdb_walk(text, userdb_pick, &o, err, errlen) == 0)
		return o.found;
	user_free(u);
	return -1;
}

/* Read a whole regular file; *lenp gets its length.  NULL with errno. */
static char *
userdb_read_file(int fd, size_t *lenp)
{
	struct stat st;
	char *text;
	size_t off = 0, size;
	ssize_t r;

	if (fstat(fd, &st) == -1)
		return NULL;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return NULL;
	}
	if ((uintmax_t)st.st_size > USERDB_FILE_MAX) {
		errno = EFBIG;
		return NULL;
	}
	size = (size_t)st.st_size;
	text = xmalloc(size + 1);
	while (off < size) {
		r = read(fd, text + off, size - off);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			freezero(text, size + 1);
			return NULL;
		}
		if (r == 0)
			break;
		off += (size_t)r;
	}
	text[off] = '\0';
	*lenp = off;
	return text;
}

/*
 * The text of the open file fd (path names it in errors): NULL with a
 * reason in err if it cannot be read or holds a NUL byte.
 */
static char *
userdb_read_text(
    int fd, const char *path, size_t *lenp, char *err, size_t errlen)
{
	char *text;

	if ((text = userdb_read_file(fd, lenp)) == NULL) {
		userdb_error(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (strlen(text) != *lenp) {
		userdb_error(err, errlen, "%s: contains a NUL byte", path);
		freezero(text, *lenp + 1);
		return NULL;
	}
	return text;
}

int
userdb_load(struct userdb *db, const char *path, char *err, size_t errlen)
{
	char *text, reason[512];
	size_t len;
	int fd, rc, saved;

	memset(db, 0, sizeof(*db));
	/*
	 * Never waits on a FIFO put in the file's place (EINVAL).  A
	 * missing file is no empty database: on shared storage that is
	 * not mounted, the path leads to the bare mount point.
	 */
	if ((fd = open_regular_at(AT_FDCWD, path, O_RDONLY, 0)) == -1) {
		saved = errno;
		userdb_error(err, errlen, "%s: %s", path,
		    errno == EINVAL ? "not a regular file" : strerror(errno));
		errno = saved;
		return -1;
	}
	text = userdb_read_text(fd, path, &len, err, errlen);
	close(fd);
	if (text == NULL)
		return -1;
	rc = userdb_parse(db, text, reason, sizeof(reason));
	if (rc != 0)
		userdb_error(err, errlen, "%s: %s", path, reason);
	freezero(text, len + 1);
	return rc;
}

int
userdb_load_one(int fd, const char *path, const char *name, struct user *u,
    char *err, size_t errlen)
{
	char *text, reason[512];
	size_t len;
	int rc;

	memset(u, 0, sizeof(*u));
	if ((text = userdb_read_text(fd, path, &len, err, errlen)) == NULL)
		return -1;
	rc = userdb_parse_one(text, name, u, reason, sizeof(reason));
	if (rc == -1)
		userdb_error(err, errlen, "%s: %s", path, reason);
	freezero(text, len + 1);
	return rc;
}

struct user *
userdb_find(struct userdb *db, const char *name)
{
	size_t i;

	for (i = 0; i < db->n; i++)
		if (strcmp(db->users[i].name, name) == 0)
			return &db->users[i];
	return NULL;
}

int
userdb_add(struct userdb *db, const struct user *u)
{
	struct user *c;

	/* userdb_parse would refuse the file with one more. */
	if (db->n >= MFTP_USERDB_USERS_MAX) {
		errno = ENOSPC;
		return -1;
	}
	db->users = xreallocarray(db->users, db->n + 1, sizeof(*db->users));
	c = &db->users[db->n++];
	*c = *u;
	c->hash = xstrdup(u->hash);
	c->home = xstrdup(u->home);
	c->allow = xstrdup(u->allow != NULL ? u->allow : "");
	return 0;
}

int
userdb_remove(struct userdb *db, const char *name)
{
	struct user *u;
	size_t i;

	if ((u = userdb_find(db, name)) == NULL)
		return -1;
	i = (size_t)(u - db->users);
	user_free(u);
	memmove(&db->users[i], &db->users[i + 1],
	    (db->n - i - 1) * sizeof(*db->users));
	db->n--;
	return 0;
}

void
user_free(struct user *u)
{
	if (u->hash != NULL)
		freezero(u->hash, strlen(u->hash));
	free(u->home);
	free(u->allow);
	memset(u, 0, sizeof(*u));
}

void
userdb_free(struct userdb *db)
{
	size_t i;

	for (i = 0; i < db->n; i++)
		user_free(&db->users[i]);
	free(db->users);
	memset(db, 0, sizeof(*db));
}
