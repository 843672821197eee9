/*
 * fakeserver.c: a hostile or broken mftp server for the integration
 * tests, so that they can see what mftp does with replies that mftpd
 * never sends (t_hostile_*.sh).
 *
 * Runs as: the test; never installed.
 *
 *   fakeserver CERT KEY SCENARIO [NAME]
 *
 * Listens on 127.0.0.1 on a port of the kernel's choosing, prints that
 * port on stdout, then serves one connection after the other (a client
 * that logs in again after Ctrl-C gets a second one).  Each speaks
 * protocol 2 as doc/PROTOCOL.md §0 says, with the project's own code
 * (lib/tls.c, lib/transport.c, lib/frame.c, lib/msg.c): the first TLS 1.3
 * handshake with the host key in CERT and KEY (a throw-away one the test
 * pins in the client's known_hosts), HELLO, any LOGIN accepted, the
 * exporter secret, close_notify, the second handshake with the external
 * PSK, OK.  Then the requests are answered as a plain server would,
 * except where SCENARIO says otherwise:
 *
 *   names      LIST of topdir gives "ok", a file named with ESC, and
 *              "sub" (which holds "ok2")
 *   dupnames   the same, and a file "same" and a directory "samedir"
 *              each named twice
 *   bad NAME   LIST of topdir gives "ok", NAME, "sub": a name no server
 *              may send ("a/b", "..", ".", "", "../up")
 *   dupdir     every directory holds "d" twice (and "f", a file)
 *   huge       LIST never ends: DIRENTS of 256 new names, for ever
 *   trickle    LIST never ends: DIRENTS of one new name every 100 ms
 *   wide       every directory holds 5000 directories (a tree without end)
 *   links      every directory holds 20000 symbolic links, each of which
 *              leads to a target of 4095 bytes (READLINK)
 *   slowlinks  the same, each READLINK answered after 20 ms
 *   slowstat   STAT is answered a byte a second
 *   slowend    GET: the DATA_END comes 5 s after the data
 *   deep       a tree of 25 million files whose paths are 4 KB each
 *   short      GET: FILE announces 10 bytes, 5 come, then DATA_END
 *   long       GET: FILE announces 5 bytes, 10 come, then DATA_END
 *   overflow   GET: FILE announces 2^64 - 1 bytes; 5 come, then it closes
 *   wrongtype  LIST and GET are answered with ATTR
 *   working    GET: first WORKING frames that say 200 bytes of 100 are
 *              hashed (the feature granted), then the file
 *   bigframe   LIST and GET are answered with a frame length of 2^31
 *
 * Every file is "hello" (5 bytes), every directory empty unless named
 * above; STAT of a name with "dir" or "sub" in it, or of the top ("",
 * ".", "/"), is a directory.  Logs what it does on stderr.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "digest.h"
#include "err.h"
#include "frame.h"
#include "msg.h"
#include "proto.h"
#include "tls.h"
#include "transport.h"
#include "util.h"

#define FS_TIMEOUT_MS (60 * 1000)
#define FS_DATA "hello"
#define FS_DATA_LEN 5
#define FS_WIDE 5000	  /* wide: the directories in each directory */
#define FS_LINKS 20000	  /* links: the links in each directory */
#define FS_LONG 250	  /* deep: the length of every name */
#define FS_DEEP_BATCH 200 /* deep: entries a frame, within its 64 KiB */

struct fs {
	struct transport *t;
	struct buf *scratch;
	const char *scenario;
	const char *bad; /* bad: the name */
	enum digest_alg alg;
	unsigned long serial; /* huge: the next name */
};

static int
fs_is(const struct fs *s, const char *name)
{
	return strcmp(s->scenario, name) == 0;
}

static void
fs_send(struct fs *s, struct msg *m)
{
	int e;

	if ((e = frame_send_msg(s->t, s->scratch, m)) != 0) {
		fprintf(stderr, "fakeserver: send %s: %s\n", msg_name(m->type),
		    err_str(e));
		_exit(0);
	}
}

static void
fs_reply(struct fs *s, uint8_t type)
{
	struct msg m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	fs_send(s, &m);
}

