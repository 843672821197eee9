/*
 * admin_password.h: a new password read and hashed, for ftpuser-add and
 * ftpuser-mod (admin_password.c).
 */
#ifndef MFTP_ADMIN_PASSWORD_H
#define MFTP_ADMIN_PASSWORD_H

#include "mftp_limits.h"

/* Longest password: the protocol's limit, which is what libxcrypt hashes. */
#define ADMIN_PASSWORD_MAX MFTP_SECRET_MAX

/*
 * Read a new password: from the terminal, asked twice (RPP_REQUIRE_TTY),
 * or when from_stdin one line from standard input (a CR that ends it
 * left out).  Empty, shorter than min_chars characters (UTF-8: a
 * character counts once), over ADMIN_PASSWORD_MAX bytes, or (terminal)
 * not the same twice: exit 1.  Free the result with admin_secret_free.
 */
char *admin_read_password(int from_stdin, unsigned int min_chars);

/* Hash password with libxcrypt's default method; exits 1 on failure. */
char *admin_hash_password(const char *password);

#endif
