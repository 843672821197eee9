/*
 * buf.c: the bounded byte buffer (buf.h).
 *
 * Runs in: every process that encodes or decodes bytes, privileged or not.
 * Every length that comes from the peer is checked here before anything
 * is copied or allocated, so callers can chain getters without their own
 * bounds checks.
 *
 * Layout: storage d[0..alloc) holds consumed bytes d[0..off), unread bytes
 * d[off..end) and free space d[end..alloc).  The maximum bounds the unread
 * bytes (end - off), not the storage: the consumed prefix is reclaimed
 * (moved out) before the storage grows, so a long-lived buffer that is
 * filled and drained in turn never grows past its high-water mark.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "util.h"

/* First allocation; growth doubles from here up to the maximum. */
#define BUF_SIZE_INIT 256

struct buf {
	uint8_t *d;
	size_t off;   /* first unread byte */
	size_t end;   /* one past the last unread byte */
	size_t alloc; /* size of d */
	size_t max;   /* most unread bytes the buffer may hold */
};

/* What buf_ptr() returns before any storage exists. */
static const uint8_t buf_empty[1];

struct buf *
buf_new(size_t max)
{
	struct buf *b;

	/* Storage is allocated on first use: an idle buffer costs nothing. */
	b = xcalloc(1, sizeof(*b));
	b->max = max;
	return b;
}

void
buf_free(struct buf *b)
{
	if (b == NULL)
		return;
	/* The buffer may have carried a password (LOGIN) or a verdict. */
	if (b->d != NULL)
		freezero(b->d, b->alloc);
	freezero(b, sizeof(*b));
}

void
buf_reset(struct buf *b)
{
	b->off = 0;
	b->end = 0;
}

const uint8_t *
buf_ptr(const struct buf *b)
{
	if (b->d == NULL)
		return buf_empty;
	return b->d + b->off;
}

size_t
buf_len(const struct buf *b)
{
	return b->end - b->off;
}

size_t
buf_max(const struct buf *b)
{
	return b->max;
}

int
buf_consume(struct buf *b, size_t len)
{
	if (len > b->end - b->off)
		return ERR_SHORT;
	b->off += len;
	/* Drained: start over at the front, for free. */
	if (b->off == b->end)
		b->off = b->end = 0;
	return 0;
}

/*
 * Replace the storage with one of at least need bytes (need <= max),
 * keeping only the unread bytes, moved to the front.  The old storage is
 * wiped rather than handed to realloc(), which could leave a copy behind.
 */
static void
buf_grow(struct buf *b, size_t need)
{
	size_t size, len = b->end - b->off;
	uint8_t *d;

	size = b->alloc > 0 ? b->alloc : BUF_SIZE_INIT;
	if (size > b->max)
		size = b->max;
	while (size < need)
		size = size > b->max / 2 ? b->max : size * 2;
	if (size == 0)
		size = 1;

	d = xmalloc(size);
	if (len > 0)
		memcpy(d, b->d + b->off, len);
	if (b->d != NULL)
		freezero(b->d, b->alloc);
	b->d = d;
	b->alloc = size;
	b->off = 0;
	b->end = len;
}

int
buf_reserve(struct buf *b, size_t len, uint8_t **p)
{
	size_t have = b->end - b->off;

	if (len > b->max - have)
		return ERR_FULL;
	if (b->d == NULL || len > b->alloc - b->end) {
		if (b->d != NULL && len <= b->alloc - have) {
			/* Room enough once the consumed prefix goes. */
			memmove(b->d, b->d + b->off, have);
			b->off = 0;
			b->end = have;
		} else
			buf_grow(b, have + len);
	}
	*p = b->d + b->end;
	/* Never hand out stale bytes, even if the caller fills only part. */
	memset(*p, 0, len);
	b->end += len;
	return 0;
}

static void
buf_store_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
buf_load_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

int
buf_poke_u32(struct buf *b, size_t off, uint32_t v)
{
	size_t have = b->end - b->off;

	if (off > have || 4 > have - off)
		return ERR_SHORT;
	buf_store_u32(b->d + b->off + off, v);
	return 0;
}

