/* SPDX-License-Identifier: MIT */
/*
 * strv.c - a growable array of owned strings, and the doubling step it
 * grows by (see strv.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/strv.h"

void *bfs_grow(void *arr, size_t n, size_t *alloc, size_t size)
{
	size_t na;
	void *p;

	if (n < *alloc)
		return arr;
	na = *alloc ? *alloc * 2 : 16;
	p = reallocarray(arr, na, size);
	if (p)
		*alloc = na;
	return p;
}

int strv_add(struct strv *s, const char *str, size_t len)
{
	char **nv, *c;

	if (s->n && !strncmp(s->v[s->n - 1], str, len) && !s->v[s->n - 1][len])
		return 0;
	nv = bfs_grow(s->v, s->n, &s->alloc, sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	s->v = nv;
	c = strndup(str, len);
	if (!c)
		return -ENOMEM;
	nv[s->n++] = c;
	return 0;
}

int strv_has(const struct strv *s, const char *str)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], str))
			return 1;
	return 0;
}

void strv_free(struct strv *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = s->alloc = 0;
}
