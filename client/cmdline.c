/*
 * cmdline.c: what mftp's operands ask for, as scp and sftp read theirs:
 * [user@]host[:port] (a session), user@host:path [LOCAL] (a download),
 * FILE... user@host:[DIR] (an upload), mftp://[user@]host[:port][/path].
 *
 * Runs as: the user, in mftp.  A word is remote when it is an mftp://
 * URL or has a colon before any slash (write ./a:b for a local file with
 * a colon, as with scp).  After the first colon, digits alone are a
 * port, as they always were; anything else is a path, colons and all.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "cmds.h"
#include "intr.h"
#include "proto.h"
#include "rpc.h"
#include "shell.h"
#include "util.h"
#include "words.h"

#define CMDLINE_SCHEME "mftp://"

/* "xxx://": a URL, of whatever scheme. */
static int
cmdline_is_url(const char *s)
{
	size_t n = strspn(s,
	    "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");

	return n > 0 && strncmp(s + n, "://", 3) == 0;
}

static int
cmdline_is_remote(const char *s)
{
	const char *colon = strchr(s, ':'), *slash = strchr(s, '/');

	if (cmdline_is_url(s))
		return 1;
	/* [v6]:port and [v6]:path are remote; a bare v6 literal too. */
	return colon != NULL && colon != s && (slash == NULL || colon < slash);
}

/* %XX escapes of a URL, in place; -1 for a bad one or a NUL. */
static int
cmdline_unescape(char *s)
{
	char *out = s, hex[3] = { 0 };

	for (; *s != '\0'; s++) {
		if (*s != '%') {
			*out++ = *s;
			continue;
		}
		if (!isxdigit((unsigned char)s[1]) ||
		    !isxdigit((unsigned char)s[2]))
			return -1;
		hex[0] = s[1];
		hex[1] = s[2];
		if ((*out++ = (char)strtol(hex, NULL, 16)) == '\0')
			return -1;
		s += 2;
	}
	*out = '\0';
	return 0;
}

/* Whether s, up to a '%' (a zone), is an IPv6 address. */
static int
cmdline_is_v6(const char *s)
{
	struct in6_addr a;
	char buf[INET6_ADDRSTRLEN];
	size_t n = strcspn(s, "%");

	if (n >= sizeof(buf))
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return inet_pton(AF_INET6, buf, &a) == 1;
}

/*
 * Split host[:port] or [v6][:port] (modified); -1 when malformed.  What
 * follows the first colon is the port (or path): host:a:b is host and
 * a:b, as scp reads it, unless the whole word is an IPv6 address, which
 * is the host (::1; [::1]:path names a path on it).
 */
static int
cmdline_hostport(char *s, char **host, char **port, char *errbuf, size_t errlen)
{
	char *p;

	*port = NULL;
	if (*s == '[') {
		if ((p = strchr(s, ']')) == NULL) {
			snprintf(errbuf, errlen, "missing ']' in '%s'", s);
			return -1;
		}
		*p++ = '\0';
		*host = s + 1;
		if (*p == ':')
			*port = p + 1;
		else if (*p != '\0') {
			snprintf(
			    errbuf, errlen, "unexpected '%s' after ']'", p);
			return -1;
		}
	} else {
		*host = s;
		if ((p = strchr(s, ':')) != NULL &&
		    (strchr(p + 1, ':') == NULL || !cmdline_is_v6(s))) {
			*p = '\0';
			*port = p + 1;
		}
	}
	if (**host == '\0') {
		snprintf(errbuf, errlen, "no host given");
		return -1;
	}
	return 0;
}

static int
cmdline_url(struct cmdline *cl, const char *arg, char *errbuf, size_t errlen)
{
	char *s, *slash, *at, *host, *port;
	int r = -1;

	if (strncasecmp(arg, CMDLINE_SCHEME, strlen(CMDLINE_SCHEME)) != 0) {
		snprintf(errbuf, errlen,
		    "%.*s: not an mftp URL; mftp speaks only its own protocol "
		    "(mftp://[user@]host[:port][/path])",
		    (int)(strstr(arg, "://") - arg + 3), arg);
		return -1;
	}
	s = xstrdup(arg + strlen(CMDLINE_SCHEME));
	if ((slash = strchr(s, '/')) != NULL) {
		cl->path = xstrdup(slash);
		*slash = '\0';
		if (cmdline_unescape(cl->path) == -1)
			goto bad;
	}
	if ((at = strrchr(s, '@')) != NULL) {
		*at = '\0';
		if (*s == '\0' || cmdline_unescape(s) == -1)
			goto bad;
		/*
		 * user:password@: it would reach the server as a user name
		 * (and its log); no user name has a colon.  Not repeated.
		 */
		if (strchr(s, ':') != NULL) {
			snprintf(errbuf, errlen,
			    "mftp:// URL: a password in the URL is not "
			    "taken; use --password-fd or ~/.netrc");
			goto out;
		}
		cl->user = xstrdup(s);
		at++;
	} else
		at = s;
	if (cmdline_hostport(at, &host, &port, errbuf, errlen) == -1)
		goto out;
	/* The host's escapes too: a zone index is %25 (RFC 6874). */
	if (cmdline_unescape(host) == -1)
		goto bad;
	cl->host = xstrdup(host);
	cl->port = port != NULL && *port != '\0' ? xstrdup(port) : NULL;
	r = 0;
	goto out;
bad:
	snprintf(errbuf, errlen, "%s: malformed URL", arg);
out:
	free(s);
	return r;
}

