/*
 * privsep_msg.c: encoding and strict decoding of the privsep messages.
 *
 * Runs in the pre-auth worker (unprivileged), the auth helper and the
 * monitor (root).  The root side decodes only these few fixed layouts,
 * each from one bounded packet, with the same checked codec as the
 * protocol (lib/buf.c).
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "privsep_msg.h"
#include "util.h"

static int
privsep_send(int fd, struct buf *b)
{
	ssize_t n;
	int r = 0;

	do {
		n = send(fd, buf_ptr(b), buf_len(b), MSG_NOSIGNAL);
	} while (n == -1 && errno == EINTR);
	if (n == -1 || (size_t)n != buf_len(b)) {
		if (n != -1)
			errno = EMSGSIZE;
		r = -1;
	}
	buf_free(b);
	return r;
}

/* Receive one packet into a new buffer; type byte checked, consumed. */
static int
privsep_recv(int fd, int timeout_ms, uint8_t want, struct buf **out)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct buf *b;
	uint8_t *pkt, type;
	ssize_t n;
	int r;

	for (;;) {
		r = poll(&pfd, 1, timeout_ms);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return ERR_IO;
		if (r == 0)
			return ERR_TIMEOUT;
		break;
	}
	/* One byte more than the maximum, so an oversized packet shows. */
	pkt = xmalloc(PRIVSEP_MSG_MAX + 1);
	do {
		n = recv(fd, pkt, PRIVSEP_MSG_MAX + 1, MSG_TRUNC);
	} while (n == -1 && errno == EINTR);
	if (n <= 0 || (size_t)n > PRIVSEP_MSG_MAX) {
		freezero(pkt, PRIVSEP_MSG_MAX + 1);
		return n == 0 ? ERR_EOF : n < 0 ? ERR_IO : ERR_TOO_LONG;
	}
	b = buf_new(PRIVSEP_MSG_MAX);
	r = buf_put(b, pkt, (size_t)n);
	freezero(pkt, PRIVSEP_MSG_MAX + 1);
	if (r != 0) {
		buf_free(b);
		return r;
	}
	if ((r = buf_get_u8(b, &type)) != 0 || type != want) {
		buf_free(b);
		return r != 0 ? r : ERR_TYPE;
	}
	*out = b;
	return 0;
}

int
privsep_send_request(int fd, const char *user, const char *secret,
    const uint8_t psk[MFTP_PSK_LEN], uint64_t features)
{
	struct buf *b = buf_new(PRIVSEP_MSG_MAX);

	if (buf_put_u8(b, PRIVSEP_AUTH_REQUEST) != 0 ||
	    buf_put_cstring(b, user) != 0 || buf_put_cstring(b, secret) != 0 ||
	    buf_put(b, psk, MFTP_PSK_LEN) != 0 ||
	    buf_put_u64(b, features) != 0) {
		buf_free(b);
		errno = EMSGSIZE;
		return -1;
	}
	return privsep_send(fd, b);
}

int
privsep_send_failed(int fd)
{
	struct buf *b = buf_new(16);

	if (buf_put_u8(b, PRIVSEP_AUTH_FAILED) != 0) {
		buf_free(b);
		errno = EMSGSIZE;
		return -1;
	}
	return privsep_send(fd, b);
}

/* The user's record, after the ok byte of a good verdict. */
static int
privsep_put_user(struct buf *b, const struct privsep_verdict *v)
{
	int r;

	if ((r = buf_put_cstring(b, v->name)) != 0 ||
	    (r = buf_put_u32(b, (uint32_t)v->uid)) != 0 ||
	    (r = buf_put_u32(b, (uint32_t)v->gid)) != 0 ||
	    (r = buf_put_cstring(b, v->home)) != 0 ||
	    (r = buf_put_u64(b, v->quota_bytes)) != 0 ||
	    (r = buf_put_u64(b, v->quota_files)) != 0 ||
	    (r = buf_put_u32(b, v->max_sessions)) != 0 ||
	    (r = buf_put_u64(b, v->rate)) != 0 ||
	    (r = buf_put_cstring(b, v->allow)) != 0 ||
	    (r = buf_put(b, v->psk, MFTP_PSK_LEN)) != 0 ||
	    (r = buf_put_u64(b, v->features)) != 0 ||
	    (r = buf_put_cstring(b, v->hash)) != 0)
		return r;
	return 0;
}

