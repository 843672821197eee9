/*
 * util.c: allocation that cannot fail, descriptor helpers, constant-time
 * compare and time.  Linked into every program.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <pwd.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

void *
xmalloc(size_t size)
{
	void *p;

	if (size == 0)
		size = 1;
	if ((p = malloc(size)) == NULL)
		fatal_lackx("out of memory allocating %zu bytes", size);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if ((p = calloc(nmemb, size)) == NULL)
		fatal_lackx(
		    "out of memory allocating %zu * %zu bytes", nmemb, size);
	return p;
}

void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	void *p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if ((p = reallocarray(ptr, nmemb, size)) == NULL)
		fatal_lackx(
		    "out of memory allocating %zu * %zu bytes", nmemb, size);
	return p;
}

char *
xstrdup(const char *s)
{
	char *p;

	if ((p = strdup(s)) == NULL)
		fatal_lackx("out of memory copying a string");
	return p;
}

int
xasprintf(char **ret, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(ret, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal_lackx("out of memory formatting a string");
	return n;
}

int
fd_set_cloexec(int fd)
{
	int flags;

	if ((flags = fcntl(fd, F_GETFD)) == -1)
		return -1;
	return fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

int
fd_set_nonblock(int fd, int on)
{
	int flags;

	if ((flags = fcntl(fd, F_GETFL)) == -1)
		return -1;
	flags = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
	return fcntl(fd, F_SETFL, flags);
}

int
open_regular_at(int dfd, const char *path, int flags, mode_t mode)
{
	struct stat st;
	int fd, saved;

	if ((fd = openat(dfd, path, flags | O_CLOEXEC | O_NONBLOCK, mode)) ==
	    -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if (fd_set_nonblock(fd, 0) == -1)
		goto fail;
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

void
fd_close_except(const int *keep, size_t n)
{
	unsigned int lo = 3, hi, next;
	size_t i;

	for (;;) {
		/* The lowest kept descriptor at or above lo. */
		next = ~0U;
		for (i = 0; i < n; i++)
			if (keep[i] >= 0 && (unsigned int)keep[i] >= lo &&
			    (unsigned int)keep[i] < next)
				next = (unsigned int)keep[i];
		hi = next == ~0U ? ~0U : next - 1;
		if (lo <= hi && close_range(lo, hi, 0) == -1)
			fatal("close_range");
		if (next == ~0U)
			return;
		lo = next + 1;
	}
}

void
fd_ensure_std(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) != -1 && fd <= 2)
		;
	if (fd == -1)
		fatal("/dev/null");
	close(fd);
}

void
fd_null_std(int keep_stderr)
{
	int fd, i;

	if ((fd = open("/dev/null", O_RDWR)) == -1)
		fatal("/dev/null");
	for (i = STDIN_FILENO; i <= STDERR_FILENO - (keep_stderr != 0); i++)
		if (dup2(fd, i) == -1)
			fatal("dup2 /dev/null");
	if (fd > STDERR_FILENO)
		close(fd);
}

int
proc_status(pid_t pid, const char *key, unsigned long *v)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	int r = -1;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if ((fp = fopen(path, "re")) == NULL)
		return -1;
	while (r == -1 && fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, key, klen) == 0)
			r = sscanf(line + klen, "%lu", v) == 1 ? 0 : -2;
	fclose(fp);
	return r < 0 ? -1 : 0;
}

int
ct_memcmp(const void *a, const void *b, size_t len)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char diff = 0;
	size_t i;

	for (i = 0; i < len; i++)
		diff |= x[i] ^ y[i];
	return diff != 0;
}

uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
sleep_ms(unsigned int ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

const char *
home_dir(void)
{
	const char *home = getenv("HOME");
	struct passwd *pw;

	if ((home == NULL || *home == '\0') &&
	    (pw = getpwuid(getuid())) != NULL)
		home = pw->pw_dir;
	return home != NULL && *home != '\0' ? home : NULL;
}

char *
home_file(const char *rel)
{
	const char *home = home_dir();

	return home != NULL ? path_join(home, rel) : NULL;
}

size_t
path_dir_len(const char *dir)
{
	size_t len = strlen(dir);

	while (len > 0 && dir[len - 1] == '/')
		len--;
	return len;
}

const char *
home_refused_why(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		return "is a symbolic link, which a home may not be";
	return "is not a directory";
}

char *
path_join(const char *dir, const char *name)
{
	char *path;

	xasprintf(&path, "%.*s/%s", (int)path_dir_len(dir), dir, name);
	return path;
}

char *
fd_read_all(int fd, size_t size, size_t *got)
{
	char *text = xmalloc(size + 1);
	ssize_t n;

	*got = 0;
	while (*got < size) {
		n = read(fd, text + *got, size - *got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		*got += (size_t)n;
	}
	text[*got] = '\0';
	return text;
}

int
fd_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
stat_same_content(const struct stat *a, const struct stat *b)
{
	return a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	    a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

int
fd_changed(int fd, const struct stat *st)
{
	struct stat now;

	return fstat(fd, &now) == -1 || !stat_same_content(&now, st);
}

int
fd_reads_past(int fd, uint64_t size)
{
	ssize_t n;
	char c;

	while ((n = pread(fd, &c, 1, (off_t)size)) == -1 && errno == EINTR)
		;
	return n != 0;
}

void
str_elide(char *s, size_t max)
{
	size_t len = strlen(s), head, tail;

	if (len <= max)
		return;
	head = max / 4;
	tail = max - head - 3;
	memcpy(s + head, "...", 3);
	memmove(s + head + 3, s + len - tail, tail + 1);
}
