/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h - what the libFuzzer targets of tests/fuzz share: a check that
 * aborts (so libFuzzer records the input as a crash, even in a build with
 * NDEBUG, where assert() is gone), exact-size copies of the input (so
 * AddressSanitizer sees a read one byte past the end), a cursor that takes
 * bytes off the front of the input, and a UTF-8 validity test.
 */
#ifndef BFS_FUZZ_H
#define BFS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A documented invariant that does not hold: report it and crash. */
#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__,       \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* The input, not NUL-terminated, as what is left to take. */
struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

/* The next byte, or 0 when the input is used up. */
static inline uint8_t fuzz_byte(struct fuzz_in *in)
{
	uint8_t b = 0;

	if (in->n) {
		b = in->p[0];
		in->p++;
		in->n--;
	}
	return b;
}

/* A malloc'd copy of exactly n bytes (1 byte when n is 0: never NULL). */
static inline char *fuzz_dup(const uint8_t *p, size_t n)
{
	char *s = malloc(n ? n : 1);

	if (!s)
		abort();
	if (n)
		memcpy(s, p, n);
	return s;
}

/* A malloc'd C string of the bytes up to the first NUL (at most n). */
static inline char *fuzz_str(const uint8_t *p, size_t n)
{
	const uint8_t *nul = memchr(p, '\0', n);
	size_t len = nul ? (size_t)(nul - p) : n;
	char *s = malloc(len + 1);

	if (!s)
		abort();
	memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

/* 1 when s is NUL-terminated within size bytes. */
static inline int fuzz_terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* 1 when the n bytes at s are well-formed UTF-8 (shortest forms, no surrogates). */
static inline int fuzz_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n;

	while (p < e) {
		unsigned c = *p++, min, more;

		if (c < 0x80)
			continue;
		if (c >= 0xC2 && c <= 0xDF) {
			more = 1, min = 0x80, c &= 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			more = 2, min = 0x800, c &= 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			more = 3, min = 0x10000, c &= 0x07;
		} else {
			return 0;
		}
		if ((size_t)(e - p) < more)
			return 0;
		while (more--) {
			if ((*p & 0xC0) != 0x80)
				return 0;
			c = c << 6 | (*p++ & 0x3F);
		}
		if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
			return 0;
	}
	return 1;
}

#endif
