/*
 * rpc_tls.c: the client's two TLS handshakes and the check of the
 * server's identity.
 *
 * Runs as: the user, in mftp.  The first handshake is checked against
 * the user's pins (known_hosts, trust on first use, as ssh does) or, for
 * a key no pin names, a certificate chain to the system's CAs that
 * matches the host name.  Only then is anything sent inside it: the
 * password goes out only to a server whose key was vouched for.  After
 * a good LOGIN the server closes that session and the client starts a
 * second one keyed by the secret both exported from the first (external
 * PSK with X25519: fresh keys, and proof it is the same server).
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <readpassphrase.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "err.h"
#include "frame.h"
#include "known_hosts.h"
#include "log.h"
#include "proto.h"
#include "rpc_int.h"
#include "tls.h"
#include "transport.h"
#include "util.h"

static SSL_CTX *
rpc_tls_ctx(int second)
{
	static SSL_CTX *first_ctx, *second_ctx;

	if (second) {
		if (second_ctx == NULL)
			second_ctx = tls_psk_ctx(0);
		return second_ctx;
	}
	if (first_ctx == NULL) {
		tls_init_client(); /* the first use of libcrypto */
		if ((first_ctx = SSL_CTX_new(TLS_client_method())) == NULL)
			fatalx("TLS context: %s", tls_error());
		if (tls_ctx_common(first_ctx) == -1)
			fatalx("TLS settings: %s", tls_error());
		/*
		 * The key is checked after the handshake: against the pins,
		 * and only for a key no pin names against the system's CAs
		 * (rpc_tls_ca_ok), whose store costs more to load than the
		 * whole rest of a connection.
		 */
		SSL_CTX_set_verify(first_ctx, SSL_VERIFY_NONE, NULL);
	}
	return first_ctx;
}

/*
 * The server answered our ClientHello in clear: one protocol-1 frame.
 * Our own servers do that only to refuse a connection over their
 * limits; anything else is a server that predates TLS.  Either way the
 * message is unauthenticated: it is shown, and nothing is sent.
 */
static int
rpc_tls_plain_answer(struct rpc *r)
{
	const char *text;
	int e;

	e = frame_recv_msg(r->t, r->scratch, &r->m);
	text = e == 0 && r->m.text != NULL ? r->m.text : "";
	if (e == 0 && r->m.type == MFTP_MSG_ERROR && r->m.code == MFTP_ST_BUSY)
		return rpc_lose(r, MFTP_ST_BUSY, "%s", text);
	return rpc_lose(r, MFTP_ST_VERSION,
	    "the server answered without TLS: it speaks mftp protocol 1, "
	    "and this client requires protocol 2 (TLS); upgrade the "
	    "server%s%s%s",
	    *text != '\0' ? " (it said: " : "", text, *text != '\0' ? ")" : "");
}

/*
 * The server's first bytes start no TLS record: not an mftp server (an
 * SSH server's banner, an HTTP server's error page).  Its first line,
 * what of it has come, says what it is; rpc_lose makes it harmless.
 */
static int
rpc_tls_not_tls(struct rpc *r, const char *host, const char *port)
{
	char got[80];
	ssize_t n;
	size_t len;

	n = recv(transport_fd(r->t), got, sizeof(got) - 1, MSG_DONTWAIT);
	got[n > 0 ? n : 0] = '\0';
	/* Up to a line's end (or a NUL, which ends the text too). */
	len = strcspn(got, "\r\n");
	if (len == 0)
		return rpc_lose(r, 0,
		    "%s port %s is not an mftp server: it answered "
		    "without TLS",
		    host, port);
	return rpc_lose(r, 0,
	    "%s port %s is not an mftp server: it answered \"%.*s\" "
	    "without TLS",
	    host, port, (int)len, got);
}

/* The peer's numeric address, for the first-connect question. */
static void
rpc_tls_peer_addr(int fd, char *out, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == -1 ||
	    getnameinfo((struct sockaddr *)&ss, sl, out, (socklen_t)len, NULL,
		0, NI_NUMERICHOST) != 0)
		strlcpy(out, "unknown address", len);
}

