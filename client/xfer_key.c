/*
 * xfer_key.c: a resume record's text (xfer_key.h).
 *
 * Runs as: the user, in mftp, on the record of a .part that may have
 * come from anywhere.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "xfer_key.h"

size_t
xfer_key_format(const struct xfer_key *k, char *buf, size_t len)
{
	int n;

	if (k->ino != 0)
		n = snprintf(buf, len, "%" PRIu64 " %" PRId64 " %" PRIu64,
		    k->size, k->mtime, k->ino);
	else
		n = snprintf(
		    buf, len, "%" PRIu64 " %" PRId64, k->size, k->mtime);
	return n < 0 ? 0 : (size_t)n;
}

int
xfer_key_parse(const char *buf, size_t n, struct xfer_key *k)
{
	char text[XFER_KEY_TEXT_MAX];
	uintmax_t s, i = 0;
	intmax_t m;

	if (n == 0 || n >= sizeof(text))
		return -1;
	memcpy(text, buf, n);
	text[n] = '\0';
	if (sscanf(text, "%ju %jd %ju", &s, &m, &i) < 2)
		return -1;
	k->size = s;
	k->mtime = m;
	k->ino = i;
	return 0;
}
