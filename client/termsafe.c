/*
 * termsafe.c: sort a server's text into what may reach the terminal and
 * what may not (see termsafe.h).
 *
 * Runs as: the user, in mftp.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "termsafe.h"
#include "util.h"

/* Most output per input byte: the 2-byte U+061C as the 6 of "\u061c". */
#define TERMSAFE_GROWTH 3

/* The length of the valid UTF-8 sequence at p and its value, or 0. */
static size_t
termsafe_decode(const unsigned char *p, uint32_t *cp)
{
	uint32_t c;
	size_t n, i;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, c = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, c = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, c = p[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		/* Stops at the NUL too: it is not a continuation byte. */
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF. */
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return n;
}

/*
 * Characters that reorder or separate the text around them without
 * showing: LRM, RLM, the embeddings and overrides U+202A-U+202E, the
 * isolates U+2066-U+2069, the Arabic letter mark, and the line and
 * paragraph separators (which some terminals take as a line break).
 */
static int
termsafe_is_bidi(uint32_t c)
{
	return c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) ||
	    (c >= 0x2066 && c <= 0x2069) || c == 0x061c || c == 0x2028 ||
	    c == 0x2029;
}

enum termsafe_class
termsafe_class(const char *s, size_t *lenp, uint32_t *cpp)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t c;
	size_t n;

	if (*p == '\0') {
		*lenp = 0;
		if (cpp != NULL)
			*cpp = 0;
		return TERMSAFE_END;
	}
	if ((n = termsafe_decode(p, &c)) == 0) {
		*lenp = 1;
		if (cpp != NULL)
			*cpp = *p;
		return TERMSAFE_BAD;
	}
	*lenp = n;
	if (cpp != NULL)
		*cpp = c;
	if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
		return TERMSAFE_CONTROL;
	if (termsafe_is_bidi(c))
		return TERMSAFE_BIDI;
	return TERMSAFE_PRINT;
}

char *
termsafe_str(const char *s)
{
	enum termsafe_class k;
	char *out, *o;
	uint32_t c;
	size_t n;

	o = out = xreallocarray(NULL, strlen(s) + 1, TERMSAFE_GROWTH);
	while ((k = termsafe_class(s, &n, &c)) != TERMSAFE_END) {
		switch (k) {
		case TERMSAFE_PRINT:
			memcpy(o, s, n);
			o += n;
			break;
		case TERMSAFE_BIDI:
			/* 2 or 3 bytes in, 6 out (and room for the NUL). */
			o += snprintf(o, 7, "\\u%04x", (unsigned int)c);
			break;
		default:
			*o++ = '?';
			break;
		}
		s += n;
	}
	*o = '\0';
	return out;
}
