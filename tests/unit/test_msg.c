/*
 * test_msg.c: unit tests for the message codec (lib/msg.c).
 *
 * The expected layout of every message is written out again here, from
 * the protocol contract, and encoded with plain buf_put_* calls; the
 * codec's output must match it byte for byte, so a wrong row in msg.c's
 * table fails here.  Then, for every type: round trip, every truncation,
 * trailing bytes, an embedded NUL in each string field and each string
 * one byte over its limit.
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
#include "mftp_limits.h"
#include "msg.h"
#include "proto.h"

/* A fatal error inside the library fails the test instead of exiting. */
void
cleanup_exit(int status)
{
	fail_msg("fatal error in the library (status %d)", status);
	abort();
}

/*
 * Every allocation of this program passes through here and the largest
 * request is remembered, so a test can prove that a peer's announced
 * length or count was never allocated.  glibc exports its allocator under
 * these names for exactly this kind of wrapper.
 */
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

static size_t alloc_largest;

static void
alloc_note(size_t n)
{
	if (n > alloc_largest)
		alloc_largest = n;
}

void *
malloc(size_t n)
{
	alloc_note(n);
	return __libc_malloc(n);
}

void *
calloc(size_t nmemb, size_t size)
{
	alloc_note(
	    size != 0 && nmemb > SIZE_MAX / size ? SIZE_MAX : nmemb * size);
	return __libc_calloc(nmemb, size);
}

void *
realloc(void *p, size_t n)
{
	alloc_note(n);
	return __libc_realloc(p, n);
}

void
free(void *p)
{
	__libc_free(p);
}

/*
 * The contract, restated.  Field letters: v version_min, V version_max,
 * f features, c code, m mode, s size, o offset, p path, u user, k secret,
 * t text, h hash, a attr, e entries.
 */
struct spec {
	uint8_t type;
	const char *name;
	int final;
	const char *fields;
};

static const struct spec specs[] = {
	{ MFTP_MSG_HELLO, "HELLO", 0, "vVft" },
	{ MFTP_MSG_LOGIN, "LOGIN", 0, "uk" },
	{ MFTP_MSG_QUIT, "QUIT", 0, "" },
	{ MFTP_MSG_PWD, "PWD", 0, "" },
	{ MFTP_MSG_CWD, "CWD", 0, "p" },
	{ MFTP_MSG_LIST, "LIST", 0, "p" },
	{ MFTP_MSG_MKDIR, "MKDIR", 0, "pm" },
	{ MFTP_MSG_STAT, "STAT", 0, "p" },
	{ MFTP_MSG_GET, "GET", 0, "po" },
	{ MFTP_MSG_PUT, "PUT", 0, "psm" },
	{ MFTP_MSG_DATA_END, "DATA_END", 1, "h" },
	{ MFTP_MSG_OK, "OK", 1, "" },
	{ MFTP_MSG_ERROR, "ERROR", 1, "ct" },
	{ MFTP_MSG_HELLO_OK, "HELLO_OK", 1, "vVft" },
	{ MFTP_MSG_PATH, "PATH", 1, "p" },
	{ MFTP_MSG_DIRENTS, "DIRENTS", 0, "e" },
	{ MFTP_MSG_ATTR, "ATTR", 1, "a" },
	{ MFTP_MSG_FILE, "FILE", 0, "so" },
	{ MFTP_MSG_PUT_READY, "PUT_READY", 0, "o" },
};
#define NSPECS (sizeof(specs) / sizeof(specs[0]))

static const struct spec *
spec_find(unsigned int type)
{
	size_t i;

	for (i = 0; i < NSPECS; i++)
		if (specs[i].type == type)
			return &specs[i];
	return NULL;
}

static int
has(const struct spec *s, char f)
{
	return strchr(s->fields, f) != NULL;
}

/* Recognisable strings, so a test can find each one in an encoding. */
static struct msg_entry sample_entries[] = {
	{ (char *)"NAME1.txt", { MFTP_KIND_FILE, 0600, 1, 1700000000 } },
	{ (char *)"", { MFTP_KIND_DIR, 07777, 0, INT64_MIN } },
	{ (char *)"NAME3", { MFTP_KIND_OTHER, 0, UINT64_MAX, INT64_MAX } },
};

