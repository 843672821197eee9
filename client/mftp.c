/*
 * mftp.c: the client's entry point: options, the operands (cmdline.c),
 * connecting, logging in, then a transfer named on the command line or
 * the command shell.
 *
 * Runs as: the user who starts it.  Exit status: 0 all went well, 1 a
 * command failed (batch), 2 usage error, 3 no connection, protocol error
 * or connection lost, 4 login failed, 130 a transfer stopped by Ctrl-C.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
#include "cmds.h"
#include "intr.h"
#include "known_hosts.h"
#include "log.h"
#include "login.h"
#include "mftp_limits.h"
#include "netrc.h"
#include "password.h"
#include "proto.h"
#include "rpc.h"
#include "shell.h"
#include "tilde.h"
#include "tls.h"
#include "userconf.h"
#include "util.h"

#define MFTP_DEFAULT_PORT "2121"

#define EXIT_USAGE 2
#define EXIT_CONNECT 3
#define EXIT_LOGIN 4

static void __attribute__((noreturn)) usage(int status)
{
	fprintf(status == 0 ? stdout : stderr,
	    "usage: mftp [-hnqrv] [-b batchfile] [-P port] [--password-fd fd]\n"
	    "            [--retry n] [-o StrictHostKeyChecking=ask|yes|"
	    "accept-new|no]\n"
	    "            [-o UserKnownHostsFile=path] [-o Verify=xxh128|sha256]\n"
	    "            [-o BindAddress=addr] [-o Retry=n] [-o Timeout=seconds]\n"
	    "            [-o Ciphers=chacha20-poly1305,aes128-gcm] [--version]\n"
	    "            destination\n"
	    "destination: [user@]host[:port]  a session\n"
	    "             user@host:path [local]  fetch a file (-r: a tree)\n"
	    "             file... user@host:[dir]  send files (-r: trees)\n"
	    "             mftp://[user@]host[:port][/path]\n");
	exit(status);
}

static void __attribute__((noreturn)) die(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cmd_vnote(fmt, ap);
	va_end(ap);
	exit(status);
}

/*
 * A port, as its decimal number (allocated): 02121 or +2121 reach the
 * same port as 2121, and the pins must name it the same way, or a pin
 * for 2121 would not hold for a connection typed 02121.
 */
static char *
mftp_port_arg(const char *s)
{
	const char *err;
	long long n;
	char *p;

	n = strtonum(s, 1, 65535, &err);
	if (err != NULL)
		die(EXIT_USAGE, "port '%s' is %s (1-65535)", s, err);
	xasprintf(&p, "%lld", n);
	return p;
}

/*
 * -o KEY=VALUE, with ssh's names and values for the same things, so a
 * script reads the same for both.
 */
/* The options -o sets besides the trust ones. */
struct mftp_opts {
	char *khfile;	  /* UserKnownHostsFile */
	int verify;	  /* Verify, or -1 */
	const char *bind; /* BindAddress, or NULL */
	int retry;	  /* Retry (--retry) */
	int ciphers;	  /* Ciphers was given (and is in use) */
};

/* A --retry count: 0..100. */
static int
mftp_retry_arg(const char *s)
{
	const char *err;
	long long n;

	n = strtonum(s, 0, 100, &err);
	if (err != NULL)
		die(EXIT_USAGE, "retry count '%s' is %s (0-100)", s, err);
	return (int)n;
}