static void
fs_path(struct fs *s, const char *path)
{
	struct msg m;

	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_PATH;
	m.path = (char *)path;
	fs_send(s, &m);
}

static void
fs_attr(uint8_t kind, struct msg_attr *a)
{
	a->kind = kind;
	a->mode = kind == MFTP_KIND_DIR ? 0755 : 0644;
	a->size = kind == MFTP_KIND_DIR ? 4096 : FS_DATA_LEN;
	a->mtime = 1700000000;
}

static void
fs_raw(struct fs *s, const void *p, size_t len)
{
	if (transport_write(s->t, p, len) != 0) {
		fprintf(stderr, "fakeserver: write failed\n");
		_exit(0);
	}
}

/* m's frame a byte at a time, one a second. */
static void
fs_trickle(struct fs *s, struct msg *m)
{
	size_t k;

	buf_reset(s->scratch);
	msg_encode(s->scratch, m);
	for (k = 0; k < buf_len(s->scratch); k++) {
		fs_raw(s, buf_ptr(s->scratch) + k, 1);
		sleep(1);
	}
	buf_reset(s->scratch);
}

/* A frame length no receiver may accept, and nothing after it. */
static void
fs_bigframe(struct fs *s)
{
	static const uint8_t big[5] = { 0x80, 0, 0, 0, MFTP_MSG_OK };

	fs_raw(s, big, sizeof(big));
}

/* One DIRENTS of n entries named names[i], of kinds kinds[i]. */
static void
fs_dirents(
    struct fs *s, const char *const *names, const uint8_t *kinds, size_t n)
{
	struct msg_entry e[MFTP_LIST_BATCH];
	struct msg m;
	size_t i;

	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_DIRENTS;
	for (i = 0; i < n && i < MFTP_LIST_BATCH; i++) {
		e[i].name = (char *)names[i];
		fs_attr(kinds[i], &e[i].attr);
	}
	m.entries = e;
	m.nentries = i;
	fs_send(s, &m);
}

/* The top listings of the names scenarios (see the head comment). */
static const char *fs_names[] = { "ok", "esc\033[31mred", "sub", "same", "same",
	"samedir", "samedir" };
static const uint8_t fs_kinds[] = { MFTP_KIND_FILE, MFTP_KIND_FILE,
	MFTP_KIND_DIR, MFTP_KIND_FILE, MFTP_KIND_FILE, MFTP_KIND_DIR,
	MFTP_KIND_DIR };

/*
 * deep: 14 directories, one in the other, then 5000 directories of 5000
 * files each, every name 250 bytes long: the paths below are 4 KB each.
 */
static void
fs_deep(struct fs *s, const char *path)
{
	char store[FS_DEEP_BATCH][FS_LONG + 1];
	const char *names[FS_DEEP_BATCH];
	uint8_t kinds[FS_DEEP_BATCH];
	size_t depth = 0, i, n = FS_WIDE;
	const char *p;

	for (p = path; (p = strchr(p, '/')) != NULL; p++)
		depth++;
	if (depth < 14)
		n = 1;
	for (i = 0; i < n; i++) {
		memset(store[i % FS_DEEP_BATCH], 'a', FS_LONG - 5);
		snprintf(store[i % FS_DEEP_BATCH] + FS_LONG - 5, 6, "%05zu", i);
		names[i % FS_DEEP_BATCH] = store[i % FS_DEEP_BATCH];
		kinds[i % FS_DEEP_BATCH] = depth < 15 ? MFTP_KIND_DIR :
							MFTP_KIND_FILE;
		if (i % FS_DEEP_BATCH == FS_DEEP_BATCH - 1 || i == n - 1)
			fs_dirents(s, names, kinds, i % FS_DEEP_BATCH + 1);
	}
}

