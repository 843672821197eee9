/*
 * userdb.h: the user database (/etc/mftp/users, root 0600).
 *
 * One line a user, seven or ten fields separated by ':':
 *   name:hash:uid:gid:home:quota_bytes:quota_files
 *   name:hash:uid:gid:home:quota_bytes:quota_files:max_sessions:rate:allow
 * hash is a crypt(3) string; a hash starting with '!' is a locked account.
 * quota_*, max_sessions (concurrent sessions) and rate (bytes/s of each
 * session) are decimal, 0 meaning no limit.  allow is the last field and
 * may hold ':' (IPv6): the networks the user may log in from, in
 * allowlist.h's canonical form, empty for any.  A user with none of the
 * three limits is written with seven fields, as before they existed, so
 * that files stay readable both ways.  '#' lines and blank lines are
 * ignored.  The file is only ever rewritten whole: lock, write a temporary
 * file, fsync, rename.
 */
#ifndef MFTP_USERDB_H
#define MFTP_USERDB_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include "mftp_limits.h"

struct user {
	char name[MFTP_USER_MAX + 1];
	char *hash;
	uid_t uid;
	gid_t gid;
	char *home;
	uint64_t quota_bytes;
	uint64_t quota_files;
	unsigned int max_sessions; /* 0..MFTP_USER_SESSIONS_MAX, 0: any */
	uint64_t rate;		   /* bytes/s, 0: no limit */
	char *allow;		   /* canonical allow-list, "" for any */
};

struct userdb {
	struct user *users;
	size_t n;
};

/* Nonzero if name is a valid user name: [a-z_][a-z0-9_-]{0,31}. */
int userdb_valid_name(const char *name);

/*
 * Nonzero if hash is of the method and cost of setting (a fresh one from
 * crypt_gensalt): the same text up to setting's last '$' ("$y$j9T$").
 */
int userdb_hash_current(const char *hash, const char *setting);

/*
 * Parse one line (no newline) into u.  Returns 0, 1 for a comment or
 * blank line (u untouched), or -1 with a reason in err.
 */
int
userdb_parse_line(const char *line, struct user *u, char *err, size_t errlen);

/* Format u as one line with its newline; -1 if it does not fit or a field
 * would break the format (':' or newline in home or hash). */
int userdb_format_line(const struct user *u, char *out, size_t outlen);

/*
 * Parse a whole file's contents.  Duplicate names and malformed lines
 * are errors reported as "line N: reason".
 */
int userdb_parse(struct userdb *db, const char *text, char *err, size_t errlen);

/*
 * Check a whole file's contents as userdb_parse does, with the same
 * errors, but keep only the user called name: 1 with it in *u, 0 if
 * there is none, -1 with a reason in err.  Every line is parsed, and
 * freed at once, whatever name is: the time taken does not depend on
 * where the user is, nor on whether there is one.
 */
int userdb_parse_one(const char *text, const char *name, struct user *u,
    char *err, size_t errlen);

/*
 * Read and parse path.  -1 with the reason in err, and errno ENOENT if
 * the file does not exist: that is an error, never an empty database
 * (a file on shared storage that is not mounted is missing).
 */
int userdb_load(struct userdb *db, const char *path, char *err, size_t errlen);

/*
 * Open path to read it as mftpd-auth does: a symbolic link followed, the
 * file reached a regular one, owned by root and writable by root only.
 * The descriptor, or -1 with the reason (naming path) in err and errno
 * set (ENOENT: it does not exist; EPERM: it is not such a file).
 */
int userdb_open(const char *path, char *err, size_t errlen);

struct stat;

/*
 * Whether st (the file's, links followed) is one userdb_open takes: a
 * regular file owned by root that no one else may read or write.
 */
int userdb_trusted(const struct stat *st);

/*
 * Read the file open on fd (path names it in errors) and look for name
 * in it as userdb_parse_one does.  The text is wiped and freed before it
 * returns.
 */
int userdb_load_one(int fd, const char *path, const char *name, struct user *u,
    char *err, size_t errlen);

/* The user called name, or NULL. */
struct user *userdb_find(struct userdb *db, const char *name);

/*
 * Set u's allow-list to text, which must parse and be in canonical form
 * (allowlist.h); -1 with a reason in err otherwise.
 */
int user_set_allow(struct user *u, const char *text, char *err, size_t errlen);

/*
 * Append a copy of u (takes copies of its strings).  -1 with errno ENOSPC
 * when db already holds MFTP_USERDB_USERS_MAX users.
 */
int userdb_add(struct userdb *db, const struct user *u);

/* Remove the user called name; -1 if there is none. */
int userdb_remove(struct userdb *db, const char *name);

/*
 * Take the database's lock (an OFD lock on "path.lock"), waiting at most
 * timeout_s seconds.  Returns the lock descriptor (close it to release),
 * or -1 with errno (EWOULDBLOCK when another process holds it).
 */
int userdb_lock(const char *path, int timeout_s);

/*
 * Write db to path atomically: a temporary file in the same directory
 * (.BASE.tmp-XXXXXX, BASE path's last component), mode 0600, fsync,
 * rename, fsync of the directory.  0; 1 when the new file is in place
 * but the directory's fsync failed (errno set: the change holds, but a
 * crash could still undo it); -1 with errno when nothing changed (EFBIG:
 * more than MFTP_USERDB_USERS_MAX users, which userdb_load would refuse).
 * Called with the lock held: the temporary files of that form already
 * there, which a writer killed before its rename left, are removed first.
 */
int userdb_write(const struct userdb *db, const char *path);

void user_free(struct user *u);
void userdb_free(struct userdb *db);

#endif
