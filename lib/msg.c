/*
 * msg.c: the protocol message codec (msg.h), driven by one table.
 *
 * Runs in: mftpd's pre-auth worker and serving process (both unprivileged)
 * and the mftp client.  No privileged process decodes client messages.
 *
 * Each message type has one row below: its name, whether it ends a
 * request, and its fields in wire order.  msg_encode() and msg_decode()
 * walk that list, so the two directions cannot disagree, and
 * doc/PROTOCOL.md is written from the same rows.
 */
#include <sys/stat.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "log.h"
#include "mftp_limits.h"
#include "msg.h"
#include "proto.h"
#include "util.h"

/* The fields a message may carry; each names a member of struct msg. */
enum msg_field {
	MSG_F_END = 0,	   /* ends a row's list */
	MSG_F_VERSION_MIN, /* u32 */
	MSG_F_VERSION_MAX, /* u32 */
	MSG_F_FEATURES,	   /* u64 */
	MSG_F_CODE,	   /* u32, MFTP_ST_* */
	MSG_F_MODE,	   /* u32, at most 07777 */
	MSG_F_SIZE,	   /* u64 */
	MSG_F_OFFSET,	   /* u64 */
	MSG_F_PATH,	   /* string, MFTP_PATH_MAX */
	MSG_F_USER,	   /* string, MFTP_USER_MAX */
	MSG_F_SECRET,	   /* string, MFTP_SECRET_MAX */
	MSG_F_TEXT,	   /* string, MFTP_TEXT_MAX */
	MSG_F_HASH,	   /* string of 0, 16 or MFTP_HASH_LEN bytes */
	MSG_F_ATTR,	   /* u8 kind, u32 mode, u64 size, u64 mtime */
	MSG_F_ENTRIES,	   /* u32 count, count x (string name, attr) */
	MSG_F_PATH2,	   /* string, MFTP_PATH_MAX */
	MSG_F_MTIME,	   /* u64 carrying an int64 (two's complement) */
	MSG_F_QUOTA,	   /* 4 x u64: bytes used, limit, files used, limit */
	MSG_F_RESERVED,	   /* u64: bytes reserved by uploads in progress */
	MSG_F_ALG, /* u8, MFTP_DIGEST_* (any value: the server judges) */
};

/* The most fields any message has (HELLO, PUT), plus the terminator. */
#define MSG_FIELDS_MAX 5

/* The smallest DIRENTS entry on the wire: empty name, then the attr. */
#define MSG_ENTRY_MIN (4 + 1 + 4 + 8 + 8)

#define MSG_MODE_MASK 07777

struct msg_type {
	uint8_t type;
	uint8_t final; /* ends a request: the last reply it gets */
	const char *name;
	uint8_t fields[MSG_FIELDS_MAX];
};

