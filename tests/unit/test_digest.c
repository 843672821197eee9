/*
 * test_digest.c: unit tests for the whole-file checksum (lib/digest.c).
 *
 * Known vectors in both algorithms: XXH3-128 as xxhsum -H2 prints it
 * (the canonical, big-endian form that goes on the wire), SHA-256 from
 * FIPS 180-2; the same value however the input is split into updates
 * (across XXH3's internal block and stripe sizes); switching a context's
 * algorithm; names and wire values.  (A file read and hashed:
 * test_hash_pipe.)
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

#include "digest.h"
#include "err.h"
#include "log.h"
#include "proto.h"

/* A fatal error inside the library fails the test instead of exiting. */
void
cleanup_exit(int status)
{
	fail_msg("fatal error in the library (status %d)", status);
	abort();
}

struct vector {
	enum digest_alg alg;
	const char *in;
	const char *hex;
};

static const struct vector vectors[] = {
	/* printf '' | xxhsum -H2, and so on. */
	{ DIGEST_XXH128, "", "99aa06d3014798d86001c324468d497f" },
	{ DIGEST_XXH128, "abc", "06b05ab6733a618578af5f94892f3950" },
	{ DIGEST_XXH128,
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    "3d62d22a5169b016c0d894fd4828a1a7" },
	{ DIGEST_SHA256, "",
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ DIGEST_SHA256, "abc",
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
};

static void
assert_hex(const uint8_t *hash, enum digest_alg alg, const char *want)
{
	char hex[DIGEST_HEX_MAX + 1];

	digest_hex(hash, digest_len(alg), hex);
	assert_string_equal(hex, want);
}

static void
test_vectors(void **state)
{
	uint8_t out[DIGEST_MAX_LEN];
	struct digest *d;
	size_t i;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		memset(out, 0, sizeof(out));
		digest_buf(
		    vectors[i].alg, vectors[i].in, strlen(vectors[i].in), out);
		assert_hex(out, vectors[i].alg, vectors[i].hex);

		/* A context is reset by final: the same value again. */
		d = digest_new(vectors[i].alg);
		digest_update(d, vectors[i].in, strlen(vectors[i].in));
		digest_final(d, out);
		digest_update(d, vectors[i].in, strlen(vectors[i].in));
		digest_final(d, out);
		assert_hex(out, vectors[i].alg, vectors[i].hex);
		digest_free(d);
	}
}

/*
 * 256000 bytes 0..255 repeated: python3 -c "import sys;
 * sys.stdout.buffer.write(bytes(range(256))*1000)" | xxhsum -H2.  Long
 * enough for XXH3's long-input path; fed in every split from 1 byte up.
 */
static void
test_split_updates(void **state)
{
	static const size_t steps[] = { 1, 7, 64, 240, 1023, 4096, 65536,
		256000 };
	const size_t len = 256000;
	uint8_t *data, out[DIGEST_MAX_LEN], whole[DIGEST_MAX_LEN];
	struct digest *d;
	size_t i, off, n;

	data = malloc(len);
	assert_non_null(data);
	for (i = 0; i < len; i++)
		data[i] = (uint8_t)i;
	d = digest_new(DIGEST_XXH128);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		for (off = 0; off < len; off += n) {
			n = len - off < steps[i] ? len - off : steps[i];
			digest_update(d, data + off, n);
		}
		digest_final(d, out);
		assert_hex(
		    out, DIGEST_XXH128, "548512d98989de2d776474c39d20f9aa");
	}
	/* And SHA-256: every split equals the one-call value. */
	digest_buf(DIGEST_SHA256, data, len, whole);
	digest_reset_alg(d, DIGEST_SHA256);
	for (off = 0; off < len; off += n) {
		n = len - off < 1000 ? len - off : 1000;
		digest_update(d, data + off, n);
	}
	digest_final(d, out);
	assert_memory_equal(out, whole, digest_len(DIGEST_SHA256));
	digest_free(d);
	free(data);
}

/* One context, switched between algorithms, gives each one's value. */
static void
test_reset_alg(void **state)
{
	uint8_t out[DIGEST_MAX_LEN];
	struct digest *d = digest_new(DIGEST_SHA256);

	assert_int_equal(digest_alg(d), DIGEST_SHA256);
	digest_update(d, "junk", 4);
	digest_reset_alg(d, DIGEST_XXH128);
	assert_int_equal(digest_alg(d), DIGEST_XXH128);
	digest_update(d, "abc", 3);
	digest_final(d, out);
	assert_hex(out, DIGEST_XXH128, vectors[1].hex);
	digest_update(d, "junk", 4);
	digest_reset_alg(d, DIGEST_SHA256);
	digest_update(d, "abc", 3);
	digest_final(d, out);
	assert_hex(out, DIGEST_SHA256, vectors[4].hex);
	digest_free(d);
}

static void
test_names(void **state)
{
	enum digest_alg a;

	assert_int_equal(digest_len(DIGEST_XXH128), MFTP_HASH_XXH128_LEN);
	assert_int_equal(digest_len(DIGEST_SHA256), MFTP_HASH_LEN);
	assert_string_equal(digest_name(DIGEST_XXH128), "xxh128");
	assert_string_equal(digest_name(DIGEST_SHA256), "sha256");
	assert_int_equal(digest_from_name("SHA256", &a), 0);
	assert_int_equal(a, DIGEST_SHA256);
	assert_int_equal(digest_from_name("xxh128", &a), 0);
	assert_int_equal(a, DIGEST_XXH128);
	assert_int_equal(digest_from_name("sha-256", &a), -1);
	assert_int_equal(digest_from_name("", &a), -1);
	assert_int_equal(digest_from_wire(MFTP_DIGEST_SHA256, &a), 0);
	assert_int_equal(a, DIGEST_SHA256);
	assert_int_equal(digest_from_wire(MFTP_DIGEST_XXH128, &a), 0);
	assert_int_equal(a, DIGEST_XXH128);
	assert_int_equal(digest_from_wire(0, &a), -1);
	assert_int_equal(digest_from_wire(3, &a), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_split_updates),
		cmocka_unit_test(test_reset_alg),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
