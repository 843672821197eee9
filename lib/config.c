/*
 * config.c: reads mftpd.conf(5) into struct config.
 *
 * Linked into the daemon (master, as root, before anything else) and the
 * admin tools (root).  The file is trusted (root 0644) but hand-edited, so
 * every value is checked and every error names the file and line.
 *
 * A key given twice takes the later value ("listen" too: a later line
 * replaces the whole list).  config_parse either applies the whole text
 * or leaves c as it was.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "kvline.h"
#include "mftp_limits.h"
#include "proto.h"
#include "util.h"

#ifndef MFTP_SYSCONFDIR
#define MFTP_SYSCONFDIR "/etc"
#endif
#ifndef MFTP_AUTH_HELPER
#define MFTP_AUTH_HELPER "/usr/libexec/mftp/mftpd-auth"
#endif
#ifndef MFTP_SIGN_HELPER
#define MFTP_SIGN_HELPER "/usr/libexec/mftp/mftpd-sign"
#endif

/* A configuration file is small; anything larger is a mistake. */
#define CONFIG_FILE_MAX (1024 * 1024)

/* Largest uid/gid accepted: 2^31 - 2 (-1 as uid_t means "no change"). */
#define CONFIG_ID_MAX 2147483646LL

enum config_type {
	CONFIG_UINT,
	CONFIG_UID,
	CONFIG_PATH,
	CONFIG_DIR, /* a CONFIG_PATH kept without its trailing '/'s */
	CONFIG_ACCOUNT,
	CONFIG_LISTEN,
	CONFIG_DIGEST,	 /* a checksum name: MFTP_DIGEST_* */
	CONFIG_NETMASKS, /* proxy_protocol_from */
};

struct config_key {
	const char *name;
	enum config_type type;
	size_t off;
	long long min;
	long long max;
};

static const struct config_key config_keys[] = {
	{ "listen", CONFIG_LISTEN, 0, 0, 0 },
	{ "port", CONFIG_UINT, offsetof(struct config, port), 1, 65535 },
	{ "max_sessions", CONFIG_UINT, offsetof(struct config, max_sessions), 1,
	    100000 },
	{ "max_sessions_per_ip", CONFIG_UINT,
	    offsetof(struct config, max_sessions_per_ip), 1, 100000 },
	{ "max_sessions_per_user", CONFIG_UINT,
	    offsetof(struct config, max_sessions_per_user), 1,
	    MFTP_USER_SESSIONS_MAX },
	{ "login_timeout", CONFIG_UINT, offsetof(struct config, login_timeout),
	    1, MFTP_LOGIN_TIMEOUT_MAX },
	{ "idle_timeout", CONFIG_UINT, offsetof(struct config, idle_timeout), 1,
	    86400 },
	{ "shutdown_timeout", CONFIG_UINT,
	    offsetof(struct config, shutdown_timeout), 0, 86400 },
	/* Half of it is TCP_KEEPIDLE, which Linux takes up to 32767 s. */
	{ "keepalive", CONFIG_UINT, offsetof(struct config, keepalive), 0,
	    65535 },
	{ "users_file", CONFIG_PATH, offsetof(struct config, users_file), 0,
	    0 },
	{ "quota_dir", CONFIG_DIR, offsetof(struct config, quota_dir), 0, 0 },
	{ "session_dir", CONFIG_DIR, offsetof(struct config, session_dir), 0,
	    0 },
	{ "home_base", CONFIG_DIR, offsetof(struct config, home_base), 0, 0 },
	{ "preauth_user", CONFIG_ACCOUNT, offsetof(struct config, preauth_user),
	    0, 0 },
	{ "preauth_chroot", CONFIG_DIR, offsetof(struct config, preauth_chroot),
	    0, 0 },
	{ "pid_file", CONFIG_PATH, offsetof(struct config, pid_file), 0, 0 },
	{ "auth_helper", CONFIG_PATH, offsetof(struct config, auth_helper), 0,
	    0 },
	{ "sign_helper", CONFIG_PATH, offsetof(struct config, sign_helper), 0,
	    0 },
	{ "host_cert", CONFIG_PATH, offsetof(struct config, host_cert), 0, 0 },
	{ "host_key", CONFIG_PATH, offsetof(struct config, host_key), 0, 0 },
	{ "uid_min", CONFIG_UID, offsetof(struct config, uid_min), 1,
	    CONFIG_ID_MAX },
	{ "uid_max", CONFIG_UID, offsetof(struct config, uid_max), 1,
	    CONFIG_ID_MAX },
	{ "password_min_length", CONFIG_UINT,
	    offsetof(struct config, password_min), 1, MFTP_SECRET_MAX },
	{ "verify", CONFIG_DIGEST, offsetof(struct config, verify), 0, 0 },
	{ "proxy_protocol_from", CONFIG_NETMASKS, 0, 0, 0 },
	{ "proxy_protocol_timeout", CONFIG_UINT,
	    offsetof(struct config, proxy_timeout), 1, 60 },
};

