/*
 * known_hosts.h: the client's pins of server keys, as ssh's known_hosts.
 *
 * Runs as: the user, in mftp.  One line a pin: "HOST PORT SHA256:...",
 * the host as the user typed it (lower case), the SHA-256 of the server's
 * public key (tls_fingerprint).  '#' starts a comment.  A line that does
 * not parse is skipped, never trusted.
 */
#ifndef MFTP_KNOWN_HOSTS_H
#define MFTP_KNOWN_HOSTS_H

#include <stddef.h>

enum known_hosts_result {
	KNOWN_HOSTS_UNKNOWN,  /* no line for host and port */
	KNOWN_HOSTS_MATCH,    /* a line pins this very key */
	KNOWN_HOSTS_MISMATCH, /* a line pins another key: *line, old */
};

/*
 * Look host/port up in the text of a known_hosts file (len bytes).  On
 * a mismatch, *line is the first conflicting line's number and old its
 * fingerprint (oldlen bytes).
 */
enum known_hosts_result
known_hosts_check(const char *text, size_t len, const char *host,
    const char *port, const char *fp, size_t *line, char *old, size_t oldlen);

/*
 * The same for the file at path; a missing file knows nothing.  -1 with
 * err when it cannot be read.
 */
int known_hosts_check_file(const char *path, const char *host, const char *port,
    const char *fp, size_t *line, char *old, size_t oldlen, char *err,
    size_t errlen);

/*
 * Append a pin, making the file (0600) and its directory (0700): 0 when
 * the file pins the key now (already, or by this call).
 * KNOWN_HOSTS_MISMATCH, with *line and old as known_hosts_check gives
 * them, when a line pins another key of host and port (written since
 * the caller looked): nothing is added.  -1 with err on an error.
 */
int known_hosts_add(const char *path, const char *host, const char *port,
    const char *fp, size_t *line, char *old, size_t oldlen, char *err,
    size_t errlen);

/* ~/.config/mftp/known_hosts, allocated; NULL without a home. */
char *known_hosts_default_path(void);

#endif
