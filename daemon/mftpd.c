/*
 * mftpd.c: the daemon's entry point.
 *
 * Runs as: root.  Reads the configuration, looks up everything that
 * needs a file (the pre-auth user, the time zone, the syslog socket,
 * OpenSSL's configuration) before any process chroots, checks the
 * pre-auth chroot, the helpers and the host key pair (mftpd_check.c),
 * binds the listeners and becomes the master.  The same checks run
 * again when SIGHUP asks the master to reload the configuration.
 *
 * --generate-host-key, --fingerprint and --host-key-paths are one-shot
 * commands for the package's postinst and the administrator.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "daemon_env.h"
#include "heap_holes.h"
#include "hostkey.h"
#include "listener.h"
#include "log.h"
#include "mftpd_check.h"
#include "preauth_tls.h"
#include "sandbox.h"
#include "sha256.h"
#include "tls.h"
#include "util.h"

static void __attribute__((noreturn)) usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: mftpd [-efht] [-c config]\n"
	    "       mftpd [-c config] --fingerprint\n"
	    "       mftpd [-c config] --generate-host-key [NAME]\n"
	    "       mftpd [-c config] --host-key-paths\n"
	    "  -c config  configuration file (default %s)\n"
	    "  -e         log to stderr instead of syslog (with -f)\n"
	    "  -f         stay in the foreground\n"
	    "  -t         check the configuration and exit\n"
	    "  -h         show this help\n"
	    "  --version  print the version\n"
	    "  --fingerprint        print the host key's SHA-256 "
	    "fingerprint\n"
	    "  --generate-host-key  make host_key and host_cert if both are "
	    "missing\n"
	    "  --host-key-paths     print host_key and host_cert, a line "
	    "each\n",
	    MFTP_CONFIG_DEFAULT);
	exit(status);
}

/* The configuration file, as an absolute path: SIGHUP reads it again. */
static char *mftpd_conf;

/*
 * path made absolute (mftpd_detach changes to "/") but not resolved: a
 * reload reads the file by the name it was given, as a start does, so a
 * link since pointed elsewhere, or replaced by a file, is followed
 * anew.  NULL with errno set.
 */
static char *
mftpd_abs_path(const char *path)
{
	char *cwd, *abs;

	if (path[0] == '/')
		return xstrdup(path);
	if ((cwd = getcwd(NULL, 0)) == NULL)
		return NULL;
	xasprintf(&abs, "%s/%s", strcmp(cwd, "/") == 0 ? "" : cwd, path);
	free(cwd);
	return abs;
}

/*
 * The pre-auth workers' TLS context for cert_file, and the fingerprint
 * of its certificate's key in fp, as mftpd-sign -p takes it
 * (hostkey_cert_key_fingerprint: the same whichever form the
 * certificate writes the key's point in).  NULL with the reason in err.
 */
