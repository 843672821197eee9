/*
 * userconf.c: reads ~/.config/mftp/config (userconf.h).
 *
 * Runs as: the user, in mftp, before connecting.  The file is the
 * user's own; it is still checked line by line, so that a typo is
 * reported rather than silently ignored.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "kvline.h"
#include "tls.h"
#include "userconf.h"
#include "util.h"

/* A settings file is a few lines; anything larger is a mistake. */
#define USERCONF_FILE_MAX (64 * 1024)

void
userconf_defaults(struct userconf *u)
{
	memset(u, 0, sizeof(*u));
	u->verify = DIGEST_XXH128;
}

/* One line (modified) into u: 0, or -1 with the reason in err. */
static int
userconf_line(struct userconf *u, char *line, char *err, size_t errlen)
{
	char *key, *value;
	int r;

	if ((r = kvline_split(line, &key, &value)) == 0)
		return 0;
	if (r == -1) {
		snprintf(err, errlen, "missing '=' (expected \"key = value\")");
		return -1;
	}
	if (strcasecmp(key, "verify") == 0) {
		if (digest_from_name(value, &u->verify) == -1) {
			snprintf(err, errlen,
			    "verify: '%s' is not xxh128 or sha256", value);
			return -1;
		}
		return 0;
	}
	if (strcasecmp(key, "ciphers") == 0) {
		char list[sizeof(TLS_SUITES_DEFAULT)];

		if (tls_suites_parse(value, list, sizeof(list)) == -1 ||
		    strlcpy(u->ciphers, value, sizeof(u->ciphers)) >=
			sizeof(u->ciphers)) {
			snprintf(err, errlen,
			    "ciphers: '%s' is not chacha20-poly1305, "
			    "aes128-gcm or both, separated by a comma",
			    value);
			return -1;
		}
		return 0;
	}
	snprintf(err, errlen,
	    "unknown key '%s' (mftp knows verify and ciphers)", key);
	return -1;
}

int
userconf_parse(struct userconf *u, const char *name, const char *text,
    char *err, size_t errlen)
{
	struct userconf tmp = *u;
	char *copy, *p, *line, why[256];
	size_t n = 0;

	copy = xstrdup(text);
	p = copy;
	while ((line = strsep(&p, "\n")) != NULL) {
		n++;
		if (userconf_line(&tmp, line, why, sizeof(why)) == -1) {
			snprintf(err, errlen, "%s:%zu: %s", name, n, why);
			free(copy);
			return -1;
		}
	}
	free(copy);
	*u = tmp;
	return 0;
}

int
userconf_load(struct userconf *u, const char *path, char *err, size_t errlen)
{
	struct stat st;
	char *text;
	ssize_t r;
	size_t off = 0;
	int fd, ret;

	/* O_NONBLOCK: a FIFO is refused below rather than waited on. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) ==
	    -1) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > USERCONF_FILE_MAX) {
		snprintf(err, errlen, "%s: %s", path,
		    S_ISREG(st.st_mode) ? "too large" : "not a regular file");
		close(fd);
		return -1;
	}
	text = xmalloc((size_t)st.st_size + 1);
	while (off < (size_t)st.st_size) {
		r = read(fd, text + off, (size_t)st.st_size - off);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			close(fd);
			free(text);
			return -1;
		}
		if (r == 0)
			break;
		off += (size_t)r;
	}
	close(fd);
	text[off] = '\0';
	if (strlen(text) != off) {
		snprintf(err, errlen, "%s: contains a NUL byte", path);
		free(text);
		return -1;
	}
	ret = userconf_parse(u, path, text, err, errlen);
	free(text);
	return ret;
}

char *
userconf_default_path(void)
{
	return home_file(".config/mftp/config");
}
