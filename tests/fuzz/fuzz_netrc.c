/*
 * fuzz_netrc.c: the client's ~/.netrc parser (client/netrc.c's
 * netrc_parse, which netrc_lookup runs on the file's contents).
 *
 * Input: a first line "host" or "host user" (what the command line
 * named), then the file's contents.
 *
 * Properties: in a file without a double quote, a password (and a login
 * taken from the file) found is a whole token of it, without blanks (a
 * quoted token may hold blanks and escapes); an error is only a token too
 * long for the caller's buffer; the host is matched without regard to
 * case; nothing is left allocated (LeakSanitizer).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mftp_limits.h"
#include "netrc.h"

struct fuzz_found {
	int r;
	char login[MFTP_USER_MAX + 1];
	char password[MFTP_SECRET_MAX + 2];
	char err[256];
};

static void
fuzz_lookup(
    const char *text, const char *host, const char *user, struct fuzz_found *f)
{
	char *copy;

	if ((copy = strdup(text)) == NULL)
		abort();
	memset(f, 0, sizeof(*f));
	f->r = netrc_parse(copy, host, user, f->login, sizeof(f->login),
	    f->password, sizeof(f->password), f->err, sizeof(f->err));
	free(copy);
}

/* s is a whole blank-separated token of text. */
static int
fuzz_is_token(const char *text, const char *s)
{
	const char *p;
	size_t n = strlen(s);

	if (n == 0 || strpbrk(s, " \t\r\n") != NULL)
		return 0;
	for (p = text; (p = strstr(p, s)) != NULL; p++)
		if ((p == text || strchr(" \t\r\n", p[-1]) != NULL) &&
		    (p[n] == '\0' || strchr(" \t\r\n", p[n]) != NULL))
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_found f, g;
	char *input, *text, *host, *user, *p;

	if ((input = fuzz_cstring(data, size)) == NULL)
		return 0;
	if ((text = strchr(input, '\n')) == NULL) {
		free(input);
		return 0;
	}
	*text++ = '\0';
	host = input;
	if ((user = strchr(input, ' ')) != NULL)
		*user++ = '\0';

	fuzz_lookup(text, host, user, &f);
	FUZZ_CHECK(f.r >= -1 && f.r <= 1);
	if (f.r == -1)
		FUZZ_CHECK(strstr(f.err, "too long") != NULL);
	if (f.r == 1 && strchr(text, '"') == NULL) {
		FUZZ_CHECK(fuzz_is_token(text, f.password));
		if (user == NULL && f.login[0] != '\0')
			FUZZ_CHECK(fuzz_is_token(text, f.login));
	}
	if (f.r == 1) {
		if (user != NULL)
			FUZZ_CHECK(f.login[0] == '\0');
	}

	/* The same lookup with the host in upper case finds the same. */
	for (p = host; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	fuzz_lookup(text, host, user, &g);
	FUZZ_CHECK(g.r == f.r);
	if (f.r == 1) {
		FUZZ_CHECK(strcmp(f.password, g.password) == 0);
		FUZZ_CHECK(strcmp(f.login, g.login) == 0);
	}
	free(input);
	return 0;
}