static void
sample(struct msg *m, uint8_t type)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	m->type = type;
	m->version_min = 0x01020304;
	m->version_max = 0xa1b2c3d4;
	m->features = 0x8877665544332211ULL;
	m->code = 0xdeadbeef;
	m->mode = 04755;
	m->size = 0xfedcba9876543210ULL;
	m->offset = 0x0123456789abcdefULL;
	m->path = (char *)"/PATH/dir/file";
	m->user = (char *)"USERalice";
	m->secret = (char *)"SECRETpw";
	m->text = (char *)"TEXT mftp 1.0";
	for (i = 0; i < MFTP_HASH_LEN; i++)
		m->hash[i] = (uint8_t)(i * 7 + 1);
	m->hash_len = MFTP_HASH_LEN;
	m->attr.kind = MFTP_KIND_LINK;
	m->attr.mode = 0644;
	m->attr.size = 0x1122334455667788ULL;
	m->attr.mtime = -5;
	m->entries = sample_entries;
	m->nentries = sizeof(sample_entries) / sizeof(sample_entries[0]);
}

/* Where each string field's marker is, for the embedded-NUL tests. */
static const struct {
	char field;
	const char *marker;
} markers[] = {
	{ 'p', "PATH" },
	{ 'u', "USER" },
	{ 'k', "SECRET" },
	{ 't', "TEXT" },
	{ 'e', "NAME1" },
	{ 'e', "NAME3" },
};

static void
oracle_attr(struct buf *b, const struct msg_attr *a)
{
	assert_int_equal(buf_put_u8(b, a->kind), 0);
	assert_int_equal(buf_put_u32(b, a->mode), 0);
	assert_int_equal(buf_put_u64(b, a->size), 0);
	assert_int_equal(buf_put_u64(b, (uint64_t)a->mtime), 0);
}

/* The payload the contract says m has, built field by field. */
static void
oracle(struct buf *b, const struct msg *m, const struct spec *s)
{
	const char *f;
	size_t i;

	assert_int_equal(buf_put_u8(b, s->type), 0);
	for (f = s->fields; *f != '\0'; f++) {
		switch (*f) {
		case 'v':
			assert_int_equal(buf_put_u32(b, m->version_min), 0);
			break;
		case 'V':
			assert_int_equal(buf_put_u32(b, m->version_max), 0);
			break;
		case 'f':
			assert_int_equal(buf_put_u64(b, m->features), 0);
			break;
		case 'c':
			assert_int_equal(buf_put_u32(b, m->code), 0);
			break;
		case 'm':
			assert_int_equal(buf_put_u32(b, m->mode), 0);
			break;
		case 's':
			assert_int_equal(buf_put_u64(b, m->size), 0);
			break;
		case 'o':
			assert_int_equal(buf_put_u64(b, m->offset), 0);
			break;
		case 'p':
			assert_int_equal(buf_put_cstring(b, m->path), 0);
			break;
		case 'u':
			assert_int_equal(buf_put_cstring(b, m->user), 0);
			break;
		case 'k':
			assert_int_equal(buf_put_cstring(b, m->secret), 0);
			break;
		case 't':
			assert_int_equal(buf_put_cstring(b, m->text), 0);
			break;
		case 'h':
			assert_int_equal(
			    buf_put_string(b, m->hash, m->hash_len), 0);
			break;
		case 'a':
			oracle_attr(b, &m->attr);
			break;
		case 'e':
			assert_int_equal(
			    buf_put_u32(b, (uint32_t)m->nentries), 0);
			for (i = 0; i < m->nentries; i++) {
				assert_int_equal(
				    buf_put_cstring(b, m->entries[i].name), 0);
				oracle_attr(b, &m->entries[i].attr);
			}
			break;
		default:
			fail_msg("bad spec letter %c", *f);
		}
	}
}

static struct buf *
oracle_buf(const struct msg *m, const struct spec *s)
{
	struct buf *b = buf_new(1 << 20);

	oracle(b, m, s);
	return b;
}

/* Decode len bytes at p into m. */
static int
decode_bytes(const uint8_t *p, size_t len, struct msg *m)
{
	struct buf *b = buf_new(MFTP_FRAME_MAX + 1024);
	int r;

	assert_int_equal(buf_put(b, p, len), 0);
	memset(m, 0, sizeof(*m));
	r = msg_decode(b, m);
	buf_free(b);
	return r;
}

static void
assert_cleared(const struct msg *m)
{
	struct msg zero;

	memset(&zero, 0, sizeof(zero));
	assert_memory_equal(m, &zero, sizeof(zero));
}

static void
assert_str_field(const char *got, const char *want, int present)
{
	if (!present) {
		assert_null(got);
		return;
	}
	/* Decoded strings are never NULL; a NULL was sent as "". */
	assert_non_null(got);
	assert_string_equal(got, want != NULL ? want : "");
}

