/*
 * fuzz.h: what every libFuzzer harness under tests/fuzz/ shares.
 *
 * Runs as: the developer or CI (scripts/fuzz.sh), never in an installed
 * program.  A harness is one file fuzz_NAME.c that defines
 * LLVMFuzzerTestOneInput, feeds its input to one decoder the way the
 * program that owns it does, and checks a property of the result
 * (FUZZ_CHECK), not only that nothing crashed.  A failed check aborts, so
 * libFuzzer keeps the input as a crash.
 */
#ifndef MFTP_FUZZ_H
#define MFTP_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property does not hold: say which and abort. */
void fuzz_fail(const char *file, int line, const char *what)
    __attribute__((noreturn));

#define FUZZ_CHECK(cond)                                      \
	do {                                                  \
		if (!(cond))                                  \
			fuzz_fail(__FILE__, __LINE__, #cond); \
	} while (0)

/* A NUL-terminated copy of data (free it); NULL if data holds a NUL. */
char *fuzz_cstring(const uint8_t *data, size_t size);

/*
 * A memory file holding data, read offset at 0, to put behind a
 * transport: reads from it behave like a peer that sent data and closed.
 */
int fuzz_memfd(const uint8_t *data, size_t size);

/*
 * 1 when s holds what a terminal would act on: a C0 or C1 control
 * (C1 as UTF-8 too), DEL, or a bidi mark, embedding, override or
 * isolate.
 */
int fuzz_has_control(const char *s);

#endif
