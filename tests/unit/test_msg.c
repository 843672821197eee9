/*
 * test_msg.c: unit tests for the message codec (lib/msg.c), well-formed
 * messages.
 *
 * The expected layout of every message is written out again in
 * msg_oracle.c, from the protocol contract, and encoded with plain
 * buf_put_* calls; the codec's output must match it byte for byte, so a
 * wrong row in msg.c's table fails here.  The oracle itself is checked
 * against literal bytes.  Bad input is test_msg_bad.c's.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "mftp_limits.h"
#include "msg.h"
#include "msg_oracle.h"
#include "proto.h"

static void
test_table(void **state)
{
	const struct spec *s;
	unsigned int t;

	for (t = 0; t < 256; t++) {
		s = spec_find(t);
		if (s == NULL) {
			assert_null(msg_name((uint8_t)t));
			assert_int_equal(msg_is_final((uint8_t)t), 0);
			continue;
		}
		assert_non_null(msg_name((uint8_t)t));
		assert_string_equal(msg_name((uint8_t)t), s->name);
		assert_int_equal(msg_is_final((uint8_t)t) != 0, s->final);
	}
}

static void
test_round_trip_all(void **state)
{
	struct msg m;
	size_t i;

	for (i = 0; i < nspecs; i++) {
		sample(&m, specs[i].type);
		round_trip(&m, &specs[i]);

		/* The smallest form: NULL strings, no hash, no entries. */
		memset(&m, 0, sizeof(m));
		m.type = specs[i].type;
		m.attr.kind = MFTP_KIND_FILE;
		round_trip(&m, &specs[i]);
	}
}

