/* SPDX-License-Identifier: MIT */
/*
 * crc32c.c - CRC-32C, written from the algorithm (see crc32c.h).
 *
 * Everything works on the "raw" register of the reflected CRC (no initial
 * value, no final xor); the public functions add both.  The raw register is
 * linear: raw(r, X || Y) = shift(raw(r, X), |Y|) ^ raw(0, Y), where
 * shift(r, n) multiplies r by x^(8n) modulo the polynomial.  That gives
 * bfs_crc32c_combine, and lets the hardware path run three independent
 * streams over three consecutive blocks (the crc32 instruction takes 3
 * cycles and can start one each cycle) and merge them with two shifts by
 * constant amounts, done with byte tables.
 *
 * DESIGN: the tables are built once by crc_init (pthread_once); after that
 * nothing is written, so every function is thread-safe.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bucketfs/crc32c.h"

#define POLY 0x82F63B78u /* 0x1EDC6F41 reflected */
#define X0 0x80000000u	 /* the polynomial 1 (x^0) in reflected order */

/* The hardware path's block: three streams of HW_BLOCK bytes each. */
#define HW_BLOCK 8192

static uint32_t sw_table[8][256]; /* slicing by 8 */
static uint32_t x2n[67];	  /* x^(2^k) mod P, k = 0..66 */
static uint32_t shift1[4][256];	  /* multiply by x^(8*HW_BLOCK), by bytes */
static uint32_t shift2[4][256];	  /* multiply by x^(16*HW_BLOCK) */
static int use_hw;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* a(x) * b(x) mod P, both reflected. */
static uint32_t mult_mod(uint32_t a, uint32_t b)
{
	uint32_t m = X0, p = 0;

	while (a) {
		if (a & m) {
			p ^= b;
			a &= ~m;
		}
		m >>= 1;
		b = b & 1 ? (b >> 1) ^ POLY : b >> 1;
	}
	return p;
}

/* x^(8n) mod P. */
static uint32_t x8n_mod(uint64_t n)
{
	uint32_t p = X0;
	unsigned k = 3;

	while (n) {
		if (n & 1)
			p = mult_mod(x2n[k], p);
		n >>= 1;
		k++;
	}
	return p;
}

/* Tables for r -> r * k mod P, a byte of r at a time (it is linear in r). */
static void shift_tables(uint32_t t[4][256], uint32_t k)
{
	unsigned b, i;

	for (b = 0; b < 4; b++)
		for (i = 0; i < 256; i++)
			t[b][i] = mult_mod((uint32_t)i << (8 * b), k);
}

static uint32_t shift_by(const uint32_t t[4][256], uint32_t r)
{
	return t[0][r & 0xff] ^ t[1][(r >> 8) & 0xff] ^ t[2][(r >> 16) & 0xff] ^ t[3][r >> 24];
}

static int cpu_has_sse42(void)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	__builtin_cpu_init();
	return __builtin_cpu_supports("sse4.2") != 0;
#else
	return 0;
#endif
}

static void crc_init(void)
{
	unsigned i, j;

	for (i = 0; i < 256; i++) {
		uint32_t c = i;

		for (j = 0; j < 8; j++)
			c = c & 1 ? (c >> 1) ^ POLY : c >> 1;
		sw_table[0][i] = c;
	}
	for (i = 0; i < 256; i++)
		for (j = 1; j < 8; j++)
			sw_table[j][i] =
			    (sw_table[j - 1][i] >> 8) ^ sw_table[0][sw_table[j - 1][i] & 0xff];
	x2n[0] = X0 >> 1; /* x^1 */
	for (i = 1; i < sizeof(x2n) / sizeof(x2n[0]); i++)
		x2n[i] = mult_mod(x2n[i - 1], x2n[i - 1]);
	shift_tables(shift1, x8n_mod(HW_BLOCK));
	shift_tables(shift2, x8n_mod(2 * HW_BLOCK));
	use_hw = cpu_has_sse42();
}

