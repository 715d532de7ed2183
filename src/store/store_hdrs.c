/* SPDX-License-Identifier: MIT */
/*
 * store_hdrs.c - the extra headers of one request: a bounded list of
 * owned name/value pairs, and the headers a PUT's options make
 * (Content-Type, Cache-Control, the canned ACL, user metadata, conditions), with values
 * checked for control characters that would split the request.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

void store_hdrs_release(struct store_hdrs *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		free(h->name[i]);
		free(h->value[i]);
	}
	h->n = 0;
}

int store_hdr_add(struct store_hdrs *h, const char *name, const char *fmt, ...)
{
	char *n, *v;
	va_list ap;
	int rc;

	if (h->n >= STORE_MAX_HEADERS)
		return -E2BIG;
	va_start(ap, fmt);
	rc = vasprintf(&v, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -ENOMEM;
	n = strdup(name);
	if (!n) {
		free(v);
		return -ENOMEM;
	}
	h->name[h->n] = n;
	h->value[h->n] = v;
	h->n++;
	return 0;
}

/* A header value must not smuggle CR/LF or other controls into the request. */
static int header_value_ok(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v < 0x20 && *v != '\t')
			return 0;
	return 1;
}

int store_hdrs_acl(const struct bfs_store *st, struct store_hdrs *h)
{
	if (!st->acl)
		return 0;
	return store_hdr_add(h, strcmp(st->hp, "x-oss-") ? "x-amz-acl" : "x-oss-object-acl", "%s",
			     st->acl);
}

int store_hdrs_put_opts(const struct bfs_store *st, struct store_hdrs *h,
			const struct bfs_put_opts *o)
{
	int i, rc;

	rc = store_hdr_add(h, "Content-Type", "%s",
			   o && o->content_type ? o->content_type : "application/octet-stream");
	if (!rc)
		rc = store_hdrs_acl(st, h);
	if (rc || !o)
		return rc;
	if (o->cache_control && (rc = store_hdr_add(h, "Cache-Control", "%s", o->cache_control)))
		return rc;
	for (i = 0; i < o->nmeta; i++) {
		if (!header_value_ok(o->meta[i].name) || !header_value_ok(o->meta[i].value) ||
		    !o->meta[i].name[0] || strpbrk(o->meta[i].name, " :"))
			return -EINVAL;
		char name[8 + sizeof(o->meta[i].name) + 4];

		snprintf(name, sizeof(name), "%smeta-%s", st->hp, o->meta[i].name);
		rc = store_hdr_add(h, name, "%s", o->meta[i].value);
		if (rc)
			return rc;
	}
	if (o->if_none_match_star)
		rc = store_hdr_add(h, "If-None-Match", "*");
	/* Unquoted: radosgw (16) compares a PUT's If-Match with the bare ETag
	 * and refuses the quoted form; S3 takes either. */
	if (!rc && o->if_match)
		rc = store_hdr_add(h, "If-Match", "%s", o->if_match);
	return rc;
}
