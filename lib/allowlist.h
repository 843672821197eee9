/*
 * allowlist.h: a user's list of networks it may log in from
 * (ftpuser-add --allow-from, the user database's tenth field).
 *
 * Text form: networks separated by ',', each an IPv4 or IPv6 address
 * with an optional "/PREFIX"; no blanks.  The empty list means any
 * address.  The canonical form (allowlist_format) writes each address
 * as inet_ntop(3) does, with its host bits cleared, and "/PREFIX" only
 * when it is shorter than the address.
 *
 * Used by: the admin tools (parse what the administrator gives), the
 * user database (check the field), and the per-connection monitor
 * (match the client's address after a good password).
 */
#ifndef MFTP_ALLOWLIST_H
#define MFTP_ALLOWLIST_H

#include <stddef.h>
#include <stdint.h>

#include "mftp_limits.h"
#include "netmask.h"

/* Each network is parsed and matched by netmask.c, host bits cleared. */
struct allowlist {
	struct netmask net[MFTP_ALLOW_MAX];
	size_t n; /* 0: any address */
};

/*
 * Parse text (NUL-terminated, at most MFTP_ALLOW_TEXT_MAX bytes) into
 * l.  0, or -1 with the reason in err (naming the entry that is wrong).
 */
int allowlist_parse(
    const char *text, struct allowlist *l, char *err, size_t errlen);

/* l in canonical text form; -1 if it does not fit in outlen. */
int allowlist_format(const struct allowlist *l, char *out, size_t outlen);

/*
 * 1 if addr (a numeric IPv4 or IPv6 address, as the listener writes
 * it) is in one of l's networks or l is empty, else 0.  An IPv4 address
 * mapped into IPv6 (::ffff:a.b.c.d) is matched as the IPv4 address.
 */
int allowlist_match(const struct allowlist *l, const char *addr);

#endif