static SSL_CTX *
mftpd_preauth_ctx(
    const char *cert_file, char fp[TLS_FP_LEN], char *err, size_t errlen)
{
	SSL_CTX *ctx;

	if ((ctx = preauth_tls_ctx(cert_file, err, errlen)) == NULL)
		return NULL;
	if (hostkey_cert_key_fingerprint(SSL_CTX_get0_certificate(ctx), fp) !=
	    0) {
		snprintf(err, errlen, "%s: cannot hash its key", cert_file);
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static int
mftpd_same_listen(const struct config *a, const struct config *b)
{
	size_t i, j;

	if (a->nlisten != b->nlisten || a->port != b->port)
		return 0;
	/* The same set, in any order (config.c: canonical, each once). */
	for (i = 0; i < a->nlisten; i++) {
		for (j = 0; j < b->nlisten; j++)
			if (strcmp(a->listen[i], b->listen[j]) == 0)
				break;
		if (j == b->nlisten)
			return 0;
	}
	return 1;
}

/* A reload's new value *path of a key that waits for a restart: old. */
static void
mftpd_keep_path(char **path, const char *old, const char *key)
{
	if (strcmp(*path, old) == 0)
		return;
	log_warnx(
	    "reload: a %s change is ignored until mftpd is restarted", key);
	free(*path);
	*path = xstrdup(old);
}

/*
 * SIGHUP: read the file again; if it is good and everything it names is
 * usable, it applies to every new connection (sessions running keep the
 * configuration they started with).  The sockets, the pid file and the
 * directories every session of a user shares stay as they are until a
 * restart.
 */
static int
mftpd_reload(struct listener *l)
{
	struct config nc, *old = l->cfg;
	SSL_CTX *pctx = NULL;
	char err[512], fp[TLS_FP_LEN];
	uid_t uid;
	gid_t gid;
	size_t i;
	int key_fd;

	log_info("reloading the configuration from %s", mftpd_conf);
	if (config_load(&nc, mftpd_conf, err, sizeof(err)) == -1 ||
	    (pctx = mftpd_preauth_ctx(nc.host_cert, fp, err, sizeof(err))) ==
		NULL ||
	    mftpd_check(&nc, fp, &uid, &gid, &key_fd, 0, err, sizeof(err)) ==
		-1) {
		log_warnx("reload failed: %s; keeping the configuration in "
			  "force",
		    err);
		SSL_CTX_free(pctx);
		config_free(&nc);
		return -1;
	}
	if (!mftpd_same_listen(&nc, old)) {
		log_warnx("reload: listen and port changes are ignored until "
			  "mftpd is restarted");
		for (i = 0; i < nc.nlisten; i++)
			free(nc.listen[i]);
		for (i = 0; i < old->nlisten; i++)
			nc.listen[i] = xstrdup(old->listen[i]);
		nc.nlisten = old->nlisten;
		nc.port = old->port;
	}
	mftpd_keep_path(&nc.pid_file, old->pid_file, "pid_file");
	/* Every session of a user shares these two files with the others
	 * (the accounting file, the slots that count them): the sessions
	 * running keep theirs, so new ones must too. */
	mftpd_keep_path(&nc.quota_dir, old->quota_dir, "quota_dir");
	mftpd_keep_path(&nc.session_dir, old->session_dir, "session_dir");
	config_free(old);
	/* A new certificate serves the connections from now on. */
	SSL_CTX_free(l->preauth_ctx);
	l->preauth_ctx = pctx;
	close(l->key_fd);
	l->key_fd = key_fd;
	strlcpy(l->host_fp, fp, sizeof(l->host_fp));
	*old = nc;
	l->preauth_uid = uid;
	l->preauth_gid = gid;
	log_info("configuration reloaded");
	return 0;
}

/*
 * -t: the file, and as root what it names, checked as a start would
 * check them (nothing is made), so that a reload or a restart after a
 * good -t does not fail on the host key, a helper or the pre-auth
 * account.  Without root only the file can be read: -t says so.
 */
static int
mftpd_test(const struct config *c, const char *conf)
{
	SSL_CTX *ctx;
	char err[512], fp[TLS_FP_LEN];
	uid_t uid;
	gid_t gid;
	int key_fd;

	if (geteuid() != 0) {
		printf("mftpd: %s: configuration ok (its syntax and values "
		       "only: the files it names are checked as root)\n",
		    conf);
		return 0;
	}
	log_init("mftpd", 1);
	tls_init();
	if ((ctx = mftpd_preauth_ctx(c->host_cert, fp, err, sizeof(err))) ==
		NULL ||
	    mftpd_check(c, fp, &uid, &gid, &key_fd, 1, err, sizeof(err)) ==
		-1) {
		fprintf(stderr, "mftpd: %s: %s\n", conf, err);
		SSL_CTX_free(ctx);
		return 1;
	}
	close(key_fd);
	SSL_CTX_free(ctx);
	printf("mftpd: %s: configuration ok\n", conf);
	return 0;
}

/*
 * --fingerprint: from the certificate, which is public, read as a start
 * reads it: one mftpd would refuse (a key that is not ECDSA, a curve TLS
 * 1.3 cannot sign with) has no fingerprint to publish.
 */
static int
mftpd_fingerprint(const struct config *c)
{
	char err[512], keyfp[TLS_FP_LEN], fp[TLS_FP_LEN];
	SSL_CTX *ctx;
	int r;

	tls_init();
	if ((ctx = mftpd_preauth_ctx(c->host_cert, keyfp, err, sizeof(err))) ==
	    NULL) {
		fprintf(stderr, "mftpd: %s\n", err);
		return 1;
	}
	/*
	 * As clients compute it, from the key as the certificate encodes
	 * it (a compressed point stays one), not keyfp, the signer's.
	 */
	r = tls_fingerprint(SSL_CTX_get0_certificate(ctx), fp);
	SSL_CTX_free(ctx);
	if (r != 0) {
		fprintf(
		    stderr, "mftpd: %s: cannot hash its key\n", c->host_cert);
		return 1;
	}
	printf("%s %s\n", fp, c->host_cert);
	return 0;
}

/* --generate-host-key [NAME]: once; never over an existing pair. */
static int
mftpd_generate(const struct config *c, const char *name)
{
	char err[512], host[256];
	int r;

	if (name == NULL) {
		if (gethostname(host, sizeof(host)) == -1)
			strlcpy(host, "localhost", sizeof(host));
		host[sizeof(host) - 1] = '\0';
		name = host;
	}
	r = hostkey_generate(c->host_key, c->host_cert, name, err, sizeof(err));
	if (r == -1) {
		fprintf(stderr, "mftpd: %s\n", err);
		return 1;
	}
	if (r == 1)
		printf("mftpd: %s and %s exist; nothing changed\n", c->host_key,
		    c->host_cert);
	else
		printf("mftpd: made %s and %s for %s\n", c->host_key,
		    c->host_cert, name);
	return mftpd_fingerprint(c);
}

/*
 * Which path downloads take: the kernel's TLS (sendfile stays
 * zero-copy) when it has the ULP, else SSL_write from 256 KiB buffers.
 * Each session still checks for itself and falls back, so a module
 * loaded later serves the sessions from then on.
 */
static void
mftpd_log_ktls(void)
{
	char ulp[256];
	ssize_t n = -1;
	int fd;

	if ((fd = open("/proc/sys/net/ipv4/tcp_available_ulp",
		 O_RDONLY | O_CLOEXEC)) != -1) {
		n = read(fd, ulp, sizeof(ulp) - 1);
		close(fd);
	}
	ulp[n > 0 ? n : 0] = '\0';
	if (strstr(ulp, "tls") != NULL)
		log_info("TLS: the kernel has kTLS; downloads use "
			 "SSL_sendfile where a session gets it");
	else
		/*
		 * Most often the module is there but not loaded, and no
		 * process of mftpd may load it (no CAP_SYS_MODULE, and
		 * the unit's ProtectKernelModules=yes): say how.
		 */
		log_info("TLS: no kTLS (the kernel's tls module is not "
			 "loaded); downloads use SSL_write.  To use kTLS: "
			 "'modprobe tls', and 'tls' in a file in "
			 "/etc/modules-load.d/ for the next boots; new "
			 "sessions use it at once");
}

/*
 * The pid file, held with a lock for the master's life (a record lock:
 * the master's alone, not its children's), so that a second mftpd whose
 * configuration names the same file (a copy with another port, say)
 * does not take it over: it is refused, naming the one running.  A file
 * a crash left, which no process holds, is taken.  Returns the file's
 * descriptor, to stay open until the master exits.
 */
static int
write_pid_file(const char *path)
{
	struct flock fl;
	char line[32];
	ssize_t r;
	int fd, n;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1)
		fatal("pid file %s", path);
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_SETLK, &fl) == -1) {
		if (errno != EAGAIN && errno != EACCES)
			fatal("pid file %s: lock", path);
		r = pread(fd, line, sizeof(line) - 1, 0);
		line[r > 0 ? r : 0] = '\0';
		line[strcspn(line, "\n")] = '\0';
		fatalx("pid file %s is held by mftpd pid %s, which is "
		       "running: stop it first, or give this configuration "
		       "a pid_file of its own",
		    path, line[0] != '\0' ? line : "?");
	}
	n = snprintf(line, sizeof(line), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || pwrite(fd, line, (size_t)n, 0) != n)
		fatal("pid file %s", path);
	return fd;
}

