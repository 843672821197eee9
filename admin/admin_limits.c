/*
 * admin_limits.c: parse and apply --quota-bytes, --quota-files,
 * --max-sessions, --rate and --allow-from for ftpuser-add and
 * ftpuser-mod (admin_limits.h).
 *
 * Runs as: root, from an administrator's shell or script.  Every value
 * is checked here, before the user database is locked, so that a bad
 * one changes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_common.h"
#include "admin_limits.h"
#include "allowlist.h"
#include "human.h"
#include "util.h"

/* --allow-from: "" or "any" for any address, else canonical networks. */
static char *
admin_limits_allow(const char *arg)
{
	struct allowlist l;
	char err[256], canon[MFTP_ALLOW_TEXT_MAX + 1];
	size_t i, j, k;

	if (strcmp(arg, "any") == 0)
		return xstrdup("");
	if (allowlist_parse(arg, &l, err, sizeof(err)) == -1)
		admin_usage_errx("--allow-from '%s': %s (give addresses or "
				 "networks like 192.0.2.7,10.1.0.0/16,"
				 "2001:db8::/32, or 'any')",
		    arg, err);
	/*
	 * A network given twice (after its host bits are cleared) is kept
	 * once.  Here, not in allowlist_format: a line of the users file
	 * written so before reads back as it is.
	 */
	for (i = 0, k = 0; i < l.n; i++) {
		for (j = 0; j < k; j++)
			if (l.net[j].family == l.net[i].family &&
			    l.net[j].prefix == l.net[i].prefix &&
			    l.net[j].mapped == l.net[i].mapped &&
			    memcmp(l.net[j].addr, l.net[i].addr,
				sizeof(l.net[i].addr)) == 0)
				break;
		if (j == k)
			l.net[k++] = l.net[i];
	}
	l.n = k;
	if (allowlist_format(&l, canon, sizeof(canon)) == -1)
		admin_usage_errx("--allow-from '%s' is too long", arg);
	return xstrdup(canon);
}

int
admin_limits_option(struct admin_limits *l, int ch, const char *arg)
{
	switch (ch) {
	case ADMIN_OPT_QUOTA_BYTES:
		l->quota_bytes = admin_parse_size("byte quota", arg);
		l->set_bytes = 1;
		return 1;
	case ADMIN_OPT_QUOTA_FILES:
		l->quota_files = admin_parse_count(
		    "file quota", arg, UINT64_MAX);
		l->set_files = 1;
		return 1;
	case ADMIN_OPT_MAX_SESSIONS:
		l->max_sessions = (unsigned int)admin_parse_count(
		    "session limit", arg, MFTP_USER_SESSIONS_MAX);
		l->set_sessions = 1;
		return 1;
	case ADMIN_OPT_RATE:
		l->rate = admin_parse_size("rate", arg);
		if (l->rate != 0 && l->rate < MFTP_RATE_MIN)
			admin_usage_errx("rate '%s' is below the least, %d "
					 "bytes/s (4K); 0 is no limit",
			    arg, MFTP_RATE_MIN);
		l->set_rate = 1;
		return 1;
	case ADMIN_OPT_ALLOW_FROM:
		free(l->allow);
		l->allow = admin_limits_allow(arg);
		l->set_allow = 1;
		return 1;
	}
	return 0;
}

int
admin_limits_given(const struct admin_limits *l)
{
	return l->set_bytes || l->set_files || l->set_sessions || l->set_rate ||
	    l->set_allow;
}

void
admin_limits_note(const struct admin_limits *l, const struct user *u)
{
	if ((l->set_bytes || l->set_files) && u->quota_bytes > 0 &&
	    u->quota_files == 0)
		admin_warnx("note: '%s' has a byte limit and no file limit: "
			    "empty files count no bytes, so nothing bounds "
			    "the inodes they take; give --quota-files too",
		    u->name);
}

void
admin_limits_apply(const struct admin_limits *l, struct user *u)
{
	if (l->set_bytes)
		u->quota_bytes = l->quota_bytes;
	if (l->set_files)
		u->quota_files = l->quota_files;
	if (l->set_sessions)
		u->max_sessions = l->max_sessions;
	if (l->set_rate)
		u->rate = l->rate;
	if (l->set_allow) {
		free(u->allow);
		u->allow = xstrdup(l->allow);
	}
}

void
admin_limits_free(struct admin_limits *l)
{
	free(l->allow);
	memset(l, 0, sizeof(*l));
}

void
admin_limits_rate(uint64_t rate, char *out, size_t outlen)
{
	char h[HUMAN_SIZE_LEN];

	if (rate == 0) {
		snprintf(out, outlen, "-");
		return;
	}
	human_size(rate, h, sizeof(h));
	snprintf(out, outlen, "%s/s", h);
}