int
buf_put(struct buf *b, const void *data, size_t len)
{
	uint8_t *p;
	int r;

	if ((r = buf_reserve(b, len, &p)) != 0)
		return r;
	if (len > 0)
		memcpy(p, data, len);
	return 0;
}

int
buf_put_u8(struct buf *b, uint8_t v)
{
	return buf_put(b, &v, 1);
}

int
buf_put_u32(struct buf *b, uint32_t v)
{
	uint8_t *p;
	int r;

	if ((r = buf_reserve(b, 4, &p)) != 0)
		return r;
	buf_store_u32(p, v);
	return 0;
}

int
buf_put_u64(struct buf *b, uint64_t v)
{
	uint8_t *p;
	int r;

	if ((r = buf_reserve(b, 8, &p)) != 0)
		return r;
	buf_store_u32(p, (uint32_t)(v >> 32));
	buf_store_u32(p + 4, (uint32_t)v);
	return 0;
}

int
buf_put_string(struct buf *b, const void *data, size_t len)
{
	uint8_t *p;
	int r;

	if (len > UINT32_MAX)
		return ERR_TOO_LONG;
	/* One reservation, so a string is appended whole or not at all. */
	if ((r = buf_reserve(b, 4 + len, &p)) != 0)
		return r;
	buf_store_u32(p, (uint32_t)len);
	if (len > 0)
		memcpy(p + 4, data, len);
	return 0;
}

int
buf_put_cstring(struct buf *b, const char *s)
{
	if (s == NULL)
		s = "";
	return buf_put_string(b, s, strlen(s));
}

int
buf_get(struct buf *b, void *out, size_t len)
{
	if (len > b->end - b->off)
		return ERR_SHORT;
	if (len > 0)
		memcpy(out, b->d + b->off, len);
	return buf_consume(b, len);
}

int
buf_get_u8(struct buf *b, uint8_t *v)
{
	return buf_get(b, v, 1);
}

int
buf_get_u32(struct buf *b, uint32_t *v)
{
	if (b->end - b->off < 4)
		return ERR_SHORT;
	*v = buf_load_u32(b->d + b->off);
	return buf_consume(b, 4);
}

int
buf_get_u64(struct buf *b, uint64_t *v)
{
	const uint8_t *p;

	if (b->end - b->off < 8)
		return ERR_SHORT;
	p = b->d + b->off;
	*v = (uint64_t)buf_load_u32(p) << 32 | buf_load_u32(p + 4);
	return buf_consume(b, 8);
}

/*
 * Look at the string field at the front without consuming it.  The
 * announced length is compared with maxlen first, so a huge length is
 * ERR_TOO_LONG even when the input is also short.
 */
static int
buf_peek_string(
    const struct buf *b, const uint8_t **p, size_t *len, size_t maxlen)
{
	size_t have = b->end - b->off;
	uint32_t n;

	if (have < 4)
		return ERR_SHORT;
	n = buf_load_u32(b->d + b->off);
	if (n > maxlen)
		return ERR_TOO_LONG;
	if (n > have - 4)
		return ERR_SHORT;
	*p = b->d + b->off + 4;
	*len = n;
	return 0;
}

int
buf_get_string_ptr(struct buf *b, const uint8_t **p, size_t *len, size_t maxlen)
{
	const uint8_t *s;
	size_t n;
	int r;

	if ((r = buf_peek_string(b, &s, &n, maxlen)) != 0)
		return r;
	*p = s;
	*len = n;
	/* Consuming never moves bytes, so s stays valid until the next put. */
	return buf_consume(b, 4 + n);
}

int
buf_get_cstring(struct buf *b, char **out, size_t maxlen)
{
	const uint8_t *s;
	size_t n;
	char *str;
	int r;

	if ((r = buf_peek_string(b, &s, &n, maxlen)) != 0)
		return r;
	if (n > 0 && memchr(s, '\0', n) != NULL)
		return ERR_NUL;
	/* Only now, with the length bounded and the bytes present. */
	str = xmalloc(n + 1);
	if (n > 0)
		memcpy(str, s, n);
	str[n] = '\0';
	*out = str;
	return buf_consume(b, 4 + n);
}

int
buf_get_end(const struct buf *b)
{
	return b->end == b->off ? 0 : ERR_TRAILING;
}
