/* SPDX-License-Identifier: MIT */
/*
 * test_crc32c.c - CRC-32C against published check values (the CRC
 * catalogue's "123456789", RFC 3720's iSCSI examples), the hardware path
 * against the table on random buffers of every alignment and many lengths,
 * appending, and combining.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bucketfs/crc32c.h"
#include "check.h"

static const unsigned char iscsi_read[48] = {
	0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
	0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

struct vec {
	const char *name;
	const unsigned char *p;
	size_t n;
	uint32_t want;
};

/* a simple deterministic generator, so a failure can be reproduced */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;
static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (uint32_t)(rnd_state >> 16);
}

static void check_vectors(void)
{
	unsigned char zeros[32], ones[32], up[32], down[32];
	const struct vec vecs[] = {
		{ "empty", (const unsigned char *)"", 0, 0x00000000 },
		{ "123456789", (const unsigned char *)"123456789", 9, 0xE3069283 },
		{ "a", (const unsigned char *)"a", 1, 0xC1D04330 },
		{ "fox", (const unsigned char *)"The quick brown fox jumps over the lazy dog", 43,
		  0x22620404 },
		{ "32 zeros", zeros, 32, 0x8A9136AA }, /* RFC 3720 B.4 */
		{ "32 0xff", ones, 32, 0x62A8AB43 },
		{ "0..31", up, 32, 0x46DD794E },
		{ "31..0", down, 32, 0x113FDB5C },
		{ "iSCSI read", iscsi_read, sizeof(iscsi_read), 0xD9963A56 },
	};
	size_t i;

	for (i = 0; i < 32; i++) {
		zeros[i] = 0;
		ones[i] = 0xff;
		up[i] = (unsigned char)i;
		down[i] = (unsigned char)(31 - i);
	}
	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		uint32_t hw = bfs_crc32c(0, vecs[i].p, vecs[i].n);
		uint32_t sw = bfs_crc32c_sw(0, vecs[i].p, vecs[i].n);

		if (hw != vecs[i].want || sw != vecs[i].want)
			fprintf(stderr, "%s: got %08x (sw %08x), want %08x\n", vecs[i].name, hw, sw,
				vecs[i].want);
		CHECK_INT(hw, vecs[i].want);
		CHECK_INT(sw, vecs[i].want);
	}
	CHECK_INT(bfs_crc32c(0, NULL, 0), 0);
	CHECK_INT(bfs_crc32c(0x12345678, NULL, 0), 0x12345678);
}

/* hw == sw, and appending in pieces == all at once, over lengths that
 * cross the hardware path's 3 x 8 KiB blocks, at every alignment */
static void check_random(void)
{
	static const size_t lens[] = { 1,     7,     8,		 9,	 63,
				       64,    65,    4095,	 8192,	 24575,
				       24576, 24577, 49152 + 13, 100000, 262144 + 5 };
	size_t max = 262144 + 5 + 8, i, j, off;
	unsigned char *buf = malloc(max);
	int bad = 0, pieces_bad = 0;

	CHECK(buf != NULL);
	if (!buf)
		return;
	for (i = 0; i < max; i++)
		buf[i] = (unsigned char)rnd();
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		for (off = 0; off < 8; off++) {
			const unsigned char *p = buf + off;
			uint32_t whole = bfs_crc32c(0, p, lens[i]), acc = 0;
			size_t done = 0;

			bad += whole != bfs_crc32c_sw(0, p, lens[i]);
			/* random pieces */
			while (done < lens[i]) {
				size_t k = rnd() % 30000 + 1;

				if (k > lens[i] - done)
					k = lens[i] - done;
				acc = bfs_crc32c(acc, p + done, k);
				done += k;
			}
			pieces_bad += acc != whole;
		}
	}
	CHECK_INT(bad, 0);
	CHECK_INT(pieces_bad, 0);

	/* combine: CRC(A || B) from CRC(A), CRC(B), |B| */
	bad = 0;
	for (j = 0; j < 200; j++) {
		size_t la = rnd() % 70000, lb = j < 3 ? j : rnd() % 70000;
		uint32_t a = bfs_crc32c(0, buf, la), b = bfs_crc32c(0, buf + la, lb);

		bad += bfs_crc32c_combine(a, b, lb) != bfs_crc32c(0, buf, la + lb);
	}
	CHECK_INT(bad, 0);
	free(buf);
}

int main(void)
{
	printf("crc32c: %s\n", bfs_crc32c_hw() ? "hardware (SSE4.2)" : "table");
	check_vectors();
	check_random();
	return check_done("crc32c");
}
