/*
 * cmdline.h: what mftp's operands ask for: a session with
 * [user@]host[:port], a download as scp does (user@host:path [LOCAL]),
 * an upload (FILE... user@host:[DIR]), or an mftp:// URL.
 *
 * Runs as: the user, in mftp.
 */
#ifndef MFTP_CLIENT_CMDLINE_H
#define MFTP_CLIENT_CMDLINE_H

struct cmd_ctx;

enum cmdline_mode {
	CMDLINE_SESSION, /* the prompt or a batch file */
	CMDLINE_GET,	 /* download path to local, then quit (a directory:
			    a session there) */
	CMDLINE_PUT,	 /* upload files into path, then quit */
};

struct cmdline {
	enum cmdline_mode mode;
	char *user; /* NULL: from ~/.netrc or the login name */
	char *host;
	char *port;   /* NULL: -P's or the default */
	char *path;   /* the remote path, or NULL */
	char *local;  /* GET: where to (NULL: the base name) */
	char **files; /* PUT: the local files */
	int nfiles;
	int session_only; /* -b: host:path must be a directory */
};

/*
 * Read the operands into cl (strings are copies).  0, or -1 with a
 * message in errbuf: a URL of another scheme, a malformed destination,
 * a remote path where none fits.
 */
int cmdline_parse(
    struct cmdline *cl, int argc, char **argv, char *errbuf, size_t errlen);
void cmdline_free(struct cmdline *cl);

/*
 * Logged in: run the download or upload (recursive: -r) with the
 * client's own commands, errors printed as at the prompt.  0 done, -1
 * a command failed, 1 a session is to follow (host:dir went there).
 * With session_only a host:path that is no directory is a failure.
 */
int cmdline_run(struct cmd_ctx *ctx, const struct cmdline *cl, int recursive);

#endif
