/*
 * config.h: the daemon and admin tools' configuration (mftpd.conf(5)).
 *
 * Format: "key = value" lines; '#' starts a comment; blank lines are
 * ignored.  An unknown key, a bad value or a value out of range is an
 * error that names the file and line.
 */
#ifndef MFTP_CONFIG_H
#define MFTP_CONFIG_H

#include <sys/types.h>
#include <stddef.h>

#include "mftp_limits.h"
#include "netmask.h"

#define MFTP_CONFIG_DEFAULT MFTP_SYSCONFDIR "/mftp/mftpd.conf"

struct config {
	/* Addresses to listen on (numeric IPv4 or IPv6). */
	char *listen[MFTP_LISTEN_MAX];
	size_t nlisten;	   /* listen = 0.0.0.0 :: */
	unsigned int port; /* port = 2121 (1..65535) */

	unsigned int max_sessions;	  /* max_sessions = 200 */
	unsigned int max_sessions_per_ip; /* max_sessions_per_ip = 20 */
	/* A user without a limit of its own: max_sessions_per_user = 20 */
	unsigned int max_sessions_per_user;
	unsigned int login_timeout;    /* seconds; login_timeout = 30 */
	unsigned int idle_timeout;     /* seconds; idle_timeout = 900 */
	unsigned int shutdown_timeout; /* seconds; shutdown_timeout = 30 */
	/* seconds; keepalive = 120: a client's machine silent that long
	 * (TCP keepalive's probes unanswered) is gone; 0: no probes */
	unsigned int keepalive;

	char *users_file;     /* /etc/mftp/users */
	char *quota_dir;      /* /var/lib/mftp/quota */
	char *session_dir;    /* /var/lib/mftp/sessions: slot files */
	char *home_base;      /* /srv/mftp */
	char *preauth_user;   /* _mftp */
	char *preauth_chroot; /* /run/mftpd/empty */
	char *pid_file;	      /* /run/mftpd/mftpd.pid */
	char *auth_helper;    /* $(pkglibexecdir)/mftpd-auth */
	char *sign_helper;    /* $(pkglibexecdir)/mftpd-sign */
	char *host_cert;      /* /etc/mftp/host.crt: PEM chain, own first */
	char *host_key;	      /* /etc/mftp/host.key: PEM ECDSA, root 0600 */

	uid_t uid_min; /* uid_min = 20000 */
	uid_t uid_max; /* uid_max = 29999 */

	/* characters; password_min_length = 8: ftpuser-add and -mod's */
	unsigned int password_min;

	/*
	 * The whole-file checksum offered to clients, MFTP_DIGEST_*:
	 * verify = xxh128 (XXH3-128 when the client asks for it too) or
	 * sha256 (never XXH3-128).
	 */
	unsigned int verify;

	/*
	 * Load balancers whose connections start with a PROXY header
	 * (proxy_protocol_from = 10.0.0.5, 10.0.1.0/24; "none", the
	 * default, lists none), and how long one may take to send it
	 * (proxy_protocol_timeout = 5, seconds).
	 */
	struct netmask proxy_from[MFTP_PROXY_FROM_MAX];
	size_t nproxy_from;
	unsigned int proxy_timeout;
};

/* Fill c with the defaults above (allocated; free with config_free). */
void config_defaults(struct config *c);

/*
 * Parse text (the whole file's contents) over the values already in c.
 * name is used in messages.  Returns 0, or -1 with "name:line: reason" in
 * err.
 */
int config_parse(struct config *c, const char *name, const char *text,
    char *err, size_t errlen);

/* config_defaults, then read and parse path.  -1 with err on failure. */
int config_load(struct config *c, const char *path, char *err, size_t errlen);

void config_free(struct config *c);

/* The session limit of a user whose own is own (0: none of its own). */
unsigned int config_session_limit(const struct config *c, unsigned int own);

#endif
