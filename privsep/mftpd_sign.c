/*
 * mftpd_sign.c: mftpd-sign, the only process that holds the host's
 * private key while a connection is open.
 *
 * Runs as: root, fork+exec'ed by the master ahead of the next connection
 * (daemon/spare_signer.c) or by the per-connection monitor, one run per
 * connection.  It loads the key as root, drops to the pre-auth user (not
 * dumpable, so a worker of that same user cannot read its memory), signs
 * at most one TLS handshake digest for the pre-auth worker and exits.
 * The worker thus gets one signature per connection, over a digest of
 * its choosing (nothing here can tell a handshake's from another), never
 * the key (OpenSSH's monitor signs for its pre-auth child the same way).
 *
 *   fd 0: SOCK_SEQPACKET to the pre-auth worker: one SIGN_REQUEST in,
 *         one SIGNATURE out.
 *
 * The master passes the key file it opened and checked (-k 3: what
 * each signer reads is that file, though another be put at its path)
 * and the fingerprint of the certificate it serves (-p): a key that is
 * not that certificate's is refused, exit HELPER_SIGN_STALE_KEY.
 *
 * "mftpd-sign -c CERT KEY" only checks that KEY is CERT's private key and
 * prints the fingerprint; mftpd runs it at start and on reload.
 */
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "drop.h"
#include "err.h"
#include "helper_args.h"
#include "helper_spawn.h"
#include "hostkey.h"
#include "log.h"
#include "privsep_msg.h"
#include "sandbox.h"
#include "tls_crypto.h"
#include "util.h"

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr,
	    "usage: mftpd-sign [-e] [-k 3] [-p fingerprint] [-t seconds] "
	    "key-file uid gid\n"
	    "       mftpd-sign -c [-k 3] [-p fingerprint] cert-file "
	    "key-file\n"
	    "(started by mftpd; -c checks a key pair)\n");
	exit(2);
}

/* The key: from the descriptor mftpd opened (-k), or the file. */
static EVP_PKEY *
load_key(const struct helper_args *a, char *err, size_t errlen)
{
	if (a->key_fd != -1)
		return hostkey_load_private_fd(a->key_fd, a->file, err, errlen);
	return hostkey_load_private(a->file, err, errlen);
}

/*
 * -p: whether key is the half of the certificate mftpd serves.  The
 * fingerprint of key's public half in keyfp.
 */
static int
key_matches(const struct helper_args *a, EVP_PKEY *key, char keyfp[TLS_FP_LEN])
{
	if (hostkey_fingerprint(key, keyfp) != 0)
		strlcpy(keyfp, "(none)", TLS_FP_LEN);
	return a->fingerprint == NULL || strcmp(keyfp, a->fingerprint) == 0;
}

