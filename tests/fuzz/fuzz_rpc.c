/*
 * fuzz_rpc.c: the client's reading of a server's replies (client/rpc.c,
 * rpc_xfer.c, rpc_link.c, rpc_putdata.c): each reply checked against
 * the request it answers, LIST's DIRENTS up to OK, GET's FILE, raw data
 * and DATA_END, PUT_READY, ERROR texts, WORKING.  msg_reply fuzzes the
 * decoding of one frame; this harness the calls on top, over a stream.
 *
 * The input: a byte whose low 3 bits are the count of calls less one,
 * then one byte per call (low 4 bits the call, high 4 bits its
 * argument), then what the server sends, in clear (the TLS under it is
 * OpenSSL's).  That goes into one end of a socket pair at once (it fits
 * the socket's buffer), the client reads it from the other; the few
 * small requests the client sends wait unread in the other direction.
 *
 * Properties: every call returns one of the RPC_* results; RPC_LOST
 * exactly when the session is marked lost, and once it is, every later
 * call returns RPC_LOST without reading a byte; the reason kept for the
 * user holds no control character (ERROR texts come from the server);
 * an ERROR that ends the session on the server's side never reads as a
 * plain refusal; what a call returns holds what its reply type allows
 * (a path within its limit, a kind and mode, a FILE's offset the one
 * asked for and within its size, a PUT_READY's offset within the
 * size, granted features among those asked for, a checksum of the
 * session's length); a download writes exactly the stream's data bytes
 * and hashes them; nothing is left allocated (LeakSanitizer).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "digest.h"
#include "fuzz.h"
#include "mftp_limits.h"
#include "msg.h"
#include "proto.h"
#include "rpc.h"
#include "rpc_int.h"
#include "transport.h"

/* No TLS here: the stream is the clear one under it. */
int
rpc_tls_start(struct rpc *r, const char *host, const char *port,
    const struct rpc_trust *trust, int timeout_ms)
{
	(void)r;
	(void)host;
	(void)port;
	(void)trust;
	(void)timeout_ms;
	abort();
}

int
rpc_tls_resume(struct rpc *r)
{
	/* Only after a TLS close_notify, which a clear stream has not. */
	(void)r;
	FUZZ_CHECK(0);
	return RPC_LOST;
}

void
rpc_tls_prepare(void)
{
}

struct fuzz_list {
	unsigned seen, stop_at;
};

static int
fuzz_entry(void *arg, const struct msg_entry *e)
{
	struct fuzz_list *l = arg;

	FUZZ_CHECK(e->name != NULL && strlen(e->name) <= MFTP_NAME_MAX);
	FUZZ_CHECK(
	    e->attr.kind >= MFTP_KIND_FILE && e->attr.kind <= MFTP_KIND_OTHER);
	FUZZ_CHECK((e->attr.mode & ~07777U) == 0);
	return ++l->seen == l->stop_at ? 7 : 0;
}

static void
fuzz_path(char *path)
{
	FUZZ_CHECK(path != NULL && strlen(path) <= MFTP_PATH_MAX);
	free(path);
}

/* GET from offset: the data lands in a memory file, checked. */
static int
fuzz_get(struct rpc *r, uint64_t offset, const uint8_t *stream)
{
	struct rpc_xfer x = { 0 };
	uint8_t mine[MFTP_HASH_LEN], want[MFTP_HASH_LEN], *got;
	struct digest *d;
	uint64_t at;
	int e, fd;

	if ((e = rpc_get_send(r, "f", offset)) != RPC_OK ||
	    (e = rpc_get_file(r, offset, &x)) != RPC_OK)
		return e;
	FUZZ_CHECK(x.offset == offset && x.offset <= x.size);
	at = transport_bytes_in(r->t);
	fd = fuzz_memfd(NULL, 0);
	d = digest_new(rpc_digest(r));
	if ((e = rpc_get_data(r, fd, d, &x)) == RPC_OK) {
		FUZZ_CHECK(x.bytes == x.size - x.offset);
		FUZZ_CHECK(x.hash_len == digest_len(rpc_digest(r)));
		FUZZ_CHECK(lseek(fd, 0, SEEK_END) == (off_t)x.bytes);
		got = malloc(x.bytes + 1);
		FUZZ_CHECK(got != NULL);
		FUZZ_CHECK(pread(fd, got, x.bytes, 0) == (ssize_t)x.bytes);
		FUZZ_CHECK(memcmp(got, stream + at, x.bytes) == 0);
		digest_final(d, mine);
		digest_buf(rpc_digest(r), got, x.bytes, want);
		FUZZ_CHECK(memcmp(mine, want, x.hash_len) == 0);
		free(got);
	}
	digest_free(d);
	close(fd);
	return e;
}