static void
assert_attr_equal(const struct msg_attr *got, const struct msg_attr *want)
{
	assert_int_equal(got->kind, want->kind);
	assert_int_equal(got->mode, want->mode);
	assert_true(got->size == want->size);
	assert_true(got->mtime == want->mtime);
}

/* got must hold exactly the fields of s taken from want, and zero else. */
static void
assert_msg_fields(
    const struct msg *got, const struct msg *want, const struct spec *s)
{
	struct msg_attr zero_attr;
	uint8_t zero_hash[MFTP_HASH_LEN];
	size_t i;

	memset(&zero_attr, 0, sizeof(zero_attr));
	memset(zero_hash, 0, sizeof(zero_hash));

	assert_int_equal(got->type, s->type);
	assert_true(got->version_min == (has(s, 'v') ? want->version_min : 0));
	assert_true(got->version_max == (has(s, 'V') ? want->version_max : 0));
	assert_true(got->features == (has(s, 'f') ? want->features : 0));
	assert_true(got->code == (has(s, 'c') ? want->code : 0));
	assert_true(got->mode == (has(s, 'm') ? want->mode : 0));
	assert_true(got->size == (has(s, 's') ? want->size : 0));
	assert_true(got->offset == (has(s, 'o') ? want->offset : 0));
	assert_str_field(got->path, want->path, has(s, 'p'));
	assert_str_field(got->user, want->user, has(s, 'u'));
	assert_str_field(got->secret, want->secret, has(s, 'k'));
	assert_str_field(got->text, want->text, has(s, 't'));
	if (has(s, 'h')) {
		assert_int_equal(got->hash_len, want->hash_len);
		assert_memory_equal(got->hash, want->hash, want->hash_len);
	} else {
		assert_int_equal(got->hash_len, 0);
		assert_memory_equal(got->hash, zero_hash, sizeof(zero_hash));
	}
	assert_attr_equal(&got->attr, has(s, 'a') ? &want->attr : &zero_attr);
	if (has(s, 'e')) {
		assert_int_equal(got->nentries, want->nentries);
		for (i = 0; i < want->nentries; i++) {
			assert_string_equal(
			    got->entries[i].name, want->entries[i].name);
			assert_attr_equal(
			    &got->entries[i].attr, &want->entries[i].attr);
		}
	} else {
		assert_int_equal(got->nentries, 0);
		assert_null(got->entries);
	}
}

/*
 * Encode m, check the frame against the oracle, decode it and compare.
 */
static void
round_trip(const struct msg *m, const struct spec *s)
{
	struct buf *out = buf_new(MFTP_FRAME_MAX + 4);
	struct buf *want = oracle_buf(m, s);
	struct msg got;
	uint32_t len;

	assert_int_equal(msg_encode(out, m), 0);
	assert_int_equal(buf_get_u32(out, &len), 0);
	assert_int_equal(len, buf_len(want));
	assert_int_equal(buf_len(out), buf_len(want));
	assert_memory_equal(buf_ptr(out), buf_ptr(want), buf_len(want));

	memset(&got, 0, sizeof(got));
	assert_int_equal(msg_decode(out, &got), 0);
	assert_int_equal(buf_len(out), 0);
	assert_msg_fields(&got, m, s);
	msg_clear(&got);
	assert_cleared(&got);

	buf_free(want);
	buf_free(out);
}

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

	for (i = 0; i < NSPECS; i++) {
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
	static const uint8_t put[] = { 0, 0, 0, 18, 0x21, 0, 0, 0, 1, 'x', 0, 0,
		0, 0, 0, 0, 0x12, 0x34, 0, 0, 0x01, 0xa4 };
	static const uint8_t quit[] = { 0, 0, 0, 1, 0x03 };
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
	assert_int_equal(msg_encode(out, &m), 0);
	assert_int_equal(buf_len(out), sizeof(put));
	assert_memory_equal(buf_ptr(out), put, sizeof(put));
	buf_reset(out);

	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_QUIT;
	assert_int_equal(msg_encode(out, &m), 0);
	assert_int_equal(buf_len(out), sizeof(quit));
	assert_memory_equal(buf_ptr(out), quit, sizeof(quit));
	buf_free(out);
}

