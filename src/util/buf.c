/* SPDX-License-Identifier: MIT */
/* buf.c - bounded growable buffers (see buf.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bucketfs/buf.h"

void bfs_buf_init(struct bfs_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->max = max;
}

void bfs_buf_release(struct bfs_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
}

void bfs_buf_reset(struct bfs_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static int buf_reserve(struct bfs_buf *b, size_t extra)
{
	size_t need, na;
	char *p;

	if (extra > b->max || b->len > b->max - extra)
		return -EMSGSIZE;
	need = b->len + extra + 1;
	if (need <= b->alloc)
		return 0;
	na = b->alloc ? b->alloc : 64;
	while (na < need)
		na = na > ((size_t)-1) / 2 ? need : na * 2;
	if (na > b->max + 1)
		na = b->max + 1;
	p = realloc(b->data, na);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->alloc = na;
	return 0;
}

int bfs_buf_add(struct bfs_buf *b, const void *p, size_t n)
{
	int rc = buf_reserve(b, n);

	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int bfs_buf_adds(struct bfs_buf *b, const char *s)
{
	return bfs_buf_add(b, s, strlen(s));
}

int bfs_buf_vaddf(struct bfs_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n, rc;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return -EINVAL;
	rc = buf_reserve(b, (size_t)n);
	if (rc)
		return rc;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int bfs_buf_addf(struct bfs_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = bfs_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void bfs_buf_truncate(struct bfs_buf *b, size_t len)
{
	if (len > b->len)
		return;
	b->len = len;
	if (b->data)
		b->data[len] = '\0';
}

const char *bfs_buf_str(const struct bfs_buf *b)
{
	return b->data ? b->data : "";
}

char *bfs_buf_detach(struct bfs_buf *b)
{
	char *p = b->data;

	if (!p)
		return strdup("");
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	return p;
}