/* 8 bytes as a little-endian word: one load on a little-endian CPU (the
 * byte-wise form was not inlined into the sse4.2 function, and the hardware
 * path ran at 5 GB/s on the bench machine instead of 19-24). */
static inline __attribute__((always_inline)) uint64_t load_le64(const unsigned char *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	return w;
#else
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
	       (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
	       (uint64_t)p[7] << 56;
#endif
}

static uint32_t sw_raw(uint32_t r, const unsigned char *p, size_t n)
{
	while (n && ((uintptr_t)p & 7)) {
		r = sw_table[0][(r ^ *p++) & 0xff] ^ (r >> 8);
		n--;
	}
	for (; n >= 8; n -= 8, p += 8) {
		uint64_t w = load_le64(p) ^ r;

		r = sw_table[7][w & 0xff] ^ sw_table[6][(w >> 8) & 0xff] ^
		    sw_table[5][(w >> 16) & 0xff] ^ sw_table[4][(w >> 24) & 0xff] ^
		    sw_table[3][(w >> 32) & 0xff] ^ sw_table[2][(w >> 40) & 0xff] ^
		    sw_table[1][(w >> 48) & 0xff] ^ sw_table[0][w >> 56];
	}
	while (n--)
		r = sw_table[0][(r ^ *p++) & 0xff] ^ (r >> 8);
	return r;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <nmmintrin.h>

__attribute__((target("sse4.2"))) static uint32_t hw_raw(uint32_t r, const unsigned char *p,
							 size_t n)
{
	uint64_t a, b, c;
	size_t i;

	while (n && ((uintptr_t)p & 7)) {
		r = _mm_crc32_u8(r, *p++);
		n--;
	}
	/* three streams over three consecutive blocks, merged by shifting */
	for (; n >= 3 * HW_BLOCK; n -= 3 * HW_BLOCK, p += 3 * HW_BLOCK) {
		a = r;
		b = c = 0;
		for (i = 0; i < HW_BLOCK; i += 8) {
			a = _mm_crc32_u64(a, load_le64(p + i));
			b = _mm_crc32_u64(b, load_le64(p + HW_BLOCK + i));
			c = _mm_crc32_u64(c, load_le64(p + 2 * HW_BLOCK + i));
		}
		r = shift_by(shift2, (uint32_t)a) ^ shift_by(shift1, (uint32_t)b) ^ (uint32_t)c;
	}
	a = r;
	for (; n >= 8; n -= 8, p += 8)
		a = _mm_crc32_u64(a, load_le64(p));
	r = (uint32_t)a;
	while (n--)
		r = _mm_crc32_u8(r, *p++);
	return r;
}
#else
static uint32_t hw_raw(uint32_t r, const unsigned char *p, size_t n)
{
	return sw_raw(r, p, n);
}
#endif

uint32_t bfs_crc32c(uint32_t crc, const void *p, size_t n)
{
	pthread_once(&once, crc_init);
	if (!n)
		return crc;
	return ~(use_hw ? hw_raw(~crc, p, n) : sw_raw(~crc, p, n));
}

uint32_t bfs_crc32c_sw(uint32_t crc, const void *p, size_t n)
{
	pthread_once(&once, crc_init);
	if (!n)
		return crc;
	return ~sw_raw(~crc, p, n);
}

int bfs_crc32c_hw(void)
{
	pthread_once(&once, crc_init);
	return use_hw;
}

uint32_t bfs_crc32c_combine(uint32_t crc_a, uint32_t crc_b, uint64_t len_b)
{
	pthread_once(&once, crc_init);
	/* CRC(A||B) = shift(CRC(A), |B|) ^ CRC(B): the initial values and
	 * final xors cancel out (the raw register is linear) */
	return mult_mod(x8n_mod(len_b), crc_a) ^ crc_b;
}
