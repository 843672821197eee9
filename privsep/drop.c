/*
 * drop.c: the one place that changes credentials, then checks that the
 * change took.
 *
 * Runs as root: in the monitor right before it serves a user, in the
 * pre-auth worker, and in the auth helper.  The serving process's one
 * thread (hash_pipe.c) and the auth helper's (auth_prefault.c) are made
 * here too, through a callback, between the change of ids and
 * RLIMIT_NPROC 0.
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include <linux/capability.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <unistd.h>

#include "drop.h"
#include "log.h"
#include "pdeath.h"

/* Fatal unless the process holds no capability in any set. */
static void
drop_check_caps(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};
	struct __user_cap_data_struct data[2];
	int i;

	if (syscall(SYS_capget, &hdr, data) == -1)
		fatal("capget");
	for (i = 0; i < 2; i++)
		if (data[i].effective != 0 || data[i].permitted != 0 ||
		    data[i].inheritable != 0)
			fatalx("capabilities remain after dropping privileges");
}

static void
drop_ids(uid_t uid, gid_t gid, void (*spawn)(void *), void *arg)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	struct rlimit rl = { 0, 0 };
	pid_t parent = getppid();
	int pdeath = 0;

	if (uid == 0 || gid == 0)
		fatalx("refusing to run a session as root");
	if (prctl(PR_GET_PDEATHSIG, &pdeath) == -1)
		fatal("prctl(PR_GET_PDEATHSIG)");
	if (setgroups(0, NULL) == -1)
		fatal("setgroups");
	if (setresgid(gid, gid, gid) == -1)
		fatal("setresgid %lu", (unsigned long)gid);
	if (setresuid(uid, uid, uid) == -1)
		fatal("setresuid %lu", (unsigned long)uid);
	/*
	 * The change of ids leaves the process dumpable or not as the
	 * kernel's fs.suid_dumpable says, and 1 (which an administrator
	 * may set for cores) would let another process of the same uid
	 * ptrace this one: the user their serving process and its
	 * accounting file, opened as root; the pre-auth worker the auth
	 * helper and its user database.  Not dumpable, whatever it says.
	 */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("prctl(PR_SET_DUMPABLE)");
	/*
	 * The kernel clears the parent-death signal when the ids change:
	 * a process made to die with its parent (the pre-auth worker, the
	 * helpers) asks again, and goes now if the parent died while it
	 * was not armed.
	 */
	if (pdeath != 0 && pdeath_arm(pdeath, parent) == -1)
		_exit(1);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("prctl(PR_SET_NO_NEW_PRIVS)");
	/* Now prove it. */
	if (getresuid(&ru, &eu, &su) == -1 || getresgid(&rg, &eg, &sg) == -1)
		fatal("getresuid");
	if (ru != uid || eu != uid || su != uid || rg != gid || eg != gid ||
	    sg != gid)
		fatalx("credentials did not change as asked");
	if (getgroups(0, NULL) != 0)
		fatalx("supplementary groups remain");
	if (setresuid(0, 0, 0) != -1 || setresgid(0, 0, 0) != -1)
		fatalx("could regain root after dropping privileges");
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		fatalx("no_new_privs is not set");
	if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
		fatalx("the process is still dumpable");
	drop_check_caps();
	/*
	 * The last moment a task can be made: a thread started here has the
	 * user's ids, no capability and NoNewPrivs from its first
	 * instruction, as a clone inherits them.  After the proof, not
	 * before: its setresuid tries would make glibc signal every thread
	 * to try too, and a thread could return from that signal only after
	 * the seccomp list that comes next (no rt_sigreturn in it).
	 */
	if (spawn != NULL)
		spawn(arg);
	/*
	 * The process limit is counted per real uid: 0 means no fork, nor
	 * thread (a thread is a task too).
	 */
	if (setrlimit(RLIMIT_NPROC, &rl) == -1)
		fatal("setrlimit(RLIMIT_NPROC)");
}

void
drop_user(uid_t uid, gid_t gid)
{
	drop_ids(uid, gid, NULL, NULL);
}

void
drop_user_spawn(uid_t uid, gid_t gid, void (*spawn)(void *), void *arg)
{
	drop_ids(uid, gid, spawn, arg);
}

int
drop_open_root(const char *path)
{
	return open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

void
drop_chroot_user(int dirfd, uid_t uid, gid_t gid)
{
	drop_chroot_user_spawn(dirfd, uid, gid, NULL, NULL);
}

void
drop_chroot_user_spawn(
    int dirfd, uid_t uid, gid_t gid, void (*spawn)(void *), void *arg)
{
	if (fchdir(dirfd) == -1)
		fatal("fchdir to the new root");
	close(dirfd);
	if (chroot(".") == -1)
		fatal("chroot");
	if (chdir("/") == -1)
		fatal("chdir / after chroot");
	/* From here until the ids change, nothing may read a file. */
	drop_ids(uid, gid, spawn, arg);
}
