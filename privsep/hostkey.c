/*
 * hostkey.c: loading, checking and making the server's TLS key pair.
 *
 * Runs as: root, in mftpd-sign (before it drops to the pre-auth user) and
 * in mftpd's one-shot commands.  Of the daemon's long-lived processes
 * only the master calls into this file, to open the key file for its
 * signers (hostkey_open_key), whose contents it never reads: no process
 * that reads network bytes holds the private key (DESIGN.md §1a).
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "hostkey.h"
#include "tls_crypto.h"

/* The largest key file read: a PEM EC key is some hundred bytes. */
#define HOSTKEY_FILE_MAX (64 * 1024)

/*
 * An open key or certificate file: a regular file and, for the key
 * (secret), owned by root and readable by no one else.  Checked on the
 * descriptor, so that what was checked is what is read.
 */
static int
hostkey_check_fd(int fd, const char *path, int secret, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		return -1;
	}
	if (secret && (st.st_uid != 0 || (st.st_mode & 077) != 0)) {
		snprintf(err, errlen,
		    "%s must be owned by root and readable by root only "
		    "(chmod 600)",
		    path);
		return -1;
	}
	return 0;
}

/*
 * Symbolic links are followed: certbot's live/NAME/privkey.pem and
 * fullchain.pem are links into its archive, and the configuration
 * names them.  What the checks above look at is the file reached, once
 * open.  O_NONBLOCK: the open of a FIFO put at the path would wait for
 * a writer, in the master on a reload; a regular file reads the same.
 */
static int
hostkey_open_fd(const char *path, int secret, char *err, size_t errlen)
{
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (hostkey_check_fd(fd, path, secret, err, errlen) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

FILE *
hostkey_open(const char *path, int secret, char *err, size_t errlen)
{
	FILE *f;
	int fd;

	if ((fd = hostkey_open_fd(path, secret, err, errlen)) == -1)
		return NULL;
	if ((f = fdopen(fd, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
	}
	return f;
}

int
hostkey_open_key(const char *path, char *err, size_t errlen)
{
	return hostkey_open_fd(path, 1, err, errlen);
}

/*
 * OpenSSL's own answer to an encrypted key is to ask for its passphrase,
 * on the terminal or else on the standard input.  Nothing of mftpd can
 * give one: a check that was answered there passed, and then every
 * signer, which has no one to ask, failed each login.  So nothing is
 * asked, and the key is refused for what it is.
 */
static int
hostkey_no_passphrase(char *buf, int size, int rwflag, void *asked)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	*(int *)asked = 1;
	return -1;
}

EVP_PKEY *
hostkey_load_private_fd(int fd, const char *path, char *err, size_t errlen)
{
	static char pem[HOSTKEY_FILE_MAX];
	EVP_PKEY *key = NULL;
	size_t len = 0;
	ssize_t n;
	BIO *bio;
	int readerr = 0, asked = 0;

	if (hostkey_check_fd(fd, path, 1, err, errlen) == -1)
		return NULL;
	/*
	 * pread: the descriptor may be shared with other signers (one
	 * open file description, one offset), and this one must read
	 * the file from its start whatever they do.
	 */
	while (len < sizeof(pem) &&
	    (n = pread(fd, pem + len, sizeof(pem) - len, (off_t)len)) != 0) {
		if (n == -1) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			readerr = 1;
			goto out;
		}
		len += (size_t)n;
	}
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL)
		goto out;
	key = PEM_read_bio_PrivateKey(bio, NULL, hostkey_no_passphrase, &asked);
	BIO_free(bio);
out:
	explicit_bzero(pem, len);
	if (key == NULL) {
		if (asked) {
			ERR_clear_error();
			snprintf(err, errlen,
			    "%s: the key is encrypted with a passphrase, "
			    "which mftpd cannot give: store it unencrypted, "
			    "readable by root only (openssl pkey -in %s "
			    "-out NEWFILE)",
			    path, path);
		} else if (!readerr)
			snprintf(err, errlen, "%s: no PEM private key: %s",
			    path, tls_error());
		return NULL;
	}
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) {
		snprintf(err, errlen,
		    "%s: the host key must be an ECDSA key "
		    "(e.g. P-256; certbot --key-type ecdsa)",
		    path);
		EVP_PKEY_free(key);
		return NULL;
	}
	return key;
}