int
privsep_send_verdict(int fd, const struct privsep_verdict *v)
{
	struct buf *b = buf_new(PRIVSEP_MSG_MAX);
	int r;

	/* The ok byte: 0 failed, 1 ok (the record follows), 2 unavailable. */
	if ((r = buf_put_u8(b, PRIVSEP_VERDICT)) == 0)
		r = buf_put_u8(b, v->ok ? 1 : v->unavailable ? 2 : 0);
	if (r == 0 && v->ok)
		r = privsep_put_user(b, v);
	else if (r == 0 && v->unavailable)
		r = buf_put_cstring(b, v->why);
	if (r != 0) {
		buf_free(b);
		errno = EMSGSIZE;
		return -1;
	}
	return privsep_send(fd, b);
}

int
privsep_recv_request(int fd, int timeout_ms, char **user, char **secret,
    uint8_t psk[MFTP_PSK_LEN], uint64_t *features)
{
	struct buf *b;
	char *u = NULL, *s = NULL;
	int r;

	if ((r = privsep_recv(fd, timeout_ms, PRIVSEP_AUTH_REQUEST, &b)) != 0)
		return r;
	if ((r = buf_get_cstring(b, &u, MFTP_USER_MAX)) != 0 ||
	    (r = buf_get_cstring(b, &s, MFTP_SECRET_MAX)) != 0 ||
	    (r = buf_get(b, psk, MFTP_PSK_LEN)) != 0 ||
	    (r = buf_get_u64(b, features)) != 0 || (r = buf_get_end(b)) != 0) {
		explicit_bzero(psk, MFTP_PSK_LEN);
		free(u);
		if (s != NULL)
			freezero(s, strlen(s));
		buf_free(b);
		return r;
	}
	buf_free(b);
	*user = u;
	*secret = s;
	return 0;
}

int
privsep_recv_failed(int fd, int timeout_ms)
{
	struct buf *b;
	int r;

	if ((r = privsep_recv(fd, timeout_ms, PRIVSEP_AUTH_FAILED, &b)) != 0)
		return r;
	r = buf_get_end(b);
	buf_free(b);
	return r;
}

/*
 * Copy a decoded string into a fixed field; ERR_TOO_LONG if it can't.
 * The decoded copy is wiped: one of them is a password hash.
 */
static int
privsep_copy(char *dst, size_t dstlen, char *src)
{
	size_t n = strlcpy(dst, src, dstlen);

	freezero(src, n + 1);
	return n >= dstlen ? ERR_TOO_LONG : 0;
}

/* Nonzero if s holds no control byte: it may be written into the log. */
static int
privsep_printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < ' ' || *s == 0x7f)
			return 0;
	return 1;
}

int
privsep_recv_verdict(int fd, int timeout_ms, struct privsep_verdict *v)
{
	struct buf *b;
	char *name = NULL, *home = NULL, *allow = NULL, *hash = NULL;
	char *why = NULL;
	uint32_t uid, gid;
	uint8_t ok;
	int r;

	memset(v, 0, sizeof(*v));
	if ((r = privsep_recv(fd, timeout_ms, PRIVSEP_VERDICT, &b)) != 0)
		return r;
	if ((r = buf_get_u8(b, &ok)) != 0 || ok > 2)
		goto out;
	if (ok == 2) {
		/* Logged by the monitor: printable text only. */
		if ((r = buf_get_cstring(b, &why, PRIVSEP_WHY_MAX)) != 0)
			goto out;
		if (!privsep_printable(why)) {
			r = ERR_VALUE;
			goto out;
		}
		strlcpy(v->why, why, sizeof(v->why));
	}
	if (ok == 1) {
		if ((r = buf_get_cstring(b, &name, MFTP_USER_MAX)) != 0 ||
		    (r = buf_get_u32(b, &uid)) != 0 ||
		    (r = buf_get_u32(b, &gid)) != 0 ||
		    (r = buf_get_cstring(b, &home, MFTP_PATH_MAX)) != 0 ||
		    (r = buf_get_u64(b, &v->quota_bytes)) != 0 ||
		    (r = buf_get_u64(b, &v->quota_files)) != 0 ||
		    (r = buf_get_u32(b, &v->max_sessions)) != 0 ||
		    (r = buf_get_u64(b, &v->rate)) != 0 ||
		    (r = buf_get_cstring(b, &allow, MFTP_ALLOW_TEXT_MAX)) !=
			0 ||
		    (r = buf_get(b, v->psk, MFTP_PSK_LEN)) != 0 ||
		    (r = buf_get_u64(b, &v->features)) != 0 ||
		    (r = buf_get_cstring(b, &hash, MFTP_CRYPT_MAX)) != 0)
			goto out;
		/* Root is never a session's identity. */
		if (uid == 0 || gid == 0 || home[0] != '/' ||
		    v->max_sessions > MFTP_USER_SESSIONS_MAX) {
			r = ERR_VALUE;
			goto out;
		}
		v->uid = (uid_t)uid;
		v->gid = (gid_t)gid;
		r = privsep_copy(v->name, sizeof(v->name), name);
		name = NULL;
		if (r == 0)
			r = privsep_copy(v->home, sizeof(v->home), home);
		home = NULL;
		if (r == 0)
			r = privsep_copy(v->allow, sizeof(v->allow), allow);
		allow = NULL;
		if (r == 0)
			r = privsep_copy(v->hash, sizeof(v->hash), hash);
		hash = NULL;
		if (r != 0)
			goto out;
	}
	if ((r = buf_get_end(b)) == 0) {
		v->ok = ok == 1;
		v->unavailable = ok == 2;
	}
out:
	if (r == 0 && ok > 2)
		r = ERR_VALUE;
	free(why);
	free(name);
	free(home);
	free(allow);
	if (hash != NULL)
		freezero(hash, strlen(hash));
	buf_free(b);
	if (r != 0)
		explicit_bzero(v, sizeof(*v));
	return r;
}

