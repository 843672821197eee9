/*
 * mftp_limits.h: every limit mftp enforces, in one place.
 *
 * Used by: every program.  A limit on untrusted input is checked before
 * anything of the announced size is allocated.
 */
#ifndef MFTP_LIMITS_H
#define MFTP_LIMITS_H

/* A control frame (length prefix excluded); bulk data is not framed. */
#define MFTP_FRAME_MAX (64 * 1024)
/* A buffer that holds one whole frame, length prefix included. */
#define MFTP_FRAME_BUF (MFTP_FRAME_MAX + 4)

/* Strings inside frames. */
#define MFTP_PATH_MAX 4096 /* a path as the client sends it */
#define MFTP_NAME_MAX 255  /* one directory entry's name */
#define MFTP_USER_MAX 32   /* a user name */
/* A password: libxcrypt hashes at most CRYPT_MAX_PASSPHRASE_SIZE - 1. */
#define MFTP_SECRET_MAX 511
/* A password hash: libxcrypt's output is at most CRYPT_OUTPUT_SIZE - 1. */
#define MFTP_CRYPT_MAX 383
#define MFTP_TEXT_MAX 1024 /* error messages, software names */
/* A client as the log names it, "ADDRESS port PORT": INET6_ADDRSTRLEN
 * (46, the NUL included) and " port 65535" with room to spare. */
#define MFTP_PEER_LEN (46 + 16)
#define MFTP_HASH_LEN 32	/* the longest checksum: SHA-256 */
#define MFTP_HASH_XXH128_LEN 16 /* XXH3-128 */

/* The per-session secret exported from the first TLS handshake. */
#define MFTP_PSK_LEN 32
/* What the signing helper signs (a TLS digest) and returns (DER ECDSA). */
#define MFTP_DIGEST_MAX 64
#define MFTP_SIG_MAX 160
/* The longest wait for the signing helper's one signature. */
#define MFTP_SIGN_TIMEOUT_MS 5000
/* login_timeout's largest value, seconds. */
#define MFTP_LOGIN_TIMEOUT_MAX 86400
/* How long a spare signer waits for a connection, on top of a login. */
#define MFTP_SPARE_SIGNER_TTL (10 * 60)
/*
 * The longest wait a helper is given (mftpd-sign, mftpd-auth -t): a
 * spare signer's, the longest login and its time unused.
 */
#define MFTP_HELPER_WAIT_MAX (MFTP_LOGIN_TIMEOUT_MAX + MFTP_SPARE_SIGNER_TTL)

/*
 * Directory listings are sent in frames of at most this many entries, and
 * fewer when their names would not fit in MFTP_FRAME_MAX (256 names of 255
 * bytes would not): the sender splits by bytes too.
 */
#define MFTP_LIST_BATCH 256

/* Login: attempts per connection and the base of the growing delay. */
#define MFTP_LOGIN_TRIES 3
#define MFTP_LOGIN_DELAY_MS 500

/* Buffer for streaming file data (heap, per transfer). */
#define MFTP_IO_CHUNK (256 * 1024)

/*
 * An upload is received into memory a chunk at a time, and each chunk is
 * charged to the accounting file and written under one hold of its lock
 * (charge first, then write).  A process killed at any moment therefore
 * leaves the count above the real usage by at most this much, never
 * below it; and the lock is never held while waiting for the network.
 * One MiB: one lock hold, accounting read and write a MiB (four system
 * calls), where 256 KiB took four times as many; larger would add to the
 * crash bound and to each upload's two buffers (hash_pipe.c), mapped for
 * the transfer.
 */
#define MFTP_QUOTA_CHUNK (1024 * 1024)

/*
 * The largest file that PUT_DATA carries (its bytes follow the request
 * without waiting for PUT_READY): the client sends small files so, many
 * in flight; a server that refuses one reads and drops its bytes, which
 * this bounds.  Larger files go by PUT.
 */
#define MFTP_PUT_DATA_MAX (1024 * 1024)

/* User database: longest line and most users. */
#define MFTP_USERDB_LINE_MAX 8192
#define MFTP_USERDB_USERS_MAX 100000

/*
 * A user's allowed networks (allowlist.h): most entries, and the
 * longest text form (every entry a full IPv6 address with a prefix).
 */
#define MFTP_ALLOW_MAX 16
#define MFTP_ALLOW_TEXT_MAX (MFTP_ALLOW_MAX * 50)

/*
 * The least rate (bytes/s) a user may be given: the transport paces in
 * pieces of at least this, so at this rate a piece is a second's worth
 * and a client never waits longer than that for the next bytes.
 */
#define MFTP_RATE_MIN 4096

/*
 * A server hashing a file before its reply reads it in pieces of this
 * size, and between them sends WORKING (MFTP_FEAT_WORKING) once this
 * long has passed since the request or the last one.
 */
#define MFTP_WORKING_PIECE (4 * 1024 * 1024)
#define MFTP_WORKING_INTERVAL_MS 1000

/* Most concurrent sessions a user's limit may allow (0: no limit). */
#define MFTP_USER_SESSIONS_MAX 10000

/* Configuration file: longest line. */
#define MFTP_CONFIG_LINE_MAX 1024

/* How many addresses the daemon listens on at most. */
#define MFTP_LISTEN_MAX 8

/*
 * Load balancers (proxy_protocol_from): how many address/prefix entries,
 * and how many of their connections may wait at once for a PROXY header
 * to be complete (the header itself: PROXYPROTO_MAX in proxyproto.h).
 */
#define MFTP_PROXY_FROM_MAX 16
#define MFTP_PROXY_PENDING_MAX 64

#endif
