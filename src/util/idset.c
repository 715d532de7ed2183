/* SPDX-License-Identifier: MIT */
/* idset.c - a set of data file ids (see idset.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/idset.h"

static size_t slot_of(uint64_t id, size_t cap)
{
	id ^= id >> 33;
	id *= 0xff51afd7ed558ccdULL;
	id ^= id >> 33;
	return (size_t)id & (cap - 1);
}

static void put(uint64_t *slots, size_t cap, uint64_t id)
{
	size_t i = slot_of(id, cap);

	while (slots[i] && slots[i] != id)
		i = (i + 1) & (cap - 1);
	slots[i] = id;
}

int idset_add(struct idset *s, uint64_t id)
{
	if (!id || idset_has(s, id))
		return 0;
	if ((s->len + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64, i;
		uint64_t *n = calloc(cap, sizeof(*n));

		if (!n)
			return -ENOMEM;
		for (i = 0; i < s->cap; i++)
			if (s->slots[i])
				put(n, cap, s->slots[i]);
		free(s->slots);
		s->slots = n;
		s->cap = cap;
	}
	put(s->slots, s->cap, id);
	s->len++;
	return 0;
}

int idset_has(const struct idset *s, uint64_t id)
{
	size_t i;

	if (!id || !s->cap)
		return 0;
	for (i = slot_of(id, s->cap); s->slots[i]; i = (i + 1) & (s->cap - 1))
		if (s->slots[i] == id)
			return 1;
	return 0;
}

void idset_clear(struct idset *s)
{
	if (s->cap)
		memset(s->slots, 0, s->cap * sizeof(*s->slots));
	s->len = 0;
}

void idset_free(struct idset *s)
{
	free(s->slots);
	s->slots = NULL;
	s->cap = s->len = 0;
}
