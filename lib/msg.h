/*
 * msg.h: the one codec for protocol messages, shared by mftpd and mftp.
 *
 * A message is a type byte followed by typed fields (doc/PROTOCOL.md).
 * struct msg carries every field any message has; a table in msg.c says
 * which fields each type has and in what order, and msg_encode() and
 * msg_decode() walk it, so adding a message is one table row.
 */
#ifndef MFTP_MSG_H
#define MFTP_MSG_H

#include <sys/stat.h>

#include <stddef.h>
#include <stdint.h>

#include "mftp_limits.h"

struct buf;

/* What STAT and LIST say of a file. */
struct msg_attr {
	uint8_t kind;  /* MFTP_KIND_* */
	uint32_t mode; /* permission bits (07777) */
	uint64_t size;
	int64_t mtime; /* seconds since the epoch; sent as u64 */
};

/* What QUOTA reports; a limit of 0 means none. */
struct msg_quota {
	uint64_t bytes_used;
	uint64_t bytes_limit;
	uint64_t files_used;
	uint64_t files_limit;
	uint64_t bytes_reserved; /* QUOTA_RSV_OK only; 0 in QUOTA_OK */
};

struct msg_entry {
	char *name;
	struct msg_attr attr;
};

struct msg {
	uint8_t type; /* MFTP_MSG_* */

	/* HELLO, HELLO_OK (HELLO_OK carries the chosen version in both) */
	uint32_t version_min;
	uint32_t version_max;
	uint64_t features;

	uint32_t code;	 /* ERROR: MFTP_ST_* */
	uint32_t mode;	 /* MKDIR, PUT, CHMOD: permission bits */
	uint64_t size;	 /* PUT, FILE: whole size of the file */
	uint64_t offset; /* GET, FILE, PUT_READY: where data starts */
	int64_t mtime;	 /* PUT: the source's mtime (resume key) */
	uint8_t alg;	 /* HASH_ALG: MFTP_DIGEST_* */

	char *path;   /* CWD, LIST, MKDIR, STAT, GET, PUT, PATH, ...;
			 SYMLINK: the target (any string) */
	char *path2;  /* RENAME: the new name; SYMLINK: the link's name */
	char *user;   /* LOGIN */
	char *secret; /* LOGIN: wiped by msg_clear */
	char *text;   /* ERROR: message; HELLO*: software name */

	uint8_t hash[MFTP_HASH_LEN]; /* DATA_END, HASH_OK */
	size_t hash_len;	     /* 0 (none), 16 or 32 (MFTP_HASH_LEN) */

	struct msg_attr attr;	   /* ATTR */
	struct msg_quota quota;	   /* QUOTA_OK, QUOTA_RSV_OK */
	struct msg_entry *entries; /* DIRENTS */
	size_t nentries;
};

/*
 * Append one whole frame (u32 length, type, fields) for m to out.
 * ERR_TYPE for a type with no table row, ERR_TOO_LONG when a string
 * passes its limit or the frame passes MFTP_FRAME_MAX, ERR_VALUE for a
 * field the receiver would reject (kind, mode, hash length, entries NULL
 * with nentries > 0), ERR_FULL when out has no room.  On error out is
 * left as it was.
 */
int msg_encode(struct buf *out, const struct msg *m);

/*
 * Decode one frame's payload (type byte and fields, without the length
 * prefix) from in into m, which must be zeroed or cleared.  Consumes all
 * of in.  On error m holds nothing that needs freeing (it is cleared) and
 * in may be partly consumed.
 */
int msg_decode(struct buf *in, struct msg *m);

/* What a stat(2) result says, in the protocol's terms. */
void msg_attr_from_stat(const struct stat *st, struct msg_attr *a);

/* Free what m owns (wiping the secret) and zero it. */
void msg_clear(struct msg *m);

/* The message's name ("HELLO", ...) or NULL for an unknown type. */
const char *msg_name(uint8_t type);

/* Nonzero for a type that ends a request (OK, ERROR, HELLO_OK, ...). */
int msg_is_final(uint8_t type);

#endif