static const struct msg_type msg_types[] = {
	/* Requests, client to server. */
	{ MFTP_MSG_HELLO, 0, "HELLO",
	    { MSG_F_VERSION_MIN, MSG_F_VERSION_MAX, MSG_F_FEATURES,
		MSG_F_TEXT } },
	{ MFTP_MSG_LOGIN, 0, "LOGIN", { MSG_F_USER, MSG_F_SECRET } },
	{ MFTP_MSG_QUIT, 0, "QUIT", { MSG_F_END } },
	{ MFTP_MSG_PWD, 0, "PWD", { MSG_F_END } },
	{ MFTP_MSG_CWD, 0, "CWD", { MSG_F_PATH } },
	{ MFTP_MSG_LIST, 0, "LIST", { MSG_F_PATH } },
	{ MFTP_MSG_MKDIR, 0, "MKDIR", { MSG_F_PATH, MSG_F_MODE } },
	{ MFTP_MSG_STAT, 0, "STAT", { MSG_F_PATH } },
	{ MFTP_MSG_HASH, 0, "HASH", { MSG_F_PATH } },
	{ MFTP_MSG_REMOVE, 0, "REMOVE", { MSG_F_PATH } },
	{ MFTP_MSG_RMDIR, 0, "RMDIR", { MSG_F_PATH } },
	{ MFTP_MSG_RENAME, 0, "RENAME", { MSG_F_PATH, MSG_F_PATH2 } },
	{ MFTP_MSG_QUOTA, 0, "QUOTA", { MSG_F_END } },
	{ MFTP_MSG_HASH_ALG, 0, "HASH_ALG", { MSG_F_PATH, MSG_F_ALG } },
	/* The whole 07777 travels, so the server can say why it refuses. */
	{ MFTP_MSG_CHMOD, 0, "CHMOD", { MSG_F_PATH, MSG_F_MODE } },
	/* In symlink(2)'s order: the target, then the new link's name. */
	{ MFTP_MSG_SYMLINK, 0, "SYMLINK", { MSG_F_PATH, MSG_F_PATH2 } },
	{ MFTP_MSG_READLINK, 0, "READLINK", { MSG_F_PATH } },
	{ MFTP_MSG_GET, 0, "GET", { MSG_F_PATH, MSG_F_OFFSET } },
	{ MFTP_MSG_PUT, 0, "PUT",
	    { MSG_F_PATH, MSG_F_SIZE, MSG_F_MODE, MSG_F_MTIME } },
	{ MFTP_MSG_PUT_DATA, 0, "PUT_DATA",
	    { MSG_F_PATH, MSG_F_SIZE, MSG_F_MODE, MSG_F_MTIME } },
	/* Both ways; from the server it is the final reply to GET. */
	{ MFTP_MSG_DATA_END, 1, "DATA_END", { MSG_F_HASH } },

	/* Replies, server to client. */
	{ MFTP_MSG_OK, 1, "OK", { MSG_F_END } },
	{ MFTP_MSG_ERROR, 1, "ERROR", { MSG_F_CODE, MSG_F_TEXT } },
	{ MFTP_MSG_HELLO_OK, 1, "HELLO_OK",
	    { MSG_F_VERSION_MIN, MSG_F_VERSION_MAX, MSG_F_FEATURES,
		MSG_F_TEXT } },
	{ MFTP_MSG_PATH, 1, "PATH", { MSG_F_PATH } },
	{ MFTP_MSG_DIRENTS, 0, "DIRENTS", { MSG_F_ENTRIES } },
	{ MFTP_MSG_ATTR, 1, "ATTR", { MSG_F_ATTR } },
	{ MFTP_MSG_FILE, 0, "FILE", { MSG_F_SIZE, MSG_F_OFFSET } },
	{ MFTP_MSG_PUT_READY, 0, "PUT_READY", { MSG_F_OFFSET } },
	{ MFTP_MSG_HASH_OK, 1, "HASH_OK", { MSG_F_HASH } },
	{ MFTP_MSG_QUOTA_OK, 1, "QUOTA_OK", { MSG_F_QUOTA } },
	/* QUOTA's reply in a session granted MFTP_FEAT_QUOTA_RESERVED. */
	{ MFTP_MSG_QUOTA_RSV_OK, 1, "QUOTA_RSV_OK",
	    { MSG_F_QUOTA, MSG_F_RESERVED } },
	/* Before the reply a long hash holds up: how far it is. */
	{ MFTP_MSG_WORKING, 0, "WORKING", { MSG_F_OFFSET, MSG_F_SIZE } },
};

static const struct msg_type *
msg_lookup(uint8_t type)
{
	size_t i;

	for (i = 0; i < sizeof(msg_types) / sizeof(msg_types[0]); i++)
		if (msg_types[i].type == type)
			return &msg_types[i];
	return NULL;
}

void
msg_attr_from_stat(const struct stat *st, struct msg_attr *a)
{
	if (S_ISREG(st->st_mode))
		a->kind = MFTP_KIND_FILE;
	else if (S_ISDIR(st->st_mode))
		a->kind = MFTP_KIND_DIR;
	else if (S_ISLNK(st->st_mode))
		a->kind = MFTP_KIND_LINK;
	else
		a->kind = MFTP_KIND_OTHER;
	a->mode = st->st_mode & 07777;
	a->size = (uint64_t)st->st_size;
	a->mtime = (int64_t)st->st_mtime;
}

const char *
msg_name(uint8_t type)
{
	const struct msg_type *t = msg_lookup(type);

	return t != NULL ? t->name : NULL;
}

int
msg_is_final(uint8_t type)
{
	const struct msg_type *t = msg_lookup(type);

	return t != NULL && t->final;
}

/* The limit of a string field. */
static size_t
msg_string_max(int f)
{
	switch (f) {
	case MSG_F_PATH:
	case MSG_F_PATH2:
		return MFTP_PATH_MAX;
	case MSG_F_USER:
		return MFTP_USER_MAX;
	case MSG_F_SECRET:
		return MFTP_SECRET_MAX;
	default:
		return MFTP_TEXT_MAX;
	}
}

