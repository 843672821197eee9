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

struct msg;
struct session;

/* cmd_dir.c */
int cmd_pwd(struct session *s, const struct msg *m);
int cmd_cwd(struct session *s, const struct msg *m);
int cmd_list(struct session *s, const struct msg *m);
int cmd_mkdir(struct session *s, const struct msg *m);
int cmd_stat(struct session *s, const struct msg *m);

/* cmd_file.c */
int cmd_get(struct session *s, const struct msg *m);
int cmd_put(struct session *s, const struct msg *m);

#endif
