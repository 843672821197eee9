/*
 * fuzz_xfer_key.c: the resume record of a kept LOCAL.part
 * (client/xfer_key.c) on the bytes of its xattr or sidecar file, as
 * mftp reads them before it takes the part up (client/xfer_part.c).  A
 * .part can come from anywhere: an unpacked archive, another program.
 *
 * Properties: a record that parses is exactly what xfer_key_format
 * writes for the key it gave (one form per key: no blanks, signs or
 * zeros that the numbers' range would hide); a refused one leaves the
 * key as it was; any key, formatted, fits the record's room and parses
 * back to itself.
 */
#include <string.h>

#include "fuzz.h"
#include "xfer_key.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xfer_key k, was, back;
	char text[XFER_KEY_TEXT_MAX];
	size_t n;

	memset(&k, 0xa5, sizeof(k));
	was = k;
	if (xfer_key_parse((const char *)data, size, &k) != 0)
		FUZZ_CHECK(memcmp(&k, &was, sizeof(k)) == 0);
	else {
		n = xfer_key_format(&k, text, sizeof(text));
		FUZZ_CHECK(n == size);
		FUZZ_CHECK(memcmp(text, data, size) == 0);
	}
	/* The first bytes as a key of any value: written, read back. */
	if (size >= sizeof(k)) {
		memcpy(&k, data, sizeof(k));
		n = xfer_key_format(&k, text, sizeof(text));
		FUZZ_CHECK(n > 0 && n < sizeof(text));
		FUZZ_CHECK(xfer_key_parse(text, n, &back) == 0);
		FUZZ_CHECK(back.size == k.size && back.mtime == k.mtime &&
		    back.ino == k.ino);
	}
	return 0;
}
