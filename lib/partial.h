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
 * for a base too long for that to be a name (over 244 bytes), "." and
 * its first 200 bytes, "~", the XXH3-64 of the whole base in 16 hex
 * digits, and ".mftp-part": the same each time, so that it resumes.
 * Allocated.
 */
char *partial_name(const char *base);

#endif
