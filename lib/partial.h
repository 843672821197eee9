/*
 * partial.h: the name of an upload's partial file, which the server
 * writes and the client looks at to resume (doc/PROTOCOL.md §5.6).
 *
 * Runs in: mftpd's serving process, and mftp.
 */
#ifndef MFTP_PARTIAL_H
#define MFTP_PARTIAL_H

/* Every partial's name ends so; no request may make or take such a name. */
#define PARTIAL_SUFFIX ".mftp-part"

/*
 * The partial of the file named base (a name, no '/'): ".BASE.mftp-part";
 * for a base of 245 to 255 bytes, too long for that to be a name, "."
 * and its first 200 bytes, "~", the XXH3-64 of the whole base in 16 hex
 * digits, and ".mftp-part" twice: the same each time, so that it
 * resumes, and the partial of no other name (".N.mftp-part" would be it
 * only for an N ending in .mftp-part, a name no request may take).  A
 * base over 255 bytes, which no file may have, keeps the first form, so
 * that its PUT fails as it starts, not after its data.  Allocated.
 */
char *partial_name(const char *base);

#endif