/* -c: is the pair usable?  Prints the fingerprint; exit 0 or 1. */
static int
check_pair(const struct helper_args *a)
{
	const char *cert_path = a->cert, *key_path = a->file;
	char err[512], fp[TLS_FP_LEN], keyfp[TLS_FP_LEN];
	EVP_PKEY *key;
	X509 *cert;
	int r = 1;

	if ((cert = hostkey_load_cert(cert_path, err, sizeof(err))) == NULL ||
	    (key = load_key(a, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mftpd-sign: %s\n", err);
		X509_free(cert);
		return 1;
	}
	/*
	 * The certificate on disk is still the one mftpd loaded: the key
	 * is simply not its key.  Another one: the pair changed meanwhile.
	 */
	if (!key_matches(a, key, keyfp) && tls_fingerprint(cert, fp) == 0 &&
	    strcmp(fp, a->fingerprint) == 0)
		fprintf(stderr,
		    "mftpd-sign: host_key %s (%s) is not the key of "
		    "host_cert %s (%s): give the key the certificate was "
		    "made for\n",
		    key_path, keyfp, cert_path, fp);
	else if (!key_matches(a, key, keyfp))
		fprintf(stderr,
		    "mftpd-sign: %s (%s) is not the key of the certificate "
		    "mftpd loaded (%s): was the pair changed meanwhile?\n",
		    key_path, keyfp, a->fingerprint);
	else if (hostkey_check_pair(key, cert, err, sizeof(err)) != 0)
		fprintf(stderr, "mftpd-sign: %s and %s: %s\n", key_path,
		    cert_path, err);
	else if (tls_fingerprint(cert, fp) != 0)
		fprintf(stderr, "mftpd-sign: cannot hash the public key\n");
	else {
		printf("%s\n", fp);
		r = 0;
	}
	EVP_PKEY_free(key);
	X509_free(cert);
	return r;
}

/*
 * A context ready to sign with key, warmed by one signature of a random
 * digest that is thrown away.  A process's first signature is far
 * slower than the next ones: libcrypto looks up the ECDSA implementation
 * and seeds its random generator (for the nonce) then.  A spare signer
 * waits long before its request, so that first one is made while it
 * waits, not while the client waits for the handshake.  Nothing about
 * the key is learnt from a signature nobody sees.
 */
static EVP_PKEY_CTX *
sign_ready(EVP_PKEY *key)
{
	uint8_t dgst[32], sig[MFTP_SIG_MAX];
	size_t siglen = sizeof(sig);
	EVP_PKEY_CTX *ctx;

	/*
	 * No message digest is set: what arrives is already the TLS
	 * handshake's hash, and ECDSA signs it as it is.
	 */
	if ((ctx = EVP_PKEY_CTX_new(key, NULL)) == NULL ||
	    EVP_PKEY_sign_init(ctx) != 1 ||
	    RAND_bytes(dgst, sizeof(dgst)) != 1 ||
	    EVP_PKEY_sign(ctx, sig, &siglen, dgst, sizeof(dgst)) != 1)
		fatalx("signing: %s", tls_error());
	explicit_bzero(sig, sizeof(sig));
	return ctx;
}

/* Sign one digest: the DER ECDSA signature's length, or fatal. */
static size_t
sign_digest(EVP_PKEY_CTX *ctx, const uint8_t *dgst, size_t dlen,
    uint8_t sig[MFTP_SIG_MAX])
{
	size_t siglen = MFTP_SIG_MAX;

	if (EVP_PKEY_sign(ctx, sig, &siglen, dgst, dlen) != 1)
		fatalx("signing: %s", tls_error());
	return siglen;
}

int
main(int argc, char *argv[])
{
	uint8_t dgst[MFTP_DIGEST_MAX], sig[MFTP_SIG_MAX];
	struct helper_args a;
	char err[512], keyfp[TLS_FP_LEN];
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *key;
	size_t dlen, slen;
	int r;

	helper_args_parse(argc, argv, "cek:p:t:", "mftpd-sign", usage, &a);
	if (a.check)
		return check_pair(&a);

	tls_init_crypto();
	if ((key = load_key(&a, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	if (a.key_fd != -1)
		close(a.key_fd);
	/*
	 * The key file was replaced in place since mftpd loaded the
	 * certificate: a signature by this key would fail every
	 * handshake, so none is made.
	 */
	if (!key_matches(&a, key, keyfp)) {
		log_warnx("the host key on disk no longer matches the "
			  "certificate mftpd loaded (%s is %s, the "
			  "certificate's key %s); reload mftpd (systemctl "
			  "reload mftpd) to use the new pair",
		    a.file, keyfp, a.fingerprint);
		EVP_PKEY_free(key);
		exit(HELPER_SIGN_STALE_KEY);
	}
	ctx = sign_ready(key);
	/* Not dumpable from here: P, of the same uid, cannot trace it. */
	drop_user(a.uid, a.gid);
	sandbox_sign();

	/* From here on the input comes from the pre-auth worker. */
	r = privsep_recv_sign_request(STDIN_FILENO, a.timeout_ms, dgst, &dlen);
	if (r == ERR_EOF || r == ERR_TIMEOUT) {
		EVP_PKEY_CTX_free(ctx);
		EVP_PKEY_free(key);
		return 0; /* the connection ended before its handshake */
	}
	if (r != 0)
		fatalx("bad request from the pre-auth worker: %s", err_str(r));
	slen = sign_digest(ctx, dgst, dlen, sig);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(key);
	if (privsep_send_signature(STDIN_FILENO, sig, slen) == -1)
		fatal("answering the pre-auth worker");
	return 0;
}
