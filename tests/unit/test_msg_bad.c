/*
 * test_msg_bad.c: unit tests for the message codec (lib/msg.c), bad
 * input.
 *
 * For every type in the contract (msg_oracle.c): every truncation,
 * trailing bytes, an embedded NUL in each string field and each string
 * at and one byte over its limit.  Then lengths near 4 GiB, DIRENTS
 * counts the bytes cannot hold, hash lengths, kinds and modes out of
 * range, and unknown types: each refused with its ERR_ code, the message
 * left cleared, and nothing of the announced size allocated.
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
#include "mftp_limits.h"
#include "msg.h"
#include "msg_oracle.h"
#include "proto.h"

static void
test_truncated_all(void **state)
{
	struct buf *full;
	struct msg m, got;
	size_t i, n;

	for (i = 0; i < nspecs; i++) {
		sample(&m, specs[i].type);
		full = oracle_buf(&m, &specs[i]);
		for (n = 0; n < buf_len(full); n++) {
			alloc_largest = 0;
			assert_int_equal(
			    decode_bytes(buf_ptr(full), n, &got), ERR_SHORT);
			assert_cleared(&got);
			assert_true(alloc_largest <= MFTP_FRAME_MAX + 1024);
		}
		assert_int_equal(decode_bytes(buf_ptr(full), n, &got), 0);
		msg_clear(&got);
		buf_free(full);
	}
}

static void
test_trailing_all(void **state)
{
	struct buf *full;
	struct msg m, got;
	size_t i;

	for (i = 0; i < nspecs; i++) {
		sample(&m, specs[i].type);
		full = oracle_buf(&m, &specs[i]);
		assert_int_equal(buf_put_u8(full, 0), 0);
		assert_int_equal(
		    decode_bytes(buf_ptr(full), buf_len(full), &got),
		    ERR_TRAILING);
		assert_cleared(&got);
		buf_free(full);
	}
}

static void
test_embedded_nul_all(void **state)
{
	struct buf *full;
	struct msg m, got;
	uint8_t *bytes, *at;
	size_t i, j, len, tested;

	for (i = 0; i < nspecs; i++) {
		sample(&m, specs[i].type);
		full = oracle_buf(&m, &specs[i]);
		len = buf_len(full);
		tested = 0;
		for (j = 0; j < nmarkers; j++) {
			if (!has(&specs[i], markers[j].field))
				continue;
			bytes = malloc(len);
			memcpy(bytes, buf_ptr(full), len);
			at = memmem(bytes, len, markers[j].marker,
			    strlen(markers[j].marker));
			assert_non_null(at);
			at[1] = '\0';
			assert_int_equal(
			    decode_bytes(bytes, len, &got), ERR_NUL);
			assert_cleared(&got);
			free(bytes);
			tested++;
		}
		/* Every string field of the type was tried. */
		assert_int_equal(tested,
		    (has(&specs[i], 'p') + has(&specs[i], 'P') +
			has(&specs[i], 'u') + has(&specs[i], 'k') +
			has(&specs[i], 't') + 2 * has(&specs[i], 'e')));
		buf_free(full);
	}
}

/*
 * Each string field of each type at its limit (accepted both ways) and
 * one byte over (refused both ways; the encoder leaves out unchanged).
 */
