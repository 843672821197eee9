/*
 * test_tls_psk.c: the second handshake (lib/tls.c's PSK contexts) over a
 * socket pair, the server end in a child process.  It agrees on fresh
 * X25519 keys when both ends share the PSK; a wrong PSK fails; and a
 * client that offers the PSK without Diffie-Hellman (psk_ke, with no
 * group the server takes) is refused, where a server that allowed
 * psk_ke would have completed it without fresh keys, which
 * tls_check_psk_dhe then rejects (DESIGN.md §1a, MUST 3).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/ssl.h>

#include "err.h"
#include "tls.h"
#include "util.h"

#define DEADLINE_MS 10000

static const uint8_t psk_a[MFTP_PSK_LEN] = { 1, 2, 3, 4, 5 };
static const uint8_t psk_b[MFTP_PSK_LEN] = { 9, 9, 9 };
/* The client's groups, when a test sets them; else the contexts' own. */
static const char *client_groups;

/* How the server end is set up. */
struct server_way {
	const uint8_t *psk;
	int allow_no_dhe; /* a server that would take psk_ke */
};

/*
 * The server end, in a child: handshake, then exit 0 when the session
 * has fresh keys (tls_check_psk_dhe), 1 when the handshake failed, 2
 * when it completed without them.
 */
static void __attribute__((noreturn)) serve(int fd, const struct server_way *w)
{
	SSL_CTX *ctx = tls_psk_ctx(1);
	SSL *ssl;

	if (w->allow_no_dhe)
		SSL_CTX_set_options(ctx, SSL_OP_ALLOW_NO_DHE_KEX);
	if ((ssl = SSL_new(ctx)) == NULL || SSL_set_fd(ssl, fd) != 1)
		_exit(3);
	SSL_set_accept_state(ssl);
	tls_set_psk(ssl, w->psk);
	if (tls_handshake(ssl, fd, mono_ms() + DEADLINE_MS) != 0)
		_exit(1);
	_exit(tls_check_psk_dhe(ssl) == 0 ? 0 : 2);
}

/*
 * One handshake: the client end here, with psk; psk_ke_only makes it a
 * client that can only do PSK without DHE (it allows psk_ke, and its
 * only group is one the server does not take).  *client_fresh: the
 * client's tls_check_psk_dhe passed.  Returns the server's exit status
 * (see serve) and sets *client_ok to the client's handshake result.
 */
static int
handshake(const struct server_way *w, const uint8_t *psk, int psk_ke_only,
    int *client_ok, int *client_fresh)
{
	SSL_CTX *ctx;
	SSL *ssl;
	pid_t pid;
	int sv[2], status;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		close(sv[0]);
		serve(sv[1], w);
	}
	close(sv[1]);
	ctx = tls_psk_ctx(0);
	if (psk_ke_only) {
		SSL_CTX_set_options(ctx, SSL_OP_ALLOW_NO_DHE_KEX);
		assert_int_equal(SSL_CTX_set1_groups_list(ctx, "P-384"), 1);
	}
	if (client_groups != NULL)
		assert_int_equal(
		    SSL_CTX_set1_groups_list(ctx, client_groups), 1);
	ssl = SSL_new(ctx);
	assert_non_null(ssl);
	assert_int_equal(SSL_set_fd(ssl, sv[0]), 1);
	SSL_set_connect_state(ssl);
	tls_set_psk(ssl, psk);
	*client_ok = tls_handshake(ssl, sv[0], mono_ms() + DEADLINE_MS) == 0;
	*client_fresh = *client_ok && tls_check_psk_dhe(ssl) == 0;
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(sv[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void
test_psk_dhe(void **state)
{
	const struct server_way w = { psk_a, 0 };
	int ok, fresh;

	(void)state;
	assert_int_equal(handshake(&w, psk_a, 0, &ok, &fresh), 0);
	assert_true(ok);
	assert_true(fresh);
}

static void
test_wrong_psk(void **state)
{
	const struct server_way w = { psk_a, 0 };
	int ok, fresh;

	(void)state;
	assert_int_equal(handshake(&w, psk_b, 0, &ok, &fresh), 1);
	assert_false(ok);
}

static void
test_psk_ke_refused(void **state)
{
	const struct server_way ours = { psk_a, 0 };
	const struct server_way lax = { psk_a, 1 };
	int ok, fresh;

	(void)state;
	/* The server as mftpd sets it up: no handshake at all. */
	assert_int_equal(handshake(&ours, psk_a, 1, &ok, &fresh), 1);
	assert_false(ok);
	/*
	 * The control: the same client against a server that allowed
	 * psk_ke completes a handshake with no key exchange, which both
	 * ends' check refuses.
	 */
	assert_int_equal(handshake(&lax, psk_a, 1, &ok, &fresh), 2);
	assert_true(ok);
	assert_false(fresh);
}

/*
 * A client whose first key share is a group the server does not take
 * (P-384) gets a HelloRetryRequest for X25519, and offers the PSK again
 * in its second ClientHello: the handshake completes, with fresh keys.
 * libssl hands the PSK callback a fetched SHA-256 then, not the object
 * EVP_sha256() returns.
 */
static void
test_psk_after_retry(void **state)
{
	const struct server_way w = { psk_a, 0 };
	int ok, fresh, status;

	(void)state;
	client_groups = "P-384:X25519";
	status = handshake(&w, psk_a, 0, &ok, &fresh);
	client_groups = NULL;
	assert_int_equal(status, 0);
	assert_true(ok);
	assert_true(fresh);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_psk_dhe),
		cmocka_unit_test(test_wrong_psk),
		cmocka_unit_test(test_psk_ke_refused),
		cmocka_unit_test(test_psk_after_retry),
	};

	tls_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
