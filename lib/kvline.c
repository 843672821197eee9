/*
 * kvline.c: split a settings line into key and value (kvline.h).
 *
 * Runs in: the master and admin tools (root, on the trusted
 * configuration file) and the client (the user, on its own file); the
 * callers check the key and value.
 */
#include <string.h>

#include "kvline.h"

int
kvline_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* s without its leading and trailing blanks (the end is cut in place). */
static char *
kvline_trim(char *s)
{
	char *e;

	while (kvline_blank(*s))
		s++;
	e = s + strlen(s);
	while (e > s && kvline_blank(e[-1]))
		*--e = '\0';
	return s;
}

int
kvline_split(char *line, char **key, char **value)
{
	char *p;

	/* Values never contain a '#', so it can end the line anywhere. */
	if ((p = strchr(line, '#')) != NULL)
		*p = '\0';
	*key = kvline_trim(line);
	if (**key == '\0')
		return 0;
	if ((p = strchr(*key, '=')) == NULL)
		return -1;
	*p = '\0';
	*key = kvline_trim(*key);
	*value = kvline_trim(p + 1);
	return 1;
}