int
privsep_send_login_done(int fd, uint32_t status, const char *text)
{
	struct buf *b = buf_new(MFTP_TEXT_MAX + 16);

	if (status != 0 && !PRIVSEP_REFUSAL_OK(status)) {
		buf_free(b);
		errno = EINVAL;
		return -1;
	}
	/* The status in one byte: 0, or the refusal's MFTP_ST_ code. */
	if (buf_put_u8(b, PRIVSEP_LOGIN_DONE) != 0 ||
	    buf_put_u8(b, (uint8_t)status) != 0 ||
	    (status != 0 && buf_put_cstring(b, text) != 0)) {
		buf_free(b);
		errno = EMSGSIZE;
		return -1;
	}
	return privsep_send(fd, b);
}

int
privsep_recv_login_done(int fd, int timeout_ms, uint32_t *status, char **text)
{
	struct buf *b;
	uint8_t v;
	int r;

	*status = MFTP_ST_INTERNAL;
	*text = NULL;
	if ((r = privsep_recv(fd, timeout_ms, PRIVSEP_LOGIN_DONE, &b)) != 0)
		return r;
	if ((r = buf_get_u8(b, &v)) == 0 && v != 0 && !PRIVSEP_REFUSAL_OK(v))
		r = ERR_VALUE;
	if (r == 0 && v != 0)
		r = buf_get_cstring(b, text, MFTP_TEXT_MAX);
	if (r == 0)
		r = buf_get_end(b);
	buf_free(b);
	if (r != 0) {
		free(*text);
		*text = NULL;
		return r;
	}
	*status = v;
	return 0;
}

/* SIGN_REQUEST and SIGNATURE: the type, then one string of 1..max bytes. */
static int
privsep_send_blob(int fd, uint8_t type, const uint8_t *p, size_t len)
{
	struct buf *b = buf_new(MFTP_SIG_MAX + 16);

	if (buf_put_u8(b, type) != 0 || buf_put_string(b, p, len) != 0) {
		buf_free(b);
		errno = EMSGSIZE;
		return -1;
	}
	return privsep_send(fd, b);
}

static int
privsep_recv_blob(
    int fd, int timeout_ms, uint8_t type, uint8_t *out, size_t max, size_t *len)
{
	struct buf *b;
	uint32_t n = 0;
	int r;

	*len = 0;
	if ((r = privsep_recv(fd, timeout_ms, type, &b)) != 0)
		return r;
	if ((r = buf_get_u32(b, &n)) == 0 && (n == 0 || n > max))
		r = n == 0 ? ERR_VALUE : ERR_TOO_LONG;
	if (r == 0 && (r = buf_get(b, out, n)) == 0)
		r = buf_get_end(b);
	buf_free(b);
	if (r == 0)
		*len = n;
	return r;
}

int
privsep_send_sign_request(int fd, const uint8_t *digest, size_t len)
{
	if (len == 0 || len > MFTP_DIGEST_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	return privsep_send_blob(fd, PRIVSEP_SIGN_REQUEST, digest, len);
}

int
privsep_send_signature(int fd, const uint8_t *sig, size_t len)
{
	if (len == 0 || len > MFTP_SIG_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	return privsep_send_blob(fd, PRIVSEP_SIGNATURE, sig, len);
}

int
privsep_recv_sign_request(
    int fd, int timeout_ms, uint8_t digest[MFTP_DIGEST_MAX], size_t *len)
{
	return privsep_recv_blob(
	    fd, timeout_ms, PRIVSEP_SIGN_REQUEST, digest, MFTP_DIGEST_MAX, len);
}

int
privsep_recv_signature(
    int fd, int timeout_ms, uint8_t sig[MFTP_SIG_MAX], size_t *len)
{
	return privsep_recv_blob(
	    fd, timeout_ms, PRIVSEP_SIGNATURE, sig, MFTP_SIG_MAX, len);
}
