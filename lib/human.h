/*
 * human.h: sizes as people read and write them, one way for every
 * program (client, daemon, admin tools): shown in IEC units ("512 B",
 * "1.5 KiB", "9.5 MiB", "200 MiB") and read as a number with an optional
 * K, M, G, T, P or E suffix of powers of 1024 ("10M" is 10 MiB).
 *
 * Counts (files, sessions) are never scaled: 1000 and 1024 files must
 * not look alike, so they are shown and read as plain whole numbers.
 */
#ifndef MFTP_HUMAN_H
#define MFTP_HUMAN_H

#include <stddef.h>
#include <stdint.h>

/* Room for any human_size result, with its NUL: ">8.0 EiB". */
#define HUMAN_SIZE_LEN 12

/*
 * v bytes in IEC units, at most three digits and one decimal below ten:
 * "0 B", "512 B", "1.0 KiB", "9.5 MiB", "200 MiB".  A value beyond
 * INT64_MAX (what humanize_number takes) is shown as ">8.0 EiB".
 */
void human_size(uint64_t v, char *out, size_t outlen);

/*
 * A size: digits, then optionally one of K, M, G, T, P, E (either case,
 * an optional "B" or "iB" after it), nothing else: no sign, no blanks,
 * no fraction.  0, or -1 (EINVAL: not a size, ERANGE: too large).
 */
int human_parse_size(const char *s, uint64_t *out);

/*
 * A count: a plain decimal number up to max, digits only.  0, or -1
 * (EINVAL: not a whole number, ERANGE: above max).
 */
int human_parse_count(const char *s, uint64_t max, uint64_t *out);

/*
 * The n bytes at s, each a decimal digit (the caller has counted them;
 * no NUL needed), as a number up to max.  Leading zeros only add
 * nothing.  0, or -1 (ERANGE: above max).
 */
int human_parse_digits(const char *s, size_t n, uint64_t max, uint64_t *out);

#endif