EVP_PKEY *
hostkey_load_private(const char *path, char *err, size_t errlen)
{
	EVP_PKEY *key;
	int fd;

	if ((fd = hostkey_open_key(path, err, errlen)) == -1)
		return NULL;
	key = hostkey_load_private_fd(fd, path, err, errlen);
	close(fd);
	return key;
}

int
hostkey_fingerprint(EVP_PKEY *key, char out[TLS_FP_LEN])
{
	unsigned char *der = NULL;
	int len, r;

	/*
	 * The point as a certificate carries it, whatever form the key
	 * file stored it in, so that the bytes hashed are the
	 * certificate's SubjectPublicKeyInfo.
	 */
	if (EVP_PKEY_set_utf8_string_param(key,
		OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
		"uncompressed") != 1 ||
	    (len = i2d_PUBKEY(key, &der)) <= 0) {
		ERR_clear_error();
		return -1;
	}
	r = tls_fingerprint_der(der, (size_t)len, out);
	OPENSSL_free(der);
	return r;
}

int
hostkey_cert_key_fingerprint(X509 *cert, char out[TLS_FP_LEN])
{
	EVP_PKEY *pub = X509_get0_pubkey(cert), *key;
	int r;

	/* A copy: the certificate's own key object is left as it is. */
	if (pub == NULL || (key = EVP_PKEY_dup(pub)) == NULL) {
		ERR_clear_error();
		return -1;
	}
	r = hostkey_fingerprint(key, out);
	EVP_PKEY_free(key);
	return r;
}

X509 *
hostkey_load_cert(const char *path, char *err, size_t errlen)
{
	X509 *cert;
	FILE *f;

	if ((f = hostkey_open(path, 0, err, errlen)) == NULL)
		return NULL;
	cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (cert == NULL)
		snprintf(err, errlen, "%s: no PEM certificate: %s", path,
		    tls_error());
	return cert;
}

int
hostkey_check_pair(EVP_PKEY *key, X509 *cert, char *err, size_t errlen)
{
	if (X509_check_private_key(cert, key) != 1) {
		snprintf(
		    err, errlen, "the host key is not the certificate's key");
		ERR_clear_error();
		return -1;
	}
	return 0;
}

