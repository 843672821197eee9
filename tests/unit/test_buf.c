/*
 * test_buf.c: unit tests for the bounded buffer (lib/buf.c).
 *
 * Checks byte order against literal bytes, that every getter fails with
 * ERR_SHORT and consumes nothing past the end, the maximum, the string
 * limits and the trailing-bytes check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "log.h"

/* A fatal error inside the library fails the test instead of exiting. */
void
cleanup_exit(int status)
{
	fail_msg("fatal error in the library (status %d)", status);
	abort();
}

/* Append raw bytes (a test's literal input). */
static struct buf *
buf_from(const void *p, size_t len, size_t max)
{
	struct buf *b = buf_new(max);

	assert_int_equal(buf_put(b, p, len), 0);
	return b;
}

static void
assert_bytes(const struct buf *b, const uint8_t *want, size_t len)
{
	assert_int_equal(buf_len(b), len);
	assert_memory_equal(buf_ptr(b), want, len);
}

static void
test_put_byte_order(void **state)
{
	static const uint8_t want[] = { 0xab, 0x01, 0x02, 0x03, 0x04, 0x01,
		0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x00, 0x00, 0x00,
		0x03, 'a', 'b', 'c', 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x02, 'h', 'i' };
	struct buf *b = buf_new(1024);

	assert_int_equal(buf_put_u8(b, 0xab), 0);
	assert_int_equal(buf_put_u32(b, 0x01020304), 0);
	assert_int_equal(buf_put_u64(b, 0x0102030405060708ULL), 0);
	assert_int_equal(buf_put_string(b, "abc", 3), 0);
	assert_int_equal(buf_put_cstring(b, NULL), 0);
	assert_int_equal(buf_put_cstring(b, "hi"), 0);
	assert_bytes(b, want, sizeof(want));
	buf_free(b);
}

static void
test_get_byte_order(void **state)
{
	static const uint8_t in[] = { 0xfe, 0x80, 0x00, 0x00, 0x01, 0xf0, 0xde,
		0xbc, 0x9a, 0x78, 0x56, 0x34, 0x12 };
	struct buf *b = buf_from(in, sizeof(in), 64);
	uint8_t v8;
	uint32_t v32;
	uint64_t v64;

	assert_int_equal(buf_get_u8(b, &v8), 0);
	assert_int_equal(v8, 0xfe);
	assert_int_equal(buf_get_u32(b, &v32), 0);
	assert_int_equal(v32, 0x80000001U);
	assert_int_equal(buf_get_u64(b, &v64), 0);
	assert_true(v64 == 0xf0debc9a78563412ULL);
	assert_int_equal(buf_len(b), 0);
	assert_int_equal(buf_get_end(b), 0);
	buf_free(b);
}

static void
test_round_trip_widths(void **state)
{
	static const uint32_t v32s[] = { 0, 1, 0x7fffffff, 0x80000000U,
		UINT32_MAX };
	static const uint64_t v64s[] = { 0, 1, UINT32_MAX, 1ULL << 32,
		0x8000000000000000ULL, UINT64_MAX };
	struct buf *b = buf_new(4096);
	uint8_t v8, raw[5];
	uint32_t v32;
	uint64_t v64;
	size_t i;

	for (i = 0; i < 256; i++)
		assert_int_equal(buf_put_u8(b, (uint8_t)i), 0);
	for (i = 0; i < sizeof(v32s) / sizeof(v32s[0]); i++)
		assert_int_equal(buf_put_u32(b, v32s[i]), 0);
	for (i = 0; i < sizeof(v64s) / sizeof(v64s[0]); i++)
		assert_int_equal(buf_put_u64(b, v64s[i]), 0);
	assert_int_equal(buf_put(b, "\x00\x01\x02\x03\x04", 5), 0);

	for (i = 0; i < 256; i++) {
		assert_int_equal(buf_get_u8(b, &v8), 0);
		assert_int_equal(v8, i);
	}
	for (i = 0; i < sizeof(v32s) / sizeof(v32s[0]); i++) {
		assert_int_equal(buf_get_u32(b, &v32), 0);
		assert_true(v32 == v32s[i]);
	}
	for (i = 0; i < sizeof(v64s) / sizeof(v64s[0]); i++) {
		assert_int_equal(buf_get_u64(b, &v64), 0);
		assert_true(v64 == v64s[i]);
	}
	assert_int_equal(buf_get(b, raw, 5), 0);
	assert_memory_equal(raw, "\x00\x01\x02\x03\x04", 5);
	assert_int_equal(buf_get_end(b), 0);
	buf_free(b);
}

