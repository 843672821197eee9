/*
 * partial.c: the name of an upload's partial file (partial.h).
 */
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "partial.h"
#include "util.h"

/* A file name's longest, and what a long one keeps of itself. */
#define PARTIAL_NAME_MAX 255
#define PARTIAL_KEEP 200

char *
partial_name(const char *base)
{
	size_t len = strlen(base);
	char *p;

	if (1 + len + strlen(PARTIAL_SUFFIX) <= PARTIAL_NAME_MAX ||
	    len > PARTIAL_NAME_MAX)
		xasprintf(&p, ".%s%s", base, PARTIAL_SUFFIX);
	else
		xasprintf(&p, ".%.*s~%016llx%s%s", PARTIAL_KEEP, base,
		    (unsigned long long)XXH3_64bits(base, len), PARTIAL_SUFFIX,
		    PARTIAL_SUFFIX);
	return p;
}
