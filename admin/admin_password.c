/*
 * admin_password.c: a new password, read from the terminal or standard
 * input, checked and hashed (admin_password.h).
 *
 * Runs as: root, in ftpuser-add and ftpuser-mod.  A password is wiped
 * from every buffer that held it before the buffer is freed.
 */
#include <sys/types.h>

#include <crypt.h>
#include <errno.h>
#include <readpassphrase.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin_common.h"
#include "admin_password.h"
#include "util.h"

/* One line from standard input, read byte by byte so that no stdio
 * buffer keeps a copy of it; a CR that ends it is not kept. */
static char *
admin_read_stdin_line(char *buf, size_t size)
{
	size_t len = 0;
	ssize_t r;
	char ch;

	for (;;) {
		if ((r = read(STDIN_FILENO, &ch, 1)) == -1) {
			if (errno == EINTR)
				continue;
			return NULL;
		}
		if (r == 0 || ch == '\n')
			break;
		if (ch == '\0') {
			errno = EINVAL;
			return NULL;
		}
		if (len < size - 1)
			buf[len++] = ch;
		else
			len = size; /* too long: keep reading to the end */
	}
	if (len == size) {
		explicit_bzero(buf, size);
		errno = EMSGSIZE;
		return NULL;
	}
	/*
	 * A line of a file saved with DOS line ends: the password is what
	 * comes before the CR, as mftp --password-fd reads the same file,
	 * and as no terminal lets anyone type.
	 */
	if (len > 0 && buf[len - 1] == '\r')
		buf[--len] = '\0';
	buf[len] = '\0';
	return buf;
}

/* Characters of s: every byte but UTF-8's continuation bytes. */
static size_t
admin_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

char *
admin_read_password(int from_stdin, unsigned int min_chars)
{
	/* Room for one byte over the limit, to tell "too long" apart. */
	const size_t size = ADMIN_PASSWORD_MAX + 2;
	char *pw, *again;
	int mismatch;

	pw = xcalloc(1, size);
	if (from_stdin) {
		if (admin_read_stdin_line(pw, size) == NULL) {
			freezero(pw, size);
			if (errno == EMSGSIZE)
				admin_errx("password longer than %d bytes",
				    ADMIN_PASSWORD_MAX);
			if (errno == EINVAL)
				admin_errx("password contains a NUL byte");
			admin_err("reading the password");
		}
	} else {
		if (readpassphrase(
			"New password: ", pw, size, RPP_REQUIRE_TTY) == NULL) {
			freezero(pw, size);
			if (errno == ENOTTY)
				admin_errx("no terminal to read the password "
					   "from (see --password-stdin)");
			admin_err("reading the password");
		}
	}
	if (pw[0] == '\0') {
		freezero(pw, size);
		admin_errx("empty password");
	}
	if (strlen(pw) > ADMIN_PASSWORD_MAX) {
		freezero(pw, size);
		admin_errx("password longer than %d bytes", ADMIN_PASSWORD_MAX);
	}
	/* Before the terminal asks for it again. */
	if (admin_chars(pw) < min_chars) {
		freezero(pw, size);
		admin_errx("password shorter than %u characters "
			   "(password_min_length in mftpd.conf)",
		    min_chars);
	}
	if (!from_stdin) {
		again = xcalloc(1, size);
		if (readpassphrase("Retype new password: ", again, size,
			RPP_REQUIRE_TTY) == NULL) {
			freezero(pw, size);
			freezero(again, size);
			admin_err("reading the password");
		}
		mismatch = strcmp(pw, again) != 0;
		freezero(again, size);
		if (mismatch) {
			freezero(pw, size);
			admin_errx("passwords do not match");
		}
	}
	/* admin_secret_free wipes strlen bytes; clear the rest now. */
	explicit_bzero(pw + strlen(pw), size - strlen(pw));
	return pw;
}

char *
admin_hash_password(const char *password)
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd;
	char *hash, *r;

	/* NULL prefix: the system's preferred method (yescrypt on Debian). */
	if (crypt_gensalt_rn(NULL, 0, NULL, 0, setting, sizeof(setting)) ==
	    NULL)
		admin_err("cannot make a password salt");
	/* struct crypt_data is 32 KiB: on the heap, and wiped after use. */
	cd = xcalloc(1, sizeof(*cd));
	r = crypt_rn(password, setting, cd, sizeof(*cd));
	if (r == NULL || r[0] == '*') {
		freezero(cd, sizeof(*cd));
		admin_errx("cannot hash the password");
	}
	hash = xstrdup(r);
	freezero(cd, sizeof(*cd));
	return hash;
}
