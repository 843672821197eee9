/*
 * netrc.c: reading ~/.netrc (netrc.h).
 *
 * Runs as: the user, in mftp.  The file is read whole into a buffer that
 * is wiped before it is freed: it holds passwords.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netrc.h"
#include "util.h"

/* A .netrc larger than this is not a .netrc. */
#define NETRC_MAX (256 * 1024)

/*
 * A token in double quotes, as curl and Python's netrc read them: blanks
 * are kept, and a backslash takes the next character as it is (\n, \r
 * and \t stand for newline, return and tab).  s is just past the opening
 * quote; the unquoted token is written in place, over the quoted one,
 * which is never shorter.  An unterminated quote runs to the end.
 */
static char *
netrc_quoted(char **p, char *s)
{
	char *start = s, *out = s;

	while (*s != '\0' && *s != '"') {
		if (*s == '\\' && s[1] != '\0') {
			s++;
			*out++ = *s == 'n' ? '\n' :
			    *s == 'r'	   ? '\r' :
			    *s == 't'	   ? '\t' :
					     *s;
			s++;
			continue;
		}
		*out++ = *s++;
	}
	if (*s == '"')
		s++;
	*out = '\0';
	*p = s;
	return start;
}

/*
 * The next token of *p, NUL-terminated in place: whitespace-separated,
 * or in double quotes.
 */
static char *
netrc_token(char **p)
{
	char *s = *p, *start;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	if (*s == '\0')
		return NULL;
	if (*s == '"')
		return netrc_quoted(p, s + 1);
	start = s;
	while (
	    *s != '\0' && *s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
		s++;
	if (*s != '\0')
		*s++ = '\0';
	*p = s;
	return start;
}

/*
 * Skip a macro definition: it runs to the first empty line, which is
 * "\r\n" in a file with CR LF line ends.
 */
static void
netrc_skip_macdef(char **p)
{
	char *s;

	for (s = strchr(*p, '\n'); s != NULL; s = strchr(s + 1, '\n'))
		if (s[1] == '\n' || (s[1] == '\r' && s[2] == '\n'))
			break;
	*p = s != NULL ? s + (s[1] == '\n' ? 2 : 3) : *p + strlen(*p);
}

/*
 * Read the whole file, refusing one others could read or change.  A
 * link is followed (dotfile managers link ~/.netrc into a repository):
 * the file it names is the one checked.  O_NONBLOCK: a FIFO is refused
 * below rather than waited on.
 */
static char *
netrc_read(const char *path, char *err, size_t errlen, int *absent)
{
	struct stat st;
	char *text;
	size_t got = 0;
	int fd;

	*absent = 0;
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		if (errno == ENOENT) {
			*absent = 1;
			return NULL;
		}
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > NETRC_MAX) {
		snprintf(err, errlen,
		    "%s: not a regular file of at most %d "
		    "bytes",
		    path, NETRC_MAX);
		close(fd);
		return NULL;
	}
	if (st.st_uid != getuid() || (st.st_mode & 077) != 0) {
		snprintf(err, errlen,
		    "%s holds passwords but others can read it or it is not "
		    "yours; chmod 600 it",
		    path);
		close(fd);
		return NULL;
	}
	text = fd_read_all(fd, (size_t)st.st_size, &got);
	close(fd);
	/*
	 * The parser would stop at a NUL, and the wipe that goes by the
	 * string's length with it: refuse one, as the user database does.
	 */
	if (strlen(text) != got) {
		snprintf(err, errlen, "%s: contains a NUL byte", path);
		freezero(text, got + 1);
		return NULL;
	}
	return text;
}

static int
netrc_copy(char *dst, size_t dstlen, const char *src, const char *what,
    char *err, size_t errlen)
{
	if (strlcpy(dst, src, dstlen) >= dstlen) {
		snprintf(err, errlen, ".netrc: a %s is too long", what);
		return -1;
	}
	return 0;
}

int
netrc_parse(char *text, const char *host, const char *user, char *login,
    size_t loginlen, char *password, size_t pwlen, char *err, size_t errlen)
{
	char *p, *tok, *e_login = NULL, *e_pass = NULL;
	char *d_login = NULL, *d_pass = NULL;
	int in_entry = 0, is_default = 0, ret = 0;

	p = text;
	for (;;) {
		tok = netrc_token(&p);
		/* An entry ends at the next one or at the end of the file. */
		if (tok == NULL || strcmp(tok, "machine") == 0 ||
		    strcmp(tok, "default") == 0) {
			/*
			 * The host's own entry ends the search, with a
			 * password or without (then it is asked for): the
			 * default is for other hosts.
			 */
			if (in_entry &&
			    (user == NULL || e_login == NULL ||
				strcmp(user, e_login) == 0)) {
				if (!is_default)
					break;
				if (d_pass == NULL && e_pass != NULL) {
					d_login = e_login;
					d_pass = e_pass;
				}
			}
			if (tok == NULL) {
				e_login = d_login;
				e_pass = d_pass;
				break;
			}
			e_login = e_pass = NULL;
			is_default = strcmp(tok, "default") == 0;
			in_entry = is_default;
			if (!is_default) {
				tok = netrc_token(&p);
				in_entry = tok != NULL &&
				    strcasecmp(tok, host) == 0;
			}
			continue;
		}
		if (strcmp(tok, "macdef") == 0) {
			netrc_skip_macdef(&p);
			continue;
		}
		if (strcmp(tok, "login") == 0 || strcmp(tok, "password") == 0 ||
		    strcmp(tok, "account") == 0) {
			char *val = netrc_token(&p);

			if (in_entry && val != NULL && tok[0] == 'l')
				e_login = val;
			else if (in_entry && val != NULL && tok[0] == 'p')
				e_pass = val;
		}
	}
	login[0] = '\0';
	if (user == NULL && e_login != NULL &&
	    netrc_copy(login, loginlen, e_login, "login", err, errlen) == -1)
		return -1;
	if (e_pass != NULL) {
		ret = 1;
		if (netrc_copy(
			password, pwlen, e_pass, "password", err, errlen) == -1)
			ret = -1;
	}
	return ret;
}

int
netrc_lookup(const char *path, const char *host, const char *user, char *login,
    size_t loginlen, char *password, size_t pwlen, char *err, size_t errlen)
{
	char *text;
	size_t size;
	int absent, ret;

	if ((text = netrc_read(path, err, errlen, &absent)) == NULL)
		return absent ? 0 : -1;
	/* Parsing cuts the text into tokens: take the size first. */
	size = strlen(text) + 1;
	ret = netrc_parse(
	    text, host, user, login, loginlen, password, pwlen, err, errlen);
	freezero(text, size);
	return ret;
}