/* [user@]host[:port|:path], or a URL. */
static int
cmdline_dest(struct cmdline *cl, const char *arg, char *errbuf, size_t errlen)
{
	char *s, *at, *rest, *host, *port;

	if (cmdline_is_url(arg))
		return cmdline_url(cl, arg, errbuf, errlen);
	s = xstrdup(arg);
	rest = s;
	/*
	 * The user ends at the last '@' before the first colon: a user
	 * name has no colon, a path may have an '@' (host:mail@home).
	 */
	if ((at = memrchr(s, '@', strcspn(s, ":"))) != NULL) {
		*at = '\0';
		if (*s == '\0') {
			free(s);
			snprintf(errbuf, errlen, "empty user name");
			return -1;
		}
		cl->user = xstrdup(s);
		rest = at + 1;
	}
	if (cmdline_hostport(rest, &host, &port, errbuf, errlen) == -1) {
		free(s);
		return -1;
	}
	cl->host = xstrdup(host);
	/* host:2121 is a port, as it always was; host:docs a path. */
	if (port != NULL && *port != '\0' &&
	    port[strspn(port, "0123456789")] == '\0')
		cl->port = xstrdup(port);
	else if (port != NULL)
		cl->path = xstrdup(port);
	free(s);
	return 0;
}

int
cmdline_parse(
    struct cmdline *cl, int argc, char **argv, char *errbuf, size_t errlen)
{
	int i;

	memset(cl, 0, sizeof(*cl));
	if (argc >= 2 && cmdline_is_remote(argv[argc - 1]) &&
	    !cmdline_is_remote(argv[0])) {
		/* FILE... user@host:[DIR] */
		for (i = 0; i < argc - 1; i++)
			if (cmdline_is_url(argv[i])) {
				snprintf(errbuf, errlen,
				    "%s: give one destination, last", argv[i]);
				return -1;
			}
		cl->mode = CMDLINE_PUT;
		cl->files = argv;
		cl->nfiles = argc - 1;
		return cmdline_dest(cl, argv[argc - 1], errbuf, errlen);
	}
	if (argc > 2 || (argc == 2 && cmdline_is_remote(argv[1]))) {
		snprintf(errbuf, errlen,
		    "one remote file to fetch (host:path [local]), or files to "
		    "send to one place (file... host:dir)");
		return -1;
	}
	if (cmdline_dest(cl, argv[0], errbuf, errlen) == -1)
		return -1;
	if (argc == 2) {
		if (cl->path == NULL || *cl->path == '\0') {
			snprintf(errbuf, errlen,
			    "%s: no remote file named to fetch into %s",
			    argv[0], argv[1]);
			return -1;
		}
		cl->mode = CMDLINE_GET;
		cl->local = xstrdup(argv[1]);
	} else if (cl->path != NULL && *cl->path != '\0')
		cl->mode = CMDLINE_GET; /* a directory starts a session there */
	return 0;
}

void
cmdline_free(struct cmdline *cl)
{
	free(cl->user);
	free(cl->host);
	free(cl->port);
	free(cl->path);
	free(cl->local);
	memset(cl, 0, sizeof(*cl));
}

/* Run one command line as a script's (shell_command). */
static int
cmdline_cmd(struct cmd_ctx *ctx, char **argv)
{
	int argc;

	for (argc = 0; argv[argc] != NULL; argc++)
		;
	return shell_command(ctx, argc, argv);
}

int
cmdline_run(struct cmd_ctx *ctx, const struct cmdline *cl, int recursive)
{
	char *argv[6], *dir = NULL;
	struct msg_attr a;
	int i, n, r = 0;

	if (cl->mode == CMDLINE_GET && !recursive && cl->local == NULL &&
	    (cl->session_only ||
		(rpc_stat(ctx->rpc, cl->path, &a) == RPC_OK &&
		    a.kind == MFTP_KIND_DIR))) {
		/* host:dir, as sftp: a session that starts there (cd says
		 * what else the path is). */
		argv[0] = (char *)"cd";
		argv[1] = cl->path;
		argv[2] = NULL;
		return cmdline_cmd(ctx, argv) == 0 ? 1 : -1;
	}
	ctx->command_line = cl->mode != CMDLINE_SESSION;
	switch (cl->mode) {
	case CMDLINE_SESSION:
		return 1;
	case CMDLINE_GET:
		n = 0;
		argv[n++] = (char *)"get";
		if (recursive)
			argv[n++] = (char *)"-r";
		argv[n++] = (char *)"--";
		argv[n++] = cl->path;
		if (cl->local != NULL)
			argv[n++] = cl->local;
		argv[n] = NULL;
		return cmdline_cmd(ctx, argv);
	case CMDLINE_PUT:
		/* Several files go into DIR; one may also get DIR's name. */
		if (cl->path != NULL && *cl->path != '\0' && cl->nfiles > 1)
			dir = cmd_join(cl->path, "");
		/*
		 * As scp: a file that fails is named and the others still
		 * go, and the status says one failed.  Not after Ctrl-C (a
		 * file's last bytes may have come), nor once the session is
		 * lost: each would fail the same way.
		 */
		for (i = 0; i < cl->nfiles && !ctx->interrupted &&
		     !intr_pending() && !rpc_lost(ctx->rpc);
		     i++) {
			n = 0;
			argv[n++] = (char *)"put";
			if (recursive)
				argv[n++] = (char *)"-r";
			argv[n++] = (char *)"--";
			argv[n++] = cl->files[i];
			if (dir != NULL)
				argv[n++] = dir;
			else if (cl->path != NULL && *cl->path != '\0')
				argv[n++] = cl->path;
			argv[n] = NULL;
			if (cmdline_cmd(ctx, argv) != 0)
				r = -1;
		}
		free(dir);
		return r;
	}
	return -1;
}
