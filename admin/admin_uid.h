/*
 * admin_uid.h: which uids ftpuser-add may give a new user.
 *
 * Runs as: root, from an administrator's shell or script, under the user
 * database lock.
 *
 * A uid stays with the files it owns: a removed user's kept home, or any
 * file of it under the homes' base directory, would belong to the next
 * user given that uid, as would a session it still runs.  So a uid is
 * "held" while a file under home_base is owned by it (as uid or gid), or
 * while the home of a removed user recorded in the retired list still
 * exists and is owned by it.  The retired list is the file
 * ADMIN_RETIRED_FILE in quota_dir, root 0600, one "uid:home" line per
 * removed user, appended by ftpuser-del; a name starting with '.' can
 * never be a user's accounting file.
 */
#ifndef MFTP_ADMIN_UID_H
#define MFTP_ADMIN_UID_H

#include <sys/types.h>

#include "config.h"
#include "userdb.h"

#define ADMIN_RETIRED_FILE ".retired-uids"

/* Largest uid/gid, as userdb(5) takes them. */
#define ADMIN_ID_MAX 2147483646LL

/*
 * The lowest uid in [uid_min, uid_max] used as a uid or gid by no user of
 * db, by no passwd or group entry, and not held (see above).  -1 if there
 * is none.
 */
int
admin_alloc_uid(const struct userdb *db, const struct config *c, uid_t *uid);

/*
 * Nonzero if uid is held (see above); *why then says by what (a static
 * string or one in buf).
 */
int admin_uid_held(const struct config *c, uid_t uid, char *buf, size_t buflen,
    const char **why);

/*
 * Nonzero if uid is held by a removed user's kept home (the retired
 * list); buf then says which.
 */
int
admin_uid_retired(const struct config *c, uid_t uid, char *buf, size_t buflen);

/*
 * Nonzero if uid belongs to the system rather than to mftp: below
 * uid_min, or the uid of a passwd entry (its name in buf).
 */
int
admin_uid_system(const struct config *c, uid_t uid, char *buf, size_t buflen);

/*
 * The same for a gid: below uid_min (the range is the gids' too), or the
 * gid of a group entry (its name in buf).
 */
int
admin_gid_system(const struct config *c, gid_t gid, char *buf, size_t buflen);

/* Record in the retired list that uid, whose home was home, is removed;
 * -1 with errno. */
int admin_retire_uid(const struct config *c, uid_t uid, const char *home);

#endif
