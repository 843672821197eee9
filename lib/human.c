/*
 * human.c: sizes shown and read in IEC units, counts as plain numbers
 * (human.h).  libbsd shows them (humanize_number) in the one style
 * fixed here; reading is done here, digits and one unit, because
 * expand_number takes more than a size may be (a sign, blanks, hex,
 * octal, and anything after the unit's first letter).
 *
 * Used by: every program.
 */
#include <ctype.h>
#include <errno.h>
#include <libutil.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

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
	long double eib;

	/*
	 * Past humanize_number's int64_t: 8 to 16 EiB, in its style (one
	 * decimal below ten, rounded).
	 */
	if (v > INT64_MAX) {
		eib = (long double)v / (long double)(1ULL << 60);
		if (eib < 9.95L)
			snprintf(out, outlen, "%.1Lf EiB", eib);
		else
			snprintf(out, outlen, "%.0Lf EiB", eib);
		return;
	}
	if (humanize_number(buf, sizeof(buf), (int64_t)v, "B", HN_AUTOSCALE,
		HN_DECIMAL | HN_IEC_PREFIXES) == -1)
		snprintf(buf, sizeof(buf), "?");
	snprintf(out, outlen, "%s", buf);
}

/*
 * The power of 1024 a unit names, or -1: "", "B", or one of K M G T P E
 * (either case) alone or with "B" or "iB" after it.  Nothing else may
 * follow the digits: libbsd's expand_number reads hex and octal and
 * stops at the first letter, so "0x10" was 16 and "100Mbps" 100 MiB.
 */
static int
human_unit(const char *u)
{
	static const char powers[] = "KMGTPE";
	const char *p;

	if (*u == '\0' || strcasecmp(u, "B") == 0)
		return 0;
	if ((p = strchr(powers, toupper((unsigned char)*u))) == NULL)
		return -1;
	u++;
	if (*u != '\0' && strcasecmp(u, "B") != 0 && strcasecmp(u, "iB") != 0)
		return -1;
	return (int)(p - powers) + 1;
}

int
human_parse_digits(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	unsigned int d;
	size_t i;

	for (i = 0; i < n; i++) {
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

int
human_parse_size(const char *s, uint64_t *out)
{
	uint64_t v;
	size_t n;
	int power;

	n = strspn(s, "0123456789");
	if (n == 0 || (power = human_unit(s + n)) == -1) {
		errno = EINVAL;
		return -1;
	}
	if (human_parse_digits(s, n, UINT64_MAX >> (10 * power), &v) == -1)
		return -1;
	*out = v << (10 * power);
	return 0;
}

int
human_parse_count(const char *s, uint64_t max, uint64_t *out)
{
	size_t n;

	n = strspn(s, "0123456789");
	if (n == 0 || s[n] != '\0') {
		errno = EINVAL;
		return -1;
	}
	return human_parse_digits(s, n, max, out);
}