static void
test_string_limits_all(void **state)
{
	static const struct {
		char field;
		size_t max;
	} limits[] = {
		{ 'p', MFTP_PATH_MAX },
		{ 'P', MFTP_PATH_MAX },
		{ 'u', MFTP_USER_MAX },
		{ 'k', MFTP_SECRET_MAX },
		{ 't', MFTP_TEXT_MAX },
		{ 'e', MFTP_NAME_MAX },
	};
	struct msg_entry entry;
	struct buf *full, *out;
	struct msg m, got;
	size_t i, j, over;
	char *s;

	out = buf_new(MFTP_FRAME_MAX + 4);
	assert_int_equal(buf_put(out, "previous", 8), 0);
	for (i = 0; i < nspecs; i++) {
		for (j = 0; j < sizeof(limits) / sizeof(limits[0]); j++) {
			if (!has(&specs[i], limits[j].field))
				continue;
			for (over = 0; over <= 1; over++) {
				sample(&m, specs[i].type);
				s = string_of(limits[j].max + over);
				switch (limits[j].field) {
				case 'p':
					m.path = s;
					break;
				case 'P':
					m.path2 = s;
					break;
				case 'u':
					m.user = s;
					break;
				case 'k':
					m.secret = s;
					break;
				case 't':
					m.text = s;
					break;
				case 'e':
					entry = sample_entries[0];
					entry.name = s;
					m.entries = &entry;
					m.nentries = 1;
					break;
				}
				if (!over) {
					round_trip(&m, &specs[i]);
					free(s);
					continue;
				}
				assert_int_equal(
				    msg_encode(out, &m), ERR_TOO_LONG);
				assert_int_equal(buf_len(out), 8);
				assert_memory_equal(
				    buf_ptr(out), "previous", 8);
				full = oracle_buf(&m, &specs[i]);
				assert_int_equal(decode_bytes(buf_ptr(full),
						     buf_len(full), &got),
				    ERR_TOO_LONG);
				assert_cleared(&got);
				buf_free(full);
				free(s);
			}
		}
	}
	buf_free(out);
}

/* A length near 4 GiB is refused on its face, before any allocation. */
static void
test_huge_lengths(void **state)
{
	static const uint8_t cwd[] = { MFTP_MSG_CWD, 0xff, 0xff, 0xff, 0xf0,
		'a', 'b', 'c' };
	static const uint8_t login[] = { MFTP_MSG_LOGIN, 0, 0, 0, 1, 'u', 0x80,
		0, 0, 0, 'p' };
	/* One entry announced, and bytes enough for one. */
	static const uint8_t dirents[] = { MFTP_MSG_DIRENTS, 0, 0, 0, 1, 0xff,
		0xff, 0xff, 0xf0, 'n', 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t data_end[] = { MFTP_MSG_DATA_END, 0xff, 0xff, 0xff,
		0xff, 0 };
	static const uint8_t hash_ok[] = { MFTP_MSG_HASH_OK, 0x80, 0, 0, 0, 0 };
	/* A sane first path, a huge second one. */
	static const uint8_t rename[] = { MFTP_MSG_RENAME, 0, 0, 0, 1, 'a',
		0xff, 0xff, 0xff, 0xff, 'b' };
	struct msg m;

	alloc_largest = 0;
	assert_int_equal(decode_bytes(cwd, sizeof(cwd), &m), ERR_TOO_LONG);
	assert_cleared(&m);
	assert_int_equal(decode_bytes(login, sizeof(login), &m), ERR_TOO_LONG);
	assert_cleared(&m);
	assert_int_equal(
	    decode_bytes(dirents, sizeof(dirents), &m), ERR_TOO_LONG);
	assert_cleared(&m);
	assert_int_equal(
	    decode_bytes(data_end, sizeof(data_end), &m), ERR_TOO_LONG);
	assert_cleared(&m);
	assert_int_equal(
	    decode_bytes(hash_ok, sizeof(hash_ok), &m), ERR_TOO_LONG);
	assert_cleared(&m);
	assert_int_equal(
	    decode_bytes(rename, sizeof(rename), &m), ERR_TOO_LONG);
	assert_cleared(&m);
	/* Only the test's own input buffers were allocated. */
	assert_true(alloc_largest <= 4096);
}

static void
test_dirents_count(void **state)
{
	static const uint32_t counts[] = { 3, 100, 0x10000, 0x7fffffff,
		UINT32_MAX };
	struct buf *b;
	struct msg m;
	size_t i;

	/* A count the bytes present cannot hold: short, nothing allocated. */
	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		b = buf_new(1024);
		assert_int_equal(buf_put_u8(b, MFTP_MSG_DIRENTS), 0);
		assert_int_equal(buf_put_u32(b, counts[i]), 0);
		put_entry(b, "", MFTP_KIND_FILE, 0);
		put_entry(b, "", MFTP_KIND_FILE, 0);
		alloc_largest = 0;
		memset(&m, 0, sizeof(m));
		assert_int_equal(msg_decode(b, &m), ERR_SHORT);
		assert_cleared(&m);
		assert_true(alloc_largest < 1024);
		buf_free(b);
	}

	/* Two smallest entries, exactly. */
	b = buf_new(1024);
	assert_int_equal(buf_put_u8(b, MFTP_MSG_DIRENTS), 0);
	assert_int_equal(buf_put_u32(b, 2), 0);
	put_entry(b, "", MFTP_KIND_FILE, 0);
	put_entry(b, "", MFTP_KIND_LINK, 0);
	memset(&m, 0, sizeof(m));
	assert_int_equal(msg_decode(b, &m), 0);
	assert_int_equal(m.nentries, 2);
	assert_string_equal(m.entries[0].name, "");
	assert_int_equal(m.entries[1].attr.kind, MFTP_KIND_LINK);
	assert_true(m.entries[1].attr.size == 42);
	assert_true(m.entries[1].attr.mtime == 43);
	msg_clear(&m);

	/* None at all is a valid, empty batch. */
	buf_reset(b);
	assert_int_equal(buf_put_u8(b, MFTP_MSG_DIRENTS), 0);
	assert_int_equal(buf_put_u32(b, 0), 0);
	assert_int_equal(msg_decode(b, &m), 0);
	assert_int_equal(m.nentries, 0);
	assert_null(m.entries);
	msg_clear(&m);
	buf_free(b);
}

