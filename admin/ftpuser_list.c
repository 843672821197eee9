/*
 * ftpuser_list.c: ftpuser-list(8), one line per user of the database:
 * name, uid, gid, home, bytes and files used against their limits, the
 * sessions running against their limit, the rate, the networks the
 * user may log in from, and whether the account is locked; or, given a
 * name, that user in full.
 *
 *   ftpuser-list [-c config] [-H] [name]
 *
 * Runs as: root, from an administrator's shell or script.  It only reads.
 */
#include <sys/types.h>

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_common.h"
#include "admin_limits.h"
#include "human.h"
#include "quota.h"
#include "slots.h"
#include "userdb.h"
#include "util.h"

#define PROGNAME "ftpuser-list"

enum {
	COL_NAME,
	COL_UID,
	COL_GID,
	COL_HOME,
	COL_BYTES,
	COL_FILES,
	COL_SESSIONS,
	COL_RATE,
	COL_FROM,
	COL_STATE,
	NCOLS
};

static const char *const headers[NCOLS] = {
	"NAME",
	"UID",
	"GID",
	"HOME",
	"BYTES(USED/LIMIT)",
	"FILES(USED/LIMIT)",
	"SESSIONS",
	"RATE",
	"FROM",
	"STATE",
};

static const char usage_text[] = "usage: " PROGNAME
				 " [-hH] [-c config] [name]\n";

/* A hash with a leading '!' is a locked account (userdb.h). */
static int
is_locked(const struct user *u)
{
	return u->hash[0] == '!';
}

/*
 * "used/limit": bytes in IEC units, counts as plain numbers (1000 and
 * 1024 files must not look alike); "-" for no limit.
 */
static char *
used_limit(const char *used, uint64_t limit, int bytes)
{
	char l[24], *s;

	if (limit == 0)
		strlcpy(l, "-", sizeof(l));
	else if (bytes)
		human_size(limit, l, sizeof(l));
	else
		snprintf(l, sizeof(l), "%ju", (uintmax_t)limit);
	xasprintf(&s, "%s/%s", used, l);
	return s;
}

/*
 * "running/limit", counted from the slot locks (slots.h) whichever node
 * holds them (every session holds one); the limit the user's own, else
 * the server's max_sessions_per_user.
 */
static char *
sessions_cell(const struct config *c, const struct user *u)
{
	char limit[16], *s;
	int n;

	snprintf(limit, sizeof(limit), "%u",
	    config_session_limit(c, u->max_sessions));
	if ((n = slots_count(c->session_dir, u->name)) == -1)
		xasprintf(&s, "?/%s", limit);
	else
		xasprintf(&s, "%d/%s", n, limit);
	return s;
}

/*
 * Fill row with u's columns.  The usage reads "damaged" for a corrupt
 * accounting file, "missing" when there is none and "busy" when its
 * lock stayed held (admin_read_usage).  -1 (after a message) if the file
 * could not be read at all.
 */
static int
list_row(const struct config *c, const struct user *u, char **row)
{
	char ub[HUMAN_SIZE_LEN], uf[24];
	struct quota_usage use;
	int r, rc = 0;

	r = admin_read_usage(c, u->name, &use);
	if (r == 0) {
		human_size(use.bytes, ub, sizeof(ub));
		snprintf(uf, sizeof(uf), "%ju", (uintmax_t)use.files);
	} else {
		if (r == QUOTA_ERR_CORRUPT)
			strlcpy(ub, "damaged", sizeof(ub));
		else if (r == QUOTA_ERR_BUSY)
			strlcpy(ub, "busy", sizeof(ub));
		else if (errno == ENOENT)
			strlcpy(ub, "missing", sizeof(ub));
		else {
			admin_warn("%s: cannot read %s/%s", u->name,
			    c->quota_dir, u->name);
			strlcpy(ub, "?", sizeof(ub));
			rc = -1;
		}
		strlcpy(uf, ub, sizeof(uf));
	}
	row[COL_NAME] = xstrdup(u->name);
	xasprintf(&row[COL_UID], "%lu", (unsigned long)u->uid);
	xasprintf(&row[COL_GID], "%lu", (unsigned long)u->gid);
	row[COL_HOME] = xstrdup(u->home);
	row[COL_BYTES] = used_limit(ub, u->quota_bytes, 1);
	row[COL_FILES] = used_limit(uf, u->quota_files, 0);
	row[COL_SESSIONS] = sessions_cell(c, u);
	row[COL_RATE] = xmalloc(24);
	admin_limits_rate(u->rate, row[COL_RATE], 24);
	row[COL_FROM] = xstrdup(u->allow[0] == '\0' ? "any" : u->allow);
	row[COL_STATE] = xstrdup(is_locked(u) ? "locked" : "-");
	return rc;
}

/* Columns padded to their widest cell; numbers to the right. */
static void
print_row(const char *const *row, const size_t *width)
{
	int i;

	for (i = 0; i < NCOLS; i++) {
		if (i == NCOLS - 1)
			printf("%s\n", row[i]);
		else if (i == COL_UID || i == COL_GID || i == COL_SESSIONS)
			printf("%*s  ", (int)width[i], row[i]);
		else
			printf("%-*s  ", (int)width[i], row[i]);
	}
}

