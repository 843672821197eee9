/*
 * heap_holes.c: fill the master's heap holes before it forks sessions.
 *
 * Each serving process is a fork of the master and shares the master's
 * heap until it writes to a page; the page it writes becomes its own,
 * 4 KiB of private memory for as long as the session lasts.  The master's
 * setup (the configuration, the TLS contexts, libcrypto's first
 * handshake) leaves free chunks scattered over its heap, and malloc
 * serves a small request from those before it touches the top of the
 * heap: a session's small allocations (its TLS state, its buffers) would
 * each land on a different master page and copy it.  With the holes
 * taken here, once, they come from the top, packed together onto fresh
 * pages: measured here, an idle session's private heap went from 152 to
 * 120 KiB.
 *
 * What is taken is what the master's heap already has resident; it is
 * never freed (the master lives as long as the service) and is bounded
 * by HEAP_HOLES_MAX whatever the allocator does.  Each call also keeps
 * one chunk of each small size from the top (see HEAP_HOLES_CACHED_MAX):
 * call it once.  Used by: mftpd's master, once, after its setup.
 */
#include <stdint.h>
#include <stdlib.h>

#include "heap_holes.h"

/* A request this large comes from the top of the heap, not a hole. */
#define HEAP_HOLES_PROBE (96 * 1024)
/* The largest chunk taken: a session's allocations are smaller. */
#define HEAP_HOLES_CHUNK_MAX 4096
#define HEAP_HOLES_STEP 16
/*
 * glibc's per-thread cache keeps freed chunks of up to 1032 bytes apart
 * from the top: freed, the last chunk of such a size would be a hole
 * again, so it is kept too (about 33 KiB in all).
 */
#define HEAP_HOLES_CACHED_MAX 1024
/* At most this much is taken in all. */
#define HEAP_HOLES_MAX (2 * 1024 * 1024)

size_t
heap_fill_holes(void)
{
	uintptr_t top;
	size_t size, taken = 0;
	void *p;

	/*
	 * Where the top begins: the probe is freed again and merges back
	 * into it.  Below the mmap threshold (128 KiB), so it is the heap.
	 */
	if ((p = malloc(HEAP_HOLES_PROBE)) == NULL)
		return 0;
	top = (uintptr_t)p;
	free(p);
	for (size = HEAP_HOLES_STEP; size <= HEAP_HOLES_CHUNK_MAX;
	     size += HEAP_HOLES_STEP) {
		while (taken < HEAP_HOLES_MAX) {
			if ((p = malloc(size)) == NULL)
				return taken;
			/* From the top: no hole of this size is left. */
			if ((uintptr_t)p >= top) {
				if (size > HEAP_HOLES_CACHED_MAX)
					free(p);
				break;
			}
			taken += size; /* kept on purpose */
		}
	}
	return taken;
}