/*
 * Ask, as ssh does; 1 to trust and pin the key, 0 to refuse.  The whole
 * question, host and fingerprint included, goes where the answer comes
 * from (the terminal), as ssh's does: not to the standard error, which
 * may be a file.  Blanks around the answer do not count; an empty line
 * or the end of input (Ctrl-D) is "no", as with ssh, never a question
 * asked again.
 */
static int
rpc_tls_ask(struct rpc *r, const char *host, const char *port)
{
	char addr[NI_MAXHOST], answer[128], *a, *question;
	const char *prompt;
	size_t n;
	int ok = -1;

	rpc_tls_peer_addr(transport_fd(r->t), addr, sizeof(addr));
	xasprintf(&question,
	    "The authenticity of host '%s (%s)' port %s can't be "
	    "established.\n"
	    "Its key fingerprint is %s.\n"
	    "Are you sure you want to continue connecting "
	    "(yes/no/[fingerprint])? ",
	    host, addr, port, r->fp);
	for (prompt = question; ok == -1;
	     prompt = "Please type 'yes', 'no' or the fingerprint: ") {
		if (readpassphrase(prompt, answer, sizeof(answer),
			RPP_ECHO_ON | RPP_REQUIRE_TTY) == NULL) {
			ok = 0;
			break;
		}
		a = answer + strspn(answer, " \t");
		for (n = strlen(a);
		     n > 0 && (a[n - 1] == ' ' || a[n - 1] == '\t');)
			a[--n] = '\0';
		if (strcasecmp(a, "yes") == 0 || strcmp(a, r->fp) == 0)
			ok = 1;
		else if (*a == '\0' || strcasecmp(a, "no") == 0)
			ok = 0;
		else if (strncmp(a, "SHA256:", 7) == 0) {
			fprintf(
			    stderr, "That fingerprint is not this server's.\n");
			ok = 0;
		}
	}
	free(question);
	return ok;
}

/* Line line of the pins holds old for host and port, not this key. */
static int
rpc_tls_changed(struct rpc *r, const char *host, const char *port,
    const struct rpc_trust *trust, size_t line, const char *old)
{
	return rpc_lose(r, 0,
	    "WARNING: the key of %s port %s has CHANGED: line %zu "
	    "of %s pins %s, the server presents %s. Someone may be "
	    "intercepting the connection, or the server's key was "
	    "replaced; nothing was sent. If the change is expected, "
	    "remove line %zu of %s and connect again",
	    host, port, line, trust->known_hosts, old, r->fp, line,
	    trust->known_hosts);
}

/* A key no pin and no CA vouches for: the trust policy decides. */
static int
rpc_tls_unknown(struct rpc *r, const char *host, const char *port,
    const struct rpc_trust *trust)
{
	char err[512], old[TLS_FP_LEN + 16];
	size_t line = 0;
	int kh;

	switch (trust->strict) {
	case RPC_STRICT_YES:
		return rpc_lose(r, 0,
		    "the key of %s port %s is not known (%s) and "
		    "StrictHostKeyChecking=yes; nothing was sent",
		    host, port, r->fp);
	case RPC_STRICT_ASK:
		if (!trust->interactive)
			return rpc_lose(r, 0,
			    "the key of %s port %s is not known (%s); "
			    "batch mode does not ask: compare it with "
			    "'mftpd --fingerprint' on the server, then "
			    "connect once interactively or give "
			    "-o StrictHostKeyChecking=accept-new",
			    host, port, r->fp);
		if (!rpc_tls_ask(r, host, port))
			return rpc_lose(r, 0,
			    "host key verification failed; nothing was "
			    "sent");
		break;
	case RPC_STRICT_ACCEPT_NEW:
	case RPC_STRICT_NO:
		break;
	}
	/* Another client may have pinned a key while this one asked. */
	kh = known_hosts_add(trust->known_hosts, host, port, r->fp, &line, old,
	    sizeof(old), err, sizeof(err));
	if (kh == -1)
		return rpc_lose(r, 0, "cannot pin the server's key: %s", err);
	if (kh == KNOWN_HOSTS_MISMATCH)
		return rpc_tls_changed(r, host, port, trust, line, old);
	if (!trust->quiet)
		fprintf(stderr,
		    "Permanently added the key of %s port %s (%s) to %s.\n",
		    host, port, r->fp, trust->known_hosts);
	r->vouched = "pinned now";
	return RPC_OK;
}