/* Where a string field lives in m. */
static char **
msg_string_slot(struct msg *m, int f)
{
	switch (f) {
	case MSG_F_PATH:
		return &m->path;
	case MSG_F_PATH2:
		return &m->path2;
	case MSG_F_USER:
		return &m->user;
	case MSG_F_SECRET:
		return &m->secret;
	default:
		return &m->text;
	}
}

/* The same checks on both sides: a sender never emits what we reject. */
static int
msg_check_mode(uint32_t mode)
{
	return (mode & ~(uint32_t)MSG_MODE_MASK) != 0 ? ERR_VALUE : 0;
}

static int
msg_check_attr(const struct msg_attr *a)
{
	if (a->kind < MFTP_KIND_FILE || a->kind > MFTP_KIND_OTHER)
		return ERR_VALUE;
	return msg_check_mode(a->mode);
}

static int
msg_check_hash_len(size_t len)
{
	if (len > MFTP_HASH_LEN)
		return ERR_TOO_LONG;
	/* None, XXH3-128 or SHA-256: which one is the session's to say. */
	if (len != 0 && len != MFTP_HASH_XXH128_LEN && len != MFTP_HASH_LEN)
		return ERR_VALUE;
	return 0;
}

/*
 * Encoding.  Each msg_put_* adds its wire size to *n and, when out is not
 * NULL, appends the bytes.  msg_encode() runs the walk twice: first with
 * out NULL, to check every limit and value and to size the frame, then
 * for real once the frame is known to fit, so nothing is appended to a
 * frame that will be refused.
 */
static int
msg_put_u8(struct buf *out, uint8_t v, size_t *n)
{
	*n += 1;
	return out != NULL ? buf_put_u8(out, v) : 0;
}

static int
msg_put_u32(struct buf *out, uint32_t v, size_t *n)
{
	*n += 4;
	return out != NULL ? buf_put_u32(out, v) : 0;
}

static int
msg_put_u64(struct buf *out, uint64_t v, size_t *n)
{
	*n += 8;
	return out != NULL ? buf_put_u64(out, v) : 0;
}

/* A NULL string goes out as an empty one. */
static int
msg_put_str(struct buf *out, const char *s, size_t max, size_t *n)
{
	size_t len;

	if (s == NULL)
		s = "";
	/* Bounded: never walk far past the limit of a runaway string. */
	if ((len = strnlen(s, max + 1)) > max)
		return ERR_TOO_LONG;
	*n += 4 + len;
	return out != NULL ? buf_put_string(out, s, len) : 0;
}

static int
msg_put_attr(struct buf *out, const struct msg_attr *a, size_t *n)
{
	int r;

	if ((r = msg_check_attr(a)) != 0 ||
	    (r = msg_put_u8(out, a->kind, n)) != 0 ||
	    (r = msg_put_u32(out, a->mode, n)) != 0 ||
	    (r = msg_put_u64(out, a->size, n)) != 0 ||
	    (r = msg_put_u64(out, (uint64_t)a->mtime, n)) != 0)
		return r;
	return 0;
}

static int
msg_put_quota(struct buf *out, const struct msg_quota *q, size_t *n)
{
	int r;

	if ((r = msg_put_u64(out, q->bytes_used, n)) != 0 ||
	    (r = msg_put_u64(out, q->bytes_limit, n)) != 0 ||
	    (r = msg_put_u64(out, q->files_used, n)) != 0 ||
	    (r = msg_put_u64(out, q->files_limit, n)) != 0)
		return r;
	return 0;
}

static int
msg_put_hash(struct buf *out, const struct msg *m, size_t *n)
{
	int r;

	if ((r = msg_check_hash_len(m->hash_len)) != 0)
		return r;
	*n += 4 + m->hash_len;
	return out != NULL ? buf_put_string(out, m->hash, m->hash_len) : 0;
}

static int
msg_put_entries(struct buf *out, const struct msg *m, size_t *n)
{
	size_t i;
	int r;

	if (m->nentries > 0 && m->entries == NULL)
		return ERR_VALUE;
	/* The frame limit below stops the walk long before this. */
	if (m->nentries > UINT32_MAX)
		return ERR_TOO_LONG;
	if ((r = msg_put_u32(out, (uint32_t)m->nentries, n)) != 0)
		return r;
	for (i = 0; i < m->nentries; i++) {
		if ((r = msg_put_str(
			 out, m->entries[i].name, MFTP_NAME_MAX, n)) != 0 ||
		    (r = msg_put_attr(out, &m->entries[i].attr, n)) != 0)
			return r;
		if (*n > MFTP_FRAME_MAX)
			return ERR_TOO_LONG;
	}
	return 0;
}

