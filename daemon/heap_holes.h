/*
 * heap_holes.h: the master's free heap chunks, taken before it forks
 * sessions (heap_holes.c).
 */
#ifndef MFTP_HEAP_HOLES_H
#define MFTP_HEAP_HOLES_H

#include <stddef.h>

/*
 * Allocate, and keep, every free chunk of up to a few KiB that malloc
 * would hand out before it reaches the top of the heap.  Returns the
 * bytes taken.  Only for mftpd's master, after its setup.
 */
size_t heap_fill_holes(void);

#endif
