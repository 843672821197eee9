/*
 * password.c: reading the password from a descriptor or the terminal.
 *
 * Runs as: the user, in mftp.  The password only ever lives in the
 * caller's buffer, which is wiped after LOGIN; nothing here copies it.
 */
#include <errno.h>
#include <readpassphrase.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mftp_limits.h"
#include "password.h"
#include "termsafe.h"

static int
password_from_fd(int fd, char *buf, size_t len, char *errbuf, size_t errlen)
{
	size_t n = 0, add;
	ssize_t r;
	int cr = 0;
	char c;

	for (;;) {
		r = read(fd, &c, 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(errbuf, errlen,
			    "cannot read the password from descriptor %d: %s",
			    fd, strerror(errno));
			goto fail;
		}
		/* A CR held before the end: a line written with CRLF. */
		if (r == 0 || c == '\n')
			break;
		/*
		 * A CR is held until the next byte says whether it ends the
		 * line, so it is no byte of a password of the most length.
		 */
		add = (size_t)cr + (c != '\r');
		if (n + add >= len || n + add > MFTP_SECRET_MAX) {
			snprintf(errbuf, errlen,
			    "password on descriptor %d is longer than %d "
			    "bytes",
			    fd, MFTP_SECRET_MAX);
			goto fail;
		}
		if (cr)
			buf[n++] = '\r';
		if (!(cr = c == '\r'))
			buf[n++] = c;
	}
	buf[n] = '\0';
	if (n == 0) {
		snprintf(errbuf, errlen, "empty password on descriptor %d", fd);
		goto fail;
	}
	return 0;

fail:
	explicit_bzero(buf, len);
	return -1;
}

int
password_read(int fd, const char *user, const char *host, char *buf, size_t len,
    char *errbuf, size_t errlen)
{
	char prompt[512], *u, *h;

	if (fd >= 0)
		return password_from_fd(fd, buf, len, errbuf, errlen);
	/*
	 * The user name may come %XX-decoded from a URL someone else
	 * wrote: no ESC or override of it may redraw the prompt.
	 */
	u = termsafe_str(user);
	h = termsafe_str(host);
	snprintf(prompt, sizeof(prompt), "%s@%s's password: ", u, h);
	free(u);
	free(h);
	if (readpassphrase(prompt, buf, len, RPP_REQUIRE_TTY) == NULL) {
		explicit_bzero(buf, len);
		if (errno == ENOTTY || errno == ENXIO || errno == ENOENT ||
		    errno == EIO)
			snprintf(errbuf, errlen,
			    "no terminal to read the password from; use "
			    "--password-fd");
		else
			snprintf(errbuf, errlen, "cannot read the password: %s",
			    strerror(errno));
		return -1;
	}
	if (buf[0] == '\0') {
		snprintf(errbuf, errlen, "empty password");
		return -1;
	}
	if (strlen(buf) > MFTP_SECRET_MAX) {
		explicit_bzero(buf, len);
		snprintf(errbuf, errlen, "password is longer than %d bytes",
		    MFTP_SECRET_MAX);
		return -1;
	}
	return 0;
}
