/*
 * kvline.h: one line of a "key = value" settings file, the format of
 * mftpd.conf(5) and of the client's ~/.config/mftp/config.
 *
 * Used by: the configuration reader (master and admin tools, root) and
 * the client's settings reader (the user).
 */
#ifndef MFTP_KVLINE_H
#define MFTP_KVLINE_H

/*
 * Split line (modified in place): '#' starts a comment anywhere, and
 * blanks (space, tab, CR) around the key and the value are dropped.  1
 * with *key and *value pointing into line (either may be empty), 0 for
 * a blank or comment-only line, -1 when there is no '='.
 */
int kvline_split(char *line, char **key, char **value);
/* Is c a blank that kvline_split drops around a key or a value? */
int kvline_blank(int c);

#endif
