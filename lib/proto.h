/*
 * proto.h: the wire constants of the mftp protocol (doc/PROTOCOL.md).
 *
 * Used by: mftpd and mftp.  MFTP_MSG_* and MFTP_ST_* are the only numbers
 * that go on the wire; internal error codes (err.h) never do.
 */
#ifndef MFTP_PROTO_H
#define MFTP_PROTO_H

#define MFTP_PROTO_VERSION 2 /* the one version this code speaks: TLS */

/* Feature bits exchanged in HELLO; the server grants a subset. */
#define MFTP_FEAT_NONE 0ULL
/* Whole-file checksums are XXH3-128 (16 bytes), not SHA-256 (32). */
#define MFTP_FEAT_XXH128 (1ULL << 0)
/*
 * The server understands CHMOD, SYMLINK and READLINK.  A server older
 * than these requests ends the session on an unknown type, so a client
 * sends them only when this bit was granted.
 */
#define MFTP_FEAT_CHMOD_SYMLINK (1ULL << 1)
/* PUT_DATA: an upload's data follows its request at once (small files). */
#define MFTP_FEAT_PUT_DATA (1ULL << 2)
/*
 * The server may send WORKING while it reads a file back to hash it
 * before its reply (a GET or HASH of a file not in the hash cache, a PUT
 * that resumes a large kept part): the client waits on, not counting
 * that time as silence.
 */
#define MFTP_FEAT_WORKING (1ULL << 3)
/*
 * QUOTA is answered with QUOTA_RSV_OK, which also says the bytes that
 * uploads in progress reserved: room that is neither used nor free.
 */
#define MFTP_FEAT_QUOTA_RESERVED (1ULL << 4)
/* Every feature bit this build supports. */
#define MFTP_FEAT_SUPPORTED                                                \
	(MFTP_FEAT_XXH128 | MFTP_FEAT_CHMOD_SYMLINK | MFTP_FEAT_PUT_DATA | \
	    MFTP_FEAT_WORKING | MFTP_FEAT_QUOTA_RESERVED)

/* Checksum algorithms, as HASH_ALG names them. */
#define MFTP_DIGEST_SHA256 1 /* 32 bytes */
#define MFTP_DIGEST_XXH128 2 /* 16 bytes, canonical (big-endian) */

/* Requests, client to server. */
#define MFTP_MSG_HELLO 0x01
#define MFTP_MSG_LOGIN 0x02
#define MFTP_MSG_QUIT 0x03
#define MFTP_MSG_PWD 0x10
#define MFTP_MSG_CWD 0x11
#define MFTP_MSG_LIST 0x12
#define MFTP_MSG_MKDIR 0x13
#define MFTP_MSG_STAT 0x14
#define MFTP_MSG_HASH 0x15     /* checksum of a remote file */
#define MFTP_MSG_REMOVE 0x16   /* a file */
#define MFTP_MSG_RMDIR 0x17    /* an empty directory */
#define MFTP_MSG_RENAME 0x18   /* path -> path2 */
#define MFTP_MSG_QUOTA 0x19    /* usage and limits */
#define MFTP_MSG_HASH_ALG 0x1a /* HASH in a named algorithm */
#define MFTP_MSG_CHMOD 0x1b    /* permission bits of path */
#define MFTP_MSG_SYMLINK 0x1c  /* a link path2 that holds path */
#define MFTP_MSG_READLINK 0x1d /* what the link path holds */
#define MFTP_MSG_GET 0x20
#define MFTP_MSG_PUT 0x21
#define MFTP_MSG_DATA_END 0x22 /* trailer after raw bytes, both ways */
#define MFTP_MSG_PUT_DATA 0x23 /* PUT with its bytes and DATA_END behind */

/* Replies, server to client. */
#define MFTP_MSG_OK 0x80
#define MFTP_MSG_ERROR 0x81
#define MFTP_MSG_HELLO_OK 0x82
#define MFTP_MSG_PATH 0x83
#define MFTP_MSG_DIRENTS 0x84 /* not final: LIST ends with OK */
#define MFTP_MSG_ATTR 0x85
#define MFTP_MSG_FILE 0x86	   /* not final: raw bytes + DATA_END */
#define MFTP_MSG_PUT_READY 0x87	   /* not final: raw bytes + DATA_END */
#define MFTP_MSG_HASH_OK 0x88	   /* reply to HASH */
#define MFTP_MSG_QUOTA_OK 0x89	   /* reply to QUOTA */
#define MFTP_MSG_WORKING 0x8a	   /* not final: offset of size hashed so far */
#define MFTP_MSG_QUOTA_RSV_OK 0x8b /* QUOTA_OK + bytes reserved */

/* Replies have the high bit set; requests do not. */
#define MFTP_MSG_IS_REPLY(t) (((t)&0x80) != 0)

/* Status codes carried by ERROR; stable, never renumbered. */
#define MFTP_ST_BAD_FRAME 1	/* malformed, oversized, unknown type */
#define MFTP_ST_VERSION 2	/* no protocol version in common */
#define MFTP_ST_AUTH 3		/* login incorrect */
#define MFTP_ST_NOT_LOGGED_IN 4 /* request needs a login */
#define MFTP_ST_BUSY 5		/* too many sessions */
#define MFTP_ST_TIMEOUT 6	/* login deadline or idle timeout */
#define MFTP_ST_NOT_FOUND 10
#define MFTP_ST_PERM 11
#define MFTP_ST_EXISTS 12
#define MFTP_ST_NOT_DIR 13
#define MFTP_ST_IS_DIR 14
#define MFTP_ST_NOT_EMPTY 15
#define MFTP_ST_INVALID 16  /* bad argument: name too long, ... */
#define MFTP_ST_NO_SPACE 17 /* disk full */
#define MFTP_ST_QUOTA 18
#define MFTP_ST_IO 19
#define MFTP_ST_HASH 20 /* checksum mismatch */
#define MFTP_ST_INTERNAL 21
#define MFTP_ST_LOCKED 22 /* in use by another session */
/* LOGIN: the server cannot check logins now (its user database) */
#define MFTP_ST_UNAVAILABLE 23
/*
 * The text after "PATH: " of ERROR(INVALID) for a path that names no
 * entry of a directory ("." and the like, §5.8), which mftp says the
 * same way when it refuses one itself before rm -r walks it.
 */
#define MFTP_TEXT_NO_ENTRY "names no entry of a directory (not ., .. or /)"

/* Entry kinds in ATTR and DIRENTS. */
#define MFTP_KIND_FILE 1
#define MFTP_KIND_DIR 2
#define MFTP_KIND_LINK 3
#define MFTP_KIND_OTHER 4

#endif