/* The oracle itself, checked against literal bytes from the contract. */
static void
test_golden(void **state)
{
	static const uint8_t error[] = { 0, 0, 0, 11, 0x81, 0, 0, 0, 3, 0, 0, 0,
		2, 'n', 'o' };
	static const uint8_t hello[] = { 0, 0, 0, 0x19, 0x01, 0, 0, 0, 1, 0, 0,
		0, 2, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 4, 'm', 'f', 't',
		'p' };
	static const uint8_t attr[] = { 0, 0, 0, 22, 0x85, 2, 0, 0, 0x01, 0xed,
		0, 0, 0, 0, 0, 0, 0x10, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff };
	static const uint8_t put[] = { 0, 0, 0, 26, 0x21, 0, 0, 0, 1, 'x', 0, 0,
		0, 0, 0, 0, 0x12, 0x34, 0, 0, 0x01, 0xa4, 0, 0, 0, 0, 0x65,
		0x53, 0xf1, 0x00 };
	static const uint8_t rename[] = { 0, 0, 0, 11, 0x18, 0, 0, 0, 1, 'a', 0,
		0, 0, 1, 'b' };
	static const uint8_t quota[] = { 0, 0, 0, 33, 0x89, 0, 0, 0, 0, 0, 0,
		0x10, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0,
		0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t quota_rsv[] = { 0, 0, 0, 41, 0x8b, 0, 0, 0, 0, 0,
		0, 0x10, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0 };
	static const uint8_t quit[] = { 0, 0, 0, 1, 0x03 };
	static const uint8_t hash_alg[] = { 0, 0, 0, 7, 0x1a, 0, 0, 0, 1, 'x',
		1 };
	static const uint8_t chmod[] = { 0, 0, 0, 10, 0x1b, 0, 0, 0, 1, 'x', 0,
		0, 0x01, 0xed };
	static const uint8_t symlink[] = { 0, 0, 0, 13, 0x1c, 0, 0, 0, 3, '/',
		'e', 't', 0, 0, 0, 1, 'l' };
	struct buf *out = buf_new(256);
	struct msg m;

	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_ERROR;
	m.code = MFTP_ST_AUTH;
	m.text = (char *)"no";
	assert_int_equal(msg_encode(out, &m), 0);
	assert_int_equal(buf_len(out), sizeof(error));
	assert_memory_equal(buf_ptr(out), error, sizeof(error));
	buf_reset(out);

	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_HELLO;
	m.version_min = 1;
	m.version_max = 2;
	m.features = 0x10;
	m.text = (char *)"mftp";
	assert_int_equal(msg_encode(out, &m), 0);
	assert_int_equal(buf_len(out), sizeof(hello));
	assert_memory_equal(buf_ptr(out), hello, sizeof(hello));
	buf_reset(out);

	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_ATTR;
	m.attr.kind = MFTP_KIND_DIR;
	m.attr.mode = 0755;
	m.attr.size = 0x1000;
	m.attr.mtime = -1;
	assert_int_equal(msg_encode(out, &m), 0);
	assert_int_equal(buf_len(out), sizeof(attr));
	assert_memory_equal(buf_ptr(out), attr, sizeof(attr));
	buf_reset(out);

	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_PUT;
	m.path = (char *)"x";
	m.size = 0x1234;
	m.mode = 0644;
	m.mtime = 1700000000;
	assert_int_equal(msg_encode(out, &m), 0);
	assert_int_equal(buf_len(out), sizeof(put));
	assert_memory_equal(buf_ptr(out), put, sizeof(put));
	buf_reset(out);

	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_RENAME;
	m.path = (char *)"a";
	m.path2 = (char *)"b";
	assert_int_equal(msg_encode(out, &m), 0);
	assert_int_equal(buf_len(out), sizeof(rename));
	assert_memory_equal(buf_ptr(out), rename, sizeof(rename));
	buf_reset(out);

	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_QUOTA_OK;
	m.quota.bytes_used = 0x1000;
	m.quota.bytes_limit = 0x200000;
	m.quota.files_used = 7;
	assert_int_equal(msg_encode(out, &m), 0);
	assert_int_equal(buf_len(out), sizeof(quota));
	assert_memory_equal(buf_ptr(out), quota, sizeof(quota));
	buf_reset(out);

	m.type = MFTP_MSG_QUOTA_RSV_OK;
	m.quota.bytes_reserved = 0x100000;
	assert_int_equal(msg_encode(out, &m), 0);
	assert_int_equal(buf_len(out), sizeof(quota_rsv));
	assert_memory_equal(buf_ptr(out), quota_rsv, sizeof(quota_rsv));
	buf_reset(out);

	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_QUIT;
	assert_int_equal(msg_encode(out, &m), 0);
	assert_int_equal(buf_len(out), sizeof(quit));
	assert_memory_equal(buf_ptr(out), quit, sizeof(quit));
	buf_reset(out);

	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_HASH_ALG;
	m.path = (char *)"x";
	m.alg = MFTP_DIGEST_SHA256;
	assert_int_equal(msg_encode(out, &m), 0);
	assert_int_equal(buf_len(out), sizeof(hash_alg));
	assert_memory_equal(buf_ptr(out), hash_alg, sizeof(hash_alg));
	buf_reset(out);

	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_CHMOD;
	m.path = (char *)"x";
	m.mode = 0755;
	assert_int_equal(msg_encode(out, &m), 0);
	assert_int_equal(buf_len(out), sizeof(chmod));
	assert_memory_equal(buf_ptr(out), chmod, sizeof(chmod));
	buf_reset(out);

	/* The target first, as symlink(2) takes them. */
	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_SYMLINK;
	m.path = (char *)"/et";
	m.path2 = (char *)"l";
	assert_int_equal(msg_encode(out, &m), 0);
	assert_int_equal(buf_len(out), sizeof(symlink));
	assert_memory_equal(buf_ptr(out), symlink, sizeof(symlink));
	buf_free(out);
}

/* Both checksum lengths go through, in both messages that carry one. */
static void
test_hash_lengths(void **state)
{
	static const uint8_t types[] = { MFTP_MSG_DATA_END, MFTP_MSG_HASH_OK };
	static const size_t lens[] = { 0, MFTP_HASH_XXH128_LEN, MFTP_HASH_LEN };
	struct msg m;
	size_t i, j;

	for (i = 0; i < sizeof(types); i++)
		for (j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
			sample(&m, types[i]);
			m.hash_len = lens[j];
			round_trip(&m, spec_find(types[i]));
		}
}

/* A refused encode leaves out exactly as it was, whatever it held. */
static void
test_encode_refused_unchanged(void **state)
{
	struct buf *out, *copy;
	struct msg m;
	char *s;

	out = buf_new(MFTP_FRAME_MAX + 4);
	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_OK;
	assert_int_equal(msg_encode(out, &m), 0);
	sample(&m, MFTP_MSG_HELLO);
	assert_int_equal(msg_encode(out, &m), 0);
	copy = buf_new(MFTP_FRAME_MAX + 4);
	assert_int_equal(buf_put(copy, buf_ptr(out), buf_len(out)), 0);

	s = string_of(MFTP_PATH_MAX + 1);
	sample(&m, MFTP_MSG_GET);
	m.path = s;
	assert_int_equal(msg_encode(out, &m), ERR_TOO_LONG);
	assert_int_equal(buf_len(out), buf_len(copy));
	assert_memory_equal(buf_ptr(out), buf_ptr(copy), buf_len(copy));
	free(s);
	buf_free(out);

	/* No room: ERR_FULL, nothing appended; exactly enough room works. */
	sample(&m, MFTP_MSG_PUT);
	out = buf_new(
	    buf_len(copy) + 4 + 1 + 4 + strlen(m.path) + 8 + 4 + 8 - 1);
	assert_int_equal(buf_put(out, buf_ptr(copy), buf_len(copy)), 0);
	assert_int_equal(msg_encode(out, &m), ERR_FULL);
	assert_int_equal(buf_len(out), buf_len(copy));
	assert_memory_equal(buf_ptr(out), buf_ptr(copy), buf_len(copy));
	buf_free(out);
	out = buf_new(buf_len(copy) + 4 + 1 + 4 + strlen(m.path) + 8 + 4 + 8);
	assert_int_equal(buf_put(out, buf_ptr(copy), buf_len(copy)), 0);
	assert_int_equal(msg_encode(out, &m), 0);
	assert_int_equal(buf_len(out), buf_max(out));
	buf_free(out);
	buf_free(copy);
}

/*
 * A DIRENTS frame whose payload is exactly MFTP_FRAME_MAX is encoded and
 * decoded; one byte more is refused.
 */
static void
test_frame_limit(void **state)
{
	const size_t per = 4 + 1 + 4 + 8 + 8, target = MFTP_FRAME_MAX - 1 - 4;
	size_t k, names, i, len;
	struct msg_entry *e;
	struct buf *out;
	struct msg m, got;
	uint32_t flen;

	k = (target + per + MFTP_NAME_MAX - 1) / (per + MFTP_NAME_MAX);
	names = target - per * k;
	e = calloc(k, sizeof(*e));
	for (i = 0; i < k; i++) {
		len = names / k + (i < names % k ? 1 : 0);
		assert_true(len < MFTP_NAME_MAX);
		e[i].name = string_of(len);
		e[i].name[0] = (char)('a' + i % 26);
		e[i].attr.kind = MFTP_KIND_FILE;
	}
	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_DIRENTS;
	m.entries = e;
	m.nentries = k;

	out = buf_new(MFTP_FRAME_MAX + 4);
	assert_int_equal(msg_encode(out, &m), 0);
	assert_int_equal(buf_get_u32(out, &flen), 0);
	assert_int_equal(flen, MFTP_FRAME_MAX);
	memset(&got, 0, sizeof(got));
	assert_int_equal(msg_decode(out, &got), 0);
	assert_msg_fields(&got, &m, spec_find(MFTP_MSG_DIRENTS));
	msg_clear(&got);

	/* One byte more. */
	buf_reset(out);
	len = strlen(e[k - 1].name);
	free(e[k - 1].name);
	e[k - 1].name = string_of(len + 1);
	assert_int_equal(msg_encode(out, &m), ERR_TOO_LONG);
	assert_int_equal(buf_len(out), 0);

	buf_free(out);
	for (i = 0; i < k; i++)
		free(e[i].name);
	free(e);
}

/* A NULL string goes out as an empty string. */
static void
test_null_strings(void **state)
{
	static const uint8_t want[] = { 0, 0, 0, 9, MFTP_MSG_LOGIN, 0, 0, 0, 0,
		0, 0, 0, 0 };
	struct buf *out = buf_new(64);
	struct msg m;

	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_LOGIN;
	assert_int_equal(msg_encode(out, &m), 0);
	assert_int_equal(buf_len(out), sizeof(want));
	assert_memory_equal(buf_ptr(out), want, sizeof(want));
	buf_free(out);
}

/* msg_clear frees everything (valgrind checks) and zeroes the message. */
static void
test_clear(void **state)
{
	struct buf *out = buf_new(MFTP_FRAME_MAX + 4);
	struct msg m, got;
	uint32_t len;
	size_t i;

	for (i = 0; i < nspecs; i++) {
		sample(&m, specs[i].type);
		assert_int_equal(msg_encode(out, &m), 0);
		assert_int_equal(buf_get_u32(out, &len), 0);
		memset(&got, 0, sizeof(got));
		assert_int_equal(msg_decode(out, &got), 0);
		msg_clear(&got);
		assert_cleared(&got);
		msg_clear(&got);
		assert_cleared(&got);
	}
	buf_free(out);
}

/* What stat(2) says of a file, a directory, a link and a FIFO. */
static void
test_attr_from_stat(void **state)
{
	char dir[] = "/tmp/test_msg.XXXXXX", path[64];
	struct msg_attr a;
	struct stat st;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("12345", f);
	fclose(f);
	assert_int_equal(chmod(path, 04751), 0);
	assert_int_equal(lstat(path, &st), 0);
	msg_attr_from_stat(&st, &a);
	assert_int_equal(a.kind, MFTP_KIND_FILE);
	assert_int_equal(a.mode, 04751);
	assert_true(a.size == 5);
	assert_true(a.mtime == (int64_t)st.st_mtime);

	assert_int_equal(lstat(dir, &st), 0);
	msg_attr_from_stat(&st, &a);
	assert_int_equal(a.kind, MFTP_KIND_DIR);
	assert_int_equal(a.mode, 0700);

	snprintf(path, sizeof(path), "%s/l", dir);
	assert_int_equal(symlink("f", path), 0);
	assert_int_equal(lstat(path, &st), 0);
	msg_attr_from_stat(&st, &a);
	assert_int_equal(a.kind, MFTP_KIND_LINK);
	unlink(path);

	snprintf(path, sizeof(path), "%s/p", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(lstat(path, &st), 0);
	msg_attr_from_stat(&st, &a);
	assert_int_equal(a.kind, MFTP_KIND_OTHER);
	unlink(path);

	snprintf(path, sizeof(path), "%s/f", dir);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_round_trip_all),
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_hash_lengths),
		cmocka_unit_test(test_encode_refused_unchanged),
		cmocka_unit_test(test_frame_limit),
		cmocka_unit_test(test_null_strings),
		cmocka_unit_test(test_clear),
		cmocka_unit_test(test_attr_from_stat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
