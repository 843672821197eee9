/*
 * auth_prefault.h: yescrypt's region faulted in by a second thread.
 *
 * Runs in mftpd-auth only.  auth_prefault_spawn is called once, by
 * drop_user_spawn (drop.h), before the seccomp list; the other two from
 * the mmap and munmap that auth_hugepage.c puts in front of libxcrypt's.
 */
#ifndef MFTP_AUTH_PREFAULT_H
#define MFTP_AUTH_PREFAULT_H

#include <stddef.h>

/*
 * Start the thread and return once it waits (its own start makes system
 * calls the list does not allow).  arg is unused.  Without the thread
 * (any failure) nothing is prefaulted.
 */
void auth_prefault_spawn(void *arg);

/* Have the thread fault in len bytes at addr, if it is free to. */
void auth_prefault_start(void *addr, size_t len);

/* addr is about to be unmapped: wait until the thread is done with it. */
void auth_prefault_forget(const void *addr);

#endif
