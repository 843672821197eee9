/*
 * known_hosts.c: reading and adding the client's server-key pins.
 *
 * Runs as: the user, in mftp.  The file is the user's own, but it is
 * parsed as untrusted text (it may have been edited by hand): bounded
 * lines, every field checked, a bad line skipped.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "known_hosts.h"
#include "util.h"

/* A known_hosts file larger than this is not read: it is not one. */
#define KNOWN_HOSTS_MAX (4 * 1024 * 1024)
#define KNOWN_HOSTS_LINE_MAX 1024

/* Split one line into at most 3 words; the count, or -1 if more. */
static int
known_hosts_words(char *line, char *w[3])
{
	char *p = line, *e;
	int n = 0;

	/* A CR is a blank: a file edited on Windows ends lines in CR LF,
	 * and the CR is no part of the key. */
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (*p == '\0' || *p == '#')
			return n;
		if (n == 3)
			return -1;
		w[n++] = p;
		e = p + strcspn(p, " \t\r");
		if (*e == '\0')
			return n;
		*e = '\0';
		p = e + 1;
	}
}

/* Case-insensitive for names; the port and key must match exactly. */
static int
known_hosts_same_host(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

enum known_hosts_result
known_hosts_check(const char *text, size_t len, const char *host,
    const char *port, const char *fp, size_t *line, char *old, size_t oldlen)
{
	char buf[KNOWN_HOSTS_LINE_MAX + 1], *w[3];
	enum known_hosts_result res = KNOWN_HOSTS_UNKNOWN;
	size_t off = 0, n, no = 0;
	const char *nl;

	while (off < len) {
		no++;
		nl = memchr(text + off, '\n', len - off);
		n = nl != NULL ? (size_t)(nl - (text + off)) : len - off;
		if (n <= KNOWN_HOSTS_LINE_MAX &&
		    memchr(text + off, '\0', n) == NULL) {
			memcpy(buf, text + off, n);
			buf[n] = '\0';
			if (known_hosts_words(buf, w) == 3 &&
			    strncmp(w[2], "SHA256:", 7) == 0 &&
			    known_hosts_same_host(w[0], host) &&
			    strcmp(w[1], port) == 0) {
				if (strcmp(w[2], fp) == 0)
					return KNOWN_HOSTS_MATCH;
				/* Keep looking: another line may match. */
				if (res == KNOWN_HOSTS_UNKNOWN) {
					res = KNOWN_HOSTS_MISMATCH;
					*line = no;
					strlcpy(old, w[2], oldlen);
				}
			}
		}
		off += n + (nl != NULL);
	}
	return res;
}

/* /dev/null (ssh's throw-away UserKnownHostsFile): read as empty, and a
 * pin added to it is kept nowhere. */
static int
known_hosts_is_null(const struct stat *st)
{
	struct stat null;

	return S_ISCHR(st->st_mode) && stat("/dev/null", &null) == 0 &&
	    S_ISCHR(null.st_mode) && st->st_rdev == null.st_rdev;
}

int
known_hosts_check_file(const char *path, const char *host, const char *port,
    const char *fp, size_t *line, char *old, size_t oldlen, char *err,
    size_t errlen)
{
	struct stat st;
	char *text;
	size_t got = 0;
	int fd, r;

	/* O_NONBLOCK: a FIFO put there must not hold the open. */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return KNOWN_HOSTS_UNKNOWN;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 ||
	    !(S_ISREG(st.st_mode) || known_hosts_is_null(&st)) ||
	    st.st_size > KNOWN_HOSTS_MAX) {
		snprintf(err, errlen, "%s: not a known_hosts file", path);
		close(fd);
		return -1;
	}
	text = fd_read_all(
	    fd, S_ISREG(st.st_mode) ? (size_t)st.st_size : 0, &got);
	close(fd);
	r = known_hosts_check(text, got, host, port, fp, line, old, oldlen);
	free(text);
	return r;
}

/*
 * mkdir -p of path's parent, each new level 0700.  A name without a '/'
 * is in the working directory: nothing to make.
 */
static int
known_hosts_mkdirs(const char *path)
{
	char *dir, *p;
	int r = 0;

	if (strchr(path, '/') == NULL)
		return 0;
	dir = xstrdup(path);
	*strrchr(dir, '/') = '\0';
	for (p = dir + 1; r == 0 && *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) == -1 && errno != EEXIST)
			r = -1;
		*p = '/';
	}
	if (r == 0 && *dir != '\0' && mkdir(dir, 0700) == -1 && errno != EEXIST)
		r = -1;
	free(dir);
	return r;
}

/*
 * Under an exclusive lock, so that two clients pinning at once do not
 * interleave: the line goes after a newline of its own if the last line
 * (edited by hand) has none, and a write that fails part way (a full
 * disk) is cut off again rather than leave half a line to join the next
 * one.  The file is looked up again under that lock: the caller's look
 * came before it (a question answered at the terminal, another client
 * pinning meanwhile), and a pin made since decides, as it would have
 * a moment earlier: the same key is not added twice, another key of
 * that host and port is not added beside it (KNOWN_HOSTS_MISMATCH).
 */
int
known_hosts_add(const char *path, const char *host, const char *port,
    const char *fp, size_t *lineno, char *old, size_t oldlen, char *err,
    size_t errlen)
{
	struct flock lk = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	struct stat st;
	char *line, *p, *text, last = '\n';
	size_t got;
	int fd, len, r = 0;

	if (known_hosts_mkdirs(path) == -1 ||
	    (fd = open(path,
		 O_RDWR | O_CREAT | O_APPEND | O_NONBLOCK | O_CLOEXEC, 0600)) ==
		-1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 ||
	    !(S_ISREG(st.st_mode) || known_hosts_is_null(&st))) {
		snprintf(err, errlen, "%s: not a known_hosts file", path);
		close(fd);
		return -1;
	}
	if (known_hosts_is_null(&st)) { /* kept nowhere, as asked */
		close(fd);
		return 0;
	}
	if (fcntl(fd, F_OFD_SETLKW, &lk) == -1 || fstat(fd, &st) == -1 ||
	    (st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) != 1)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (st.st_size > KNOWN_HOSTS_MAX) {
		snprintf(err, errlen, "%s: not a known_hosts file", path);
		close(fd);
		return -1;
	}
	/* O_APPEND: the offset is still the start, and writes go last. */
	text = fd_read_all(fd, (size_t)st.st_size, &got);
	r = known_hosts_check(text, got, host, port, fp, lineno, old, oldlen);
	free(text);
	if (r != KNOWN_HOSTS_UNKNOWN) {
		close(fd);
		return r == KNOWN_HOSTS_MATCH ? 0 : r;
	}
	len = xasprintf(
	    &line, "%s%s %s %s\n", last == '\n' ? "" : "\n", host, port, fp);
	for (p = line + (last != '\n'); *p != ' '; p++)
		*p = (char)tolower((unsigned char)*p);
	if (fd_write_all(fd, line, (size_t)len) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		/* No half line left to join the next pin. */
		if (ftruncate(fd, st.st_size) == -1)
			snprintf(err, errlen,
			    "%s: written only in part, and could not be cut "
			    "back: %s; remove its last line",
			    path, strerror(errno));
		r = -1;
	}
	free(line);
	if (close(fd) == -1 && r == 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		r = -1;
	}
	return r;
}

char *
known_hosts_default_path(void)
{
	return home_file(".config/mftp/known_hosts");
}