/* "what: N used of LIMIT (exact)", or "N used, no limit (exact)". */
static void
print_usage_line(const char *what, uint64_t used, uint64_t limit, int bytes)
{
	char u[24], l[24];

	if (bytes) {
		human_size(used, u, sizeof(u));
		human_size(limit, l, sizeof(l));
	} else {
		snprintf(u, sizeof(u), "%ju", (uintmax_t)used);
		snprintf(l, sizeof(l), "%ju", (uintmax_t)limit);
	}
	if (limit == 0)
		printf(
		    "%-10s%s used, no limit (%ju)\n", what, u, (uintmax_t)used);
	else
		printf("%-10s%s used of %s (%ju of %ju)\n", what, u, l,
		    (uintmax_t)used, (uintmax_t)limit);
}

/* One user in full, a field a line; -1 if the usage could not be read. */
static int
show_user(const struct config *c, const struct user *u)
{
	struct quota_usage use;
	char rate[24];
	int r, n, rc = 0;

	printf("%-10s%s\n", "name:", u->name);
	printf("%-10s%lu\n", "uid:", (unsigned long)u->uid);
	printf("%-10s%lu\n", "gid:", (unsigned long)u->gid);
	printf("%-10s%s\n", "home:", u->home);
	printf("%-10s%s\n", "state:",
	    is_locked(u) ? "locked (no password is accepted)" : "active");
	if ((n = slots_count(c->session_dir, u->name)) == -1)
		printf("%-10s? running (cannot read %s/%s: %s)",
		    "sessions:", c->session_dir, u->name, strerror(errno));
	else
		printf("%-10s%d running", "sessions:", n);
	if (u->max_sessions == 0)
		printf(" of at most %u (max_sessions_per_user)\n",
		    config_session_limit(c, 0));
	else
		printf(" of at most %u\n", u->max_sessions);
	admin_limits_rate(u->rate, rate, sizeof(rate));
	if (u->rate == 0)
		printf("%-10s%s\n", "rate:", "no limit");
	else
		printf("%-10s%s each way per session (%ju bytes/s)\n",
		    "rate:", rate, (uintmax_t)u->rate);
	printf("%-10s%s\n",
	    "from:", u->allow[0] == '\0' ? "any address" : u->allow);
	if ((r = admin_read_usage(c, u->name, &use)) == 0) {
		print_usage_line("bytes:", use.bytes, u->quota_bytes, 1);
		print_usage_line("files:", use.files, u->quota_files, 0);
		return 0;
	}
	if (r == QUOTA_ERR_CORRUPT)
		printf("%-10s%s\n", "usage:", "damaged accounting file");
	else if (r == QUOTA_ERR_BUSY)
		printf("%-10s%s\n", "usage:",
		    "busy (the accounting file is locked: a recount of the "
		    "user, or a long change by one of its sessions, runs; "
		    "try again)");
	else if (errno == ENOENT)
		printf("%-10s%s\n", "usage:", "no accounting file");
	else {
		admin_warn(
		    "%s: cannot read %s/%s", u->name, c->quota_dir, u->name);
		rc = -1;
	}
	return rc;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		ADMIN_COMMON_LONGOPTS,
		{ "no-header", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = NULL, *name;
	const struct user *u;
	size_t width[NCOLS], i;
	struct config conf;
	struct userdb db;
	char **rows;
	int ch, j, header = 1, failed = 0;

	admin_init(PROGNAME, usage_text);
	opterr = 0; /* messages name the program, not argv[0] */
	while ((ch = getopt_long(argc, argv, "c:hH", longopts, NULL)) != -1) {
		switch (ch) {
		case 'H':
			header = 0;
			break;
		default:
			admin_common_option(
			    ch, optarg, &config_path, argv[optind - 1]);
		}
	}
	admin_name_count(argc, argv, optind, 0);
	name = optind < argc ? admin_parse_name(argv[optind]) : NULL;
	admin_require_root();
	admin_load_config(&conf, config_path);
	admin_load_db(&db, &conf);
	if (name != NULL) {
		u = admin_find_user(&db, name);
		failed = show_user(&conf, u) == -1;
		goto out;
	}

	rows = xreallocarray(NULL, db.n + 1, NCOLS * sizeof(*rows));
	for (i = 0; i < db.n; i++)
		if (list_row(&conf, &db.users[i], rows + i * NCOLS) == -1)
			failed = 1;
	for (j = 0; j < NCOLS; j++)
		width[j] = header ? strlen(headers[j]) : 0;
	for (i = 0; i < db.n; i++)
		for (j = 0; j < NCOLS; j++)
			if (strlen(rows[i * NCOLS + j]) > width[j])
				width[j] = strlen(rows[i * NCOLS + j]);
	if (header)
		print_row(headers, width);
	for (i = 0; i < db.n; i++) {
		print_row((const char *const *)(rows + i * NCOLS), width);
		for (j = 0; j < NCOLS; j++)
			free(rows[i * NCOLS + j]);
	}
	free(rows);
out:
	if (fflush(stdout) == EOF || ferror(stdout))
		admin_err("writing the output");
	userdb_free(&db);
	config_free(&conf);
	return failed ? ADMIN_EXIT_FAILURE : 0;
}