/* n entries of kind, named c and their number, in full DIRENTS. */
static void
fs_many(struct fs *s, size_t n, char c, uint8_t kind)
{
	const char *names[MFTP_LIST_BATCH];
	char store[MFTP_LIST_BATCH][16];
	uint8_t kinds[MFTP_LIST_BATCH];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(store[i % MFTP_LIST_BATCH], sizeof(store[0]),
		    "%c%05zu", c, i);
		names[i % MFTP_LIST_BATCH] = store[i % MFTP_LIST_BATCH];
		kinds[i % MFTP_LIST_BATCH] = kind;
		if (i % MFTP_LIST_BATCH == MFTP_LIST_BATCH - 1 || i == n - 1)
			fs_dirents(s, names, kinds, i % MFTP_LIST_BATCH + 1);
	}
}

static void
fs_list(struct fs *s, const char *path)
{
	static const char *const dup[] = { "d", "d", "f" };
	static const uint8_t dupk[] = { MFTP_KIND_DIR, MFTP_KIND_DIR,
		MFTP_KIND_FILE };
	static const char *const ok2[] = { "ok2" };
	static const uint8_t ok2k[] = { MFTP_KIND_FILE };
	const char *names[MFTP_LIST_BATCH];
	char store[MFTP_LIST_BATCH][16];
	uint8_t kinds[MFTP_LIST_BATCH];
	const char *base = strrchr(path, '/');
	size_t i;

	base = base != NULL ? base + 1 : path;
	if (fs_is(s, "wrongtype")) {
		struct msg m;

		memset(&m, 0, sizeof(m));
		m.type = MFTP_MSG_ATTR;
		fs_attr(MFTP_KIND_DIR, &m.attr);
		fs_send(s, &m);
		return;
	}
	if (fs_is(s, "bigframe")) {
		fs_bigframe(s);
		return;
	}
	while (fs_is(s, "trickle")) {
		snprintf(store[0], sizeof(store[0]), "f%09lu", s->serial++);
		names[0] = store[0];
		kinds[0] = MFTP_KIND_FILE;
		fs_dirents(s, names, kinds, 1);
		usleep(100 * 1000);
	}
	if (fs_is(s, "huge")) {
		for (;;) {
			for (i = 0; i < MFTP_LIST_BATCH; i++) {
				snprintf(store[i], sizeof(store[i]), "f%09lu",
				    s->serial++);
				names[i] = store[i];
				kinds[i] = MFTP_KIND_FILE;
			}
			fs_dirents(s, names, kinds, MFTP_LIST_BATCH);
		}
	}
	if (fs_is(s, "deep"))
		fs_deep(s, path);
	else if (fs_is(s, "wide"))
		fs_many(s, FS_WIDE, 'd', MFTP_KIND_DIR);
	else if (fs_is(s, "links") || fs_is(s, "slowlinks"))
		fs_many(s, FS_LINKS, 'l', MFTP_KIND_LINK);
	else if (fs_is(s, "dupdir"))
		fs_dirents(s, dup, dupk, 3);
	else if (strcmp(base, "sub") == 0)
		fs_dirents(s, ok2, ok2k, 1);
	else if (fs_is(s, "names"))
		fs_dirents(s, fs_names, fs_kinds, 3);
	else if (fs_is(s, "dupnames") && strncmp(base, "samedir", 7) != 0)
		fs_dirents(s, fs_names, fs_kinds, sizeof(fs_kinds));
	else if (fs_is(s, "bad") && strcmp(base, "topdir") == 0) {
		fs_names[1] = s->bad;
		fs_dirents(s, fs_names, fs_kinds, 3);
	} else {
		static const char *const one[] = { "file" };
		static const uint8_t onek[] = { MFTP_KIND_FILE };

		fs_dirents(s, one, onek, 1);
	}
	fs_reply(s, MFTP_MSG_OK);
}

