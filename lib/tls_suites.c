/*
 * tls_suites.c: which of the two TLS 1.3 suites the server prefers,
 * measured on the CPU it runs on.
 *
 * Without kTLS every byte of a transfer is sealed and opened in user
 * space, and that is a third of the serving process's CPU in a download.
 * Which AEAD is faster depends on the CPU, not on the program: on one
 * machine of the reference kind ChaCha20-Poly1305 ran 3.9 GB/s against
 * AES-128-GCM's 2.8; on another, with VAES, AES-128-GCM ran 5.8 against
 * ChaCha20-Poly1305's 3.7 (openssl speed -evp, 16 KiB blocks), and a
 * 1 GiB download to /dev/null took 0.82-1.01 s in AES-128-GCM against
 * 1.10-1.22 s in ChaCha20-Poly1305, with 22% less CPU on the server and
 * 32% less on the client.  So the master times both on 16 KiB records
 * at its start (about a millisecond, in thread CPU time so that a busy
 * machine does not decide it) and puts the faster first; the server's
 * order decides (SSL_OP_CIPHER_SERVER_PREFERENCE).  Both use SHA-256,
 * which the second handshake's PSK needs.
 *
 * Runs in: mftpd's master, once, before its TLS contexts are made; the
 * processes the master forks use the order it chose.  The client offers
 * the default order, or the suites its user named (-o Ciphers).
 */
#include <sys/types.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "tls.h"

/* Timed in rounds of this many records, each cipher in turn. */
#define TLS_SUITES_RECORD 16384
#define TLS_SUITES_RECORDS 16
#define TLS_SUITES_ROUNDS 3

static const struct {
	const char *suite;
	const char *cipher; /* OpenSSL's name for the AEAD */
	const char *name;   /* the client's (-o Ciphers), as OpenSSH's */
} tls_suite_list[2] = {
	{ "TLS_CHACHA20_POLY1305_SHA256", "ChaCha20-Poly1305",
	    "chacha20-poly1305" },
	{ "TLS_AES_128_GCM_SHA256", "AES-128-GCM", "aes128-gcm" },
};

/* Until tls_suites_measure: the order the client offers too. */
static const char *tls_suites_chosen = TLS_SUITES_DEFAULT;

const char *
tls_suites(void)
{
	return tls_suites_chosen;
}

int
tls_suites_parse(const char *names, char *out, size_t len)
{
	char list[sizeof(TLS_SUITES_DEFAULT)] = "";
	const char *p = names, *end;
	size_t n, i, count = 0;
	int taken[2] = { 0, 0 };

	for (;;) {
		end = strchr(p, ',');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		for (i = 0; i < 2; i++)
			if (strlen(tls_suite_list[i].name) == n &&
			    strncasecmp(p, tls_suite_list[i].name, n) == 0)
				break;
		/* Unknown, empty, or named twice. */
		if (i == 2 || taken[i])
			return -1;
		taken[i] = 1;
		if (count++ > 0)
			strlcat(list, ":", sizeof(list));
		strlcat(list, tls_suite_list[i].suite, sizeof(list));
		if (end == NULL)
			break;
		p = end + 1;
	}
	if (strlcpy(out, list, len) >= len)
		return -1;
	return 0;
}

int
tls_suites_choose(const char *names)
{
	static char chosen[sizeof(TLS_SUITES_DEFAULT)];
	char list[sizeof(chosen)];

	if (tls_suites_parse(names, list, sizeof(list)) == -1)
		return -1;
	memcpy(chosen, list, sizeof(chosen));
	tls_suites_chosen = chosen;
	return 0;
}

const char *
tls_suites_order(double chacha_bps, double aes_bps)
{
	/* On a tie, or where one could not be timed, the default. */
	return aes_bps > chacha_bps ?
	    "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256" :
	    TLS_SUITES_DEFAULT;
}

static uint64_t
tls_suites_cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == -1)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * One round: TLS_SUITES_RECORDS records sealed as TLS seals them (a
 * fresh nonce each, the tag taken).  Its thread CPU time in ns, or 0.
 */
