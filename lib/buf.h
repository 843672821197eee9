/*
 * buf.h: a bounded byte buffer with checked big-endian getters and
 * putters, in the manner of OpenSSH's sshbuf.
 *
 * Used by: everything that encodes or decodes bytes.  A buffer has a
 * maximum number of unread bytes fixed at creation; a put that would pass it fails with
 * ERR_FULL, a get past the end fails with ERR_SHORT and consumes nothing.
 * Getters consume from the front (the read offset); putters append.
 * Allocation failure is fatal.
 */
#ifndef MFTP_BUF_H
#define MFTP_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf;

struct buf *buf_new(size_t max);
/* Frees the buffer after wiping its storage (it may have held a secret). */
void buf_free(struct buf *b);
/* Empties the buffer (offset and length to 0); keeps the storage. */
void buf_reset(struct buf *b);

/* Unread bytes: pointer to the first and how many there are. */
const uint8_t *buf_ptr(const struct buf *b);
size_t buf_len(const struct buf *b);
size_t buf_max(const struct buf *b);

/* Drop len unread bytes from the front; ERR_SHORT if fewer are there. */
int buf_consume(struct buf *b, size_t len);

/*
 * Make room for len more bytes at the end and return a pointer to it in
 * *p; the caller fills it.  ERR_FULL past the maximum.
 */
int buf_reserve(struct buf *b, size_t len, uint8_t **p);

/* Overwrite 4 bytes at absolute unread offset off with v (big-endian). */
int buf_poke_u32(struct buf *b, size_t off, uint32_t v);

int buf_put(struct buf *b, const void *data, size_t len);
int buf_put_u8(struct buf *b, uint8_t v);
int buf_put_u32(struct buf *b, uint32_t v);
int buf_put_u64(struct buf *b, uint64_t v);
/* A string field: u32 length + bytes. */
int buf_put_string(struct buf *b, const void *data, size_t len);
int buf_put_cstring(struct buf *b, const char *s);

int buf_get(struct buf *b, void *out, size_t len);
int buf_get_u8(struct buf *b, uint8_t *v);
int buf_get_u32(struct buf *b, uint32_t *v);
int buf_get_u64(struct buf *b, uint64_t *v);
/*
 * A string field into a new NUL-terminated allocation in *out.  The length
 * is checked against maxlen before anything is allocated (ERR_TOO_LONG);
 * an embedded NUL is ERR_NUL.  On error nothing is consumed and *out is
 * untouched.
 */
int buf_get_cstring(struct buf *b, char **out, size_t maxlen);
/*
 * A string field of raw bytes, borrowed from the buffer (no copy); the
 * pointer is valid until the next put, reserve or reset.
 */
int buf_get_string_ptr(
    struct buf *b, const uint8_t **p, size_t *len, size_t maxlen);
/* ERR_TRAILING if unread bytes remain: every decode ends with this. */
int buf_get_end(const struct buf *b);

#endif
