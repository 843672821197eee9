/*
 * msg_oracle.h: the protocol contract restated for the codec's tests
 * (test_msg.c, test_msg_bad.c), independently of lib/msg.c's table.
 *
 * Each message type is a spec: its name, whether it is final, and its
 * fields as letters in wire order:
 *   v version_min, V version_max, f features, c code, m mode, s size,
 *   o offset, T mtime, A alg (u8), p path, P path2, u user, k secret, t text,
 *   h hash, a attr, e entries, q quota (4 x u64), r bytes reserved (u64).
 * oracle() builds the payload a spec says a message has with plain
 * buf_put_* calls, so the codec's output can be compared byte for byte.
 *
 * The program's malloc, calloc and realloc are wrapped here and the
 * largest request is kept in alloc_largest, so a test can prove that a
 * peer's announced length or count was never allocated.
 */
#ifndef MFTP_TEST_MSG_ORACLE_H
#define MFTP_TEST_MSG_ORACLE_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct msg;
struct msg_attr;
struct msg_entry;

struct spec {
	uint8_t type;
	const char *name;
	int final;
	const char *fields;
};

extern const struct spec specs[];
extern const size_t nspecs;

/* Sample entries of DIRENTS; sample() points a message at them. */
extern struct msg_entry sample_entries[];
extern const size_t nsample_entries;

/* Each string field's recognisable marker in a sample() message. */
struct marker {
	char field;
	const char *marker;
};
extern const struct marker markers[];
extern const size_t nmarkers;

/* The largest allocation since a test last set this to 0. */
extern size_t alloc_largest;

const struct spec *spec_find(unsigned int type);
/* Nonzero if the spec has field letter f. */
int has(const struct spec *s, char f);

/* Fill every field of m with a recognisable value; m->type = type. */
void sample(struct msg *m, uint8_t type);

/* The payload (type and fields, no length) the spec says m has. */
struct buf *oracle_buf(const struct msg *m, const struct spec *s);

/* Decode len bytes at p into m (zeroed first); msg_decode's result. */
int decode_bytes(const uint8_t *p, size_t len, struct msg *m);

/* m is all zero (nothing left to free). */
void assert_cleared(const struct msg *m);

/* got holds exactly the fields of s taken from want, and zero else. */
void assert_msg_fields(
    const struct msg *got, const struct msg *want, const struct spec *s);

/* Encode m, check it against the oracle, decode it and compare. */
void round_trip(const struct msg *m, const struct spec *s);

/* A new string of len 'x' characters. */
char *string_of(size_t len);

/* Append one DIRENTS entry (size 42, mtime 43) to b. */
void put_entry(struct buf *b, const char *name, uint8_t kind, uint32_t mode);

#endif