/*
 * Whether host is an address rather than a name: an IPv4 or IPv6
 * address, the latter perhaps with a zone (fe80::1%eth0), which
 * getaddrinfo takes but inet_pton does not.  The address without its
 * zone goes to addr.
 */
static int
rpc_tls_addr(const char *host, char *addr, size_t len)
{
	unsigned char ip[16];
	size_t n = strcspn(host, "%");

	if (n >= len)
		return 0;
	memcpy(addr, host, n);
	addr[n] = '\0';
	return inet_pton(AF_INET, addr, ip) == 1 ||
	    inet_pton(AF_INET6, addr, ip) == 1;
}

/*
 * CA mode: the server's chain leads to one of the system's CAs and its
 * certificate names host (a DNS name, or the address typed).
 */
static int
rpc_tls_ca_ok(SSL *ssl, const char *host)
{
	X509 *leaf = SSL_get0_peer_certificate(ssl);
	X509_STORE_CTX *sctx = NULL;
	X509_VERIFY_PARAM *param;
	X509_STORE *store;
	char addr[INET6_ADDRSTRLEN];
	int ok = 0;

	if (leaf == NULL || (store = X509_STORE_new()) == NULL)
		return 0;
	if (X509_STORE_set_default_paths(store) != 1 ||
	    (sctx = X509_STORE_CTX_new()) == NULL ||
	    X509_STORE_CTX_init(
		sctx, store, leaf, SSL_get_peer_cert_chain(ssl)) != 1)
		goto out;
	param = X509_STORE_CTX_get0_param(sctx);
	X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
	if (rpc_tls_addr(host, addr, sizeof(addr)))
		ok = X509_VERIFY_PARAM_set1_ip_asc(param, addr) == 1;
	else
		ok = X509_VERIFY_PARAM_set1_host(param, host, 0) == 1;
	ok = ok && X509_verify_cert(sctx) == 1;
out:
	X509_STORE_CTX_free(sctx);
	X509_STORE_free(store);
	ERR_clear_error();
	return ok;
}

static int
rpc_tls_verify(struct rpc *r, SSL *ssl, const char *host, const char *port,
    const struct rpc_trust *trust)
{
	char old[TLS_FP_LEN + 16], err[512];
	X509 *cert = SSL_get0_peer_certificate(ssl);
	size_t line = 0;
	int kh;

	if (cert == NULL || tls_fingerprint(cert, r->fp) != 0)
		return rpc_lose(r, 0, "the server sent no usable certificate");
	/* A reconnect: the key of the first connection is good again. */
	if (trust->expect_fp != NULL && strcmp(r->fp, trust->expect_fp) == 0) {
		r->vouched = "checked at the first connection";
		return RPC_OK;
	}
	kh = known_hosts_check_file(trust->known_hosts, host, port, r->fp,
	    &line, old, sizeof(old), err, sizeof(err));
	if (kh == -1)
		return rpc_lose(r, 0, "%s", err);
	if (kh == KNOWN_HOSTS_MATCH) {
		r->vouched = "pinned";
		return RPC_OK;
	}
	if (kh == KNOWN_HOSTS_MISMATCH)
		return rpc_tls_changed(r, host, port, trust, line, old);
	/* CA mode: a chain to the system's CAs for this host name. */
	if (rpc_tls_ca_ok(ssl, host)) {
		r->vouched = "CA-verified";
		return RPC_OK;
	}
	/*
	 * A reconnect takes another key only as a pin or a CA vouches for
	 * it: the policy (accept-new, no) took the first one because no
	 * one vouched for it, and it cannot vouch for a second.
	 */
	if (trust->expect_fp != NULL)
		return rpc_lose(r, 0,
		    "the key of %s port %s is not the one the first "
		    "connection checked (%s): it presents %s, which no pin "
		    "and no CA vouches for; nothing was sent",
		    host, port, trust->expect_fp, r->fp);
	return rpc_tls_unknown(r, host, port, trust);
}