static void
test_bad_hash(void **state)
{
	static const struct {
		size_t len;
		int want;
	} cases[] = {
		{ 1, ERR_VALUE },
		{ 5, ERR_VALUE },
		{ MFTP_HASH_XXH128_LEN - 1, ERR_VALUE },
		{ MFTP_HASH_XXH128_LEN + 1, ERR_VALUE },
		{ MFTP_HASH_LEN - 1, ERR_VALUE },
		{ MFTP_HASH_LEN + 1, ERR_TOO_LONG },
		{ 64, ERR_TOO_LONG },
	};
	static const uint8_t types[] = { MFTP_MSG_DATA_END, MFTP_MSG_HASH_OK };
	uint8_t bytes[64];
	struct buf *b, *out;
	struct msg m;
	size_t i, j;

	memset(bytes, 0xab, sizeof(bytes));
	out = buf_new(MFTP_FRAME_MAX + 4);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (j = 0; j < sizeof(types); j++) {
			b = buf_new(256);
			assert_int_equal(buf_put_u8(b, types[j]), 0);
			assert_int_equal(
			    buf_put_string(b, bytes, cases[i].len), 0);
			memset(&m, 0, sizeof(m));
			assert_int_equal(msg_decode(b, &m), cases[i].want);
			assert_cleared(&m);
			buf_free(b);

			/* The encoder refuses the same lengths. */
			memset(&m, 0, sizeof(m));
			m.type = types[j];
			m.hash_len = cases[i].len;
			assert_int_equal(msg_encode(out, &m), cases[i].want);
			assert_int_equal(buf_len(out), 0);
		}
	}
	buf_free(out);
}

