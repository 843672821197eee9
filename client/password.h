/*
 * password.h: getting the user's password, from a descriptor given on
 * the command line or from the terminal without echo.
 *
 * Runs as: the user, in mftp.
 */
#ifndef MFTP_CLIENT_PASSWORD_H
#define MFTP_CLIENT_PASSWORD_H

#include <stddef.h>

/*
 * Read the password into buf (len bytes, at least MFTP_SECRET_MAX + 1):
 * with fd >= 0 one line from fd (without its newline, read a byte at a
 * time so nothing after the line is consumed), otherwise from the
 * terminal with the prompt "user@host's password: ".  Returns 0, or -1
 * with a message in errbuf (empty password, no terminal, too long, I/O).
 * The caller wipes buf with explicit_bzero when done.
 */
int password_read(int fd, const char *user, const char *host, char *buf,
    size_t len, char *errbuf, size_t errlen);

#endif