static void
mftp_option(struct rpc_trust *trust, struct mftp_opts *o, const char *arg)
{
	static const struct {
		const char *name;
		enum rpc_strict value;
	} stricts[] = {
		{ "ask", RPC_STRICT_ASK },
		{ "yes", RPC_STRICT_YES },
		{ "accept-new", RPC_STRICT_ACCEPT_NEW },
		{ "no", RPC_STRICT_NO },
		{ "off", RPC_STRICT_NO },
	};
	const char *eq = strchr(arg, '='), *v;
	size_t i, klen;

	if (eq == NULL)
		die(EXIT_USAGE, "-o %s: expected KEY=VALUE", arg);
	klen = (size_t)(eq - arg);
	v = eq + 1;
	if (klen == strlen("StrictHostKeyChecking") &&
	    strncasecmp(arg, "StrictHostKeyChecking", klen) == 0) {
		for (i = 0; i < sizeof(stricts) / sizeof(stricts[0]); i++)
			if (strcasecmp(v, stricts[i].name) == 0) {
				trust->strict = stricts[i].value;
				return;
			}
		die(EXIT_USAGE,
		    "-o StrictHostKeyChecking=%s: use ask, yes, accept-new "
		    "or no",
		    v);
	}
	if (klen == strlen("UserKnownHostsFile") &&
	    strncasecmp(arg, "UserKnownHostsFile", klen) == 0) {
		if (*v == '\0')
			die(EXIT_USAGE, "-o UserKnownHostsFile: empty path");
		free(o->khfile);
		/* ~ and ~USER as in a local name, and as ssh reads them. */
		if (tilde_expand(v, 0, &o->khfile) == -1)
			die(EXIT_USAGE, "-o UserKnownHostsFile=%s: %s", v,
			    o->khfile);
		if (o->khfile == NULL)
			o->khfile = xstrdup(v);
		return;
	}
	if (klen == strlen("Verify") && strncasecmp(arg, "Verify", klen) == 0) {
		enum digest_alg alg;

		if (digest_from_name(v, &alg) == -1)
			die(EXIT_USAGE, "-o Verify=%s: use xxh128 or sha256",
			    v);
		o->verify = (int)alg;
		return;
	}
	if (klen == strlen("BindAddress") &&
	    strncasecmp(arg, "BindAddress", klen) == 0) {
		if (*v == '\0')
			die(EXIT_USAGE, "-o BindAddress: empty address");
		if (rpc_addr_family(v) == -1)
			die(EXIT_USAGE,
			    "-o BindAddress=%s: not a numeric IPv4 or IPv6 "
			    "address",
			    v);
		o->bind = v;
		return;
	}
	if (klen == strlen("Ciphers") &&
	    strncasecmp(arg, "Ciphers", klen) == 0) {
		if (tls_suites_choose(v) == -1)
			die(EXIT_USAGE,
			    "-o Ciphers=%s: use chacha20-poly1305, aes128-gcm "
			    "or both, separated by a comma, in the order "
			    "preferred",
			    v);
		o->ciphers = 1;
		return;
	}
	if (klen == strlen("Retry") && strncasecmp(arg, "Retry", klen) == 0) {
		o->retry = mftp_retry_arg(v);
		return;
	}
	if (klen == strlen("Timeout") &&
	    strncasecmp(arg, "Timeout", klen) == 0) {
		const char *err;
		/* At least 5: the server's WORKING comes about each second,
		 * after a piece of a file it hashes. */
		long long n = strtonum(v, 5, 86400, &err);

		if (err != NULL)
			die(EXIT_USAGE, "-o Timeout=%s: seconds, 5-86400", v);
		rpc_set_timeout((int)n);
		return;
	}
	die(EXIT_USAGE,
	    "-o %.*s: unknown option (mftp knows StrictHostKeyChecking, "
	    "UserKnownHostsFile, Verify, BindAddress, Ciphers, Retry and "
	    "Timeout)",
	    (int)klen, arg);
}

static const char *
mftp_login_name(void)
{
	struct passwd *pw;
	const char *s;

	if ((pw = getpwuid(getuid())) != NULL)
		return pw->pw_name;
	if ((s = getenv("LOGNAME")) != NULL && *s != '\0')
		return s;
	if ((s = getenv("USER")) != NULL && *s != '\0')
		return s;
	die(EXIT_USAGE, "cannot tell your login name; use user@host");
}

/* ~/.netrc: from $HOME, or the password database's home. */
static char *
mftp_netrc_path(void)
{
	return home_file(".netrc");
}