static void
test_string_round_trip(void **state)
{
	static const uint8_t bin[] = { 'x', 0x00, 0xff, 'y' };
	struct buf *b = buf_new(256);
	const uint8_t *p;
	size_t len;
	char *s;

	assert_int_equal(buf_put_cstring(b, "hello"), 0);
	assert_int_equal(buf_put_cstring(b, ""), 0);
	assert_int_equal(buf_put_string(b, bin, sizeof(bin)), 0);

	assert_int_equal(buf_get_cstring(b, &s, 5), 0);
	assert_string_equal(s, "hello");
	free(s);
	assert_int_equal(buf_get_cstring(b, &s, 0), 0);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
	/* Raw strings may hold NUL; they are borrowed, not copied. */
	assert_int_equal(buf_get_string_ptr(b, &p, &len, sizeof(bin)), 0);
	assert_int_equal(len, sizeof(bin));
	assert_memory_equal(p, bin, sizeof(bin));
	assert_int_equal(buf_get_end(b), 0);
	buf_free(b);
}

/* A getter that fails must leave the buffer exactly as it was. */
static void
assert_unchanged(const struct buf *b, const uint8_t *in, size_t len)
{
	assert_int_equal(buf_len(b), len);
	assert_memory_equal(buf_ptr(b), in, len);
}

static void
test_get_past_end(void **state)
{
	static const uint8_t in[] = { 1, 2, 3, 4, 5, 6, 7 };
	struct buf *b;
	uint8_t v8 = 0x5a, raw[8];
	uint32_t v32 = 0x5a5a5a5a;
	uint64_t v64 = 0x5a5a5a5a5a5a5a5aULL;
	size_t n;

	/* Empty buffer (no storage yet). */
	b = buf_new(64);
	assert_int_equal(buf_get_u8(b, &v8), ERR_SHORT);
	assert_int_equal(v8, 0x5a);
	assert_int_equal(buf_consume(b, 1), ERR_SHORT);
	assert_int_equal(buf_get_end(b), 0);
	buf_free(b);

	for (n = 0; n < sizeof(in); n++) {
		b = buf_from(in, n, 64);
		if (n < 4) {
			assert_int_equal(buf_get_u32(b, &v32), ERR_SHORT);
			assert_unchanged(b, in, n);
		}
		assert_int_equal(buf_get_u64(b, &v64), ERR_SHORT);
		assert_unchanged(b, in, n);
		assert_int_equal(buf_get(b, raw, n + 1), ERR_SHORT);
		assert_unchanged(b, in, n);
		assert_int_equal(buf_consume(b, n + 1), ERR_SHORT);
		assert_unchanged(b, in, n);
		buf_free(b);
	}
	assert_true(v32 == 0x5a5a5a5a);
	assert_true(v64 == 0x5a5a5a5a5a5a5a5aULL);

	/* Partly consumed: the limit is the unread bytes, not the storage. */
	b = buf_from(in, sizeof(in), 64);
	assert_int_equal(buf_consume(b, 4), 0);
	assert_int_equal(buf_get_u32(b, &v32), ERR_SHORT);
	assert_unchanged(b, in + 4, 3);
	assert_int_equal(buf_consume(b, 3), 0);
	assert_int_equal(buf_len(b), 0);
	buf_free(b);
}

static void
test_string_short(void **state)
{
	/* Announces 5 bytes, holds 4. */
	static const uint8_t in[] = { 0, 0, 0, 5, 'a', 'b', 'c', 'd' };
	char *sentinel = (char *)"untouched", *s;
	const uint8_t *p = NULL;
	struct buf *b;
	size_t n, len = 99;

	for (n = 0; n <= sizeof(in); n++) {
		b = buf_from(in, n, 64);
		s = sentinel;
		assert_int_equal(buf_get_cstring(b, &s, 100), ERR_SHORT);
		assert_ptr_equal(s, sentinel);
		assert_unchanged(b, in, n);
		assert_int_equal(
		    buf_get_string_ptr(b, &p, &len, 100), ERR_SHORT);
		assert_null(p);
		assert_int_equal(len, 99);
		assert_unchanged(b, in, n);
		buf_free(b);
	}
}

