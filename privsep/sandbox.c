/*
 * sandbox.c: the system call allowlists of the unprivileged processes.
 *
 * Runs in: the pre-auth worker (as the pre-auth user, chrooted), in
 * mftpd-auth and mftpd-sign after their drop, and in the serving process
 * (as the user, chrooted), each time as the last step of its setup.  The
 * lists of the master's children (the pre-auth worker, the serving
 * process) are compiled by the master, before it accepts.
 *
 * The default action is SCMP_ACT_KILL_PROCESS: a call outside the list
 * ends the whole process with SIGSYS, which its parent logs (the monitor
 * for the worker and the helpers, the master for the serving process).
 * No call is answered with an error instead: code that makes a call
 * nobody listed is either a bug or an attack, and both should end.
 *
 * The lists were taken from what the processes do in the whole test
 * suite (strace -f), not guessed; glibc's names for things differ from
 * the C API (fstat is newfstatat, send is sendto, sleep is
 * clock_nanosleep).  A new system call in one of these processes needs
 * its line here, and doc/SECURITY.md says why each list holds what.
 */
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"
#include "util.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

#define SANDBOX_N(a) (sizeof(a) / sizeof((a)[0]))

/* The filters of the master's children, as the master compiled them. */
static struct sock_fprog sandbox_preauth_prog;
static struct sock_fprog sandbox_session_prog;

/*
 * Every process: memory (see sandbox_new for mmap), its own descriptors,
 * randomness for OpenSSL and libxcrypt, the log line (its pid and, where
 * the vDSO cannot answer, the time), and its own end.  futex: libcrypto's
 * locks; mremap: glibc's realloc of a large block; restart_syscall: a
 * poll interrupted by SIGSTOP/SIGCONT.
 */
static const int sandbox_base[] = {
	SCMP_SYS(read),
	SCMP_SYS(write),
	SCMP_SYS(close),
	SCMP_SYS(lseek),
	SCMP_SYS(newfstatat),
	SCMP_SYS(poll),
	SCMP_SYS(brk),
	SCMP_SYS(munmap),
	SCMP_SYS(mremap),
	SCMP_SYS(futex),
	SCMP_SYS(getrandom),
	SCMP_SYS(getpid),
	SCMP_SYS(clock_gettime),
	SCMP_SYS(gettimeofday),
	SCMP_SYS(restart_syscall),
	SCMP_SYS(exit_group),
};

/*
 * The pre-auth worker: TLS#1 and the privsep messages (recv), a plain
 * protocol-1 client's refusal (shutdown), the pause after a failed
 * login (clock_nanosleep).
 */
static const int sandbox_preauth_calls[] = {
	SCMP_SYS(recvfrom),
	SCMP_SYS(shutdown),
	SCMP_SYS(clock_nanosleep),
};

/*
 * mftpd-auth: one request in (recv), crypt_rn, the answers out; and
 * madvise, with MADV_HUGEPAGE and MADV_POPULATE_WRITE alone
 * (sandbox_auth), to ask for huge pages for yescrypt's region
 * (auth_hugepage.c) and to fault it in from the second thread
 * (auth_prefault.c).  It reads the user database from the descriptor it
 * opened as root (read, fstat), once the request has come; sysinfo is
 * glibc's qsort asking how much memory there is before it sorts the
 * names of a large file (for duplicates): counts of memory, processes,
 * and the uptime, nothing of any one process or file.
 */
static const int sandbox_auth_calls[] = {
	SCMP_SYS(recvfrom),
	SCMP_SYS(sysinfo),
};

/* mftpd-sign: one request in (recv), one signature out. */
static const int sandbox_sign_calls[] = {
	SCMP_SYS(recvfrom),
};

/*
 * The serving process: the commands' file operations inside the home
 * (chroot and the user's uid confine them, not this list), each relative
 * to a directory opened at its start (symlinkat, readlinkat and
 * fchmodat for SYMLINK, READLINK and CHMOD), uploads by pwrite, the hash
 * cache's and resume's xattrs, the accounting file's fsync.  Only the
 * *at forms: the path forms (mkdir, unlink, rmdir, rename) are not
 * used.  With the kernel's TLS, OpenSSL sends a download with sendfile,
 * control records with sendmsg and reads records with recvmsg.  madvise:
 * malloc_trim gives the setup's freed heap back once the session is
 * idle (it touches only this process's own memory).  clock_nanosleep:
 * the pauses of a user's rate limit, and between two tries of an
 * accounting lock that another process holds (lib/quota.c).  statx: mount points are told by
 * their mount id (lib/samefs.c), which only statx gives: the count of
 * the home that settles a removal a killed session left under way stops
 * at them, and the requests that charge or credit an entry (REMOVE,
 * RMDIR, RENAME, MKDIR, SYMLINK, PUT, PUT_DATA) price one below a mount
 * point in the home at nothing, as that count does.  rt_sigreturn: the
 * return from the SIGTERM handler, which notes that the session is to end
 * and log its end (session.c).  fchdir: a CWD refused (its directory's
 * path too long to say) goes back to where the session was, held by
 * descriptor, which its path may no longer name.
 */
