/*
 * admin_common.h: what the ftpuser-* tools share: messages and exits,
 * configuration and user database access under the lock, new passwords
 * and their hashes, and directory creation.  Uid allocation is in
 * admin_uid.h, ending a user's sessions in admin_sessions.h.
 *
 * Runs as: root, from an administrator's shell or script.
 *
 * Error policy of the tools: any failure prints "PROG: reason" on stderr
 * and exits 1 (after the cleanup registered with admin_on_failure); a
 * usage error exits 2.
 */
#ifndef MFTP_ADMIN_COMMON_H
#define MFTP_ADMIN_COMMON_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "userdb.h"

#define ADMIN_EXIT_FAILURE 1
#define ADMIN_EXIT_USAGE 2

/* Seconds to wait for another tool holding the user database lock. */
#include "mftp_limits.h"

#define ADMIN_LOCK_TIMEOUT 10

/*
 * Name the program in messages and give its usage text; sets up logging
 * to stderr.
 */
void admin_init(const char *progname, const char *usage_text);

/* --help: the usage text on stdout, exit 0. */
void admin_help(void) __attribute__((noreturn));
/* --version: "PROG VERSION" on stdout, exit 0. */
void admin_version(void) __attribute__((noreturn));

/* The rows every tool's getopt_long table starts with. */
/* clang-format off */
#define ADMIN_COMMON_LONGOPTS \
	{ "config", required_argument, NULL, 'c' }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, 'V' }
/* clang-format on */

/*
 * The default branch of every tool's getopt_long switch: -c/--config
 * sets *config_path to arg; --help and --version print and exit 0;
 * anything else is what getopt could not take, a usage error naming
 * word (argv[optind - 1]), exit 2.
 */
void admin_common_option(
    int ch, const char *arg, const char **config_path, const char *word);

/* The usage text on stderr, exit 2. */
void admin_usage(void) __attribute__((noreturn));
/* "PROG: message", then the usage text, exit 2. */
void admin_usage_errx(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));
/*
 * The operands after the options, argv[first..argc): at least min (0 or
 * 1) user names and at most one, or a usage error that says which.
 */
void admin_name_count(int argc, char *argv[], int first, int min);

/*
 * A size: digits and an optional unit, B or K to E with an optional B or
 * iB (human_parse_size); anything else is a usage error naming what.
 */
uint64_t admin_parse_size(const char *what, const char *s);

/*
 * A count (files, sessions): a plain whole number from 0 to max, no
 * suffix; anything else is a usage error naming what.
 */
uint64_t admin_parse_count(const char *what, const char *s, uint64_t max);

/* name if it is a valid user name (userdb_valid_name), else a usage error. */
const char *admin_parse_name(const char *name);

/* path if it can be a home (admin_valid_home), else a usage error. */
const char *admin_parse_home(const char *path);

/* "PROG: message" on stderr; admin_warn appends ": strerror(errno)". */
void admin_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void admin_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print like admin_warn[x], run the failure cleanup, exit 1. */
void admin_errx(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void
admin_err(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/*
 * admin_err after admin_check_parents or admin_mkdirs_fresh failed: an
 * EPERM of theirs was said already, with the directory and why, and
 * gets no "Operation not permitted" after it.
 */
void admin_err_walked(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/*
 * Run fn(arg) before any failure exit, including fatal() from the library
 * (so that nothing half-made is left).  One function at a time; NULL
 * removes it.
 */
void admin_on_failure(void (*fn)(void *), void *arg);

/*
 * Load path (NULL: the default) into c, or exit 1 with the reason.  A
 * users_file that is a symbolic link becomes the path of the file it
 * leads to, so that the lock and the rewrite are beside that file (one
 * that leads nowhere: exit 1).
 */
void admin_load_config(struct config *c, const char *path);

/*
 * Take the user database lock, waiting up to ADMIN_LOCK_TIMEOUT seconds.
 * Returns the descriptor (closing it, or exiting, releases the lock);
 * exits 1 with "user database is locked by another process" if another
 * tool keeps it.
 */
int admin_lock_db(const struct config *c);

/* Load the user database, or exit 1 with the reason. */
void admin_load_db(struct userdb *db, const struct config *c);

/* Wipe and free a secret string (NULL is fine). */
void admin_secret_free(char *secret);

/* The user of db called name; exits 1 with "no such user" if none. */
struct user *admin_find_user(struct userdb *db, const char *name);

/* The user of db whose uid is uid, or NULL. */
const struct user *admin_find_uid(const struct userdb *db, uid_t uid);

/*
 * Write the user database (userdb_write); a write that changed nothing
 * ends the tool.  One whose file is in place but whose directory could
 * not be synced is a warning: the change holds, and what follows from
 * it (ending sessions, no undo) must still happen.
 */
void admin_write_db(const struct userdb *db, const char *path);

/*
 * Nonzero if path can be a home: absolute, no ':' or control characters,
 * no "." or ".." components, not "/".
 */
int admin_valid_home(const char *path);

/*
 * 0 if path (quota_dir, home_base: key names it) is there as a
 * directory, root's and writable by root alone, every one on the way
 * root's alone too (admin_check_parents);
 * else -1, the reason said (a missing one with the command that makes
 * it with mode).  Such a directory is never made by the tools: on shared
 * storage that is not mounted it would be made on the bare mount point,
 * on this machine's own disk, and what went into it hidden once the
 * storage is mounted.  The package makes the default ones.
 */
int admin_have_dir(const char *key, const char *path, mode_t mode);

/* admin_have_dir, or run the failure cleanup and exit 1. */
void admin_need_dir(const char *key, const char *path, mode_t mode);

/*
 * Make path, owned by root with mode, and its missing parents (root's,
 * 0755); every directory on the way must be root's alone
 * (admin_check_parents): else -1 with EPERM, and the reason already
 * said.  path itself must be made here: one there already fails with
 * EEXIST.  For a directory to be given away (a home), which must not be
 * one someone else put there between a check and the mkdir.
 */
int admin_mkdirs_fresh(const char *path, mode_t mode);

/*
 * Whether root may work at path: each directory it looks a name up in,
 * from "/" to path's own parent, is root's, and no one else may write to
 * it, or (as /tmp) only with the sticky bit and the name in it root's.
 * Else a user could swap a name on the way for a link (a home put under
 * a user's directory).  0, or -1 (EPERM) with the reason said on stderr;
 * a missing directory on the way is no error (it would be root's).
 */
int admin_check_parents(const char *path);

/* Exit 1 with a clear message unless running as root. */
void admin_require_root(void);

struct quota_usage;

/* Seconds admin_read_usage waits for an accounting file's lock. */
#define ADMIN_USAGE_WAIT 2

/*
 * Read user name's accounting file in c->quota_dir into u, waiting
 * ADMIN_USAGE_WAIT seconds at most for its lock.  Returns 0,
 * QUOTA_ERR_CORRUPT, QUOTA_ERR_BUSY (locked all that time: a recount of
 * the user runs, say), or -1 with errno (ENOENT: there is none).
 */
int admin_read_usage(
    const struct config *c, const char *name, struct quota_usage *u);

/*
 * Make the lock mark of u's accounting file (quota.h: 0400 locked, 0600
 * not) say what the users file says of u ('!' before the hash).  Called
 * with the database's lock held, so that a lock and an unlock run at
 * once cannot leave the two apart.  No accounting file is no error; a
 * failure is warned about, and -1 returned (else 0).
 */
int admin_sync_lock_mark(const struct config *c, const struct user *u);

#endif
