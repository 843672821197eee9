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

int
fuzz_has_control(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	for (; *u != '\0'; u++) {
		if (*u < 0x20 || *u == 0x7f)
			return 1;
		/* C1 as UTF-8 (c2 80..9f). */
		if (u[0] == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f)
			return 1;
		/* Bidi marks, embeddings, overrides and isolates. */
		if (u[0] == 0xe2 && u[1] == 0x80 &&
		    (u[2] == 0x8e || u[2] == 0x8f ||
			(u[2] >= 0xaa && u[2] <= 0xae)))
			return 1;
		if (u[0] == 0xe2 && u[1] == 0x81 && u[2] >= 0xa6 &&
		    u[2] <= 0xa9)
			return 1;
	}
	return 0;
}
