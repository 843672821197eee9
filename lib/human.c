/*
 * human.c: sizes shown and read in IEC units, counts as plain numbers
 * (human.h).  libbsd does the work (humanize_number, expand_number);
 * this file only fixes the one style and closes what those accept but a
 * size or count must not be (a sign, leading blanks).
 *
 * Used by: every program.
 */
#include <errno.h>
#include <libutil.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "human.h"

/*
 * humanize_number's length for "NNN XiB": with 8 bytes (the NUL
 * included) it scales until at most three digits remain, and with
 * HN_DECIMAL keeps one decimal below ten ("9.5 MiB", not "9728 KiB").
 */
#define HUMAN_HN_LEN 8

void
human_size(uint64_t v, char *out, size_t outlen)
{
	char buf[HUMAN_HN_LEN];

	if (v > INT64_MAX) {
		humanize_number(buf, sizeof(buf), INT64_MAX, "B", HN_AUTOSCALE,
		    HN_DECIMAL | HN_IEC_PREFIXES);
		snprintf(out, outlen, ">%s", buf);
		return;
	}
	if (humanize_number(buf, sizeof(buf), (int64_t)v, "B", HN_AUTOSCALE,
		HN_DECIMAL | HN_IEC_PREFIXES) == -1)
		snprintf(buf, sizeof(buf), "?");
	snprintf(out, outlen, "%s", buf);
}

int
human_parse_size(const char *s, uint64_t *out)
{
	char digits[24];
	uint64_t v;
	size_t n;

	/*
	 * expand_number skips blanks, takes a sign (wrapping "-1") and
	 * lets a number beyond 2^64 wrap: the digits are checked here.
	 */
	n = strspn(s, "0123456789");
	if (n == 0) {
		errno = EINVAL;
		return -1;
	}
	if (n >= sizeof(digits)) {
		errno = ERANGE;
		return -1;
	}
	memcpy(digits, s, n);
	digits[n] = '\0';
	if (human_parse_count(digits, UINT64_MAX, &v) == -1 ||
	    expand_number(s, &v) == -1)
		return -1;
	*out = v;
	return 0;
}

int
human_parse_count(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	unsigned int d;
	size_t i;

	if (s[0] == '\0') {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] < '0' || s[i] > '9') {
			errno = EINVAL;
			return -1;
		}
	for (i = 0; s[i] != '\0'; i++) {
		d = (unsigned int)(s[i] - '0');
		if (d > max || v > (max - d) / 10) {
			errno = ERANGE;
			return -1;
		}
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}
