/*
 * dirwalk.h: a depth-first walk of a directory tree that holds one
 * directory open at a time, whatever the depth.
 *
 * Each directory is read whole by the caller (ops->read), which acts on
 * its entries and names the subdirectories to enter (dirwalk_subdir);
 * the walk then enters each with openat (never following a link) and
 * comes back through its "..", checked against the device and inode it
 * left, so that neither RLIMIT_NOFILE nor PATH_MAX limits the depth a
 * user can make, and a tree moved under the walk stops it rather than
 * lead it elsewhere.  Each level carries a count of the caller's (what
 * it left behind, say), added to its parent's when the walk is done
 * with it.
 *
 * Used by: the recount (quota_walk.c: root, or the chrooted serving
 * process: nothing here makes a system call the serving process's
 * sandbox does not allow) and ftpuser-del --remove-home.
 */
#ifndef MFTP_DIRWALK_H
#define MFTP_DIRWALK_H

#include <sys/types.h>

#include <stddef.h>

struct dirwalk;

struct dirwalk_ops {
	/*
	 * Read the directory open on fd (its path: dirwalk_path): act on
	 * its entries, dirwalk_subdir for each to enter.  0, or -1 to stop.
	 */
	int (*read)(struct dirwalk *w, int fd, void *arg);
	/*
	 * A subdirectory named by read that does not open now (errno):
	 * 0 to go on without it, -1 to stop.  NULL: go on when it was
	 * removed or replaced by a non-directory meanwhile, else stop.
	 */
	int (*unopened)(struct dirwalk *w, const char *name, void *arg);
	/*
	 * The subdirectory name, open on fd, before it is entered: 1 to
	 * enter it, 0 to leave it, -1 to stop.  NULL: enter it.
	 */
	int (*check)(struct dirwalk *w, int fd, const char *name, void *arg);
	/*
	 * Back in the directory open on fd from its subdirectory name,
	 * below which count was left (already added to this level's): 0,
	 * or -1 to stop.  NULL: nothing to do.
	 */
	int (*done)(struct dirwalk *w, int fd, const char *name, size_t count,
	    void *arg);
	/*
	 * ".." of the directory at dirwalk_path is not the directory the
	 * walk came from, or cannot be opened (errno, 0 for the former):
	 * the walk stops.  NULL: nothing said.
	 */
	void (*moved)(struct dirwalk *w, int err, void *arg);
};

/*
 * Walk the tree below the directory open on fd (the walk takes fd and
 * closes it), whose path, for messages, is path.  Returns 0, or -1 when
 * a callback stopped the walk, the tree moved (ops->moved), or a
 * directory entered could not be looked at (errno).  *count (may be
 * NULL): the top level's count, with those of the levels the walk was
 * still in when it stopped.
 */
int dirwalk_run(int fd, const char *path, const struct dirwalk_ops *ops,
    void *arg, size_t *count);

/* From read: enter the subdirectory name of the directory read. */
void dirwalk_subdir(struct dirwalk *w, const char *name);

/* The count of the level the walk is in, to add to. */
size_t *dirwalk_count(struct dirwalk *w);

/* The path of the directory the walk is in (for messages). */
const char *dirwalk_path(const struct dirwalk *w);

#endif
