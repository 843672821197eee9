/*
 * msg_oracle.c: the protocol contract restated for the codec's tests
 * (msg_oracle.h), and the allocation wrappers they use.
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
#include "msg_oracle.h"
#include "proto.h"

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

size_t alloc_largest;

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

const struct spec specs[] = {
	{ MFTP_MSG_HELLO, "HELLO", 0, "vVft" },
	{ MFTP_MSG_LOGIN, "LOGIN", 0, "uk" },
	{ MFTP_MSG_QUIT, "QUIT", 0, "" },
	{ MFTP_MSG_PWD, "PWD", 0, "" },
	{ MFTP_MSG_CWD, "CWD", 0, "p" },
	{ MFTP_MSG_LIST, "LIST", 0, "p" },
	{ MFTP_MSG_MKDIR, "MKDIR", 0, "pm" },
	{ MFTP_MSG_STAT, "STAT", 0, "p" },
	{ MFTP_MSG_HASH, "HASH", 0, "p" },
	{ MFTP_MSG_REMOVE, "REMOVE", 0, "p" },
	{ MFTP_MSG_RMDIR, "RMDIR", 0, "p" },
	{ MFTP_MSG_RENAME, "RENAME", 0, "pP" },
	{ MFTP_MSG_QUOTA, "QUOTA", 0, "" },
	{ MFTP_MSG_HASH_ALG, "HASH_ALG", 0, "pA" },
	{ MFTP_MSG_CHMOD, "CHMOD", 0, "pm" },
	{ MFTP_MSG_SYMLINK, "SYMLINK", 0, "pP" },
	{ MFTP_MSG_READLINK, "READLINK", 0, "p" },
	{ MFTP_MSG_GET, "GET", 0, "po" },
	{ MFTP_MSG_PUT, "PUT", 0, "psmT" },
	{ MFTP_MSG_PUT_DATA, "PUT_DATA", 0, "psmT" },
	{ MFTP_MSG_DATA_END, "DATA_END", 1, "h" },
	{ MFTP_MSG_OK, "OK", 1, "" },
	{ MFTP_MSG_ERROR, "ERROR", 1, "ct" },
	{ MFTP_MSG_HELLO_OK, "HELLO_OK", 1, "vVft" },
	{ MFTP_MSG_PATH, "PATH", 1, "p" },
	{ MFTP_MSG_DIRENTS, "DIRENTS", 0, "e" },
	{ MFTP_MSG_ATTR, "ATTR", 1, "a" },
	{ MFTP_MSG_FILE, "FILE", 0, "so" },
	{ MFTP_MSG_PUT_READY, "PUT_READY", 0, "o" },
	{ MFTP_MSG_HASH_OK, "HASH_OK", 1, "h" },
	{ MFTP_MSG_QUOTA_OK, "QUOTA_OK", 1, "q" },
	{ MFTP_MSG_QUOTA_RSV_OK, "QUOTA_RSV_OK", 1, "qr" },
	{ MFTP_MSG_WORKING, "WORKING", 0, "os" },
};
const size_t nspecs = sizeof(specs) / sizeof(specs[0]);

const struct spec *
spec_find(unsigned int type)
{
	size_t i;

	for (i = 0; i < nspecs; i++)
		if (specs[i].type == type)
			return &specs[i];
	return NULL;
}

int
has(const struct spec *s, char f)
{
	return strchr(s->fields, f) != NULL;
}

/* Recognisable strings, so a test can find each one in an encoding. */
struct msg_entry sample_entries[] = {
	{ (char *)"NAME1.txt", { MFTP_KIND_FILE, 0600, 1, 1700000000 } },
	{ (char *)"", { MFTP_KIND_DIR, 07777, 0, INT64_MIN } },
	{ (char *)"NAME3", { MFTP_KIND_OTHER, 0, UINT64_MAX, INT64_MAX } },
};
const size_t nsample_entries = sizeof(sample_entries) /
    sizeof(sample_entries[0]);

void
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
	m->mtime = -0x0102030405060708LL;
	m->alg = 0xa5;
	m->path = (char *)"/PATH/dir/file";
	m->path2 = (char *)"NEWNAME/of/it";
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
	m->nentries = nsample_entries;
	m->quota.bytes_used = 0x1111111111111111ULL;
	m->quota.bytes_limit = UINT64_MAX;
	m->quota.files_used = 3;
	m->quota.files_limit = 0;
}

