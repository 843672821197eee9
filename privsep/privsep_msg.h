/*
 * privsep_msg.h: the small, fixed-format messages between the pre-auth
 * worker (P), the auth helper (H) and the per-connection monitor (S).
 *
 *   P -> H  AUTH_REQUEST  user, password, session secret, HELLO features
 *   H -> P  AUTH_FAILED                             (only on failure)
 *   H -> S  VERDICT       ok; if ok the user's record (limits
 *                         included), the secret and
 *                         the features (the serving process speaks the
 *                         protocol HELLO agreed in the worker); or
 *                         unavailable and why: the user database could
 *                         not be read, and no login can be checked
 *   S -> P  LOGIN_DONE    ok, or a status and reason for the client
 *   P -> G  SIGN_REQUEST  a TLS handshake digest    (one per connection)
 *   G -> P  SIGNATURE     DER ECDSA signature
 *
 * G is mftpd-sign, the only process that holds the host's private key.
 *
 * All go over SOCK_SEQPACKET socket pairs, one message a packet, so a
 * message is bounded by PRIVSEP_MSG_MAX and never spans reads.  A
 * receiver treats any deviation (wrong type, wrong size, trailing bytes)
 * as fatal to the session.
 */
#ifndef MFTP_PRIVSEP_MSG_H
#define MFTP_PRIVSEP_MSG_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include "mftp_limits.h"
#include "proto.h"

#define PRIVSEP_AUTH_REQUEST 1
#define PRIVSEP_AUTH_FAILED 2
#define PRIVSEP_VERDICT 3
#define PRIVSEP_LOGIN_DONE 4
#define PRIVSEP_SIGN_REQUEST 5
#define PRIVSEP_SIGNATURE 6

#define PRIVSEP_MSG_MAX                                          \
	(MFTP_PATH_MAX + MFTP_SECRET_MAX + MFTP_ALLOW_TEXT_MAX + \
	    MFTP_CRYPT_MAX + 256)

/* Most bytes of an unavailable verdict's reason (userdb.c's errors). */
#define PRIVSEP_WHY_MAX 767

struct privsep_verdict {
	int ok;
	/*
	 * Not ok, and not a failed login either: the helper could not read
	 * the user database (why says how, naming the file), so that no
	 * password could be checked.  The monitor answers the client
	 * MFTP_ST_UNAVAILABLE, and nothing is logged as "login failed".
	 */
	int unavailable;
	char why[PRIVSEP_WHY_MAX + 1];
	char name[MFTP_USER_MAX + 1];
	uid_t uid;
	gid_t gid;
	char home[MFTP_PATH_MAX + 1];
	uint64_t quota_bytes;
	uint64_t quota_files;
	/* The user's limits (userdb.h); allow in canonical form. */
	uint32_t max_sessions;
	uint64_t rate;
	char allow[MFTP_ALLOW_TEXT_MAX + 1];
	/* The first TLS session's exported secret, keying the second. */
	uint8_t psk[MFTP_PSK_LEN];
	/* The feature bits HELLO_OK granted (MFTP_FEAT_*). */
	uint64_t features;
	/*
	 * The password hash the helper checked, from its read of the
	 * database at its start: the monitor's check compares it with the
	 * database's line at the verdict (a password changed meanwhile),
	 * and the monitor wipes it after that check.
	 */
	char hash[MFTP_CRYPT_MAX + 1];
};

/*
 * The statuses a login can be refused with once the password was right:
 * the user's allow-list (PERM), the user's own session limit (BUSY), an
 * account the administrator must mend (INTERNAL); and before any
 * password could be checked, a user database that cannot be read
 * (UNAVAILABLE).
 */
#define PRIVSEP_REFUSAL_OK(st)                           \
	((st) == MFTP_ST_PERM || (st) == MFTP_ST_BUSY || \
	    (st) == MFTP_ST_INTERNAL || (st) == MFTP_ST_UNAVAILABLE)

/*
 * Send one message on a SOCK_SEQPACKET descriptor.  Returns 0 or -1 with
 * errno.  The request's buffer is wiped before it is freed.
 */
int privsep_send_request(int fd, const char *user, const char *secret,
    const uint8_t psk[MFTP_PSK_LEN], uint64_t features);
int privsep_send_failed(int fd);
int privsep_send_verdict(int fd, const struct privsep_verdict *v);
/*
 * status 0: the login is accepted.  Otherwise the refusal the worker
 * passes on as ERROR(status, text): PRIVSEP_REFUSAL_OK(status), text at
 * most MFTP_TEXT_MAX bytes.
 */
int privsep_send_login_done(int fd, uint32_t status, const char *text);
int privsep_send_sign_request(int fd, const uint8_t *digest, size_t len);
int privsep_send_signature(int fd, const uint8_t *sig, size_t len);

/*
 * Receive one message, waiting at most timeout_ms (-1: no limit).
 * Returns 0; ERR_EOF when the peer closed; ERR_TIMEOUT; ERR_IO; any other
 * ERR_ value for a malformed message.  The request's user and secret are
 * new allocations (wipe the secret with freezero).
 */
int privsep_recv_request(int fd, int timeout_ms, char **user, char **secret,
    uint8_t psk[MFTP_PSK_LEN], uint64_t *features);
int privsep_recv_failed(int fd, int timeout_ms);
int privsep_recv_verdict(int fd, int timeout_ms, struct privsep_verdict *v);
/* *status 0 and *text NULL when accepted, else a new allocation. */
int
privsep_recv_login_done(int fd, int timeout_ms, uint32_t *status, char **text);
/* 1 <= *len <= MFTP_DIGEST_MAX (sign request), MFTP_SIG_MAX (signature). */
int privsep_recv_sign_request(
    int fd, int timeout_ms, uint8_t digest[MFTP_DIGEST_MAX], size_t *len);
int privsep_recv_signature(
    int fd, int timeout_ms, uint8_t sig[MFTP_SIG_MAX], size_t *len);

#endif