unsigned int
config_session_limit(const struct config *c, unsigned int own)
{
	return own != 0 ? own : c->max_sessions_per_user;
}

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->listen[0] = xstrdup("0.0.0.0");
	c->listen[1] = xstrdup("::");
	c->nlisten = 2;
	c->port = 2121;
	c->max_sessions = 200;
	c->max_sessions_per_ip = 20;
	c->max_sessions_per_user = 20;
	c->login_timeout = 30;
	c->password_min = 8;
	c->idle_timeout = 900;
	c->shutdown_timeout = 30;
	c->keepalive = 120;
	c->users_file = xstrdup(MFTP_SYSCONFDIR "/mftp/users");
	c->quota_dir = xstrdup("/var/lib/mftp/quota");
	c->session_dir = xstrdup("/var/lib/mftp/sessions");
	c->home_base = xstrdup("/srv/mftp");
	c->preauth_user = xstrdup("_mftp");
	c->preauth_chroot = xstrdup("/run/mftpd/empty");
	c->pid_file = xstrdup("/run/mftpd/mftpd.pid");
	c->auth_helper = xstrdup(MFTP_AUTH_HELPER);
	c->sign_helper = xstrdup(MFTP_SIGN_HELPER);
	c->host_cert = xstrdup(MFTP_SYSCONFDIR "/mftp/host.crt");
	c->host_key = xstrdup(MFTP_SYSCONFDIR "/mftp/host.key");
	c->uid_min = 20000;
	c->uid_max = 29999;
	c->verify = MFTP_DIGEST_XXH128;
	c->proxy_timeout = 5;
}

void
config_free(struct config *c)
{
	size_t i;

	for (i = 0; i < c->nlisten && i < MFTP_LISTEN_MAX; i++)
		free(c->listen[i]);
	free(c->users_file);
	free(c->quota_dir);
	free(c->session_dir);
	free(c->home_base);
	free(c->preauth_user);
	free(c->preauth_chroot);
	free(c->pid_file);
	free(c->auth_helper);
	free(c->sign_helper);
	free(c->host_cert);
	free(c->host_key);
	memset(c, 0, sizeof(*c));
}

/* A deep copy, so that a failed parse can leave the original untouched. */
static void
config_copy(struct config *dst, const struct config *src)
{
	size_t i;

	*dst = *src;
	for (i = 0; i < src->nlisten; i++)
		dst->listen[i] = xstrdup(src->listen[i]);
	dst->users_file = xstrdup(src->users_file);
	dst->quota_dir = xstrdup(src->quota_dir);
	dst->session_dir = xstrdup(src->session_dir);
	dst->home_base = xstrdup(src->home_base);
	dst->preauth_user = xstrdup(src->preauth_user);
	dst->preauth_chroot = xstrdup(src->preauth_chroot);
	dst->pid_file = xstrdup(src->pid_file);
	dst->auth_helper = xstrdup(src->auth_helper);
	dst->sign_helper = xstrdup(src->sign_helper);
	dst->host_cert = xstrdup(src->host_cert);
	dst->host_key = xstrdup(src->host_key);
}

static void config_error(char *, size_t, const char *, size_t, const char *,
    ...) __attribute__((format(printf, 5, 6)));