static void
test_max_enforced(void **state)
{
	struct buf *b = buf_new(8);
	uint8_t *p;
	uint32_t v32;

	assert_int_equal(buf_max(b), 8);
	assert_int_equal(buf_put_u64(b, 0x1122334455667788ULL), 0);
	assert_int_equal(buf_put_u8(b, 1), ERR_FULL);
	assert_int_equal(buf_put_u32(b, 1), ERR_FULL);
	assert_int_equal(buf_put_u64(b, 1), ERR_FULL);
	assert_int_equal(buf_put(b, "x", 1), ERR_FULL);
	assert_int_equal(buf_put_cstring(b, ""), ERR_FULL);
	assert_int_equal(buf_reserve(b, 1, &p), ERR_FULL);
	assert_int_equal(buf_len(b), 8);
	assert_memory_equal(buf_ptr(b), "\x11\x22\x33\x44\x55\x66\x77\x88", 8);

	/* Consumed bytes no longer count against the maximum. */
	assert_int_equal(buf_get_u32(b, &v32), 0);
	assert_int_equal(buf_put_u32(b, 0x99aabbcc), 0);
	assert_memory_equal(buf_ptr(b), "\x55\x66\x77\x88\x99\xaa\xbb\xcc", 8);
	assert_int_equal(buf_put_u8(b, 1), ERR_FULL);
	buf_free(b);

	/* A string is appended whole or not at all. */
	b = buf_new(10);
	assert_int_equal(buf_put(b, "ab", 2), 0);
	assert_int_equal(buf_put_string(b, "12345", 5), ERR_FULL);
	assert_bytes(b, (const uint8_t *)"ab", 2);
	assert_int_equal(buf_put_string(b, "1234", 4), 0);
	assert_int_equal(buf_len(b), 10);
	buf_free(b);

	/* A maximum of zero holds nothing. */
	b = buf_new(0);
	assert_int_equal(buf_put_u8(b, 1), ERR_FULL);
	assert_int_equal(buf_len(b), 0);
	buf_free(b);
}

static void
test_growth(void **state)
{
	const size_t total = 300000;
	struct buf *b = buf_new(total);
	uint8_t chunk[1000], *p;
	size_t i, j;

	/* Grows from nothing past many doublings, keeping every byte. */
	for (i = 0; i < total / sizeof(chunk); i++) {
		for (j = 0; j < sizeof(chunk); j++)
			chunk[j] = (uint8_t)(i * 7 + j);
		assert_int_equal(buf_put(b, chunk, sizeof(chunk)), 0);
	}
	assert_int_equal(buf_len(b), total);
	assert_int_equal(buf_put_u8(b, 0), ERR_FULL);
	p = (uint8_t *)buf_ptr(b);
	for (i = 0; i < total; i++)
		assert_int_equal(p[i],
		    (uint8_t)((i / sizeof(chunk)) * 7 + i % sizeof(chunk)));
	buf_free(b);

	/* A reservation is zero-filled and counts as content. */
	b = buf_new(1 << 20);
	assert_int_equal(buf_reserve(b, 5000, &p), 0);
	for (i = 0; i < 5000; i++)
		assert_int_equal(p[i], 0);
	memset(p, 0x33, 5000);
	assert_int_equal(buf_len(b), 5000);
	assert_int_equal(buf_ptr(b)[4999], 0x33);
	buf_free(b);
}

/*
 * A long-lived buffer filled and drained in turn: the unread bytes stay
 * under the maximum, so it must go on working forever (the consumed
 * prefix is reclaimed) and every byte must come out in order.
 */
static void
test_long_lived(void **state)
{
	struct buf *b = buf_new(64);
	uint32_t next_in = 0, next_out = 0, v;
	int round, k;

	for (round = 0; round < 20000; round++) {
		for (k = 0; k < 1 + round % 7 && buf_len(b) + 4 <= 64; k++)
			assert_int_equal(buf_put_u32(b, next_in++), 0);
		for (k = 0; k < 1 + round % 5 && buf_len(b) >= 4; k++) {
			assert_int_equal(buf_get_u32(b, &v), 0);
			assert_int_equal(v, next_out++);
		}
	}
	while (buf_get_u32(b, &v) == 0)
		assert_int_equal(v, next_out++);
	assert_int_equal(next_in, next_out);
	assert_true(next_in > 20000);
	buf_free(b);
}

