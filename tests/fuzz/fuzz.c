/*
 * fuzz.c: the helpers every harness links (fuzz.h).
 *
 * Runs as: the developer or CI, inside a libFuzzer binary.
 */
#include <sys/mman.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "log.h"

/*
 * The library ends the process through cleanup_exit() on a fatal error;
 * its default _exit() would slip past libFuzzer, so a decoder that hits
 * a fatal path on outside bytes would not count.  Abort instead: every
 * fatal error reached from a harness is a finding.
 */
void
cleanup_exit(int status)
{
	fprintf(
	    stderr, "fuzz: fatal error in the library (status %d)\n", status);
	abort();
}

void
fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "fuzz: %s:%d: property does not hold: %s\n", file, line,
	    what);
	abort();
}

char *
fuzz_cstring(const uint8_t *data, size_t size)
{
	char *s;

	if (memchr(data, '\0', size) != NULL)
		return NULL;
	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

int
fuzz_memfd(const uint8_t *data, size_t size)
{
	size_t off = 0;
	ssize_t n;
	int fd;

	if ((fd = memfd_create("fuzz", MFD_CLOEXEC)) == -1)
		abort();
	while (off < size) {
		if ((n = write(fd, data + off, size - off)) <= 0)
			abort();
		off += (size_t)n;
	}
	if (lseek(fd, 0, SEEK_SET) != 0)
		abort();
	return fd;
}