static void
test_truncated_all(void **state)
{
	struct buf *full;
	struct msg m, got;
	size_t i, n;

	for (i = 0; i < NSPECS; i++) {
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

	for (i = 0; i < NSPECS; i++) {
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

	for (i = 0; i < NSPECS; i++) {
		sample(&m, specs[i].type);
		full = oracle_buf(&m, &specs[i]);
		len = buf_len(full);
		tested = 0;
		for (j = 0; j < sizeof(markers) / sizeof(markers[0]); j++) {
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
		    (has(&specs[i], 'p') + has(&specs[i], 'u') +
			has(&specs[i], 'k') + has(&specs[i], 't') +
			2 * has(&specs[i], 'e')));
		buf_free(full);
	}
}

static char *
string_of(size_t len)
{
	char *s = malloc(len + 1);

	memset(s, 'x', len);
	s[len] = '\0';
	return s;
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
	for (i = 0; i < NSPECS; i++) {
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
	/* Only the test's own input buffers were allocated. */
	assert_true(alloc_largest <= 4096);
}

static void
put_entry(struct buf *b, const char *name, uint8_t kind, uint32_t mode)
{
	assert_int_equal(buf_put_cstring(b, name), 0);
	assert_int_equal(buf_put_u8(b, kind), 0);
	assert_int_equal(buf_put_u32(b, mode), 0);
	assert_int_equal(buf_put_u64(b, 42), 0);
	assert_int_equal(buf_put_u64(b, 43), 0);
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
		{ MFTP_HASH_LEN - 1, ERR_VALUE },
		{ MFTP_HASH_LEN + 1, ERR_TOO_LONG },
		{ 64, ERR_TOO_LONG },
	};
	uint8_t bytes[64];
	struct buf *b, *out;
	struct msg m;
	size_t i;

	memset(bytes, 0xab, sizeof(bytes));
	out = buf_new(MFTP_FRAME_MAX + 4);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		b = buf_new(256);
		assert_int_equal(buf_put_u8(b, MFTP_MSG_DATA_END), 0);
		assert_int_equal(buf_put_string(b, bytes, cases[i].len), 0);
		memset(&m, 0, sizeof(m));
		assert_int_equal(msg_decode(b, &m), cases[i].want);
		assert_cleared(&m);
		buf_free(b);

		/* The encoder refuses the same lengths. */
		memset(&m, 0, sizeof(m));
		m.type = MFTP_MSG_DATA_END;
		m.hash_len = cases[i].len;
		assert_int_equal(msg_encode(out, &m), cases[i].want);
		assert_int_equal(buf_len(out), 0);
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

	/* The mode of MKDIR and PUT. */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (j = 0; j < 2; j++) {
			b = buf_new(256);
			assert_int_equal(
			    buf_put_u8(
				b, j == 0 ? MFTP_MSG_MKDIR : MFTP_MSG_PUT),
			    0);
			assert_int_equal(buf_put_cstring(b, "d"), 0);
			if (j == 1)
				assert_int_equal(buf_put_u64(b, 5), 0);
			assert_int_equal(buf_put_u32(b, cases[i].mode), 0);
			memset(&m, 0, sizeof(m));
			assert_int_equal(msg_decode(b, &m),
			    cases[i].mode <= 07777 ? 0 : ERR_VALUE);
			msg_clear(&m);
			buf_free(b);

			m.type = j == 0 ? MFTP_MSG_MKDIR : MFTP_MSG_PUT;
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
	out = buf_new(buf_len(copy) + 4 + 1 + 4 + strlen(m.path) + 8 + 4 - 1);
	assert_int_equal(buf_put(out, buf_ptr(copy), buf_len(copy)), 0);
	assert_int_equal(msg_encode(out, &m), ERR_FULL);
	assert_int_equal(buf_len(out), buf_len(copy));
	assert_memory_equal(buf_ptr(out), buf_ptr(copy), buf_len(copy));
	buf_free(out);
	out = buf_new(buf_len(copy) + 4 + 1 + 4 + strlen(m.path) + 8 + 4);
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

	for (i = 0; i < NSPECS; i++) {
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_round_trip_all),
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_truncated_all),
		cmocka_unit_test(test_trailing_all),
		cmocka_unit_test(test_embedded_nul_all),
		cmocka_unit_test(test_string_limits_all),
		cmocka_unit_test(test_huge_lengths),
		cmocka_unit_test(test_dirents_count),
		cmocka_unit_test(test_bad_hash),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_unknown_type),
		cmocka_unit_test(test_encode_refused_unchanged),
		cmocka_unit_test(test_frame_limit),
		cmocka_unit_test(test_null_strings),
		cmocka_unit_test(test_clear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