/*
 * Without -e, in the foreground (the systemd unit), standard output and
 * error are the journal's streams, which it credits to this root
 * process; in the background, the terminal or the script that ran
 * mftpd.  Once started nothing is written there (the log goes to
 * syslog), and no child, the unprivileged ones included, may keep them
 * to write lines the journal would take for the master's: they become
 * /dev/null, as daemon(3) makes them (fd_null_std).  With -e the master
 * keeps its terminal (Ctrl-C stops it), and each connection's monitor
 * lets go of it (listener_admit.c).
 */

/*
 * Without -f: leave the shell that ran mftpd as daemon(3) does (a child
 * in a session of its own, in "/"), but its parent exits only when the
 * child says it has started (mftpd_started): with 0 once the sockets
 * listen and the pid file holds the child's pid, so that a script that
 * ran mftpd finds both; or with the child's own status, after the
 * child's error on the standard error they share, when it could not
 * start.  The descriptor for mftpd_started, in the child.
 */
static int
mftpd_detach(void)
{
	int p[2], status;
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC) == -1)
		fatal("pipe2");
	switch ((pid = fork())) {
	case -1:
		fatal("fork");
	case 0:
		close(p[0]);
		if (setsid() == -1)
			fatal("setsid");
		if (chdir("/") == -1)
			fatal("chdir /");
		return p[1];
	}
	close(p[1]);
	if (read(p[0], &c, 1) == 1)
		_exit(0);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			_exit(255);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 255);
}

