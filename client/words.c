/*
 * words.c: shell-like splitting of command lines, and quoting of names.
 *
 * Runs as: the user, in mftp.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "termsafe.h"
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

/* Write code point c as UTF-8 to out (room for 4); its length. */
static size_t
words_put_utf8(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | c >> 6);
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | c >> 12);
		out[1] = (char)(0x80 | (c >> 6 & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | c >> 18);
	out[1] = (char)(0x80 | (c >> 12 & 0x3f));
	out[2] = (char)(0x80 | (c >> 6 & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/*
 * One escape inside $'...', p just after the backslash: the bytes it
 * stands for in out (room for 4), their number in *outn, and how many
 * characters it took, or 0 with *errp.  No escape gives more bytes than
 * it takes characters with its backslash, so a word never outgrows its
 * line.
 */
static size_t
words_escape(const char *p, char *out, size_t *outn, const char **errp)
{
	static const char from[] = "abefnrtv\\'\"?E";
	static const char to[] = "\a\b\033\f\n\r\t\v\\'\"?\033";
	const char *q;
	uint32_t v = 0;
	size_t n = 0, max;

	*outn = 1;
	if (*p == '\0') {
		*errp = "unterminated $' quote";
		return 0;
	}
	if ((q = strchr(from, *p)) != NULL) {
		*out = to[q - from];
		return 1;
	}
	if (*p == 'x' || *p == 'u' || *p == 'U') {
		max = *p == 'x' ? 2 : *p == 'u' ? 4 : 8;
		for (n = 1; n <= max && words_hex(p[n]) >= 0; n++)
			v = v * 16 + (uint32_t)words_hex(p[n]);
		if (n == 1) {
			*errp = *p == 'x' ? "\\x without a hex digit" :
					    "\\u or \\U without a hex digit";
			return 0;
		}
	} else if (*p >= '0' && *p <= '7') {
		for (n = 0; n < 3 && p[n] >= '0' && p[n] <= '7'; n++)
			v = v * 8 + (uint32_t)(p[n] - '0');
	} else {
		/* Not an escape: the backslash stands for itself. */
		*out = '\\';
		return (size_t)-1;
	}
	if (v == 0) {
		*errp = "a NUL byte cannot be part of a word";
		return 0;
	}
	if (*p == 'u' || *p == 'U') {
		/* A character, as bash writes it: UTF-8. */
		if ((v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff) {
			*errp = "\\u or \\U that is not a character";
			return 0;
		}
		*outn = words_put_utf8(v, out);
		return n;
	}
	if (v > 0xff) {
		*errp = "a NUL byte cannot be part of a word";
		return 0;
	}
	*out = (char)v;
	return n;
}

int
words_split(const char *line, int *argcp, char ***argvp, const char **errp)
{
	return words_split_tilde(line, argcp, argvp, NULL, errp);
}

int
words_split_tilde(const char *line, int *argcp, char ***argvp, char **tildep,
    const char **errp)
{
	char **argv = NULL, *word, *w, *tilde = NULL;
	const char *p = line;
	size_t n, outn;
	int argc = 0;

	*argvp = NULL;
	*argcp = 0;
	if (tildep != NULL)
		*tildep = NULL;
	/* A word is never longer than the line, so one copy's room is enough. */
	word = xmalloc(strlen(line) + 1);
	for (;;) {
		while (words_is_blank(*p))
			p++;
		if (*p == '\0')
			break;
		w = word;
		tilde = xreallocarray(tilde, (size_t)argc + 1, 1);
		tilde[argc] = *p == '~';
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
						 p + 1, w, &outn, errp)) == 0)
						goto fail;
					w += outn;
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
	if (tildep != NULL)
		*tildep = tilde != NULL ? tilde : xcalloc(1, 1);
	else
		free(tilde);
	return 0;

fail:
	free(tilde);
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
	return termsafe_str(name);
}

size_t
words_utf8_len(const char *s)
{
	size_t n;

	return termsafe_class(s, &n, NULL) == TERMSAFE_BAD ? 0 : n;
}

/*
 * Nonzero if s has a character that may not reach the terminal as it
 * is: a control or bidi character, or bytes that are not UTF-8.
 */
static int
words_needs_ansi(const char *s)
{
	enum termsafe_class k;
	size_t n;

	for (; (k = termsafe_class(s, &n, NULL)) != TERMSAFE_END; s += n)
		if (k != TERMSAFE_PRINT)
			return 1;
	return 0;
}

/*
 * $'...' with every character that may not reach the terminal written
 * as an escape: \xHH for each byte of a control character (C1 too) or
 * of bytes that are not UTF-8, \uXXXX for a bidi character.
 */
static char *
words_quote_ansi(const char *s)
{
	static const char hex[] = "0123456789abcdef";
	enum termsafe_class k;
	char *out, *q;
	uint32_t cp;
	size_t n, i;

	/* At most 4 output characters per input byte, plus $'' and NUL. */
	out = q = xmalloc(strlen(s) * 4 + 4);
	*q++ = '$';
	*q++ = '\'';
	while ((k = termsafe_class(s, &n, &cp)) != TERMSAFE_END) {
		unsigned char c = (unsigned char)*s;

		if (c == '\\' || c == '\'') {
			*q++ = '\\';
			*q++ = *s;
		} else if (c == '\n' || c == '\t' || c == '\r') {
			*q++ = '\\';
			*q++ = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
		} else if (k == TERMSAFE_BIDI) {
			/* 2 or 3 bytes in, 6 characters out. */
			q += snprintf(q, 7, "\\u%04x", (unsigned int)cp);
		} else if (k != TERMSAFE_PRINT) {
			for (i = 0; i < n; i++) {
				c = (unsigned char)s[i];
				*q++ = '\\';
				*q++ = 'x';
				*q++ = hex[c >> 4];
				*q++ = hex[c & 0xf];
			}
		} else {
			memcpy(q, s, n);
			q += n;
		}
		s += n;
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