/* PUT of size bytes (all 'x'): the server says from where. */
static int
fuzz_put(struct rpc *r, uint64_t size)
{
	struct rpc_xfer x = { 0 };
	uint8_t src[16];
	struct digest *d;
	struct stat st;
	int e, fd;

	memset(src, 'x', sizeof(src));
	if ((e = rpc_put_send(r, "p", size, 0644, 1)) != RPC_OK ||
	    (e = rpc_put_ready(r, size, &x)) != RPC_OK)
		return e;
	FUZZ_CHECK(x.offset <= size && x.size == size);
	fd = fuzz_memfd(src, (size_t)size);
	FUZZ_CHECK(fstat(fd, &st) == 0);
	d = digest_new(DIGEST_SHA256);
	e = rpc_put_data(r, fd, &st, d, &x);
	if (e == RPC_OK || e == RPC_SERVER)
		FUZZ_CHECK(x.bytes == size - x.offset &&
		    x.hash_len == digest_len(rpc_digest(r)));
	digest_free(d);
	close(fd);
	return e;
}

static int
fuzz_put_data(struct rpc *r, unsigned arg)
{
	static const uint8_t data[16] = "0123456789abcdef";
	struct rpc_put_data p;
	uint8_t hash[MFTP_HASH_LEN];
	int e;

	/* Not granted: mftp sends a PUT instead (as the call would). */
	if (!rpc_put_data_ok(r))
		return rpc_lost(r) ? RPC_LOST : RPC_LOCAL;
	memset(&p, 0, sizeof(p));
	p.path = "s";
	p.data = data;
	p.len = arg;
	p.mode = 0600;
	p.hash_len = digest_len(rpc_digest(r));
	digest_buf(rpc_digest(r), data, p.len, hash);
	p.hash = hash;
	if ((e = rpc_put_data_send(r, &p)) != RPC_OK)
		return e;
	return rpc_put_data_recv(r);
}