/*
 * SNI, for a DNS name only: the name the server is asked to answer for.
 * RFC 6066 forbids an address there, and an IPv6 address with its zone
 * (fe80::1%eth0) is one too.
 */
static void
rpc_tls_set_host(SSL *ssl, const char *host)
{
	char addr[INET6_ADDRSTRLEN];

	if (!rpc_tls_addr(host, addr, sizeof(addr)))
		(void)SSL_set_tlsext_host_name(ssl, host);
}

/* A failed handshake, in words. */
static int
rpc_tls_failed(struct rpc *r, int e, const char *which)
{
	if (e == ERR_TLS)
		return rpc_lose(r, 0, "TLS %s failed: %s", which, tls_error());
	return rpc_lose_err(r, e, which);
}

int
rpc_tls_start(struct rpc *r, const char *host, const char *port,
    const struct rpc_trust *trust, int timeout_ms)
{
	uint64_t deadline = mono_ms() + (uint64_t)timeout_ms;
	int fd = transport_fd(r->t), e, plain;
	SSL *ssl;

	if ((ssl = SSL_new(rpc_tls_ctx(0))) == NULL)
		fatalx("SSL_new: %s", tls_error());
	rpc_tls_set_host(ssl, host);
	e = tls_connect(ssl, fd, deadline, &plain);
	if (e == 0 && plain) {
		SSL_free(ssl);
		return rpc_tls_plain_answer(r);
	}
	if (e == ERR_NOT_TLS) {
		SSL_free(ssl);
		return rpc_tls_not_tls(r, host, port);
	}
	if (e != 0) {
		SSL_free(ssl);
		return rpc_tls_failed(r, e, "handshake");
	}
	transport_set_tls(r->t, ssl);
	if (tls_export_psk(ssl, r->psk) != 0)
		return rpc_lose(r, 0, "TLS: %s", tls_error());
	return rpc_tls_verify(r, ssl, host, port, trust);
}

void
rpc_tls_prepare(void)
{
	(void)rpc_tls_ctx(1);
}

int
rpc_tls_resume(struct rpc *r)
{
	int fd = transport_fd(r->t), e;
	SSL *ssl;

	if ((ssl = SSL_new(rpc_tls_ctx(1))) == NULL || SSL_set_fd(ssl, fd) != 1)
		fatalx("SSL_new: %s", tls_error());
	SSL_set_connect_state(ssl);
	/* The last session on this connection: reading ahead is safe. */
	SSL_set_read_ahead(ssl, 1);
	tls_set_psk(ssl, r->psk);
	e = tls_handshake(ssl, fd, mono_ms() + rpc_io_timeout_ms);
	if (e == 0 && tls_check_psk_dhe(ssl) != 0)
		e = ERR_TLS;
	tls_set_psk(ssl, NULL);
	explicit_bzero(r->psk, sizeof(r->psk));
	/* The first session is over; its object goes, with no alert. */
	transport_set_tls(r->t, ssl);
	if (e != 0)
		return rpc_tls_failed(r, e, "handshake after login");
	tls_read_ahead(ssl);
	return RPC_OK;
}

const char *
rpc_server_key(const struct rpc *r)
{
	return r->fp;
}

const char *
rpc_tls_info(struct rpc *r)
{
	char desc[128];
	SSL *ssl = transport_tls(r->t);

	if (ssl == NULL)
		return "no TLS";
	tls_describe(ssl, desc, sizeof(desc));
	snprintf(r->info, sizeof(r->info), "%s, server key %s (%s)", desc,
	    r->fp, r->vouched != NULL ? r->vouched : "unchecked");
	return r->info;
}
