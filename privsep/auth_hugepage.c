/*
 * auth_hugepage.c: yescrypt's memory in transparent huge pages.
 *
 * Runs in: mftpd-auth only (linked into it alone).
 *
 * A yescrypt verification fills and reads back a region of about 16 MiB
 * at random, which libxcrypt maps anew for each call.  mftpd-auth is a
 * fresh process for each login, so every verification paid for that
 * region in 4 KiB pages: some 4100 page faults and a TLB miss on most of
 * its random reads.  Measured here: a verification in a fresh process
 * took 25-30 ms with 4 KiB pages against 13-17 ms in 2 MiB ones (crypt(3)
 * alone, called again and again in one process, 13-14 ms), and it is
 * the longest part of a login.
 *
 * libxcrypt has no setting for it: it calls mmap itself (with hugetlbfs
 * pages only when built so, which Debian's is not).  This file defines
 * mmap for the program, so libxcrypt's calls come here; each goes on to
 * the C library's mmap unchanged, and a large anonymous private mapping
 * is then advised MADV_HUGEPAGE: in the kernel's "madvise" mode (as on
 * the machine measured) only such regions get huge pages; in "always"
 * mode the advice changes nothing.  It is a hint: where huge pages are
 * off or none is free the region is as before, and a failure of madvise
 * is ignored.  The pages are the
 * process's own, zeroed by the kernel as small ones are, and unmapped
 * with the region after the call.
 */
#include <sys/types.h>
#include <sys/mman.h>

#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>

/* The smallest region worth a huge page: one of them (x86-64, arm64). */
#define AUTH_HUGEPAGE_MIN (2u * 1024 * 1024)

typedef void *(*auth_mmap_fn)(void *, size_t, int, int, int, off_t);

/* The C library's mmap, found before main: never looked up under the
 * seccomp list. */
static auth_mmap_fn auth_next_mmap;

static void __attribute__((constructor)) auth_hugepage_init(void)
{
	auth_next_mmap = (auth_mmap_fn)dlsym(RTLD_NEXT, "mmap");
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);

void *
mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p;

	if (auth_next_mmap == NULL) {
		errno = ENOSYS;
		return MAP_FAILED;
	}
	p = auth_next_mmap(addr, len, prot, flags, fd, off);
	if (p != MAP_FAILED && len >= AUTH_HUGEPAGE_MIN &&
	    (flags & (MAP_ANONYMOUS | MAP_PRIVATE)) ==
		(MAP_ANONYMOUS | MAP_PRIVATE))
		(void)madvise(p, len, MADV_HUGEPAGE);
	return p;
}
