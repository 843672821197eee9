/*
 * words.c: shell-like splitting of command lines, and quoting of names.
 *
 * Runs as: the user, in mftp.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "words.h"

/* Characters a POSIX shell gives a meaning: a name holding one is quoted. */
#define WORDS_SPECIAL " \t'\"\\$&|;<>()*?[]{}!`"

static int
words_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
words_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * One escape inside $'...', p just after the backslash: the byte it
 * stands for in *out and how many characters it took, or 0 with *errp.
 */
static size_t
words_escape(const char *p, char *out, const char **errp)
{
	static const char from[] = "abefnrtv\\'\"?E";
	static const char to[] = "\a\b\033\f\n\r\t\v\\'\"?\033";
	const char *q;
	unsigned int v = 0;
	size_t n = 0;

	if (*p == '\0') {
		*errp = "unterminated $' quote";
		return 0;
	}
	if ((q = strchr(from, *p)) != NULL) {
		*out = to[q - from];
		return 1;
	}
	if (*p == 'x') {
		for (n = 1; n < 3 && words_hex(p[n]) >= 0; n++)
			v = v * 16 + (unsigned int)words_hex(p[n]);
		if (n == 1) {
			*errp = "\\x without a hex digit";
			return 0;
		}
	} else if (*p >= '0' && *p <= '7') {
		for (n = 0; n < 3 && p[n] >= '0' && p[n] <= '7'; n++)
			v = v * 8 + (unsigned int)(p[n] - '0');
	} else {
		/* Not an escape: the backslash stands for itself. */
		*out = '\\';
		return (size_t)-1;
	}
	if (v == 0 || v > 0xff) {
		*errp = "a NUL byte cannot be part of a word";
		return 0;
	}
	*out = (char)v;
	return n;
}

int
words_split(const char *line, int *argcp, char ***argvp, const char **errp)
{
	char **argv = NULL, *word, *w;
	const char *p = line;
	size_t n;
	int argc = 0;

	*argvp = NULL;
	*argcp = 0;
	/* A word is never longer than the line, so one copy's room is enough. */
	word = xmalloc(strlen(line) + 1);
	for (;;) {
		while (words_is_blank(*p))
			p++;
		if (*p == '\0')
			break;
		w = word;
		while (*p != '\0' && !words_is_blank(*p)) {
			if (*p == '\'') {
				for (p++; *p != '\'' && *p != '\0'; p++)
					*w++ = *p;
				if (*p == '\0') {
					*errp = "unterminated single quote";
					goto fail;
				}
				p++;
			} else if (*p == '$' && p[1] == '\'') {
				for (p += 2; *p != '\'' && *p != '\0';) {
					if (*p != '\\') {
						*w++ = *p++;
						continue;
					}
					if ((n = words_escape(
						 p + 1, w, errp)) == 0)
						goto fail;
					w++;
					p += n == (size_t)-1 ? 1 : n + 1;
				}
				if (*p == '\0') {
					*errp = "unterminated $' quote";
					goto fail;
				}
				p++;
			} else if (*p == '"') {
				for (p++; *p != '"' && *p != '\0'; p++) {
					if (*p == '\\' &&
					    (p[1] == '"' || p[1] == '\\'))
						p++;
					*w++ = *p;
				}
				if (*p == '\0') {
					*errp = "unterminated double quote";
					goto fail;
				}
				p++;
			} else if (*p == '\\') {
				if (p[1] == '\0') {
					*errp = "backslash at the end of the "
						"line";
					goto fail;
				}
				*w++ = p[1];
				p += 2;
			} else
				*w++ = *p++;
		}
		*w = '\0';
		argv = xreallocarray(argv, (size_t)argc + 2, sizeof(*argv));
		argv[argc++] = xstrdup(word);
		argv[argc] = NULL;
	}
	free(word);
	if (argv == NULL)
		argv = xcalloc(1, sizeof(*argv));
	*argvp = argv;
	*argcp = argc;
	return 0;

fail:
	free(word);
	if (argv != NULL)
		words_free(argv);
	return -1;
}

void
words_free(char **argv)
{
	char **p;

	if (argv == NULL)
		return;
	for (p = argv; *p != NULL; p++)
		free(*p);
	free(argv);
}

char *
words_printable(const char *name)
{
	char *s, *p;

	s = xstrdup(name);
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return s;
}

size_t
words_utf8_len(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t c;
	size_t n, i;

	if (p[0] < 0x80)
		return p[0] != 0;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, c = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, c = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, c = p[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF. */
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	return n;
}

/* Nonzero if s has a control character or bytes that are not UTF-8. */
static int
words_needs_ansi(const char *s)
{
	size_t n;

	for (; *s != '\0'; s += n) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
		if ((n = words_utf8_len(s)) == 0)
			return 1;
	}
	return 0;
}

/* $'...' with every unprintable byte written as an escape. */
static char *
words_quote_ansi(const char *s)
{
	static const char hex[] = "0123456789abcdef";
	char *out, *q;
	size_t n = 0;

	/* At most 4 output characters per input byte, plus $'' and NUL. */
	out = q = xmalloc(strlen(s) * 4 + 4);
	*q++ = '$';
	*q++ = '\'';
	while (*s != '\0') {
		unsigned char c = (unsigned char)*s;

		if (c == '\\' || c == '\'') {
			*q++ = '\\';
			*q++ = *s++;
		} else if (c == '\n' || c == '\t' || c == '\r') {
			*q++ = '\\';
			*q++ = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
			s++;
		} else if (c < 0x20 || c == 0x7f ||
		    (n = words_utf8_len(s)) == 0) {
			*q++ = '\\';
			*q++ = 'x';
			*q++ = hex[c >> 4];
			*q++ = hex[c & 0xf];
			s++;
		} else {
			memcpy(q, s, n);
			q += n;
			s += n;
		}
	}
	*q++ = '\'';
	*q = '\0';
	return out;
}

char *
words_quote(const char *s)
{
	const char *p;
	char *q, *out;
	size_t n = 0;
	int plain = *s != '\0' && *s != '#' && *s != '~';

	if (words_needs_ansi(s))
		return words_quote_ansi(s);
	for (p = s; *p != '\0'; p++) {
		if (strchr(WORDS_SPECIAL, *p) != NULL)
			plain = 0;
		n += *p == '\'' ? 4 : 1;
	}
	if (plain)
		return xstrdup(s);
	out = q = xmalloc(n + 3);
	*q++ = '\'';
	for (p = s; *p != '\0'; p++) {
		if (*p == '\'') {
			memcpy(q, "'\\''", 4);
			q += 4;
		} else
			*q++ = *p;
	}
	*q++ = '\'';
	*q = '\0';
	return out;
}
