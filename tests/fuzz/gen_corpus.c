/*
 * gen_corpus.c: writes the seed corpora of the binary harnesses
 * (frame, msg_request, msg_reply, privsep, rpc) with the project's own
 * encoders, so that every seed is a valid message to mutate from.
 *
 * Runs as: the developer, through "scripts/fuzz.sh --seeds"; the output
 * is committed under tests/fuzz/corpus/.  The text formats' seeds
 * (userdb, config, quota, words, netrc) are written by hand.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "digest.h"
#include "mftp_limits.h"
#include "msg.h"
#include "privsep_msg.h"
#include "proto.h"

static const char *gen_dir;

/* lib/err.h, not <err.h>, is on the include path: say it by hand. */
static void
gen_die(const char *what)
{
	fprintf(stderr, "gen_corpus: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
gen_write(const char *harness, const char *name, const void *p, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", gen_dir, harness, name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(p, 1, len, f) != len ||
	    fclose(f) != 0)
		gen_die(path);
}

/* A message as a whole frame (length prefix included) into out. */
static void
gen_encode(struct buf *out, const struct msg *m)
{
	if (msg_encode(out, m) != 0)
		gen_die(msg_name(m->type));
}

/* One message: the payload for msg_request/msg_reply, the frame for frame. */
static void
gen_msg(const char *name, const struct msg *m, struct buf *session)
{
	struct buf *b = buf_new(MFTP_FRAME_BUF);

	gen_encode(b, m);
	gen_write(MFTP_MSG_IS_REPLY(m->type) ? "msg_reply" : "msg_request",
	    name, buf_ptr(b) + 4, buf_len(b) - 4);
	if (m->type == MFTP_MSG_DATA_END)
		gen_write("msg_reply", name, buf_ptr(b) + 4, buf_len(b) - 4);
	gen_write("frame", name, buf_ptr(b), buf_len(b));
	if (session != NULL)
		gen_encode(session, m);
	buf_free(b);
}

static struct msg
gen_new(uint8_t type)
{
	struct msg m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	return m;
}

static void
gen_requests(struct buf *session)
{
	static const uint8_t path_only[] = { MFTP_MSG_CWD, MFTP_MSG_LIST,
		MFTP_MSG_STAT, MFTP_MSG_HASH, MFTP_MSG_REMOVE, MFTP_MSG_RMDIR,
		MFTP_MSG_READLINK };
	static const uint8_t bare[] = { MFTP_MSG_QUIT, MFTP_MSG_PWD,
		MFTP_MSG_QUOTA };
	char name[64], *longpath;
	struct msg m;
	size_t i;

	m = gen_new(MFTP_MSG_HELLO);
	m.version_min = m.version_max = MFTP_PROTO_VERSION;
	m.text = (char *)"mftp 1.0";
	gen_msg("hello", &m, session);
	m.version_max = 7;
	m.features = 0x8000000000000001ULL;
	m.text = NULL;
	gen_msg("hello-range", &m, NULL);

	m = gen_new(MFTP_MSG_LOGIN);
	m.user = (char *)"alice";
	m.secret = (char *)"correct horse battery staple";
	gen_msg("login", &m, session);
	m.user = NULL;
	m.secret = NULL;
	gen_msg("login-empty", &m, NULL);

	for (i = 0; i < sizeof(bare); i++) {
		m = gen_new(bare[i]);
		snprintf(name, sizeof(name), "%s", msg_name(bare[i]));
		gen_msg(name, &m, bare[i] == MFTP_MSG_QUIT ? NULL : session);
	}
	for (i = 0; i < sizeof(path_only); i++) {
		m = gen_new(path_only[i]);
		m.path = (char *)"dir/sub dir/file.txt";
		snprintf(name, sizeof(name), "%s", msg_name(path_only[i]));
		gen_msg(name, &m, session);
		m.path = (char *)"../..";
		snprintf(
		    name, sizeof(name), "%s-dotdot", msg_name(path_only[i]));
		gen_msg(name, &m, NULL);
	}
	longpath = malloc(MFTP_PATH_MAX + 1);
	memset(longpath, 'a', MFTP_PATH_MAX);
	longpath[MFTP_PATH_MAX] = '\0';
	m = gen_new(MFTP_MSG_STAT);
	m.path = longpath;
	gen_msg("STAT-longest", &m, NULL);
	free(longpath);

	m = gen_new(MFTP_MSG_MKDIR);
	m.path = (char *)"new";
	m.mode = 0755;
	gen_msg("MKDIR", &m, session);
	m = gen_new(MFTP_MSG_RENAME);
	m.path = (char *)"old name";
	m.path2 = (char *)"new name";
	gen_msg("RENAME", &m, session);
	m = gen_new(MFTP_MSG_CHMOD);
	m.path = (char *)"dir/file.txt";
	m.mode = 0640;
	gen_msg("CHMOD", &m, session);
	/* Valid on the wire; the server refuses it with its reason. */
	m.mode = 04755;
	gen_msg("CHMOD-setuid", &m, NULL);
	m = gen_new(MFTP_MSG_SYMLINK);
	m.path = (char *)"../target file";
	m.path2 = (char *)"dir/link";
	gen_msg("SYMLINK", &m, session);
	m.path = (char *)"/etc/passwd";
	gen_msg("SYMLINK-absolute", &m, NULL);
	m = gen_new(MFTP_MSG_GET);
	m.path = (char *)"big.iso";
	m.offset = 1048576;
	gen_msg("GET", &m, session);
	m = gen_new(MFTP_MSG_PUT);
	m.path = (char *)"up.bin";
	m.size = 4096;
	m.mode = 0644;
	m.mtime = -1;
	gen_msg("PUT", &m, session);
	m = gen_new(MFTP_MSG_PUT_DATA);
	m.path = (char *)"small.txt";
	m.size = 12;
	m.mode = 0644;
	m.mtime = 1700000000;
	gen_msg("PUT_DATA", &m, NULL);
	m = gen_new(MFTP_MSG_DATA_END);
	memset(m.hash, 0xab, sizeof(m.hash));
	m.hash_len = MFTP_HASH_LEN;
	gen_msg("DATA_END", &m, session);
	m.hash_len = MFTP_HASH_XXH128_LEN;
	gen_msg("DATA_END-xxh128", &m, NULL);
	m.hash_len = 0;
	gen_msg("DATA_END-nohash", &m, NULL);
}

static void
gen_replies(struct buf *session)
{
	static struct msg_entry entries[] = {
		{ (char *)"a.txt", { MFTP_KIND_FILE, 0644, 12, 1700000000 } },
		{ (char *)"sub", { MFTP_KIND_DIR, 0755, 4096, 1700000001 } },
		{ (char *)"link", { MFTP_KIND_LINK, 0777, 5, -1 } },
		{ (char *)"fifo", { MFTP_KIND_OTHER, 0600, 0, 0 } },
		{ (char *)"", { MFTP_KIND_FILE, 07777, UINT64_MAX, 0 } },
	};
	struct msg m;

	m = gen_new(MFTP_MSG_OK);
	gen_msg("OK", &m, session);
	m = gen_new(MFTP_MSG_ERROR);
	m.code = MFTP_ST_NOT_FOUND;
	m.text = (char *)"no such file: x";
	gen_msg("ERROR", &m, session);
	m.code = MFTP_ST_BAD_FRAME;
	m.text = NULL;
	gen_msg("ERROR-bad-frame", &m, NULL);
	m = gen_new(MFTP_MSG_HELLO_OK);
	m.version_min = m.version_max = MFTP_PROTO_VERSION;
	m.text = (char *)"mftpd 1.0";
	gen_msg("HELLO_OK", &m, session);
	m = gen_new(MFTP_MSG_PATH);
	m.path = (char *)"/sub";
	gen_msg("PATH", &m, session);
	m = gen_new(MFTP_MSG_DIRENTS);
	m.entries = entries;
	m.nentries = sizeof(entries) / sizeof(entries[0]);
	gen_msg("DIRENTS", &m, session);
	m.nentries = 1;
	gen_msg("DIRENTS-one", &m, NULL);
	m.nentries = 0;
	gen_msg("DIRENTS-none", &m, NULL);
	m = gen_new(MFTP_MSG_ATTR);
	m.attr = entries[0].attr;
	gen_msg("ATTR", &m, session);
	m = gen_new(MFTP_MSG_FILE);
	m.size = 1 << 20;
	m.offset = 4096;
	gen_msg("FILE", &m, session);
	m = gen_new(MFTP_MSG_PUT_READY);
	m.offset = 0;
	gen_msg("PUT_READY", &m, session);
	m = gen_new(MFTP_MSG_HASH_OK);
	memset(m.hash, 0x5a, sizeof(m.hash));
	m.hash_len = MFTP_HASH_LEN;
	gen_msg("HASH_OK", &m, session);
	m.hash_len = MFTP_HASH_XXH128_LEN;
	gen_msg("HASH_OK-xxh128", &m, NULL);
	m = gen_new(MFTP_MSG_QUOTA_OK);
	m.quota.bytes_used = 123456;
	m.quota.bytes_limit = 1 << 30;
	m.quota.files_used = 12;
	m.quota.files_limit = 0;
	gen_msg("QUOTA_OK", &m, session);
	m.type = MFTP_MSG_QUOTA_RSV_OK;
	m.quota.bytes_reserved = 4096;
	gen_msg("QUOTA_RSV_OK", &m, session);
}

/* The packet a privsep_send_* call sends, written as a seed. */
static void
gen_packet(int sv[2], const char *name)
{
	uint8_t pkt[PRIVSEP_MSG_MAX];
	ssize_t n;

	if ((n = recv(sv[1], pkt, sizeof(pkt), 0)) < 0)
		gen_die("recv");
	gen_write("privsep", name, pkt, (size_t)n);
}

static void
gen_privsep(void)
{
	static const uint8_t psk[MFTP_PSK_LEN] = { 1, 2, 3 };
	struct privsep_verdict v;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == -1)
		gen_die("socketpair");
	if (privsep_send_request(sv[0], "alice", "secret", psk, 1) == -1)
		gen_die("request");
	gen_packet(sv, "request");
	if (privsep_send_request(sv[0], "", "", psk, 0) == -1)
		gen_die("request");
	gen_packet(sv, "request-empty");
	if (privsep_send_failed(sv[0]) == -1)
		gen_die("failed");
	gen_packet(sv, "failed");
	memset(&v, 0, sizeof(v));
	if (privsep_send_verdict(sv[0], &v) == -1)
		gen_die("verdict");
	gen_packet(sv, "verdict-no");
	v.ok = 1;
	strlcpy(v.name, "alice", sizeof(v.name));
	v.uid = 20001;
	v.gid = 20001;
	strlcpy(v.home, "/srv/mftp/alice", sizeof(v.home));
	v.quota_bytes = 1 << 30;
	v.quota_files = 1000;
	v.max_sessions = 2;
	v.rate = 1 << 21;
	strlcpy(v.allow, "127.0.0.2,2001:db8::/32", sizeof(v.allow));
	memcpy(v.psk, psk, sizeof(v.psk));
	v.features = 1;
	strlcpy(v.hash, "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317f",
	    sizeof(v.hash));
	if (privsep_send_verdict(sv[0], &v) == -1)
		gen_die("verdict");
	gen_packet(sv, "verdict-ok");
	if (privsep_send_login_done(sv[0], 0, NULL) == -1)
		gen_die("login_done");
	gen_packet(sv, "login-done-ok");
	if (privsep_send_login_done(sv[0], MFTP_ST_INTERNAL, "no home") == -1)
		gen_die("login_done");
	gen_packet(sv, "login-done-refused");
	if (privsep_send_login_done(sv[0], MFTP_ST_BUSY,
		"too many sessions for alice (limit 2)") == -1)
		gen_die("login_done");
	gen_packet(sv, "login-done-busy");
	if (privsep_send_sign_request(sv[0], psk, sizeof(psk)) == -1)
		gen_die("sign_request");
	gen_packet(sv, "sign-request");
	if (privsep_send_signature(sv[0], psk, 20) == -1)
		gen_die("signature");
	gen_packet(sv, "signature");
	close(sv[0]);
	close(sv[1]);
}

