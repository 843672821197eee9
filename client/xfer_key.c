/*
 * xfer_key.c: a resume record's text (xfer_key.h).
 *
 * Runs as: the user, in mftp, on the record of a .part that may have
 * come from anywhere.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "human.h"
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

/*
 * A decimal number up to max at *p (before end), in canonical form: no
 * sign, no leading zero.  *p moves past it; 0, or -1.
 */
static int
xfer_key_number(const char **p, const char *end, uint64_t max, uint64_t *v)
{
	size_t n = 0;

	while (*p + n < end && (*p)[n] >= '0' && (*p)[n] <= '9')
		n++;
	if (n == 0 || (n > 1 && **p == '0') ||
	    human_parse_digits(*p, n, max, v) == -1)
		return -1;
	*p += n;
	return 0;
}

int
xfer_key_parse(const char *buf, size_t n, struct xfer_key *k)
{
	const char *p = buf, *end = buf + n;
	uint64_t size, m, ino = 0;
	int neg = 0;

	if (xfer_key_number(&p, end, UINT64_MAX, &size) == -1 || p == end ||
	    *p++ != ' ')
		return -1;
	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	/* INT64_MIN is one past INT64_MAX; "-0" is not written. */
	if (xfer_key_number(&p, end, (uint64_t)INT64_MAX + neg, &m) == -1 ||
	    (neg && m == 0))
		return -1;
	if (p < end &&
	    (*p++ != ' ' || xfer_key_number(&p, end, UINT64_MAX, &ino) == -1 ||
		ino == 0))
		return -1;
	if (p != end)
		return -1;
	k->size = size;
	k->mtime = neg ? -(int64_t)(m - 1) - 1 : (int64_t)m;
	k->ino = ino;
	return 0;
}