/* Write PEM data to a new file of that mode; never over an existing one. */
static int
hostkey_write(const char *path, mode_t mode, EVP_PKEY *key, X509 *cert,
    char *err, size_t errlen)
{
	FILE *f;
	int fd, ok;

	fd = open(
	    path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fchmod(fd, mode) == -1 || (f = fdopen(fd, "w")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	ok = key != NULL ?
	    PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) :
	    PEM_write_X509(f, cert);
	ok = ok == 1 && fflush(f) == 0 && fsync(fileno(f)) == 0;
	if (fclose(f) != 0)
		ok = 0;
	if (!ok) {
		snprintf(err, errlen, "%s: cannot write it", path);
		unlink(path);
		return -1;
	}
	return 0;
}

/*
 * Whether name is a host name a certificate can be made for: labels of
 * letters, digits, '-' (not first or last) and '_' (some machines' names
 * have one), 1 to 63 each, between dots, 253 characters at most.
 */
static int
hostkey_dns_name(const char *name)
{
	size_t len = strlen(name), label = 0, i;
	char c;

	if (len == 0 || len > 253)
		return 0;
	for (i = 0; i <= len; i++) {
		c = name[i];
		if (c == '.' || c == '\0') {
			if (label == 0 || name[i - 1] == '-')
				return 0;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' ||
		    (c == '-' && label > 0)) {
			if (++label > 63)
				return 0;
		} else
			return 0;
	}
	return 1;
}

/* name's subjectAltName entry: an IP address, or a DNS name. */
static GENERAL_NAME *
hostkey_alt_name(const char *name)
{
	GENERAL_NAME *g;
	ASN1_OCTET_STRING *ip;
	ASN1_IA5STRING *ia5;

	if ((g = GENERAL_NAME_new()) == NULL)
		return NULL;
	if ((ip = a2i_IPADDRESS(name)) != NULL) {
		GENERAL_NAME_set0_value(g, GEN_IPADD, ip);
		return g;
	}
	if ((ia5 = ASN1_IA5STRING_new()) == NULL ||
	    ASN1_STRING_set(ia5, name, -1) != 1) {
		ASN1_IA5STRING_free(ia5);
		GENERAL_NAME_free(g);
		return NULL;
	}
	GENERAL_NAME_set0_value(g, GEN_DNS, ia5);
	return g;
}

static X509 *
hostkey_self_sign(EVP_PKEY *key, const char *name)
{
	X509 *x;
	X509_NAME *subj;
	X509_EXTENSION *ext;
	GENERAL_NAMES *alt;
	GENERAL_NAME *dns;
	unsigned char serial[16];
	BIGNUM *bn;
	int ok = 0;

	if ((x = X509_new()) == NULL)
		return NULL;
	if (RAND_bytes(serial, sizeof(serial)) != 1)
		goto out;
	serial[0] &= 0x7f; /* positive */
	if ((bn = BN_bin2bn(serial, sizeof(serial), NULL)) == NULL)
		goto out;
	ok = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
	BN_free(bn);
	if (!ok)
		goto out;
	ok = 0;
	subj = X509_get_subject_name(x);
	if (X509_set_version(x, 2) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), 36500, 0, NULL) == NULL ||
	    X509_set_pubkey(x, key) != 1 ||
	    X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_UTF8,
		(const unsigned char *)name, -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, subj) != 1)
		goto out;
	/* A subjectAltName, so a host name check has something to match. */
	if ((alt = GENERAL_NAMES_new()) == NULL)
		goto out;
	if ((dns = hostkey_alt_name(name)) == NULL) {
		GENERAL_NAMES_free(alt);
		goto out;
	}
	sk_GENERAL_NAME_push(alt, dns);
	ext = X509V3_EXT_i2d(NID_subject_alt_name, 0, alt);
	GENERAL_NAMES_free(alt);
	if (ext == NULL)
		goto out;
	ok = X509_add_ext(x, ext, -1) == 1;
	X509_EXTENSION_free(ext);
	if (ok)
		ok = X509_sign(x, key, EVP_sha256()) > 0;
out:
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

int
hostkey_generate(const char *key_path, const char *cert_path, const char *name,
    char *err, size_t errlen)
{
	struct stat st;
	ASN1_OCTET_STRING *ip;
	EVP_PKEY *key;
	X509 *cert;
	int have_key, have_cert, r = -1;

	if (!hostkey_dns_name(name)) {
		if ((ip = a2i_IPADDRESS(name)) == NULL) {
			snprintf(err, errlen,
			    "'%.300s' is not a host name or an IP address "
			    "(letters, digits, '-', '_' and '.', 253 at most)",
			    name);
			return -1;
		}
		ASN1_OCTET_STRING_free(ip);
	}
	have_key = lstat(key_path, &st) == 0;
	have_cert = lstat(cert_path, &st) == 0;
	if (have_key && have_cert)
		return 1;
	if (have_key != have_cert) {
		snprintf(err, errlen,
		    "%s exists but %s does not: not replacing either; "
		    "move the one there away to make a new pair",
		    have_key ? key_path : cert_path,
		    have_key ? cert_path : key_path);
		return -1;
	}
	if ((key = EVP_EC_gen("P-256")) == NULL) {
		snprintf(err, errlen, "making a P-256 key: %s", tls_error());
		return -1;
	}
	if ((cert = hostkey_self_sign(key, name)) == NULL) {
		snprintf(
		    err, errlen, "making the certificate: %s", tls_error());
		EVP_PKEY_free(key);
		return -1;
	}
	if (hostkey_write(key_path, 0600, key, NULL, err, errlen) == 0) {
		if ((r = hostkey_write(
			 cert_path, 0644, NULL, cert, err, errlen)) != 0)
			unlink(key_path);
	}
	EVP_PKEY_free(key);
	X509_free(cert);
	return r;
}
