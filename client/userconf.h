/*
 * userconf.h: the client's own settings file, ~/.config/mftp/config
 * (mftp(1), FILES).
 *
 * Runs as: the user, in mftp.  Format as mftpd.conf: "key = value"
 * lines, '#' starts a comment, blank lines are ignored; an unknown key or
 * a bad value is an error that names the file and line.  A missing file
 * is no error: every setting has a default.
 */
#ifndef MFTP_CLIENT_USERCONF_H
#define MFTP_CLIENT_USERCONF_H

#include <stddef.h>

#include "digest.h"

struct userconf {
	/* verify = xxh128 | sha256: the checksum to ask the server for. */
	enum digest_alg verify;
	/* ciphers = list (as -o Ciphers, checked), or "": the default. */
	char ciphers[64];
};

/* The defaults: verify = xxh128, both suites. */
void userconf_defaults(struct userconf *u);

/*
 * Parse text over u; name is used in messages.  0, or -1 with
 * "name:line: reason" in err (u is then as it was).
 */
int userconf_parse(struct userconf *u, const char *name, const char *text,
    char *err, size_t errlen);

/*
 * Read path into u (over what it holds): 0 when the file was read or
 * does not exist, -1 with the reason in err.
 */
int
userconf_load(struct userconf *u, const char *path, char *err, size_t errlen);

/* ~/.config/mftp/config from $HOME or the password database, or NULL. */
char *userconf_default_path(void);

#endif