const struct marker markers[] = {
	{ 'p', "PATH" },
	{ 'P', "NEWNAME" },
	{ 'u', "USER" },
	{ 'k', "SECRET" },
	{ 't', "TEXT" },
	{ 'e', "NAME1" },
	{ 'e', "NAME3" },
};
const size_t nmarkers = sizeof(markers) / sizeof(markers[0]);

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
		case 'T':
			assert_int_equal(buf_put_u64(b, (uint64_t)m->mtime), 0);
			break;
		case 'A':
			assert_int_equal(buf_put_u8(b, m->alg), 0);
			break;
		case 'p':
			assert_int_equal(buf_put_cstring(b, m->path), 0);
			break;
		case 'P':
			assert_int_equal(buf_put_cstring(b, m->path2), 0);
			break;
		case 'q':
			assert_int_equal(
			    buf_put_u64(b, m->quota.bytes_used), 0);
			assert_int_equal(
			    buf_put_u64(b, m->quota.bytes_limit), 0);
			assert_int_equal(
			    buf_put_u64(b, m->quota.files_used), 0);
			assert_int_equal(
			    buf_put_u64(b, m->quota.files_limit), 0);
			break;
		case 'r':
			assert_int_equal(
			    buf_put_u64(b, m->quota.bytes_reserved), 0);
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

struct buf *
oracle_buf(const struct msg *m, const struct spec *s)
{
	struct buf *b = buf_new(1 << 20);

	oracle(b, m, s);
	return b;
}

/* Decode len bytes at p into m. */
int
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

void
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
void
assert_msg_fields(
    const struct msg *got, const struct msg *want, const struct spec *s)
{
	struct msg_attr zero_attr;
	struct msg_quota zero_quota;
	const struct msg_quota *q;
	uint8_t zero_hash[MFTP_HASH_LEN];
	size_t i;

	memset(&zero_attr, 0, sizeof(zero_attr));
	memset(&zero_quota, 0, sizeof(zero_quota));
	memset(zero_hash, 0, sizeof(zero_hash));

	assert_int_equal(got->type, s->type);
	assert_true(got->version_min == (has(s, 'v') ? want->version_min : 0));
	assert_true(got->version_max == (has(s, 'V') ? want->version_max : 0));
	assert_true(got->features == (has(s, 'f') ? want->features : 0));
	assert_true(got->code == (has(s, 'c') ? want->code : 0));
	assert_true(got->mode == (has(s, 'm') ? want->mode : 0));
	assert_true(got->size == (has(s, 's') ? want->size : 0));
	assert_true(got->offset == (has(s, 'o') ? want->offset : 0));
	assert_true(got->mtime == (has(s, 'T') ? want->mtime : 0));
	assert_true(got->alg == (has(s, 'A') ? want->alg : 0));
	assert_str_field(got->path, want->path, has(s, 'p'));
	assert_str_field(got->path2, want->path2, has(s, 'P'));
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
	q = has(s, 'q') ? &want->quota : &zero_quota;
	assert_true(got->quota.bytes_used == q->bytes_used);
	assert_true(got->quota.bytes_limit == q->bytes_limit);
	assert_true(got->quota.files_used == q->files_used);
	assert_true(got->quota.files_limit == q->files_limit);
	assert_true(got->quota.bytes_reserved ==
	    (has(s, 'r') ? want->quota.bytes_reserved : 0));
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
void
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

char *
string_of(size_t len)
{
	char *s = malloc(len + 1);

	memset(s, 'x', len);
	s[len] = '\0';
	return s;
}

void
put_entry(struct buf *b, const char *name, uint8_t kind, uint32_t mode)
{
	assert_int_equal(buf_put_cstring(b, name), 0);
	assert_int_equal(buf_put_u8(b, kind), 0);
	assert_int_equal(buf_put_u32(b, mode), 0);
	assert_int_equal(buf_put_u64(b, 42), 0);
	assert_int_equal(buf_put_u64(b, 43), 0);
}
