/* SPDX-License-Identifier: MIT */
/*
 * bytes.h - the on-disk records' primitives (the index's, index_codec.c,
 * and the journal's, jrec.c): little-endian integers of 1 to 8 bytes and
 * strings as a u16 length and their bytes (no NUL).
 *
 * The writers take a buffer the caller sized (they check nothing); the
 * string reader is for bytes off the disk: it checks every length against
 * what is left, refuses a NUL inside a string and never writes past dst.
 */
#ifndef BUCKETFS_BYTES_H
#define BUCKETFS_BYTES_H

#include <stddef.h>
#include <stdint.h>

/* Store the low size bytes of v at p, least significant first; return p + size. */
unsigned char *bfs_le_put(unsigned char *p, uint64_t v, unsigned size);

/* The size-byte little-endian integer at p. */
uint64_t bfs_le_get(const unsigned char *p, unsigned size);

/* Store len bytes of s at p after their u16 length (len < 65536); return
 * the byte after them. */
unsigned char *bfs_le_put_str(unsigned char *p, const char *s, size_t len);

/* Read a u16-length string at *p, of the *n bytes left, into dst (dstsz
 * bytes with its NUL); advance *p and *n past it.  -EIO if it runs past
 * *n, does not fit dst or holds a NUL; then nothing is advanced. */
int bfs_le_get_str(const unsigned char **p, size_t *n, char *dst, size_t dstsz);

#endif
