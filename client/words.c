/*
 * words.c: shell-like splitting of command lines, and quoting of names.
 *
 * Runs as: the user, in mftp.
 */
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "words.h"

static int
words_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int
words_split(const char *line, int *argcp, char ***argvp, const char **errp)
{
	char **argv = NULL, *word, *w;
	const char *p = line;
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

char *
words_quote(const char *s)
{
	const char *p;
	char *q, *out;
	size_t n = 0;
	int plain = *s != '\0';

	for (p = s; *p != '\0'; p++) {
		if (strchr(" \t\n\r'\"\\", *p) != NULL ||
		    (unsigned char)*p < 0x20 || *p == 0x7f)
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
