/*
 * sandbox.h: the system call allowlists (seccomp, through libseccomp) of
 * the unprivileged processes.
 *
 * Each function is called once, as the last step of its process's setup:
 * after the privilege drop and after every library initialisation that
 * needs more than the list allows.  From then on any system call outside
 * the list kills the whole process with SIGSYS (SCMP_ACT_KILL_PROCESS);
 * the monitor or the master logs that death.  Failing to install a list
 * is fatal: no process runs unconfined.
 */
#ifndef MFTP_SANDBOX_H
#define MFTP_SANDBOX_H

/*
 * The pre-auth worker, in its empty chroot as the pre-auth user: TLS#1,
 * HELLO and LOGIN on its descriptors; no open, no socket, and no way to
 * signal or trace another process (kill, ptrace, process_vm_* ...).
 */
void sandbox_preauth(void);

/* mftpd-auth after its drop: one request in, crypt_rn, two answers out. */
void sandbox_auth(void);

/* mftpd-sign after its drop: one digest in, one signature out. */
void sandbox_sign(void);

/*
 * The serving process, chrooted as the user: the file operations of the
 * commands, TLS#2 (and kTLS) on the client's socket, the accounting
 * file's locks; no socket, connect, exec, fork, signal or trace.
 */
void sandbox_session(void);

/*
 * Compile the lists of the pre-auth worker and the serving process, in
 * the master, once, before it accepts: each of its children then only
 * loads its program.  Compiling allocates libseccomp's rule tree: done
 * in every session, the allocations would land on the master's heap
 * pages the session shares, and copy them; and in every worker, it is
 * CPU on each login's path.
 */
void sandbox_prepare(void);

#endif
