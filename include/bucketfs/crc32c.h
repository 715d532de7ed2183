/* SPDX-License-Identifier: MIT */
/*
 * crc32c.h - CRC-32C (Castagnoli: reflected polynomial 0x82F63B78, initial
 * value and final xor 0xFFFFFFFF, the CRC of iSCSI, ext4 and S3's
 * x-amz-checksum-crc32c), the digest bucketfs keeps of every cached copy
 * and journaled upload.  A leaf module: it includes nothing of bucketfs.
 *
 * The CRC is computed with the SSE4.2 crc32 instruction when the CPU has it
 * (checked once, at run time), three streams at a time and merged, else
 * with a portable table (slicing by 8).  Both give the same values; the
 * unit test checks them against published check values and each other.
 *
 * All functions are pure and thread-safe (the tables are built once, under
 * pthread_once).
 */
#ifndef BUCKETFS_CRC32C_H
#define BUCKETFS_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/*
 * The CRC-32C of the n bytes at p appended to data whose CRC-32C was crc
 * (0 for the empty string): bfs_crc32c(bfs_crc32c(0, a, na), b, nb) is the
 * CRC of a followed by b.  p may be NULL when n is 0.
 * bfs_crc32c(0, "123456789", 9) == 0xE3069283.
 */
uint32_t bfs_crc32c(uint32_t crc, const void *p, size_t n);

/* The same with the portable table only (for tests and CPUs without SSE4.2). */
uint32_t bfs_crc32c_sw(uint32_t crc, const void *p, size_t n);

/* 1 when bfs_crc32c uses the CPU's crc32 instruction, else 0. */
int bfs_crc32c_hw(void);

/*
 * The CRC-32C of A followed by B, from crc_a = CRC(A), crc_b = CRC(B) and
 * len_b, B's length in bytes (A's is not needed): for ranges computed
 * apart, e.g. in parallel.
 */
uint32_t bfs_crc32c_combine(uint32_t crc_a, uint32_t crc_b, uint64_t len_b);

#endif