static void
config_error(char *err, size_t errlen, const char *name, size_t line,
    const char *fmt, ...)
{
	va_list ap;
	int n;

	if (err == NULL || errlen == 0)
		return;
	n = snprintf(err, errlen, "%s:%zu: ", name, line);
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - n, fmt, ap);
	va_end(ap);
}

static const struct config_key *
config_find_key(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]); i++)
		if (strcmp(config_keys[i].name, key) == 0)
			return &config_keys[i];
	return NULL;
}

/* A system account name: 1..32 of [A-Za-z0-9_.-], not starting with '-'. */
static int
config_valid_account(const char *s)
{
	size_t i;

	if (s[0] == '\0' || s[0] == '-')
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= MFTP_USER_MAX)
			return 0;
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '.' && s[i] != '-')
			return 0;
	}
	return 1;
}

/*
 * A numeric IPv4 or IPv6 address into a (family, then 16 bytes, so that
 * two forms of one address compare equal); 0, or -1.  An IPv4-mapped
 * IPv6 address is the IPv4 address it maps: an IPv6 listening socket is
 * IPv6-only (listener.c), where bind refuses one.
 */
static int
config_read_addr(const char *s, uint8_t a[17])
{
	const uint8_t *v4;

	memset(a, 0, 17);
	if (inet_pton(AF_INET, s, a + 1) == 1) {
		a[0] = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a + 1) == 1) {
		a[0] = 6;
		if ((v4 = netmask_mapped_v4(a + 1)) != NULL) {
			memmove(a + 1, v4, 4);
			memset(a + 5, 0, 12);
			a[0] = 4;
		}
		return 0;
	}
	return -1;
}

/* Replace the listen list with the addresses in value (modified). */
static int
config_set_listen(struct config *c, char *value, const char *name, size_t line,
    char *err, size_t errlen)
{
	char addrs[MFTP_LISTEN_MAX][INET6_ADDRSTRLEN], *p, *word;
	uint8_t bin[MFTP_LISTEN_MAX][17], a[17];
	size_t i, j, n = 0;

	p = value;
	while ((word = strsep(&p, " \t")) != NULL) {
		if (*word == '\0')
			continue;
		if (config_read_addr(word, a) != 0) {
			config_error(err, errlen, name, line,
			    "listen: '%s' is not a numeric IPv4 or IPv6 "
			    "address",
			    word);
			return -1;
		}
		if (n == MFTP_LISTEN_MAX) {
			config_error(err, errlen, name, line,
			    "listen: more than %d addresses", MFTP_LISTEN_MAX);
			return -1;
		}
		/* "::1" and "0:0::1" are one address: the second bind
		 * would fail at start, after the check said the file was
		 * good. */
		for (j = 0; j < n; j++) {
			if (memcmp(bin[j], a, sizeof(a)) == 0) {
				config_error(err, errlen, name, line,
				    "listen: '%s' given twice", word);
				return -1;
			}
		}
		memcpy(bin[n], a, sizeof(a));
		/* One text for one address ("::1", not "0:0::1"), and that
		 * of an IPv4 socket for a mapped one: a reload compares. */
		inet_ntop(a[0] == 4 ? AF_INET : AF_INET6, a + 1, addrs[n],
		    sizeof(addrs[n]));
		n++;
	}
	for (i = 0; i < c->nlisten; i++) {
		free(c->listen[i]);
		c->listen[i] = NULL;
	}
	for (i = 0; i < n; i++)
		c->listen[i] = xstrdup(addrs[i]);
	c->nlisten = n;
	return 0;
}

/*
 * Replace the balancer list with the entries in value (modified):
 * addresses or address/prefix, separated by commas or blanks; "none"
 * alone empties it.
 */