static int
msg_put_field(struct buf *out, const struct msg *m, int f, size_t *n)
{
	int r;

	switch (f) {
	case MSG_F_VERSION_MIN:
		return msg_put_u32(out, m->version_min, n);
	case MSG_F_VERSION_MAX:
		return msg_put_u32(out, m->version_max, n);
	case MSG_F_FEATURES:
		return msg_put_u64(out, m->features, n);
	case MSG_F_CODE:
		return msg_put_u32(out, m->code, n);
	case MSG_F_MODE:
		if ((r = msg_check_mode(m->mode)) != 0)
			return r;
		return msg_put_u32(out, m->mode, n);
	case MSG_F_SIZE:
		return msg_put_u64(out, m->size, n);
	case MSG_F_OFFSET:
		return msg_put_u64(out, m->offset, n);
	case MSG_F_MTIME:
		return msg_put_u64(out, (uint64_t)m->mtime, n);
	case MSG_F_QUOTA:
		return msg_put_quota(out, &m->quota, n);
	case MSG_F_RESERVED:
		return msg_put_u64(out, m->quota.bytes_reserved, n);
	case MSG_F_ALG:
		return msg_put_u8(out, m->alg, n);
	case MSG_F_PATH:
	case MSG_F_PATH2:
	case MSG_F_USER:
	case MSG_F_SECRET:
	case MSG_F_TEXT:
		return msg_put_str(out, *msg_string_slot((struct msg *)m, f),
		    msg_string_max(f), n);
	case MSG_F_HASH:
		return msg_put_hash(out, m, n);
	case MSG_F_ATTR:
		return msg_put_attr(out, &m->attr, n);
	case MSG_F_ENTRIES:
		return msg_put_entries(out, m, n);
	}
	fatalx("%s: field %d not handled", __func__, f);
}

int
msg_encode(struct buf *out, const struct msg *m)
{
	const struct msg_type *t;
	size_t i, n, w, start;
	int r;

	if ((t = msg_lookup(m->type)) == NULL)
		return ERR_TYPE;

	/* Pass 1: check and size the payload; nothing is written. */
	n = 1;
	for (i = 0; t->fields[i] != MSG_F_END; i++) {
		if ((r = msg_put_field(NULL, m, t->fields[i], &n)) != 0)
			return r;
		if (n > MFTP_FRAME_MAX)
			return ERR_TOO_LONG;
	}
	if (4 + n > buf_max(out) - buf_len(out))
		return ERR_FULL;

	/*
	 * Pass 2: the frame fits, so no put below can fail and out never
	 * holds half a frame.  The length is patched in at the end from
	 * what was actually written.
	 */
	start = buf_len(out);
	w = 0;
	if ((r = buf_put_u32(out, 0)) != 0 ||
	    (r = msg_put_u8(out, m->type, &w)) != 0)
		goto broken;
	for (i = 0; t->fields[i] != MSG_F_END; i++)
		if ((r = msg_put_field(out, m, t->fields[i], &w)) != 0)
			goto broken;
	if (w != n || buf_len(out) - start - 4 != n) {
		r = ERR_VALUE;
		goto broken;
	}
	if ((r = buf_poke_u32(out, start, (uint32_t)n)) != 0)
		goto broken;
	return 0;

broken:
	/* Pass 1 proved this cannot happen; out is no longer consistent. */
	fatalx("%s: %s frame: %s after sizing", __func__, t->name, err_str(r));
}

/* Decoding.  Limits are checked by buf before anything is allocated. */
static int
msg_get_attr(struct buf *in, struct msg_attr *a)
{
	uint64_t mtime;
	int r;

	if ((r = buf_get_u8(in, &a->kind)) != 0 ||
	    (r = buf_get_u32(in, &a->mode)) != 0 ||
	    (r = buf_get_u64(in, &a->size)) != 0 ||
	    (r = buf_get_u64(in, &mtime)) != 0)
		return r;
	a->mtime = (int64_t)mtime;
	return msg_check_attr(a);
}

static int
msg_get_quota(struct buf *in, struct msg_quota *q)
{
	int r;

	if ((r = buf_get_u64(in, &q->bytes_used)) != 0 ||
	    (r = buf_get_u64(in, &q->bytes_limit)) != 0 ||
	    (r = buf_get_u64(in, &q->files_used)) != 0 ||
	    (r = buf_get_u64(in, &q->files_limit)) != 0)
		return r;
	return 0;
}