static void
test_cstring_limits(void **state)
{
	char *sentinel = (char *)"untouched", *s;
	const uint8_t *p = NULL;
	uint8_t in[4 + 40];
	struct buf *b;
	size_t len;

	/* Exactly the limit is fine. */
	b = buf_new(256);
	assert_int_equal(buf_put_cstring(b, "0123456789"), 0);
	assert_int_equal(buf_get_cstring(b, &s, 10), 0);
	assert_string_equal(s, "0123456789");
	free(s);

	/* One over: refused, nothing consumed, *out untouched. */
	assert_int_equal(buf_put_cstring(b, "0123456789"), 0);
	s = sentinel;
	assert_int_equal(buf_get_cstring(b, &s, 9), ERR_TOO_LONG);
	assert_ptr_equal(s, sentinel);
	assert_int_equal(buf_len(b), 14);
	assert_int_equal(buf_get_string_ptr(b, &p, &len, 9), ERR_TOO_LONG);
	assert_null(p);
	assert_int_equal(buf_len(b), 14);
	buf_free(b);

	/* A huge announced length is too long, not merely short. */
	memcpy(in, "\xff\xff\xff\xf0", 4);
	memset(in + 4, 'a', 40);
	b = buf_from(in, sizeof(in), 256);
	s = sentinel;
	assert_int_equal(buf_get_cstring(b, &s, 4096), ERR_TOO_LONG);
	assert_ptr_equal(s, sentinel);
	assert_int_equal(buf_len(b), sizeof(in));
	buf_free(b);
}

static void
test_cstring_nul(void **state)
{
	static const uint8_t cases[][8] = {
		{ 0, 0, 0, 4, 0, 'b', 'c', 'd' },
		{ 0, 0, 0, 4, 'a', 'b', 0, 'd' },
		{ 0, 0, 0, 4, 'a', 'b', 'c', 0 },
	};
	char *sentinel = (char *)"untouched", *s;
	struct buf *b;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		b = buf_from(cases[i], 8, 64);
		s = sentinel;
		assert_int_equal(buf_get_cstring(b, &s, 100), ERR_NUL);
		assert_ptr_equal(s, sentinel);
		assert_unchanged(b, cases[i], 8);
		buf_free(b);
	}
}

static void
test_get_end(void **state)
{
	struct buf *b = buf_new(64);
	uint32_t v;

	assert_int_equal(buf_get_end(b), 0);
	assert_int_equal(buf_put_u32(b, 7), 0);
	assert_int_equal(buf_put_u8(b, 0), 0);
	assert_int_equal(buf_get_u32(b, &v), 0);
	assert_int_equal(buf_get_end(b), ERR_TRAILING);
	assert_int_equal(buf_consume(b, 1), 0);
	assert_int_equal(buf_get_end(b), 0);
	buf_free(b);
}

static void
test_poke_and_reset(void **state)
{
	struct buf *b = buf_new(64);
	uint8_t v8;

	assert_int_equal(buf_put_u8(b, 0xee), 0);
	assert_int_equal(buf_put_u32(b, 0), 0);
	assert_int_equal(buf_put_u8(b, 0x42), 0);
	/* Offsets count from the first unread byte. */
	assert_int_equal(buf_get_u8(b, &v8), 0);
	assert_int_equal(buf_poke_u32(b, 0, 0xa1b2c3d4), 0);
	assert_bytes(b, (const uint8_t *)"\xa1\xb2\xc3\xd4\x42", 5);
	assert_int_equal(buf_poke_u32(b, 1, 0x01020304), 0);
	assert_bytes(b, (const uint8_t *)"\xa1\x01\x02\x03\x04", 5);
	assert_int_equal(buf_poke_u32(b, 2, 0), ERR_SHORT);
	assert_int_equal(buf_poke_u32(b, SIZE_MAX, 0), ERR_SHORT);
	assert_bytes(b, (const uint8_t *)"\xa1\x01\x02\x03\x04", 5);

	buf_reset(b);
	assert_int_equal(buf_len(b), 0);
	assert_int_equal(buf_get_u8(b, &v8), ERR_SHORT);
	assert_int_equal(buf_put_u8(b, 9), 0);
	assert_bytes(b, (const uint8_t *)"\x09", 1);
	buf_free(b);
	buf_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_byte_order),
		cmocka_unit_test(test_get_byte_order),
		cmocka_unit_test(test_round_trip_widths),
		cmocka_unit_test(test_string_round_trip),
		cmocka_unit_test(test_get_past_end),
		cmocka_unit_test(test_string_short),
		cmocka_unit_test(test_max_enforced),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_long_lived),
		cmocka_unit_test(test_cstring_limits),
		cmocka_unit_test(test_cstring_nul),
		cmocka_unit_test(test_get_end),
		cmocka_unit_test(test_poke_and_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