static int
config_set_netmasks(struct config *c, char *value, const char *name,
    size_t line, char *err, size_t errlen)
{
	struct netmask m[MFTP_PROXY_FROM_MAX];
	char *p = value, *word;
	size_t n = 0;

	if (strcmp(value, "none") == 0) {
		c->nproxy_from = 0;
		return 0;
	}
	while ((word = strsep(&p, ", \t")) != NULL) {
		if (*word == '\0')
			continue;
		if (n == MFTP_PROXY_FROM_MAX) {
			config_error(err, errlen, name, line,
			    "proxy_protocol_from: more than %d entries",
			    MFTP_PROXY_FROM_MAX);
			return -1;
		}
		if (netmask_parse(word, &m[n]) != 0) {
			config_error(err, errlen, name, line,
			    "proxy_protocol_from: '%s' is not a numeric "
			    "address or address/prefix (host bits zero)",
			    word);
			return -1;
		}
		/*
		 * A listed peer names the client, so every address listed
		 * would let any client name itself any address: past
		 * max_sessions_per_ip, the allow-lists and fail2ban.
		 */
		if (m[n].prefix == 0) {
			config_error(err, errlen, name, line,
			    "proxy_protocol_from: '%s' lists every address, "
			    "so any client could claim any address; list the "
			    "load balancers only",
			    word);
			return -1;
		}
		n++;
	}
	if (n == 0) {
		config_error(err, errlen, name, line,
		    "proxy_protocol_from: no address (say none for none)");
		return -1;
	}
	memcpy(c->proxy_from, m, n * sizeof(m[0]));
	c->nproxy_from = n;
	return 0;
}

static int
config_set(struct config *c, const struct config_key *k, char *value,
    const char *name, size_t line, char *err, size_t errlen)
{
	void *field = (char *)c + k->off;
	const char *errstr;
	long long v;
	char **sp;

	switch (k->type) {
	case CONFIG_LISTEN:
		return config_set_listen(c, value, name, line, err, errlen);
	case CONFIG_NETMASKS:
		return config_set_netmasks(c, value, name, line, err, errlen);
	case CONFIG_DIGEST:
		/* The names of digest.h, parsed here so that the admin
		 * tools need no checksum library. */
		if (strcasecmp(value, "xxh128") == 0)
			*(unsigned int *)field = MFTP_DIGEST_XXH128;
		else if (strcasecmp(value, "sha256") == 0)
			*(unsigned int *)field = MFTP_DIGEST_SHA256;
		else {
			config_error(err, errlen, name, line,
			    "%s: '%s' is not xxh128 or sha256", k->name, value);
			return -1;
		}
		return 0;
	case CONFIG_UINT:
	case CONFIG_UID:
		/* Decimal digits only, as documented (a '-' is only told to
		 * be too small): strtonum would take "+80" and " 80" too. */
		v = 0;
		errstr = "invalid";
		if (isdigit((unsigned char)value[value[0] == '-']))
			v = strtonum(value, k->min, k->max, &errstr);
		if (errstr != NULL) {
			config_error(err, errlen, name, line,
			    "%s: '%s' is %s (%lld..%lld)", k->name, value,
			    errstr, k->min, k->max);
			return -1;
		}
		if (k->type == CONFIG_UINT)
			*(unsigned int *)field = (unsigned int)v;
		else
			*(uid_t *)field = (uid_t)v;
		return 0;
	case CONFIG_PATH:
	case CONFIG_DIR:
		if (value[0] != '/') {
			config_error(err, errlen, name, line,
			    "%s: '%s' is not an absolute path", k->name, value);
			return -1;
		}
		/*
		 * Every file in it is named "dir/name", in the log and the
		 * tools' messages too: "/srv/mftp/quota/" gave "...//bob".
		 */
		if (k->type == CONFIG_DIR) {
			size_t n = path_dir_len(value);

			/*
			 * "/srv/q /": without its '/' the name would end in
			 * a blank, which no value of this file can (its
			 * ends are trimmed); most likely a slip.
			 */
			if (n > 0 && kvline_blank(value[n - 1])) {
				config_error(err, errlen, name, line,
				    "%s: '%s' ends in a blank once its trailing "
				    "'/' is dropped; write the directory "
				    "without it",
				    k->name, value);
				return -1;
			}
			value[n > 0 ? n : 1] = '\0';
		}
		break;
	case CONFIG_ACCOUNT:
		if (!config_valid_account(value)) {
			config_error(err, errlen, name, line,
			    "%s: '%s' is not a valid account name", k->name,
			    value);
			return -1;
		}
		break;
	}
	sp = field;
	free(*sp);
	*sp = xstrdup(value);
	return 0;
}

