/*
 * ftpuser_list.c: ftpuser-list(8), one line per user of the database:
 * name, uid, gid, home, and bytes and files used against their limits.
 *
 *   ftpuser-list [-c config] [-H]
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
#include "quota.h"
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
	NCOLS
};

static const char *const headers[NCOLS] = {
	"NAME",
	"UID",
	"GID",
	"HOME",
	"BYTES(USED/LIMIT)",
	"FILES(USED/LIMIT)",
};

static const char usage_text[] = "usage: " PROGNAME " [-c config] [-H]\n";

/* "used/limit", each in human units; "-" for no limit. */
static char *
used_limit(const char *used, uint64_t limit, int bytes)
{
	char l[ADMIN_HUMAN_LEN], *s;

	if (limit == 0)
		strlcpy(l, "-", sizeof(l));
	else if (bytes)
		admin_human_bytes(limit, 1, l, sizeof(l));
	else
		admin_human_count(limit, l, sizeof(l));
	xasprintf(&s, "%s/%s", used, l);
	return s;
}

/*
 * Fill row with u's columns.  The usage reads "damaged" for a corrupt
 * accounting file and "missing" when there is none.  -1 (after a
 * message) if the file could not be read at all.
 */
static int
list_row(const struct config *c, const struct user *u, char **row)
{
	char ub[ADMIN_HUMAN_LEN], uf[ADMIN_HUMAN_LEN];
	struct quota_usage use;
	int r, rc = 0;

	r = admin_read_usage(c, u->name, &use);
	if (r == 0) {
		admin_human_bytes(use.bytes, 1, ub, sizeof(ub));
		admin_human_count(use.files, uf, sizeof(uf));
	} else {
		if (r == QUOTA_ERR_CORRUPT)
			strlcpy(ub, "damaged", sizeof(ub));
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
		else if (i == COL_UID || i == COL_GID)
			printf("%*s  ", (int)width[i], row[i]);
		else
			printf("%-*s  ", (int)width[i], row[i]);
	}
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "no-header", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = NULL;
	size_t width[NCOLS], i;
	struct config conf;
	struct userdb db;
	char **rows;
	int ch, j, header = 1, failed = 0;

	admin_init(PROGNAME, usage_text);
	opterr = 0; /* messages name the program, not argv[0] */
	while ((ch = getopt_long(argc, argv, "c:hH", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			config_path = optarg;
			break;
		case 'H':
			header = 0;
			break;
		case 'h':
			admin_help();
		default:
			admin_bad_option(argv[optind - 1]);
		}
	}
	if (optind != argc)
		admin_usage();
	admin_require_root();
	admin_load_config(&conf, config_path);
	admin_load_db(&db, &conf);

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
	if (fflush(stdout) == EOF || ferror(stdout))
		admin_err("writing the output");
	userdb_free(&db);
	config_free(&conf);
	return failed ? ADMIN_EXIT_FAILURE : 0;
}
