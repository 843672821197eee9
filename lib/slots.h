/*
 * slots.h: a user's concurrent sessions counted with byte-range locks.
 *
 * Each user has a slot file DIR/NAME (root 0600, its contents unused),
 * made at its first login.  A session holds an open file description
 * (OFD) write lock on one byte of it, byte i for slot i, for as long as
 * it lives.  So:
 *   - the count is the kernel's (or, on NFSv4 and CephFS, the lock
 *     server's): sessions on several nodes sharing DIR see one truth;
 *   - a session that ends in any way, a crash or SIGKILL included, frees
 *     its slot at once, with nothing to clean up (a node that dies frees
 *     its slots when its NFS lease runs out);
 *   - nothing is written: no count that a crash could leave wrong.
 *
 * Used by: the per-connection monitor (root) to take a slot, the
 * serving process to ask whether it is the user's only session (on the
 * descriptor the monitor left it), and ftpuser-list to count the slots
 * taken.
 */
#ifndef MFTP_SLOTS_H
#define MFTP_SLOTS_H

/*
 * Take the first free slot of max in DIR/name, making the file (0600)
 * if it is missing, never DIR (ENOENT: its storage may not be mounted;
 * the package makes it).  Returns the descriptor that
 * holds the lock (close-on-exec; the slot is held until every copy of
 * it is closed) and the slot in *slot; -1 with errno EUSERS when max
 * sessions hold slots (those beyond max, taken under a higher limit,
 * included), or another errno when the file cannot be used.  max 0: no
 * limit, nothing counted; any free slot of MFTP_USER_SESSIONS_MAX, from
 * a random one on, so that a user with many sessions (on a network file
 * system, each lock call a round trip) finds one at the first try.
 */
int slots_take(
    const char *dir, const char *name, unsigned int max, unsigned int *slot);

/*
 * How many slots of DIR/name are held now, by sessions of any node:
 * 0 when the file does not exist, -1 with errno when it cannot be read
 * or DIR does not exist (ENOENT: unknown, not none).
 */
int slots_count(const char *dir, const char *name);

/*
 * Whether the session holding fd (a slots_take descriptor) is the
 * user's only one: 1 when no other open file description holds a slot
 * of the file, on any node; 0 when one does; -1 with errno.  One lock
 * query, whatever the number of sessions.
 */
int slots_alone(int fd);

#endif
