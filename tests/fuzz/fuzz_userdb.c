/*
 * fuzz_userdb.c: the user database parser (lib/userdb.c) on a file's
 * contents, as mftpd-auth and the admin tools read /etc/mftp/users with
 * userdb_load() (which refuses a NUL byte before it parses).
 *
 * Properties: a database that parses formats back, line by line with
 * userdb_format_line(), into a text that parses to the same records and
 * formats to itself again (what the admin tools write, the helper
 * reads); a refused one leaves the database empty with a reason that
 * names the line, and nothing allocated (LeakSanitizer).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mftp_limits.h"
#include "userdb.h"

/* The database as the admin tools would write it; NULL if one fails. */
static char *
fuzz_format(const struct userdb *db)
{
	char *text, *p;
	size_t i, left;

	left = db->n * (MFTP_USERDB_LINE_MAX + 2) + 1;
	if ((text = malloc(left)) == NULL)
		abort();
	p = text;
	*p = '\0';
	for (i = 0; i < db->n; i++) {
		if (userdb_format_line(&db->users[i], p, left) != 0) {
			free(text);
			return NULL;
		}
		left -= strlen(p);
		p += strlen(p);
	}
	return text;
}

static int
fuzz_same_user(const struct user *a, const struct user *b)
{
	return strcmp(a->name, b->name) == 0 && strcmp(a->hash, b->hash) == 0 &&
	    a->uid == b->uid && a->gid == b->gid &&
	    strcmp(a->home, b->home) == 0 && a->quota_bytes == b->quota_bytes &&
	    a->quota_files == b->quota_files &&
	    a->max_sessions == b->max_sessions && a->rate == b->rate &&
	    strcmp(a->allow, b->allow) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct userdb db, db2;
	char *text, *text2, *text3, err[512];
	size_t i;

	if ((text = fuzz_cstring(data, size)) == NULL)
		return 0;
	err[0] = '\0';
	if (userdb_parse(&db, text, err, sizeof(err)) != 0) {
		FUZZ_CHECK(db.n == 0 && db.users == NULL);
		FUZZ_CHECK(strncmp(err, "line ", 5) == 0);
		free(text);
		return 0;
	}
	for (i = 0; i < db.n; i++) {
		FUZZ_CHECK(userdb_valid_name(db.users[i].name));
		FUZZ_CHECK(db.users[i].uid != 0 && db.users[i].gid != 0);
		FUZZ_CHECK(db.users[i].home[0] == '/');
		FUZZ_CHECK(db.users[i].allow != NULL);
		FUZZ_CHECK(db.users[i].max_sessions <= MFTP_USER_SESSIONS_MAX);
		FUZZ_CHECK(userdb_find(&db, db.users[i].name) == &db.users[i]);
	}
	/* Formatting never makes a line longer than what was parsed. */
	FUZZ_CHECK((text2 = fuzz_format(&db)) != NULL);
	FUZZ_CHECK(userdb_parse(&db2, text2, err, sizeof(err)) == 0);
	FUZZ_CHECK(db2.n == db.n);
	for (i = 0; i < db.n; i++)
		FUZZ_CHECK(fuzz_same_user(&db.users[i], &db2.users[i]));
	FUZZ_CHECK((text3 = fuzz_format(&db2)) != NULL);
	FUZZ_CHECK(strcmp(text2, text3) == 0);
	free(text3);
	free(text2);
	userdb_free(&db2);
	userdb_free(&db);
	free(text);
	return 0;
}