static void
fs_get(struct fs *s, const struct msg *req)
{
	static const char more[] = FS_DATA FS_DATA;
	struct msg m;
	uint64_t size = FS_DATA_LEN;
	int i;

	if (fs_is(s, "wrongtype") || fs_is(s, "bigframe")) {
		fs_list(s, req->path);
		return;
	}
	for (i = 0; fs_is(s, "working") && i < 3; i++) {
		memset(&m, 0, sizeof(m));
		m.type = MFTP_MSG_WORKING;
		m.offset = 200;
		m.size = 100;
		fs_send(s, &m);
	}
	if (fs_is(s, "short"))
		size = 2 * FS_DATA_LEN;
	else if (fs_is(s, "overflow"))
		size = UINT64_MAX;
	if (req->offset > size) {
		memset(&m, 0, sizeof(m));
		m.type = MFTP_MSG_ERROR;
		m.code = MFTP_ST_INVALID;
		m.text = (char *)"offset past the end";
		fs_send(s, &m);
		return;
	}
	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_FILE;
	m.size = size;
	m.offset = req->offset;
	fs_send(s, &m);
	if (fs_is(s, "long"))
		fs_raw(s, more, 2 * FS_DATA_LEN);
	else if (req->offset < FS_DATA_LEN)
		fs_raw(s, FS_DATA + req->offset,
		    FS_DATA_LEN - (size_t)req->offset);
	if (fs_is(s, "overflow")) {
		fprintf(stderr, "fakeserver: closing in a GET's data\n");
		_exit(0);
	}
	if (fs_is(s, "slowend"))
		sleep(5);
	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_DATA_END;
	m.hash_len = digest_len(s->alg);
	digest_buf(s->alg, FS_DATA, FS_DATA_LEN, m.hash);
	fs_send(s, &m);
}

static void
fs_stat(struct fs *s, const char *path)
{
	struct msg m;
	int dir = *path == '\0' || strcmp(path, ".") == 0 ||
	    strcmp(path, "/") == 0 || strstr(path, "dir") != NULL ||
	    strstr(path, "sub") != NULL;

	memset(&m, 0, sizeof(m));
	m.type = MFTP_MSG_ATTR;
	fs_attr(dir ? MFTP_KIND_DIR : MFTP_KIND_FILE, &m.attr);
	if (fs_is(s, "slowstat")) {
		fs_trickle(s, &m);
		return;
	}
	fs_send(s, &m);
}

/* Every link leads to a target as long as a path may be. */
static void
fs_readlink(struct fs *s)
{
	static char target[MFTP_PATH_MAX];

	memset(target, 't', sizeof(target) - 1);
	if (fs_is(s, "slowlinks"))
		usleep(20 * 1000);
	fs_path(s, target);
}

/* The requests after login, answered until QUIT or the client leaves. */
static void
fs_session(struct fs *s)
{
	struct msg m;
	int e;

	for (;;) {
		memset(&m, 0, sizeof(m));
		if ((e = frame_recv_msg(s->t, s->scratch, &m)) != 0) {
			fprintf(stderr, "fakeserver: read: %s\n", err_str(e));
			return;
		}
		fprintf(stderr, "fakeserver: %s %s\n", msg_name(m.type),
		    m.path != NULL ? m.path : "");
		switch (m.type) {
		case MFTP_MSG_PWD:
			fs_path(s, "/");
			break;
		case MFTP_MSG_CWD:
			fs_path(s, m.path[0] == '/' ? m.path : "/");
			break;
		case MFTP_MSG_STAT:
			fs_stat(s, m.path);
			break;
		case MFTP_MSG_LIST:
			fs_list(s, m.path);
			break;
		case MFTP_MSG_GET:
			fs_get(s, &m);
			break;
		case MFTP_MSG_READLINK:
			fs_readlink(s);
			break;
		case MFTP_MSG_QUIT:
			fs_reply(s, MFTP_MSG_OK);
			msg_clear(&m);
			return;
		default:
			frame_send_error(s->t, s->scratch, MFTP_ST_INVALID,
			    "fakeserver: not in this scenario");
			break;
		}
		msg_clear(&m);
	}
}

/* Expect a message of type want; anything else ends the connection. */
static void
fs_expect(struct fs *s, struct msg *m, uint8_t want)
{
	int e;

	memset(m, 0, sizeof(*m));
	if ((e = frame_recv_msg(s->t, s->scratch, m)) != 0 || m->type != want) {
		fprintf(stderr, "fakeserver: expected %s: %s\n", msg_name(want),
		    e != 0 ? err_str(e) : msg_name(m->type));
		_exit(0);
	}
}