/* One call; its result. */
static int
fuzz_call(struct rpc *r, unsigned op, unsigned arg, const uint8_t *stream)
{
	struct fuzz_list l = { 0, arg };
	uint8_t hash[MFTP_HASH_LEN];
	struct msg_attr attr;
	struct msg_quota q;
	char *path = NULL;
	uint64_t asked;
	int e;

	switch (op) {
	case 0:
		rpc_set_verify(r, arg & 1 ? DIGEST_SHA256 : DIGEST_XXH128);
		asked = MFTP_FEAT_PUT_DATA | MFTP_FEAT_CHMOD_SYMLINK |
		    MFTP_FEAT_WORKING | MFTP_FEAT_QUOTA_RESERVED |
		    (arg & 1 ? 0 : MFTP_FEAT_XXH128);
		if ((e = rpc_hello(r)) == RPC_OK) {
			FUZZ_CHECK((r->features & ~asked) == 0);
			FUZZ_CHECK(rpc_digest(r) ==
			    ((r->features & MFTP_FEAT_XXH128) != 0 ?
				    DIGEST_XXH128 :
				    DIGEST_SHA256));
		}
		FUZZ_CHECK(e != RPC_SERVER);
		return e;
	case 1:
		if ((e = rpc_pwd(r, &path)) == RPC_OK)
			fuzz_path(path);
		return e;
	case 2:
		if ((e = rpc_cwd(r, "d", &path)) == RPC_OK)
			fuzz_path(path);
		return e;
	case 3:
		if ((e = rpc_stat(r, "f", &attr)) == RPC_OK) {
			FUZZ_CHECK(attr.kind >= MFTP_KIND_FILE &&
			    attr.kind <= MFTP_KIND_OTHER);
			FUZZ_CHECK((attr.mode & ~07777U) == 0);
		}
		return e;
	case 4:
		e = rpc_list(r, "d", fuzz_entry, &l);
		if (arg != 0 && l.seen >= arg && e != RPC_LOST &&
		    e != RPC_SERVER)
			FUZZ_CHECK(e == 7);
		return e == 7 ? RPC_OK : e;
	case 5:
		return fuzz_get(r, arg, stream);
	case 6:
		return fuzz_put(r, arg);
	case 7:
		return rpc_hash(
		    r, "f", arg & 1 ? DIGEST_SHA256 : DIGEST_XXH128, hash);
	case 8:
		/* Bytes reserved only from a server granted the bit. */
		if ((e = rpc_quota(r, &q)) == RPC_OK &&
		    (r->features & MFTP_FEAT_QUOTA_RESERVED) == 0)
			FUZZ_CHECK(q.bytes_reserved == 0);
		return e;
	case 9:
		if ((e = rpc_readlink_send(r, "l")) != RPC_OK)
			return e;
		if ((e = rpc_readlink_recv(r, &path)) == RPC_OK)
			fuzz_path(path);
		return e;
	case 10:
		return fuzz_put_data(r, arg);
	case 11:
		switch (arg & 3) {
		case 0:
			return rpc_mkdir(r, "d", 0755);
		case 1:
			return rpc_remove(r, "f");
		case 2:
			return rpc_rename(r, "a", "b");
		default:
			return rpc_chmod(r, "f", 0600);
		}
	case 12:
		return rpc_login(r, "u", "pw");
	default:
		return rpc_quit(r);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *ops, *stream;
	struct rpc *r;
	size_t nops, len, i;
	uint64_t in;
	int sv[2], e, lost;

	if (size < 1 || size < 1 + (nops = (data[0] & 7) + 1U))
		return 0;
	ops = data + 1;
	stream = data + 1 + nops;
	len = size - 1 - nops;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		abort();
	/* The server's side, all of it, then its end of the stream. */
	if (len > 0 &&
	    send(sv[1], stream, len, MSG_DONTWAIT | MSG_NOSIGNAL) !=
		(ssize_t)len)
		abort();
	(void)shutdown(sv[1], SHUT_WR);
	rpc_set_timeout(5);
	r = rpc_new(sv[0]);
	for (i = 0; i < nops; i++) {
		lost = rpc_lost(r);
		in = transport_bytes_in(r->t);
		e = fuzz_call(r, ops[i] & 15, ops[i] >> 4, stream);
		FUZZ_CHECK(e == RPC_OK || e == RPC_SERVER || e == RPC_LOCAL ||
		    e == RPC_LOST);
		FUZZ_CHECK((e == RPC_LOST) == (rpc_lost(r) != 0));
		if (lost)
			FUZZ_CHECK(
			    e == RPC_LOST && transport_bytes_in(r->t) == in);
		FUZZ_CHECK(!fuzz_has_control(rpc_text(r)));
		if (e == RPC_SERVER)
			FUZZ_CHECK(rpc_code(r) != MFTP_ST_BAD_FRAME &&
			    rpc_code(r) != MFTP_ST_BUSY &&
			    rpc_code(r) != MFTP_ST_TIMEOUT &&
			    rpc_code(r) != MFTP_ST_VERSION);
		FUZZ_CHECK(transport_bytes_in(r->t) <= len);
	}
	rpc_free(r);
	close(sv[1]);
	return 0;
}