/* The detached child has started: its parent exits 0 (mftpd_detach). */
static void
mftpd_started(int fd)
{
	ssize_t n;

	if (fd == -1)
		return;
	n = write(fd, "", 1);
	(void)n;
	close(fd);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "fingerprint", no_argument, NULL, 'P' },
		{ "generate-host-key", no_argument, NULL, 'G' },
		{ "help", no_argument, NULL, 'h' },
		{ "host-key-paths", no_argument, NULL, 'K' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf = MFTP_CONFIG_DEFAULT;
	struct config cfg;
	struct listener l;
	struct tls_suites_rates suite_rates;
	char err[512], suites[160];
	int ch, foreground = 0, to_stderr = 0, test_only = 0, fingerprint = 0;
	int generate = 0, key_paths = 0, started_fd = -1, pid_fd;

	/* Before anything reads it, and before any child (daemon_env.c). */
	daemon_env_scrub();
	while ((ch = getopt_long(argc, argv, "c:efht", longopts, NULL)) != -1) {
		switch (ch) {
		case 'P':
			fingerprint = 1;
			break;
		case 'G':
			generate = 1;
			break;
		case 'K':
			key_paths = 1;
			break;
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
		case 'V':
			printf("mftpd %s\n", PACKAGE_VERSION);
			exit(0);
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	}
	if (optind != argc && !(generate && optind + 1 == argc))
		usage(2);
	/* One of them is done and the others would go unsaid. */
	if (test_only + fingerprint + generate + key_paths > 1) {
		fprintf(stderr,
		    "mftpd: -t, --fingerprint, --generate-host-key and "
		    "--host-key-paths go one at a time\n");
		exit(2);
	}
	/* A daemon's standard error is /dev/null: every line would be lost. */
	if (to_stderr && !foreground && !test_only && !generate &&
	    !fingerprint && !key_paths) {
		fprintf(stderr,
		    "mftpd: -e needs -f: in the background, "
		    "standard error is /dev/null (without -e, "
		    "mftpd logs to syslog)\n");
		exit(2);
	}

	fd_ensure_std();
	if (config_load(&cfg, conf, err, sizeof(err)) == -1) {
		fprintf(stderr, "mftpd: %s\n", err);
		exit(1);
	}
	if (generate)
		exit(mftpd_generate(&cfg, optind < argc ? argv[optind] : NULL));
	if (fingerprint)
		exit(mftpd_fingerprint(&cfg));
	/* For the package's scripts, which must not parse the file. */
	if (key_paths) {
		printf("%s\n%s\n", cfg.host_key, cfg.host_cert);
		exit(fflush(stdout) == 0 ? 0 : 1);
	}
	if (test_only)
		exit(mftpd_test(&cfg, conf));
	log_init("mftpd", to_stderr || test_only);
	/*
	 * Until it has started, say why it did not on the standard error
	 * too: the terminal or the script that ran it, in the background
	 * as well as in the foreground (mftpd_detach).
	 */
	log_fatal_stderr(1);
	if (geteuid() != 0)
		fatalx("must run as root (it changes to each user's uid)");

	if ((mftpd_conf = mftpd_abs_path(conf)) == NULL)
		fatal("%s", conf);

	/* Everything that reads /etc happens here, before any chroot. */
	tls_init();
	/* Before the first context: each takes the suites' order. */
	tls_suites_measure(&suite_rates);
	memset(&l, 0, sizeof(l));
	l.cfg = &cfg;
	l.log_stderr = to_stderr;
	l.reload = mftpd_reload;
	l.session_ctx = tls_psk_ctx(1);
	/*
	 * libcrypto fills its caches on first use: done here once, in
	 * memory, a serving process (a fork of this one) finds them full
	 * and only reads the pages they are on, which then stay shared
	 * (tls_warm.c).  The same for the digest a session verifies with.
	 */
	if (tls_psk_warm(l.session_ctx) != 0)
		fatalx("TLS: the session handshake fails in memory: %s",
		    tls_error());
	sha256_init_library();
	/* Compiled here once, not in every connection (sandbox.h). */
	sandbox_prepare();
	/* What -t would say of it: a configuration error (exit 1). */
	if ((l.preauth_ctx = mftpd_preauth_ctx(
		 cfg.host_cert, l.host_fp, err, sizeof(err))) == NULL)
		fatalx_config("%s", err);
	if (mftpd_check(&cfg, l.host_fp, &l.preauth_uid, &l.preauth_gid,
		&l.key_fd, 0, err, sizeof(err)) == -1)
		fatalx_config("%s", err);
	if (mftpd_mkdir_parent(cfg.pid_file) == -1)
		fatal("directory of %s", cfg.pid_file);

	/* A client that goes away must not kill a writer with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	listener_open(&l);
	if (!foreground)
		started_fd = mftpd_detach();
	pid_fd = write_pid_file(cfg.pid_file);
	/* Started: from now on the log alone, as a daemon's. */
	log_fatal_stderr(0);
	if (!to_stderr)
		fd_null_std(0);
	mftpd_started(started_fd);
	/* A syslog daemon restarted later is found again (log.h). */
	log_reconnects();
	log_info("mftpd %s started", PACKAGE_VERSION);
	mftpd_log_ktls();
	tls_suites_describe(&suite_rates, suites, sizeof(suites));
	log_info("TLS: %s", suites);
	/*
	 * The setup is over: what it left free in the heap is taken, so a
	 * session's allocations do not land on (and copy) the master's
	 * pages (heap_holes.c).
	 */
	(void)heap_fill_holes();
	listener_run(&l);
	unlink(cfg.pid_file);
	close(pid_fd);
	log_info("mftpd stopped");
	config_free(&cfg);
	free(mftpd_conf);
	return 0;
}