static uint64_t
tls_suites_round(EVP_CIPHER_CTX *c, const EVP_CIPHER *cipher,
    const uint8_t *key, uint8_t *iv, uint8_t *buf)
{
	uint8_t tag[16];
	uint64_t t0, t1;
	int i, n;

	if (EVP_EncryptInit_ex(c, cipher, NULL, key, NULL) != 1)
		return 0;
	t0 = tls_suites_cpu_ns();
	for (i = 0; i < TLS_SUITES_RECORDS; i++) {
		/* As libssl does per record: the key stays, the nonce moves. */
		iv[0] = (uint8_t)i;
		if (EVP_EncryptInit_ex(c, NULL, NULL, NULL, iv) != 1 ||
		    EVP_EncryptUpdate(c, buf, &n, buf, TLS_SUITES_RECORD) !=
			1 ||
		    EVP_EncryptFinal_ex(c, buf + n, &n) != 1 ||
		    EVP_CIPHER_CTX_ctrl(
			c, EVP_CTRL_AEAD_GET_TAG, sizeof(tag), tag) != 1)
			return 0;
	}
	t1 = tls_suites_cpu_ns();
	return t1 > t0 ? t1 - t0 : 0;
}

void
tls_suites_measure(struct tls_suites_rates *r)
{
	static uint8_t buf[TLS_SUITES_RECORD + 16];
	EVP_CIPHER *cipher[2] = { NULL, NULL };
	EVP_CIPHER_CTX *c;
	uint8_t key[32], iv[12];
	uint64_t best[2] = { 0, 0 }, t;
	int k, round;

	memset(r, 0, sizeof(*r));
	if ((c = EVP_CIPHER_CTX_new()) == NULL ||
	    RAND_bytes(key, sizeof(key)) != 1 ||
	    RAND_bytes(iv, sizeof(iv)) != 1)
		goto out;
	for (k = 0; k < 2; k++)
		if ((cipher[k] = EVP_CIPHER_fetch(
			 NULL, tls_suite_list[k].cipher, NULL)) == NULL ||
		    tls_suites_round(c, cipher[k], key, iv, buf) == 0)
			goto out; /* and warmed up: fetched, buffer touched */
	/* In turn, the fastest round of each: what the CPU can do. */
	for (round = 0; round < TLS_SUITES_ROUNDS; round++)
		for (k = 0; k < 2; k++) {
			t = tls_suites_round(c, cipher[k], key, iv, buf);
			if (t != 0 && (best[k] == 0 || t < best[k]))
				best[k] = t;
		}
	if (best[0] != 0 && best[1] != 0) {
		r->chacha_bps = (double)TLS_SUITES_RECORD * TLS_SUITES_RECORDS *
		    1e9 / (double)best[0];
		r->aes_bps = (double)TLS_SUITES_RECORD * TLS_SUITES_RECORDS *
		    1e9 / (double)best[1];
		tls_suites_chosen = tls_suites_order(r->chacha_bps, r->aes_bps);
	}
out:
	OPENSSL_cleanse(key, sizeof(key));
	EVP_CIPHER_free(cipher[0]);
	EVP_CIPHER_free(cipher[1]);
	EVP_CIPHER_CTX_free(c);
}

void
tls_suites_describe(const struct tls_suites_rates *r, char *out, size_t len)
{
	const char *order = tls_suites();
	size_t first = strcspn(order, ":");

	if (r->chacha_bps <= 0 || r->aes_bps <= 0) {
		snprintf(out, len,
		    "%.*s first (the default: the ciphers "
		    "could not be timed)",
		    (int)first, order);
		return;
	}
	snprintf(out, len,
	    "%.*s first (measured: AES-128-GCM %.1f GB/s, "
	    "ChaCha20-Poly1305 %.1f GB/s)",
	    (int)first, order, r->aes_bps / 1e9, r->chacha_bps / 1e9);
}