/* kind outside 1..4 and mode outside 07777, in every place they occur. */
static void
test_bad_values(void **state)
{
	static const struct {
		uint8_t kind;
		uint32_t mode;
		int want;
	} cases[] = {
		{ MFTP_KIND_FILE, 07777, 0 },
		{ MFTP_KIND_OTHER, 0, 0 },
		{ 0, 0644, ERR_VALUE },
		{ MFTP_KIND_OTHER + 1, 0644, ERR_VALUE },
		{ 255, 0644, ERR_VALUE },
		{ MFTP_KIND_FILE, 010000, ERR_VALUE },
		{ MFTP_KIND_FILE, 0100644, ERR_VALUE },
		{ MFTP_KIND_FILE, UINT32_MAX, ERR_VALUE },
	};
	/* The requests that carry a mode; j == 1 is PUT's longer layout. */
	static const uint8_t mode_types[] = { MFTP_MSG_MKDIR, MFTP_MSG_PUT,
		MFTP_MSG_CHMOD };
	struct msg_entry entry;
	struct buf *b, *out;
	struct msg m;
	size_t i, j;

	memset(&entry, 0, sizeof(entry));
	out = buf_new(MFTP_FRAME_MAX + 4);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* ATTR */
		b = buf_new(256);
		assert_int_equal(buf_put_u8(b, MFTP_MSG_ATTR), 0);
		assert_int_equal(buf_put_u8(b, cases[i].kind), 0);
		assert_int_equal(buf_put_u32(b, cases[i].mode), 0);
		assert_int_equal(buf_put_u64(b, 1), 0);
		assert_int_equal(buf_put_u64(b, 2), 0);
		memset(&m, 0, sizeof(m));
		assert_int_equal(msg_decode(b, &m), cases[i].want);
		if (cases[i].want != 0)
			assert_cleared(&m);
		msg_clear(&m);
		buf_free(b);

		memset(&m, 0, sizeof(m));
		m.type = MFTP_MSG_ATTR;
		m.attr.kind = cases[i].kind;
		m.attr.mode = cases[i].mode;
		assert_int_equal(msg_encode(out, &m), cases[i].want);
		buf_reset(out);

		/* DIRENTS: the bad entry last, after good ones. */
		b = buf_new(256);
		assert_int_equal(buf_put_u8(b, MFTP_MSG_DIRENTS), 0);
		assert_int_equal(buf_put_u32(b, 2), 0);
		put_entry(b, "good", MFTP_KIND_DIR, 0755);
		put_entry(b, "bad", cases[i].kind, cases[i].mode);
		memset(&m, 0, sizeof(m));
		assert_int_equal(msg_decode(b, &m), cases[i].want);
		if (cases[i].want != 0)
			assert_cleared(&m);
		msg_clear(&m);
		buf_free(b);

		memset(&m, 0, sizeof(m));
		m.type = MFTP_MSG_DIRENTS;
		entry.name = (char *)"e";
		entry.attr.kind = cases[i].kind;
		entry.attr.mode = cases[i].mode;
		m.entries = &entry;
		m.nentries = 1;
		assert_int_equal(msg_encode(out, &m), cases[i].want);
		buf_reset(out);
	}

	/* The mode of MKDIR, PUT and CHMOD. */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (j = 0; j < 3; j++) {
			b = buf_new(256);
			assert_int_equal(buf_put_u8(b, mode_types[j]), 0);
			assert_int_equal(buf_put_cstring(b, "d"), 0);
			if (j == 1)
				assert_int_equal(buf_put_u64(b, 5), 0);
			assert_int_equal(buf_put_u32(b, cases[i].mode), 0);
			if (j == 1)
				assert_int_equal(buf_put_u64(b, 7), 0);
			memset(&m, 0, sizeof(m));
			assert_int_equal(msg_decode(b, &m),
			    cases[i].mode <= 07777 ? 0 : ERR_VALUE);
			msg_clear(&m);
			buf_free(b);

			m.type = mode_types[j];
			m.mode = cases[i].mode;
			assert_int_equal(msg_encode(out, &m),
			    cases[i].mode <= 07777 ? 0 : ERR_VALUE);
			buf_reset(out);
		}
	}
	buf_free(out);
}

static void
test_unknown_type(void **state)
{
	static const uint8_t tail[] = { 0, 0, 0, 0 };
	uint8_t bytes[1 + sizeof(tail)];
	struct buf *out;
	struct msg m;
	unsigned int t;

	out = buf_new(MFTP_FRAME_MAX + 4);
	assert_int_equal(buf_put(out, "xyz", 3), 0);
	for (t = 0; t < 256; t++) {
		if (spec_find(t) != NULL)
			continue;
		bytes[0] = (uint8_t)t;
		memcpy(bytes + 1, tail, sizeof(tail));
		assert_int_equal(decode_bytes(bytes, 1, &m), ERR_TYPE);
		assert_cleared(&m);
		assert_int_equal(
		    decode_bytes(bytes, sizeof(bytes), &m), ERR_TYPE);
		assert_cleared(&m);

		sample(&m, (uint8_t)t);
		assert_int_equal(msg_encode(out, &m), ERR_TYPE);
		assert_int_equal(buf_len(out), 3);
	}
	/* Nothing at all: not even a type. */
	assert_int_equal(decode_bytes(bytes, 0, &m), ERR_SHORT);
	buf_free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_truncated_all),
		cmocka_unit_test(test_trailing_all),
		cmocka_unit_test(test_embedded_nul_all),
		cmocka_unit_test(test_string_limits_all),
		cmocka_unit_test(test_huge_lengths),
		cmocka_unit_test(test_dirents_count),
		cmocka_unit_test(test_bad_hash),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_unknown_type),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