/*
 * rpc: a count of calls less one, the calls (fuzz_rpc.c's numbers, an
 * argument in the high 4 bits), then what the server answers them.
 */
enum {
	GEN_HELLO,
	GEN_PWD,
	GEN_CWD,
	GEN_STAT,
	GEN_LIST,
	GEN_GET,
	GEN_PUT,
	GEN_HASH,
	GEN_QUOTA,
	GEN_READLINK,
	GEN_PUT_DATA,
	GEN_OK_CALL,
	GEN_LOGIN,
	GEN_QUIT
};

static struct buf *
gen_rpc_start(const uint8_t *calls, size_t n)
{
	struct buf *b = buf_new(4 * MFTP_FRAME_BUF);
	uint8_t count = (uint8_t)(n - 1);

	if (buf_put(b, &count, 1) != 0 || buf_put(b, calls, n) != 0)
		gen_die("rpc calls");
	return b;
}

static void
gen_rpc_end(struct buf *b, const char *name)
{
	gen_write("rpc", name, buf_ptr(b), buf_len(b));
	buf_free(b);
}

static void
gen_rpc_raw(struct buf *b, const char *bytes)
{
	if (buf_put(b, bytes, strlen(bytes)) != 0)
		gen_die("rpc data");
}

static void
gen_rpc_error(struct buf *b, uint32_t code, const char *text)
{
	struct msg m = gen_new(MFTP_MSG_ERROR);

	m.code = code;
	m.text = (char *)text;
	gen_encode(b, &m);
}

