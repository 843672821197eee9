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
 * mmap for the program, so libxcrypt's calls come here.  A large
 * anonymous private mapping with no address asked for is then:
 *
 *   - placed on a 2 MiB boundary: the kernel backs only the aligned 2 MiB
 *     stretches of a region with huge pages, and the C library's mmap
 *     gives 4 KiB alignment, so one huge page's worth at each end stayed
 *     in small pages, and the random reads that land there missed the
 *     TLB.  Measured here, the helper from its start to its verdict
 *     (authtime, six runs of 15 each): medians of 12.6-13.2 ms advised
 *     but unaligned, 11.0-12.1 ms advised and aligned;
 *   - advised MADV_HUGEPAGE: in the kernel's "madvise" mode (as on the
 *     machine measured) only such regions get huge pages; in "always"
 *     mode the advice changes nothing.
 *
 * Both are hints.  Where huge pages are off or none is free the region
 * is as before; a failed madvise is ignored, and a failed alignment
 * falls back to the plain mapping.  The mapping handed back is exactly
 * the length asked for (the slack around it is unmapped at once), so
 * libxcrypt's munmap of it frees all of it.  The pages are the
 * process's own, zeroed by the kernel as small ones are.
 *
 * Each such region is then handed to the prefault thread
 * (auth_prefault.c), and libxcrypt's munmap comes here too, so that the
 * region stays mapped until that thread is done with it.
 */
#include <sys/types.h>
#include <sys/mman.h>

#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include "auth_prefault.h"

/* The smallest region worth a huge page: one of them (x86-64, arm64). */
#define AUTH_HUGEPAGE (2u * 1024 * 1024)

typedef void *(*auth_mmap_fn)(void *, size_t, int, int, int, off_t);
typedef int (*auth_munmap_fn)(void *, size_t);

/* The C library's mmap, found before main: never looked up under the
 * seccomp list. */
static auth_mmap_fn auth_next_mmap;
static auth_munmap_fn auth_next_munmap;
static size_t auth_page;

static void __attribute__((constructor)) auth_hugepage_init(void)
{
	long page = sysconf(_SC_PAGESIZE);

	auth_next_mmap = (auth_mmap_fn)dlsym(RTLD_NEXT, "mmap");
	auth_next_munmap = (auth_munmap_fn)dlsym(RTLD_NEXT, "munmap");
	/* 0 (unknown): every mapping goes to libc's mmap unaligned. */
	auth_page = page > 0 ? (size_t)page : 0;
}

/*
 * An anonymous private mapping of len bytes that starts on a huge-page
 * boundary: one huge page more is mapped, and what lies before the
 * boundary and after the end is given back.  MAP_FAILED if the larger
 * mapping cannot be had.
 */
static void *
auth_aligned_map(size_t len, int prot, int flags)
{
	uintptr_t raw, start;
	size_t pages;
	void *p;

	if (auth_page == 0 || auth_next_munmap == NULL ||
	    len > SIZE_MAX - AUTH_HUGEPAGE - auth_page)
		return MAP_FAILED;
	pages = (len + auth_page - 1) & ~(auth_page - 1);
	p = auth_next_mmap(NULL, pages + AUTH_HUGEPAGE, prot, flags, -1, 0);
	if (p == MAP_FAILED)
		return MAP_FAILED;
	raw = (uintptr_t)p;
	start = (raw + AUTH_HUGEPAGE - 1) & ~(uintptr_t)(AUTH_HUGEPAGE - 1);
	if (start > raw)
		(void)auth_next_munmap(p, start - raw);
	/* start < raw + AUTH_HUGEPAGE: the tail is never empty. */
	(void)auth_next_munmap(
	    (void *)(start + pages), raw + AUTH_HUGEPAGE - start);
	return (void *)start;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);

void *
mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p = MAP_FAILED;
	int large;

	if (auth_next_mmap == NULL) {
		errno = ENOSYS;
		return MAP_FAILED;
	}
	/* hugetlbfs mappings (MAP_HUGETLB) come aligned by the kernel. */
	large = addr == NULL && len >= AUTH_HUGEPAGE &&
	    (flags &
		(MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED | MAP_FIXED_NOREPLACE |
		    MAP_HUGETLB)) == (MAP_ANONYMOUS | MAP_PRIVATE);
	if (large)
		p = auth_aligned_map(len, prot, flags);
	if (p == MAP_FAILED)
		p = auth_next_mmap(addr, len, prot, flags, fd, off);
	if (p != MAP_FAILED && large) {
		(void)madvise(p, len, MADV_HUGEPAGE);
		auth_prefault_start(p, len);
	}
	return p;
}

int munmap(void *addr, size_t len);

/* libxcrypt's munmap of its region: not while the prefault is in it. */
int
munmap(void *addr, size_t len)
{
	if (auth_next_munmap == NULL) {
		errno = ENOSYS;
		return -1;
	}
	auth_prefault_forget(addr);
	return auth_next_munmap(addr, len);
}
