/*
 * tilde.h: a local name's leading ~ or ~USER, the home directory, as
 * a shell and sftp read it: for the commands' local names (cmd_run),
 * -o UserKnownHostsFile and the completion of local names.
 *
 * Runs as: the user, in mftp.
 */
#ifndef MFTP_CLIENT_TILDE_H
#define MFTP_CLIENT_TILDE_H

/*
 * path's leading "~" or "~/" made the home directory (home_dir: $HOME,
 * else the passwd entry's), and "~USER" or "~USER/" USER's home (the
 * passwd entry's): 0 with *out a new string, or NULL when path does not
 * start with '~'.  With glob set (mput's patterns), the home's *, ?, [
 * and \ are escaped for glob(3).  -1 without such a home, *out then
 * the reason, a new string ("~x: no such user").
 */
int tilde_expand(const char *path, int glob, char **out);

#endif