static void
fs_serve(
    int fd, SSL_CTX *ctx1, SSL_CTX *ctx2, const char *scenario, const char *bad)
{
	uint8_t psk[MFTP_PSK_LEN];
	struct fs s;
	struct msg m;
	SSL *ssl;

	memset(&s, 0, sizeof(s));
	s.scenario = scenario;
	s.bad = bad;
	s.scratch = buf_new(MFTP_FRAME_BUF);
	if ((ssl = SSL_new(ctx1)) == NULL || SSL_set_fd(ssl, fd) != 1)
		_exit(1);
	SSL_set_accept_state(ssl);
	if (tls_handshake(ssl, fd, mono_ms() + FS_TIMEOUT_MS) != 0) {
		fprintf(stderr, "fakeserver: handshake 1: %s\n", tls_error());
		_exit(0);
	}
	s.t = transport_new(fd, FS_TIMEOUT_MS);
	transport_set_tls(s.t, ssl);
	fs_expect(&s, &m, MFTP_MSG_HELLO);
	s.alg = (m.features & MFTP_FEAT_XXH128) ? DIGEST_XXH128 : DIGEST_SHA256;
	m.features &= MFTP_FEAT_XXH128 |
	    (fs_is(&s, "working") ? MFTP_FEAT_WORKING : 0) |
	    (fs_is(&s, "links") || fs_is(&s, "slowlinks") ?
		    MFTP_FEAT_CHMOD_SYMLINK :
		    0);
	m.type = MFTP_MSG_HELLO_OK;
	m.version_min = m.version_max = MFTP_PROTO_VERSION;
	free(m.text);
	m.text = strdup("fakeserver");
	fs_send(&s, &m);
	msg_clear(&m);
	fs_expect(&s, &m, MFTP_MSG_LOGIN);
	msg_clear(&m);
	if (tls_export_psk(ssl, psk) != 0)
		_exit(1);
	transport_close_notify(s.t);
	if ((ssl = SSL_new(ctx2)) == NULL || SSL_set_fd(ssl, fd) != 1)
		_exit(1);
	SSL_set_accept_state(ssl);
	tls_set_psk(ssl, psk);
	if (tls_handshake(ssl, fd, mono_ms() + FS_TIMEOUT_MS) != 0 ||
	    tls_check_psk_dhe(ssl) != 0) {
		fprintf(stderr, "fakeserver: handshake 2: %s\n", tls_error());
		_exit(0);
	}
	tls_set_psk(ssl, NULL);
	transport_set_tls(s.t, ssl);
	fs_reply(&s, MFTP_MSG_OK);
	fs_session(&s);
	transport_close_notify(s.t);
	transport_free(s.t);
	buf_free(s.scratch);
	_exit(0);
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	SSL_CTX *ctx1, *ctx2;
	pid_t pid;
	int lfd, fd, one = 1;

	if (argc != 4 && !(argc == 5 && strcmp(argv[3], "bad") == 0)) {
		fprintf(stderr, "usage: fakeserver cert key scenario [name]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	tls_init();
	if ((ctx1 = SSL_CTX_new(TLS_server_method())) == NULL ||
	    tls_ctx_common(ctx1) == -1 ||
	    SSL_CTX_use_certificate_chain_file(ctx1, argv[1]) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx1, argv[2], SSL_FILETYPE_PEM) != 1) {
		fprintf(stderr, "fakeserver: host key: %s\n", tls_error());
		return 1;
	}
	ctx2 = tls_psk_ctx(1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(lfd, 8) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &sl) == -1) {
		perror("fakeserver: listen");
		return 1;
	}
	printf("%u\n", ntohs(sin.sin_port));
	fflush(stdout);
	/* One connection at a time: each in a child, waited for. */
	for (;;) {
		if ((fd = accept(lfd, NULL, NULL)) == -1) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if ((pid = fork()) == 0) {
			close(lfd);
			fs_serve(fd, ctx1, ctx2, argv[3], argv[4]);
		}
		close(fd);
		if (pid > 0)
			while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
				;
	}
}