static int
mftp_fd_arg(const char *s)
{
	const char *err;
	long long n;

	n = strtonum(s, 0, INT_MAX, &err);
	if (err != NULL)
		die(EXIT_USAGE, "password descriptor '%s' is %s", s, err);
	if (fcntl(n, F_GETFD) == -1)
		die(EXIT_USAGE, "password descriptor %lld is not open", n);
	return (int)n;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "batch", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ "no-netrc", no_argument, NULL, 'n' },
		{ "password-fd", required_argument, NULL, 'F' },
		{ "port", required_argument, NULL, 'P' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "recursive", no_argument, NULL, 'r' },
		{ "retry", required_argument, NULL, 'R' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char errbuf[512], *secret, *user, *host, *port;
	struct cmdline cl;
	const char *batchfile = NULL;
	char *optport = NULL;
	struct cmd_ctx ctx;
	FILE *in = NULL;
	char login[MFTP_USER_MAX + 1], *netrc;
	struct mftp_opts o;
	struct rpc_trust trust;
	struct login lg;
	int ch, pwfd = -1, quiet = 0, status, use_netrc = 1, have_secret = 0;
	int verbose = 0, recursive = 0;
	struct userconf uc;
	char *ucpath;

	/*
	 * Descriptors 0, 1 and 2 on /dev/null if closed (">&- 2>&-"): or
	 * the connection would take one, and what is printed to standard
	 * output or error, or a get into /dev/stdout, would go into it.
	 */
	fd_ensure_std();
	/* Only the character set, for line editing; messages stay "C". */
	setlocale(LC_CTYPE, "");
	log_init("mftp", 1);
	/* A server that leaves must not kill us in the middle of a write. */
	signal(SIGPIPE, SIG_IGN);

	memset(&trust, 0, sizeof(trust));
	trust.strict = RPC_STRICT_ASK;
	memset(&o, 0, sizeof(o));
	o.verify = -1;
	/* Messages name "mftp", not the path it was started by. */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":b:hno:P:qrv", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'V':
			printf("mftp %s\n", PACKAGE_VERSION);
			exit(0);
		case 'r':
			recursive = 1;
			break;
		case ':':
			fprintf(stderr, "mftp: option %s needs an argument\n",
			    argv[optind - 1]);
			usage(EXIT_USAGE);
		case '?':
			if (optopt != 0)
				fprintf(stderr, "mftp: unknown option -%c\n",
				    optopt);
			else
				fprintf(stderr, "mftp: unknown option %s\n",
				    argv[optind - 1]);
			usage(EXIT_USAGE);
		case 'o':
			mftp_option(&trust, &o, optarg);
			break;
		case 'R':
			o.retry = mftp_retry_arg(optarg);
			break;
		case 'v':
			verbose = 1;
			break;
		case 'b':
			batchfile = optarg;
			break;
		case 'F':
			pwfd = mftp_fd_arg(optarg);
			break;
		case 'h':
			usage(0);
		case 'n':
			use_netrc = 0;
			break;
		case 'P':
			free(optport);
			optport = mftp_port_arg(optarg);
			break;
		case 'q':
			quiet = 1;
			break;
		default:
			usage(EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage(EXIT_USAGE);
	if (cmdline_parse(&cl, argc, argv, errbuf, sizeof(errbuf)) == -1)
		die(EXIT_USAGE, "%s", errbuf);
	user = cl.user;
	host = cl.host;
	port = cl.port != NULL ? mftp_port_arg(cl.port) : NULL;
	/* host:dir (a path alone) may start -b's session there. */
	if (batchfile != NULL &&
	    (cl.mode == CMDLINE_PUT ||
		(cl.mode == CMDLINE_GET && (recursive || cl.local != NULL))))
		die(EXIT_USAGE,
		    "-b runs a session: give [user@]host[:dir], not a "
		    "transfer");
	cl.session_only = batchfile != NULL;

	memset(&ctx, 0, sizeof(ctx));
	ctx.cmds_fd = -1; /* until shell_run reads commands */
	ctx.quiet = quiet;
	ctx.verbose = verbose;
	/* A bar only where someone watches: never on a pipe or a file. */
	ctx.progress = !quiet && isatty(STDERR_FILENO);

	/*
	 * A script's password: --password-fd first, then ~/.netrc (which
	 * may also name the user), then the terminal.
	 */
	secret = xcalloc(1, MFTP_SECRET_MAX + 2);
	login[0] = '\0';
	if (pwfd < 0 && use_netrc && (netrc = mftp_netrc_path()) != NULL) {
		status = netrc_lookup(netrc, host, user, login, sizeof(login),
		    secret, MFTP_SECRET_MAX + 2, errbuf, sizeof(errbuf));
		free(netrc);
		if (status == -1)
			die(EXIT_LOGIN, "%s", errbuf);
		have_secret = status == 1;
		/* An entry without a password still names the user. */
		if (user == NULL && login[0] != '\0')
			user = login;
	}
	if (user == NULL)
		user = xstrdup(mftp_login_name());
	else
		user = xstrdup(user);

	if (strlen(user) > MFTP_USER_MAX)
		die(EXIT_USAGE, "user name '%s' is longer than %d bytes", user,
		    MFTP_USER_MAX);
	if (port == NULL)
		port = optport != NULL ? optport : xstrdup(MFTP_DEFAULT_PORT);

	if (batchfile != NULL && strcmp(batchfile, "-") != 0) {
		if ((in = fopen(batchfile, "re")) == NULL)
			die(EXIT_USAGE, "%s: %s", batchfile, strerror(errno));
	} else if (batchfile != NULL ||
	    (!isatty(STDIN_FILENO) && cl.mode == CMDLINE_SESSION))
		in = stdin;

	ctx.umask = umask(0);
	umask(ctx.umask);

	/* The settings file, then -o over it. */
	userconf_defaults(&uc);
	if ((ucpath = userconf_default_path()) != NULL &&
	    userconf_load(&uc, ucpath, errbuf, sizeof(errbuf)) == -1)
		die(EXIT_USAGE, "%s", errbuf);
	free(ucpath);
	if (o.verify != -1)
		uc.verify = (enum digest_alg)o.verify;
	/* Checked as it was read (userconf_line). */
	if (!o.ciphers && uc.ciphers[0] != '\0')
		(void)tls_suites_choose(uc.ciphers);

	if (o.khfile == NULL && (o.khfile = known_hosts_default_path()) == NULL)
		die(EXIT_USAGE,
		    "no home directory for the known hosts file; "
		    "give -o UserKnownHostsFile=PATH");
	trust.known_hosts = o.khfile;
	/* Batch mode never asks: no question may hang a script. */
	trust.interactive = in == NULL && isatty(STDIN_FILENO);
	trust.quiet = quiet;
	memset(&lg, 0, sizeof(lg));
	lg.host = host;
	lg.port = port;
	lg.bind = o.bind;
	lg.trust = trust;
	lg.user = user;
	lg.pwfd = pwfd;
	lg.have_secret = have_secret;
	lg.ask_again = trust.interactive;
	lg.secret = secret;
	lg.verify = uc.verify;
	if ((status = login_first(&lg, &ctx.rpc, errbuf, sizeof(errbuf))) !=
	    LOGIN_OK) {
		login_end(&lg);
		die(status, "%s", errbuf);
	}
	ctx.login = &lg;
	ctx.retry = o.retry;
	if (verbose)
		fprintf(stderr,
		    "mftp: connected to %s port %s: %s; checksum %s\n", host,
		    port, rpc_tls_info(ctx.rpc),
		    digest_title(rpc_digest(ctx.rpc)));

	/* A transfer named on the command line, as scp does; or a start. */
	intr_catch(1);
	if ((status = cmdline_run(&ctx, &cl, recursive)) != 1) {
		/* A transfer stopped, or one whose last bytes had come. */
		if (ctx.interrupted || intr_pending())
			status = 130;
		else if (rpc_lost(ctx.rpc))
			status = EXIT_CONNECT;
		else if (rpc_quit(ctx.rpc) != RPC_OK && status == 0)
			status = rpc_lost(ctx.rpc) ? EXIT_CONNECT : 1;
		else
			status = status == 0 ? 0 : 1;
	} else {
		/* host:dir became a session: commands may come on stdin. */
		if (in == NULL && !isatty(STDIN_FILENO))
			in = stdin;
		if (in == NULL && !quiet)
			printf("Connected to %s.\n", host);
		status = shell_run(&ctx, in);
	}
	login_end(&lg);
	if (in != NULL && in != stdin)
		fclose(in);
	rpc_free(ctx.rpc);
	free(ctx.cwd);
	free(ctx.dest);
	free(ctx.tree_resume);
	free(ctx.spent);
	free(ctx.gone_first);
	free(ctx.missed_first);
	free(ctx.reason);
	free(o.khfile);
	free(user);
	if (optport != port)
		free(optport);
	free(port);
	cmdline_free(&cl);
	return status;
}
