/*
 * admin_limits.h: the per-user limits ftpuser-add and ftpuser-mod set
 * (--quota-bytes, --quota-files, --max-sessions, --rate, --allow-from)
 * and how the tools show them.
 *
 * Runs as: root, from an administrator's shell or script.
 */
#ifndef MFTP_ADMIN_LIMITS_H
#define MFTP_ADMIN_LIMITS_H

#include <stddef.h>
#include <stdint.h>

#include "userdb.h"

/* getopt_long codes of the five options (beyond any character). */
#define ADMIN_OPT_MAX_SESSIONS 0x100
#define ADMIN_OPT_RATE 0x101
#define ADMIN_OPT_ALLOW_FROM 0x102
#define ADMIN_OPT_QUOTA_BYTES 0x103
#define ADMIN_OPT_QUOTA_FILES 0x104

/*
 * The five options' rows of a tool's getopt_long table, written as one
 * row list so that both tools accept exactly the same options.
 */
/* clang-format off */
#define ADMIN_LIMITS_LONGOPTS \
	{ "quota-bytes", required_argument, NULL, ADMIN_OPT_QUOTA_BYTES }, \
	{ "quota-files", required_argument, NULL, ADMIN_OPT_QUOTA_FILES }, \
	{ "max-sessions", required_argument, NULL, ADMIN_OPT_MAX_SESSIONS }, \
	{ "rate", required_argument, NULL, ADMIN_OPT_RATE }, \
	{ "allow-from", required_argument, NULL, ADMIN_OPT_ALLOW_FROM }
/* clang-format on */

/* What the command line asks for; set_* for what it gives. */
struct admin_limits {
	int set_bytes, set_files, set_sessions, set_rate, set_allow;
	uint64_t quota_bytes;
	uint64_t quota_files;
	unsigned int max_sessions;
	uint64_t rate;
	char *allow; /* canonical; "" for any */
};

/*
 * Take getopt_long's ch and optarg if ch is one of the five: 1 when it
 * was (a bad value is a usage error, exit 2), 0 when it was not.
 */
int admin_limits_option(struct admin_limits *l, int ch, const char *arg);

/* Nonzero if the command line gave any of the five. */
int admin_limits_given(const struct admin_limits *l);

/* Set what was given on u. */
void admin_limits_apply(const struct admin_limits *l, struct user *u);

/*
 * When the command line set a quota and u is left with a byte limit
 * but no file limit, say (on stderr) that nothing bounds its inodes.
 */
void admin_limits_note(const struct admin_limits *l, const struct user *u);

void admin_limits_free(struct admin_limits *l);

/* "10 MiB/s", or "-" for none; out holds at least 24 bytes. */
void admin_limits_rate(uint64_t rate, char *out, size_t outlen);

#endif
