/*
 * test_sha256.c: unit tests for the SHA-256 wrapper (lib/sha256.c).
 *
 * Known vectors (FIPS 180-2 examples and the empty string), the same
 * digest however the input is split into updates, hashing a file's range
 * with pread, and the hex form.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "err.h"
#include "log.h"
#include "sha256.h"

/* A fatal error inside the library fails the test instead of exiting. */
void
cleanup_exit(int status)
{
	fail_msg("fatal error in the library (status %d)", status);
	abort();
}

static void
assert_hex(const uint8_t hash[SHA256_LEN], const char *want)
{
	char hex[SHA256_HEX_LEN + 1];

	sha256_hex(hash, hex);
	assert_string_equal(hex, want);
}

static void
test_vectors(void **state)
{
	static const struct {
		const char *in;
		const char *hex;
	} v[] = {
		{ "",
		    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
		    "7852b855" },
		{ "abc",
		    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61"
		    "f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd4"
		    "19db06c1" },
	};
	uint8_t out[SHA256_LEN];
	size_t i;

	sha256_init_library();
	sha256_init_library(); /* idempotent */
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		sha256_buf(v[i].in, strlen(v[i].in), out);
		assert_hex(out, v[i].hex);
	}
}

static void
test_million_a(void **state)
{
	struct sha256 *c;
	uint8_t out[SHA256_LEN];
	char *a;
	size_t i;

	a = malloc(1000000);
	assert_non_null(a);
	memset(a, 'a', 1000000);
	sha256_buf(a, 1000000, out);
	assert_hex(out,
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");

	/* The same as 1000 updates of 1000 bytes each. */
	c = sha256_new();
	for (i = 0; i < 1000; i++)
		sha256_update(c, a, 1000);
	sha256_final(c, out);
	assert_hex(out,
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	sha256_free(c);
	free(a);
}

/* Any split into updates, at boundaries around the 64-byte block. */
static void
test_split(void **state)
{
	static const size_t steps[] = { 1, 3, 7, 31, 63, 64, 65, 127, 129,
		1000 };
	uint8_t data[5000], whole[SHA256_LEN], out[SHA256_LEN];
	struct sha256 *c;
	size_t i, off, n, k;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 31 + 7);
	sha256_buf(data, sizeof(data), whole);

	c = sha256_new();
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		/* Steps cycle from steps[i] on, so piece sizes vary. */
		for (off = 0, k = i; off < sizeof(data); off += n, k++) {
			n = steps[k % (sizeof(steps) / sizeof(steps[0]))];
			if (n > sizeof(data) - off)
				n = sizeof(data) - off;
			sha256_update(c, data + off, n);
			sha256_update(c, data + off, 0);
		}
		sha256_final(c, out);
		assert_memory_equal(out, whole, SHA256_LEN);
	}

	/* final resets; reset drops what was given. */
	sha256_update(c, "xyz", 3);
	sha256_reset(c);
	sha256_update(c, "abc", 3);
	sha256_final(c, out);
	assert_hex(out,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_final(c, out);
	assert_hex(out,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_free(c);
	sha256_free(NULL);
}

static void
test_hex(void **state)
{
	static const uint8_t nibbles[] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab,
		0xcd, 0xef };
	uint8_t h[SHA256_LEN];
	char hex[SHA256_HEX_LEN + 1];
	size_t i;

	for (i = 0; i < SHA256_LEN; i++)
		h[i] = nibbles[i % sizeof(nibbles)];
	memset(hex, 'X', sizeof(hex));
	sha256_hex(h, hex);
	assert_int_equal(strlen(hex), SHA256_HEX_LEN);
	assert_string_equal(hex,
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_million_a),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_hex),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