static int
msg_get_mtime(struct buf *in, int64_t *mtime)
{
	uint64_t v;
	int r;

	if ((r = buf_get_u64(in, &v)) != 0)
		return r;
	*mtime = (int64_t)v;
	return 0;
}

static int
msg_get_hash(struct buf *in, struct msg *m)
{
	const uint8_t *p;
	size_t len;
	int r;

	if ((r = buf_get_string_ptr(in, &p, &len, MFTP_HASH_LEN)) != 0)
		return r;
	if ((r = msg_check_hash_len(len)) != 0)
		return r;
	if (len > 0)
		memcpy(m->hash, p, len);
	m->hash_len = len;
	return 0;
}

static int
msg_get_entries(struct buf *in, struct msg *m)
{
	uint32_t count, i;
	int r;

	if ((r = buf_get_u32(in, &count)) != 0)
		return r;
	/*
	 * The count is the peer's word: believe it only as far as the bytes
	 * present could hold that many entries, before allocating for them.
	 */
	if (count > buf_len(in) / MSG_ENTRY_MIN)
		return ERR_SHORT;
	if (count == 0)
		return 0;
	/* Recorded at once, so msg_clear() frees whatever got decoded. */
	m->entries = xcalloc(count, sizeof(*m->entries));
	m->nentries = count;
	for (i = 0; i < count; i++) {
		if ((r = buf_get_cstring(
			 in, &m->entries[i].name, MFTP_NAME_MAX)) != 0 ||
		    (r = msg_get_attr(in, &m->entries[i].attr)) != 0)
			return r;
	}
	return 0;
}

static int
msg_get_field(struct buf *in, struct msg *m, int f)
{
	int r;

	switch (f) {
	case MSG_F_VERSION_MIN:
		return buf_get_u32(in, &m->version_min);
	case MSG_F_VERSION_MAX:
		return buf_get_u32(in, &m->version_max);
	case MSG_F_FEATURES:
		return buf_get_u64(in, &m->features);
	case MSG_F_CODE:
		return buf_get_u32(in, &m->code);
	case MSG_F_MODE:
		if ((r = buf_get_u32(in, &m->mode)) != 0)
			return r;
		return msg_check_mode(m->mode);
	case MSG_F_SIZE:
		return buf_get_u64(in, &m->size);
	case MSG_F_OFFSET:
		return buf_get_u64(in, &m->offset);
	case MSG_F_MTIME:
		return msg_get_mtime(in, &m->mtime);
	case MSG_F_QUOTA:
		return msg_get_quota(in, &m->quota);
	case MSG_F_RESERVED:
		return buf_get_u64(in, &m->quota.bytes_reserved);
	case MSG_F_ALG:
		return buf_get_u8(in, &m->alg);
	case MSG_F_PATH:
	case MSG_F_PATH2:
	case MSG_F_USER:
	case MSG_F_SECRET:
	case MSG_F_TEXT:
		return buf_get_cstring(
		    in, msg_string_slot(m, f), msg_string_max(f));
	case MSG_F_HASH:
		return msg_get_hash(in, m);
	case MSG_F_ATTR:
		return msg_get_attr(in, &m->attr);
	case MSG_F_ENTRIES:
		return msg_get_entries(in, m);
	}
	fatalx("%s: field %d not handled", __func__, f);
}

int
msg_decode(struct buf *in, struct msg *m)
{
	const struct msg_type *t;
	uint8_t type;
	size_t i;
	int r;

	if ((r = buf_get_u8(in, &type)) != 0)
		goto fail;
	if ((t = msg_lookup(type)) == NULL) {
		r = ERR_TYPE;
		goto fail;
	}
	m->type = type;
	for (i = 0; t->fields[i] != MSG_F_END; i++)
		if ((r = msg_get_field(in, m, t->fields[i])) != 0)
			goto fail;
	/* Trailing bytes are an error, never silently ignored. */
	if ((r = buf_get_end(in)) != 0)
		goto fail;
	return 0;

fail:
	msg_clear(m);
	return r;
}

void
msg_clear(struct msg *m)
{
	size_t i;

	free(m->path);
	free(m->path2);
	free(m->user);
	free(m->text);
	if (m->secret != NULL)
		freezero(m->secret, strlen(m->secret) + 1);
	for (i = 0; i < m->nentries; i++)
		free(m->entries[i].name);
	free(m->entries);
	memset(m, 0, sizeof(*m));
}