static const int sandbox_session_calls[] = {
	SCMP_SYS(rt_sigreturn),
	SCMP_SYS(openat),
	SCMP_SYS(statx),
	SCMP_SYS(pread64),
	SCMP_SYS(pwrite64),
	SCMP_SYS(getdents64),
	SCMP_SYS(mkdirat),
	SCMP_SYS(unlinkat),
	SCMP_SYS(renameat),
	SCMP_SYS(symlinkat),
	SCMP_SYS(readlinkat),
	SCMP_SYS(fchmodat),
	SCMP_SYS(fchmod),
	SCMP_SYS(ftruncate),
	SCMP_SYS(fsync),
	SCMP_SYS(fgetxattr),
	SCMP_SYS(fsetxattr),
	SCMP_SYS(fremovexattr),
	SCMP_SYS(chdir),
	SCMP_SYS(fchdir),
	SCMP_SYS(getcwd),
	SCMP_SYS(sendfile),
	SCMP_SYS(sendmsg),
	SCMP_SYS(recvmsg),
	SCMP_SYS(madvise),
	SCMP_SYS(clock_nanosleep),
};

/*
 * The fcntl commands the serving process uses, and nothing else: the
 * accounting file's and an upload's locks, the look at the session
 * slots other sessions hold, and fdopendir's look at the access mode
 * and its close-on-exec.
 */
static const int sandbox_session_fcntl[] = {
	F_GETFL,
	F_SETFD,
	F_OFD_GETLK,
	F_OFD_SETLK,
	F_OFD_SETLKW,
};

static void
sandbox_rule(
    scmp_filter_ctx ctx, int nr, unsigned int n, const struct scmp_arg_cmp *cmp)
{
	int r;

	if ((r = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, n, cmp)) != 0)
		fatalx("seccomp rule for system call %d: %s", nr, strerror(-r));
}

static void
sandbox_allow(scmp_filter_ctx ctx, const int *nrs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sandbox_rule(ctx, nrs[i], 0, NULL);
}

/*
 * The list every process starts from.  mmap never maps anything
 * executable (and mprotect is not allowed at all): no process here loads
 * code after its setup.  sendto only without an address: the log socket
 * and the privsep channels are connected, and nothing is sent anywhere
 * new.
 */
static scmp_filter_ctx
sandbox_new(void)
{
	struct scmp_arg_cmp noexec = SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);
	struct scmp_arg_cmp noaddr = SCMP_A4(SCMP_CMP_EQ, 0);
	scmp_filter_ctx ctx;
	int r;

	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL)
		fatalx("seccomp_init failed");
	/* A call from another architecture's table is no allowed call. */
	if ((r = seccomp_attr_set(
		 ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)) != 0)
		fatalx("seccomp_attr_set: %s", strerror(-r));
	sandbox_allow(ctx, sandbox_base, SANDBOX_N(sandbox_base));
	sandbox_rule(ctx, SCMP_SYS(mmap), 1, &noexec);
	sandbox_rule(ctx, SCMP_SYS(sendto), 1, &noaddr);
	return ctx;
}

static void
sandbox_load(scmp_filter_ctx ctx, const char *role)
{
	int r;

	if ((r = seccomp_load(ctx)) != 0)
		fatalx(
		    "%s: loading the seccomp filter: %s", role, strerror(-r));
	seccomp_release(ctx);
}

/*
 * TSYNC: the prefault thread (auth_prefault.c), made before the list,
 * comes under it too, or the load fails.
 */
void
sandbox_auth(void)
{
	struct scmp_arg_cmp huge = SCMP_A2(SCMP_CMP_EQ, MADV_HUGEPAGE);
	struct scmp_arg_cmp populate = SCMP_A2(
	    SCMP_CMP_EQ, MADV_POPULATE_WRITE);
	scmp_filter_ctx ctx = sandbox_new();
	int r;

	if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1)) != 0)
		fatalx("seccomp_attr_set: %s", strerror(-r));
	sandbox_allow(ctx, sandbox_auth_calls, SANDBOX_N(sandbox_auth_calls));
	sandbox_rule(ctx, SCMP_SYS(madvise), 1, &huge);
	sandbox_rule(ctx, SCMP_SYS(madvise), 1, &populate);
	sandbox_load(ctx, "mftpd-auth");
}

void
sandbox_sign(void)
{
	scmp_filter_ctx ctx = sandbox_new();

	sandbox_allow(ctx, sandbox_sign_calls, SANDBOX_N(sandbox_sign_calls));
	sandbox_load(ctx, "mftpd-sign");
}

