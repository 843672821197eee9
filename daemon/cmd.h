/*
 * cmd.h: request handlers of the serving process, by area.
 *
 * Runs as: the logged-in user, chrooted to the home.  Each handler gets
 * the decoded request, sends exactly one final reply (and any
 * intermediate frames and raw data before it), and returns 0 to go on or
 * -1 when the connection cannot go on (peer gone, stream out of step).
 */
#ifndef MFTP_CMD_H
#define MFTP_CMD_H

#include <stddef.h>
#include <stdint.h>

struct msg;
struct session;

/* cmd_dir.c */
int cmd_pwd(struct session *s, const struct msg *m);
int cmd_cwd(struct session *s, const struct msg *m);
int cmd_list(struct session *s, const struct msg *m);
int cmd_mkdir(struct session *s, const struct msg *m);
int cmd_stat(struct session *s, const struct msg *m);

/* cmd_file.c: downloads and hashes */
int cmd_get(struct session *s, const struct msg *m);
int cmd_hash(struct session *s, const struct msg *m);

/* cmd_put.c: uploads */
int cmd_put(struct session *s, const struct msg *m);
/*
 * Nonzero when the last component of path names an upload's partial
 * file ("*.mftp-part"): those names belong to the server, and requests
 * that would create, replace or move one are refused.  REMOVE may
 * discard one that no upload holds.
 */
int cmd_put_is_partial(const char *path);

/* cmd_fs.c: removing and renaming */
int cmd_remove(struct session *s, const struct msg *m);
int cmd_rmdir(struct session *s, const struct msg *m);
int cmd_rename(struct session *s, const struct msg *m);

/* cmd_quota.c: the QUOTA request and the accounting every write does */
int cmd_quota(struct session *s, const struct msg *m);
/*
 * May the usage grow by bytes and files?  0 yes; else an MFTP_ST_*
 * status (QUOTA, IO) with a message for the user in why.  Reads without
 * changing anything: the charge that follows may still be refused.
 */
uint32_t cmd_quota_check(struct session *s, uint64_t bytes, uint64_t files,
    char *why, size_t whylen);
/*
 * Charge growth before it happens: 0, or a status and message as above
 * (nothing charged).
 */
uint32_t cmd_quota_charge(struct session *s, uint64_t bytes, uint64_t files,
    char *why, size_t whylen);
/*
 * Give back what was freed (or charged and not used).  Never fails: with
 * a damaged accounting file nothing is recorded (the recount repairs it).
 */
void cmd_quota_release(struct session *s, uint64_t bytes, uint64_t files);

#endif
