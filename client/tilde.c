/*
 * tilde.c: a local name's leading ~ or ~USER (tilde.h).
 *
 * Runs as: the user, in mftp.
 */
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "tilde.h"
#include "util.h"

int
tilde_expand(const char *path, int glob, char **out)
{
	const char *rest, *home = NULL, *h;
	struct passwd *pw;
	char *user, *s, *o;

	*out = NULL;
	if (path[0] != '~')
		return 0;
	rest = strchrnul(path, '/');
	user = xmalloc((size_t)(rest - path));
	memcpy(user, path + 1, (size_t)(rest - path - 1));
	user[rest - path - 1] = '\0';
	errno = 0;
	if (*user == '\0')
		home = home_dir();
	else if ((pw = getpwnam(user)) != NULL && pw->pw_dir != NULL &&
	    *pw->pw_dir != '\0')
		home = pw->pw_dir;
	if (home == NULL) {
		if (*user == '\0')
			*out = xstrdup("~: HOME is not set and there is no "
				       "home directory in the passwd entry");
		else
			xasprintf(out, "~%s: no such user%s%s", user,
			    errno != 0 ? ": " : "",
			    errno != 0 ? strerror(errno) : "");
		free(user);
		return -1;
	}
	free(user);
	/* "/" and "/x" make "/x", not "//x". */
	if (strcmp(home, "/") == 0 && *rest == '/')
		home = "";
	s = o = xmalloc(2 * strlen(home) + strlen(rest) + 1);
	for (h = home; *h != '\0'; h++) {
		if (glob && strchr("*?[\\", *h) != NULL)
			*o++ = '\\';
		*o++ = *h;
	}
	strcpy(o, rest);
	*out = s;
	return 0;
}