/* ctx's BPF program, for the seccomp system call: the master keeps it. */
static void
sandbox_export(scmp_filter_ctx ctx, struct sock_fprog *prog)
{
	struct stat st;
	void *bpf;
	int fd, r;

	if ((fd = memfd_create("mftpd-seccomp", MFD_CLOEXEC)) == -1)
		fatal("memfd_create");
	if ((r = seccomp_export_bpf(ctx, fd)) != 0)
		fatalx("seccomp_export_bpf: %s", strerror(-r));
	if (fstat(fd, &st) == -1)
		fatal("fstat");
	if (st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) != 0 ||
	    st.st_size / sizeof(struct sock_filter) > BPF_MAXINSNS)
		fatalx("seccomp filter of %lld bytes", (long long)st.st_size);
	bpf = xmalloc((size_t)st.st_size);
	if (pread(fd, bpf, (size_t)st.st_size, 0) != st.st_size)
		fatal("reading the seccomp filter");
	close(fd);
	prog->len = (unsigned short)(st.st_size / sizeof(struct sock_filter));
	prog->filter = bpf;
}

/* The serving process's list. */
static scmp_filter_ctx
sandbox_session_list(void)
{
	scmp_filter_ctx ctx = sandbox_new();
	struct scmp_arg_cmp cmp[2];
	size_t i;

	sandbox_allow(
	    ctx, sandbox_session_calls, SANDBOX_N(sandbox_session_calls));
	for (i = 0; i < SANDBOX_N(sandbox_session_fcntl); i++) {
		cmp[0] = SCMP_A1(SCMP_CMP_EQ, sandbox_session_fcntl[i]);
		sandbox_rule(ctx, SCMP_SYS(fcntl), 1, cmp);
	}
	/*
	 * OpenSSL turns on the kernel's TLS after the handshake: the "tls"
	 * upper-layer protocol on the TCP socket, then the keys of each
	 * direction.  No other socket option is set after the setup.
	 */
	cmp[0] = SCMP_A1(SCMP_CMP_EQ, IPPROTO_TCP);
	cmp[1] = SCMP_A2(SCMP_CMP_EQ, TCP_ULP);
	sandbox_rule(ctx, SCMP_SYS(setsockopt), 2, cmp);
	cmp[0] = SCMP_A1(SCMP_CMP_EQ, SOL_TLS);
	cmp[1] = SCMP_A2(SCMP_CMP_EQ, TLS_TX);
	sandbox_rule(ctx, SCMP_SYS(setsockopt), 2, cmp);
	cmp[1] = SCMP_A2(SCMP_CMP_EQ, TLS_RX);
	sandbox_rule(ctx, SCMP_SYS(setsockopt), 2, cmp);
	/*
	 * Whether the client's system still acknowledges anything, while a
	 * wait has bytes of ours in flight (transport_set_silence).
	 */
	cmp[0] = SCMP_A1(SCMP_CMP_EQ, IPPROTO_TCP);
	cmp[1] = SCMP_A2(SCMP_CMP_EQ, TCP_INFO);
	sandbox_rule(ctx, SCMP_SYS(getsockopt), 2, cmp);
	return ctx;
}

void
sandbox_prepare(void)
{
	scmp_filter_ctx ctx = sandbox_new();

	sandbox_allow(
	    ctx, sandbox_preauth_calls, SANDBOX_N(sandbox_preauth_calls));
	sandbox_export(ctx, &sandbox_preauth_prog);
	seccomp_release(ctx);
	ctx = sandbox_session_list();
	sandbox_export(ctx, &sandbox_session_prog);
	seccomp_release(ctx);
}

/*
 * Load a program sandbox_prepare() made, with NoNewPrivs (which the
 * seccomp call requires of a process without CAP_SYS_ADMIN).  TSYNC:
 * every thread of the process comes under it, or the load fails (with
 * the id of the thread it could not put under it).  A SHA-256 session's
 * hashing thread (hash_pipe.c) was made before the list, which would
 * otherwise hold for the calling thread only; it needs nothing but
 * futex.
 */
static void
sandbox_load_prog(const struct sock_fprog *prog, const char *role)
{
	long r;

	if (prog->filter == NULL)
		fatalx("%s: no seccomp filter was prepared", role);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("%s: PR_SET_NO_NEW_PRIVS", role);
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	    SECCOMP_FILTER_FLAG_TSYNC, prog);
	if (r == -1) {
		char what[96];
		int e = errno;

		/* ENOMEM: the kernel's memory, for every connection. */
		snprintf(
		    what, sizeof(what), "%s: loading the seccomp filter", role);
		errno = e;
		fatal_or_lack(what);
	}
	if (r != 0)
		fatalx(
		    "%s: thread %ld is not under the seccomp filter", role, r);
}

void
sandbox_preauth(void)
{
	sandbox_load_prog(&sandbox_preauth_prog, "pre-auth worker");
}

void
sandbox_session(void)
{
	sandbox_load_prog(&sandbox_session_prog, "serving process");
}
