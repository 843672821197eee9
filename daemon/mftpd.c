/*
 * mftpd.c: the daemon's entry point.
 *
 * Runs as: root.  Reads the configuration, looks up everything that
 * needs a file (the pre-auth user, the time zone, the syslog socket)
 * before any process chroots, checks the pre-auth chroot and the auth
 * helper, binds the listeners and becomes the master.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "listener.h"
#include "log.h"
#include "util.h"

static void __attribute__((noreturn)) usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: mftpd [-efht] [-c config]\n"
	    "  -c config  configuration file (default %s)\n"
	    "  -e         log to stderr instead of syslog\n"
	    "  -f         stay in the foreground\n"
	    "  -t         check the configuration and exit\n"
	    "  -h         show this help\n",
	    MFTP_CONFIG_DEFAULT);
	exit(status);
}

/*
 * The pre-auth chroot must be an empty directory that only root can
 * change; create it if it is missing.
 */
static void
check_preauth_chroot(const char *path)
{
	struct stat st;

	if (mkdir(path, 0755) == -1 && errno != EEXIST)
		fatal("creating %s", path);
	if (lstat(path, &st) == -1)
		fatal("%s", path);
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022))
		fatalx("%s must be a directory owned by root and writable by "
		       "root only",
		    path);
}

static void
check_helper(const char *path)
{
	struct stat st;

	if (stat(path, &st) == -1)
		fatal("auth helper %s", path);
	if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022) ||
	    access(path, X_OK) == -1)
		fatalx("auth helper %s must be an executable owned by root and "
		       "writable by root only",
		    path);
}

static void
write_pid_file(const char *path)
{
	FILE *f;

	if ((f = fopen(path, "w")) == NULL)
		fatal("pid file %s", path);
	fprintf(f, "%ld\n", (long)getpid());
	if (fclose(f) == EOF)
		fatal("pid file %s", path);
}

int
main(int argc, char *argv[])
{
	const char *conf = MFTP_CONFIG_DEFAULT;
	struct config cfg;
	struct listener l;
	struct passwd *pw;
	char err[512];
	int ch, foreground = 0, to_stderr = 0, test_only = 0;

	while ((ch = getopt(argc, argv, "c:efht")) != -1) {
		switch (ch) {
		case 'c':
			conf = optarg;
			break;
		case 'e':
			to_stderr = 1;
			break;
		case 'f':
			foreground = 1;
			break;
		case 't':
			test_only = 1;
			break;
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	}
	if (optind != argc)
		usage(2);

	fd_ensure_std();
	if (config_load(&cfg, conf, err, sizeof(err)) == -1) {
		fprintf(stderr, "mftpd: %s\n", err);
		exit(1);
	}
	if (test_only) {
		printf("mftpd: %s: configuration ok\n", conf);
		exit(0);
	}
	log_init("mftpd", to_stderr || test_only);
	if (geteuid() != 0)
		fatalx("must run as root (it changes to each user's uid)");

	/* Everything that reads /etc happens here, before any chroot. */
	if ((pw = getpwnam(cfg.preauth_user)) == NULL)
		fatalx("pre-auth user %s does not exist", cfg.preauth_user);
	if (pw->pw_uid == 0 || pw->pw_gid == 0)
		fatalx("pre-auth user %s must not be root", cfg.preauth_user);
	memset(&l, 0, sizeof(l));
	l.cfg = &cfg;
	l.preauth_uid = pw->pw_uid;
	l.preauth_gid = pw->pw_gid;
	l.log_stderr = to_stderr;
	endpwent();
	check_preauth_chroot(cfg.preauth_chroot);
	check_helper(cfg.auth_helper);

	/* A client that goes away must not kill a writer with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	listener_open(&l);
	if (!foreground && daemon(0, 0) == -1)
		fatal("daemon");
	write_pid_file(cfg.pid_file);
	log_info("mftpd %s started", PACKAGE_VERSION);
	listener_run(&l);
	unlink(cfg.pid_file);
	log_info("mftpd stopped");
	config_free(&cfg);
	return 0;
}
