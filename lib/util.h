/*
 * util.h: small utilities every program links: allocation that cannot
 * fail, descriptor helpers, and a constant-time compare.
 */
#ifndef MFTP_UTIL_H
#define MFTP_UTIL_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

struct stat;

/*
 * Allocation failure is fatal (fatal_lackx: in a connection's processes
 * before its login, logged at the master's rate of connection lines), so
 * these never return NULL.
 */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
int xasprintf(char **ret, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Set FD_CLOEXEC / O_NONBLOCK; return -1 with errno on failure. */
int fd_set_cloexec(int fd);
int fd_set_nonblock(int fd, int on);

/*
 * openat(dfd, path, flags | O_CLOEXEC, mode) of a regular file only: a
 * FIFO put at the path is never waited on (the open is O_NONBLOCK, which
 * is cleared once it is open), and anything but a regular file fails
 * with EINVAL.  -1 with errno.
 */
int open_regular_at(int dfd, const char *path, int flags, mode_t mode);

/*
 * Close every descriptor from 3 up except the n in keep, so that a process
 * entering a new role holds only what that role needs.
 */
void fd_close_except(const int *keep, size_t n);

/* Make sure descriptors 0, 1 and 2 are open (on /dev/null if not). */
void fd_ensure_std(void);

/* Point standard input and output, and error unless keep_stderr, at
 * /dev/null (fatal if it cannot be opened). */
void fd_null_std(int keep_stderr);

/*
 * The first number of /proc/PID/status's line key ("Uid:" gives the real
 * uid, "PPid:" the parent) into *v; -1 if there is none.
 */
int proc_status(pid_t pid, const char *key, unsigned long *v);

/* Constant-time comparison: 0 when equal.  Time depends on len only. */
int ct_memcmp(const void *a, const void *b, size_t len);

/* Monotonic clock in milliseconds. */
uint64_t mono_ms(void);

/*
 * The user's home: $HOME, or the password database's home when HOME is
 * unset or empty; NULL without one.  Static or the environment's: use
 * it before the next getpw* call or setenv.
 */
const char *home_dir(void);

/* rel below home_dir().  Allocated; NULL without a home. */
char *home_file(const char *rel);

/*
 * The length of the directory dir without its trailing '/'s, 0 for "/":
 * "%.*s/%s" with it joins dir and a name with one '/' whatever dir ends
 * in (a configured "/srv/mftp/quota/", a home "/srv/mftp/bob/" in the
 * users file, the chrooted "/"), never "dir//name".
 */
size_t path_dir_len(const char *dir);

/* dir and name joined by one '/' (path_dir_len).  Allocated. */
char *path_join(const char *dir, const char *name);

/*
 * Why the home path, which open(O_DIRECTORY | O_NOFOLLOW) refused with
 * ENOTDIR or ELOOP, cannot be entered, as the end of a sentence that
 * names it: "is
 * a symbolic link, which a home may not be", or "is not a directory".
 * A home is never reached through a link, and "Not a directory" alone
 * does not tell an administrator that a link is the trouble.
 */
const char *home_refused_why(const char *path);

/*
 * Read up to size bytes of fd (from its offset; fewer if it ends first)
 * into a new buffer of size + 1 bytes, NUL after what came; *got is the
 * count.  Allocation failure is fatal.
 */
char *fd_read_all(int fd, size_t size, size_t *got);

/* Write all len bytes of buf to fd, going on after EINTR and short
 * writes; 0, or -1 with errno. */
int fd_write_all(int fd, const void *buf, size_t len);

/*
 * Whether a and b (two stats of one file) show the same content: the
 * same size, modification time and change time.  The change time too,
 * since a file can be rewritten in place and its modification time put
 * back (cp -p, rsync --inplace, touch -r).
 */
int stat_same_content(const struct stat *a, const struct stat *b);

/*
 * Whether the file open on fd is no longer as st (its fstat before)
 * said (stat_same_content), or has no fstat at all.  A file written
 * meanwhile, in place or at its end, has changed.
 */
int fd_changed(int fd, const struct stat *st);
/*
 * Whether fd reads anything at offset size (or fails to say it does
 * not): a file longer than the size it was sent with.  A file of /proc
 * or /sys gives its size as 0 and still reads as data.
 */
int fd_reads_past(int fd, uint64_t size);

/* Sleep for ms milliseconds, resuming after signals. */
void sleep_ms(unsigned int ms);

/*
 * Cut the string s to at most max bytes (max >= 8) in its middle, with
 * "..." in place of what goes: its start and the end stay, so a text
 * that names a long path first keeps the reason said after it.
 */
void str_elide(char *s, size_t max);

#endif
