/*
 * netrc.h: the password for a host from ~/.netrc, for scripts.
 *
 * Runs as: the user, in mftp.  The format is ftp(1)'s: whitespace
 * separated tokens, "machine NAME" or "default" starting an entry,
 * "login NAME" and "password WORD" inside it ("account" and "macdef" are
 * skipped).  A file that holds a password must belong to the user and be
 * private (no group or other access), or it is refused.
 */
#ifndef MFTP_CLIENT_NETRC_H
#define MFTP_CLIENT_NETRC_H

#include <stddef.h>

/*
 * Look host up in the file at path.  user is the login the command line
 * named, or NULL: then the entry's login (if any) is copied to login.
 * The first entry for host whose login matches (or has none) wins, with
 * a password or without; a "default" entry is used when no machine
 * matches.  Returns 1 with the password in password (wipe it), 0 when
 * the file, an entry or its password is absent (login is filled all the
 * same), -1 with a reason in err (unsafe permissions, a NUL byte in the
 * file, a token too long, I/O).
 */
int
netrc_lookup(const char *path, const char *host, const char *user, char *login,
    size_t loginlen, char *password, size_t pwlen, char *err, size_t errlen);

/*
 * netrc_lookup on the file's contents in text, which it cuts into tokens
 * in place (the caller wipes and frees it): the parser alone, with no
 * file and no permission check.
 */
int netrc_parse(char *text, const char *host, const char *user, char *login,
    size_t loginlen, char *password, size_t pwlen, char *err, size_t errlen);

#endif