/* Parse one line (in buf, modified) into c. */
static int
config_parse_line(struct config *c, char *buf, const char *name, size_t line,
    size_t *uid_line, char *err, size_t errlen)
{
	const struct config_key *k;
	char *key, *value;
	int r;

	/* '#' starts a comment anywhere; values never contain one. */
	if ((r = kvline_split(buf, &key, &value)) == 0)
		return 0;
	if (r == -1) {
		config_error(err, errlen, name, line,
		    "missing '=' (expected \"key = value\")");
		return -1;
	}
	if (*key == '\0') {
		config_error(err, errlen, name, line, "missing key before '='");
		return -1;
	}
	if ((k = config_find_key(key)) == NULL) {
		config_error(err, errlen, name, line, "unknown key '%s'", key);
		return -1;
	}
	if (*value == '\0') {
		config_error(
		    err, errlen, name, line, "%s: missing value", k->name);
		return -1;
	}
	if (k->type == CONFIG_UID)
		*uid_line = line;
	return config_set(c, k, value, name, line, err, errlen);
}

int
config_parse(struct config *c, const char *name, const char *text, char *err,
    size_t errlen)
{
	struct config tmp;
	const char *p, *nl;
	char *buf;
	size_t len, line = 0, uid_line = 0;
	int rc = -1;

	config_copy(&tmp, c);
	buf = xmalloc(MFTP_CONFIG_LINE_MAX + 1);
	for (p = text; *p != '\0'; p = nl + (*nl == '\n')) {
		line++;
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		len = (size_t)(nl - p);
		if (len > MFTP_CONFIG_LINE_MAX) {
			config_error(err, errlen, name, line,
			    "line longer than %d bytes", MFTP_CONFIG_LINE_MAX);
			goto out;
		}
		memcpy(buf, p, len);
		buf[len] = '\0';
		if (config_parse_line(
			&tmp, buf, name, line, &uid_line, err, errlen) != 0)
			goto out;
	}
	if (tmp.uid_min > tmp.uid_max) {
		config_error(err, errlen, name, uid_line,
		    "uid_min (%lu) is greater than uid_max (%lu)",
		    (unsigned long)tmp.uid_min, (unsigned long)tmp.uid_max);
		goto out;
	}
	config_free(c);
	*c = tmp;
	memset(&tmp, 0, sizeof(tmp));
	rc = 0;
out:
	config_free(&tmp);
	free(buf);
	return rc;
}

/* Read a whole regular file of at most CONFIG_FILE_MAX bytes. */
static char *
config_read_file(const char *path, char *err, size_t errlen)
{
	struct stat st;
	char *text = NULL, *nul, *p;
	size_t off = 0, line = 1;
	ssize_t r;
	int fd, saved;

	/* O_NONBLOCK: a FIFO put there must not hold the open (a reload). */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		goto fail;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		snprintf(err, errlen, "%s: not a regular file", path);
		goto fail_msg;
	}
	if (st.st_size > CONFIG_FILE_MAX) {
		snprintf(err, errlen, "%s: larger than %d bytes", path,
		    CONFIG_FILE_MAX);
		goto fail_msg;
	}
	text = xmalloc((size_t)st.st_size + 1);
	while (off < (size_t)st.st_size) {
		r = read(fd, text + off, (size_t)st.st_size - off);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			goto fail;
		if (r == 0)
			break;
		off += (size_t)r;
	}
	text[off] = '\0';
	close(fd);
	if ((nul = memchr(text, '\0', off)) != NULL) {
		for (p = text; p < nul; p++)
			line += *p == '\n';
		config_error(err, errlen, path, line, "contains a NUL byte");
		free(text);
		return NULL;
	}
	return text;
fail:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
fail_msg:
	saved = errno;
	if (fd != -1)
		close(fd);
	free(text);
	errno = saved;
	return NULL;
}

int
config_load(struct config *c, const char *path, char *err, size_t errlen)
{
	char *text;
	int rc;

	config_defaults(c);
	if ((text = config_read_file(path, err, errlen)) == NULL)
		return -1;
	rc = config_parse(c, path, text, err, errlen);
	free(text);
	return rc;
}