static void
gen_rpc(void)
{
	static const uint8_t session[] = { GEN_HELLO, GEN_PWD, GEN_STAT,
		GEN_LIST, GEN_GET, GEN_HASH, GEN_QUOTA, GEN_QUIT };
	static const uint8_t refusals[] = { GEN_HELLO | 0x10, GEN_CWD,
		GEN_OK_CALL, GEN_READLINK, GEN_PUT | 0x30, GEN_PUT_DATA | 0x40,
		GEN_LOGIN, GEN_GET | 0x20 };
	static const uint8_t busy[] = { GEN_HELLO };
	static const uint8_t stop[] = { GEN_HELLO, GEN_LIST | 0x20, GEN_PWD };
	static struct msg_entry entries[] = {
		{ (char *)"a.txt", { MFTP_KIND_FILE, 0644, 12, 1700000000 } },
		{ (char *)"sub", { MFTP_KIND_DIR, 0755, 4096, 1700000001 } },
		{ (char *)"link", { MFTP_KIND_LINK, 0777, 5, -1 } },
	};
	struct buf *b;
	struct msg m;

	b = gen_rpc_start(session, sizeof(session));
	m = gen_new(MFTP_MSG_HELLO_OK);
	m.version_min = m.version_max = MFTP_PROTO_VERSION;
	m.features = MFTP_FEAT_SUPPORTED;
	m.text = (char *)"mftpd 1.0";
	gen_encode(b, &m);
	m = gen_new(MFTP_MSG_PATH);
	m.path = (char *)"/home/alice";
	gen_encode(b, &m);
	m = gen_new(MFTP_MSG_WORKING);
	m.offset = 1;
	m.size = 2;
	gen_encode(b, &m);
	m = gen_new(MFTP_MSG_ATTR);
	m.attr = entries[0].attr;
	gen_encode(b, &m);
	m = gen_new(MFTP_MSG_DIRENTS);
	m.entries = entries;
	m.nentries = 3;
	gen_encode(b, &m);
	gen_encode(b, &m);
	gen_encode(b, &(struct msg){ .type = MFTP_MSG_OK });
	m = gen_new(MFTP_MSG_FILE);
	m.size = 5;
	gen_encode(b, &m);
	gen_rpc_raw(b, "hello");
	m = gen_new(MFTP_MSG_DATA_END);
	m.hash_len = digest_len(DIGEST_XXH128);
	digest_buf(DIGEST_XXH128, "hello", 5, m.hash);
	gen_encode(b, &m);
	m.type = MFTP_MSG_HASH_OK;
	gen_encode(b, &m);
	/* The session was granted MFTP_FEAT_QUOTA_RESERVED. */
	m = gen_new(MFTP_MSG_QUOTA_RSV_OK);
	m.quota.bytes_used = 5;
	m.quota.bytes_limit = 1 << 20;
	m.quota.bytes_reserved = 7;
	gen_encode(b, &m);
	gen_encode(b, &(struct msg){ .type = MFTP_MSG_OK });
	gen_rpc_end(b, "session");

	b = gen_rpc_start(refusals, sizeof(refusals));
	m = gen_new(MFTP_MSG_HELLO_OK);
	m.version_min = m.version_max = MFTP_PROTO_VERSION;
	m.features = MFTP_FEAT_PUT_DATA | MFTP_FEAT_CHMOD_SYMLINK;
	gen_encode(b, &m);
	gen_rpc_error(b, MFTP_ST_NOT_FOUND, "no such directory");
	gen_rpc_error(b, MFTP_ST_PERM, "denied \x1b[31mred\xe2\x80\xae");
	m = gen_new(MFTP_MSG_PATH);
	m.path = (char *)"../target";
	gen_encode(b, &m);
	m = gen_new(MFTP_MSG_PUT_READY);
	m.offset = 1;
	gen_encode(b, &m);
	gen_encode(b, &(struct msg){ .type = MFTP_MSG_OK });
	gen_rpc_error(b, MFTP_ST_QUOTA, "over quota");
	gen_encode(b, &(struct msg){ .type = MFTP_MSG_OK });
	m = gen_new(MFTP_MSG_FILE);
	m.size = 4;
	m.offset = 2;
	gen_encode(b, &m);
	gen_rpc_raw(b, "cd");
	m = gen_new(MFTP_MSG_DATA_END);
	m.hash_len = digest_len(DIGEST_SHA256);
	digest_buf(DIGEST_SHA256, "abcd", 4, m.hash);
	gen_encode(b, &m);
	gen_rpc_end(b, "refusals");

	b = gen_rpc_start(busy, sizeof(busy));
	gen_rpc_error(b, MFTP_ST_BUSY, "too many sessions");
	gen_rpc_end(b, "busy");

	b = gen_rpc_start(stop, sizeof(stop));
	m = gen_new(MFTP_MSG_HELLO_OK);
	m.version_min = m.version_max = MFTP_PROTO_VERSION;
	m.features = MFTP_FEAT_XXH128 | MFTP_FEAT_WORKING;
	gen_encode(b, &m);
	m = gen_new(MFTP_MSG_DIRENTS);
	m.entries = entries;
	m.nentries = 3;
	gen_encode(b, &m);
	m.nentries = 1;
	gen_encode(b, &m);
	gen_encode(b, &(struct msg){ .type = MFTP_MSG_OK });
	gen_rpc_error(b, MFTP_ST_TIMEOUT, "idle timeout");
	gen_rpc_end(b, "list-stop");
}

int
main(int argc, char **argv)
{
	struct buf *session;
	static const uint8_t bad[][4] = { { 0, 0, 0, 0 }, { 0, 1, 0, 1 },
		{ 0xff, 0xff, 0xff, 0xff } };
	size_t i;
	char name[32];

	if (argc != 2)
		gen_die("usage: gen_corpus DIR");
	gen_dir = argv[1];
	/* A whole session both ways, one frame after another. */
	session = buf_new(16 * MFTP_FRAME_BUF);
	gen_requests(session);
	gen_write(
	    "frame", "session-requests", buf_ptr(session), buf_len(session));
	buf_reset(session);
	gen_replies(session);
	gen_write(
	    "frame", "session-replies", buf_ptr(session), buf_len(session));
	buf_free(session);
	/* Lengths the reader refuses before reading a payload byte. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(name, sizeof(name), "bad-length-%zu", i);
		gen_write("frame", name, bad[i], sizeof(bad[i]));
	}
	gen_privsep();
	gen_rpc();
	return 0;
}
