/* SPDX-License-Identifier: MIT */
/*
 * osssig_v4.c - Aliyun OSS's V4 signature (see osssig.h, and osssig.c for
 * what both versions share): the canonical request (encoded URI and query,
 * the signed headers, the additional header names, the payload hash), the
 * string to sign over its SHA-256, and its signature with a key derived
 * from the secret by an HMAC-SHA256 chain.  The derived keys are wiped
 * after use; pure computation, thread-safe.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bucketfs/crypto.h"
#include "bucketfs/osssig.h"
#include "bucketfs/uri.h"
#include "sign/osssig_int.h"

/* What V4 signs without being asked: Content-Type, Content-MD5, x-oss-*. */
static int v4_signed_by_default(const char *name)
{
	return !strcmp(name, "content-type") || !strcmp(name, "content-md5") ||
	       oss_starts_with(name, OSS_PREFIX);
}

/*
 * The additional headers as V4 signs them: spec split at ';', each name
 * lower-cased, those signed anyway dropped, sorted, each once.  Every name
 * must be a token (no empty ones) and name a header of h.  The result goes
 * to names ("host;range", maybe empty) and to list (set up by oss_list_init()).
 */
static int v4_additional(const char *spec, const struct oss_list *h, struct bfs_buf *names,
			 struct oss_list *list)
{
	const char *end, *value;
	size_t i, n = 1;
	int rc = 0;

	if (!spec || !*spec)
		return 0;
	for (end = spec; *end; end++)
		n += *end == ';';
	list->e = calloc(n, sizeof(*list->e));
	if (!list->e)
		return -ENOMEM;
	for (; !rc; spec = end + 1) {
		end = strchr(spec, ';');
		if (!end)
			end = spec + strlen(spec);
		list->e[list->n].name_off = list->scratch.len;
		list->e[list->n].idx = list->n;
		rc = oss_add_token_lower(&list->scratch, spec, (size_t)(end - spec));
		if (!rc && v4_signed_by_default(list->scratch.data + list->e[list->n].name_off))
			bfs_buf_truncate(&list->scratch, list->e[list->n].name_off);
		else if (!rc)
			list->n++;
		if (!*end)
			break;
	}
	for (i = 0; i < list->n; i++)
		list->e[i].name = list->scratch.data + list->e[i].name_off;
	if (!rc && list->n)
		qsort(list->e, list->n, sizeof(*list->e), oss_ent_cmp);
	for (i = 0; i < list->n && !rc; i++) {
		if (i && !strcmp(list->e[i].name, list->e[i - 1].name))
			continue;
		rc = oss_list_get(h, list->e[i].name, &value);
		if (rc == -ENOENT)
			rc = -EINVAL;
		if (!rc)
			rc = bfs_buf_addf(names, "%s%s", names->len ? ";" : "", list->e[i].name);
	}
	return rc;
}

static int is_additional(const struct oss_list *add, const char *name)
{
	size_t i;

	for (i = 0; i < add->n; i++)
		if (!strcmp(add->e[i].name, name))
			return 1;
	return 0;
}

/* Query: names and values encoded ('/' too), in name order; bare names alone. */
static int v4_query(const struct oss_list *q, struct bfs_buf *out)
{
	const struct oss_ent *e;
	size_t i;
	int rc = 0;

	for (i = 0; i < q->n && !rc; i++) {
		e = &q->e[i];
		if (i)
			rc = bfs_buf_add(out, "&", 1);
		if (!rc)
			rc = bfs_uri_encode(out, e->name, strlen(e->name), 0);
		if (!rc && e->value && *e->value)
			rc = bfs_buf_add(out, "=", 1);
		if (!rc && e->value && *e->value)
			rc = bfs_uri_encode(out, e->value, strlen(e->value), 0);
	}
	return rc;
}

/* Headers: the ones signed by default or named additional, "name:value\n". */
static int v4_headers(const struct oss_list *h, const struct oss_list *add, struct bfs_buf *out)
{
	const struct oss_ent *e;
	const char *prev = NULL;
	size_t i;
	int rc = 0;

	for (i = 0; i < h->n && !rc; i++) {
		e = &h->e[i];
		if (!v4_signed_by_default(e->name) && !is_additional(add, e->name))
			continue;
		if (prev && !strcmp(prev, e->name))
			return -EINVAL;
		prev = e->name;
		rc = bfs_buf_addf(out, "%s:", e->name);
		if (!rc)
			rc = oss_add_trimmed(out, e->value);
		if (!rc)
			rc = bfs_buf_add(out, "\n", 1);
	}
	return rc;
}

/* x-oss-date must be ossdate; x-oss-content-sha256 gives the payload line. */
static int v4_dates(const struct oss_list *h, const char *ossdate, const char **payload)
{
	const char *xdate;
	int rc;

	rc = oss_list_get(h, "x-oss-date", &xdate);
	if (!rc && strcmp(xdate, ossdate))
		rc = -EINVAL;
	if (!rc)
		rc = oss_list_get(h, "x-oss-content-sha256", payload);
	if (!rc && !oss_is_word(*payload, NULL))
		rc = -EINVAL;
	return rc == -ENOENT ? -EINVAL : rc;
}

/*
 * Canonical request: VERB, encoded "/bucket/key" ('/' kept), query, the
 * signed headers (each line ending in "\n"), the additional header names
 * and x-oss-content-sha256, joined by "\n".
 */
static int v4_canonical_request(const struct bfs_oss_req *req, const struct oss_list *q,
				const struct oss_list *h, const struct oss_list *add,
				const char *names, const char *payload, struct bfs_buf *out)
{
	int rc;

	rc = oss_add_upper(out, req->method);
	if (!rc)
		rc = bfs_buf_add(out, "\n", 1);
	if (!rc)
		rc = oss_add_resource(out, req, 1);
	if (!rc)
		rc = bfs_buf_add(out, "\n", 1);
	if (!rc)
		rc = v4_query(q, out);
	if (!rc)
		rc = bfs_buf_add(out, "\n", 1);
	if (!rc)
		rc = v4_headers(h, add, out);
	if (!rc)
		rc = bfs_buf_addf(out, "\n%s\n%s", names, payload);
	return rc;
}

/* Everything V4 computes, so the caller can hand it back in one go. */
struct oss4 {
	struct bfs_buf creq, sts, names;
	char sig[BFS_SHA256_HEX_LEN + 1];
};

static int v4_compute(struct oss4 *w, const struct bfs_oss_req *req,
		      const struct bfs_oss_cred *cred, const char *ossdate, const char *additional)
{
	unsigned char key[BFS_SHA256_LEN], mac[BFS_SHA256_LEN];
	char hash[BFS_SHA256_HEX_LEN + 1];
	struct oss_list q, h, add;
	const char *payload = NULL;
	int rc;

	oss_list_init(&add);
	rc = oss_lists_build(req, &q, &h);
	if (!rc)
		rc = v4_dates(&h, ossdate, &payload);
	if (!rc)
		rc = v4_additional(additional, &h, &w->names, &add);
	if (!rc)
		rc = v4_canonical_request(req, &q, &h, &add, bfs_buf_str(&w->names), payload,
					  &w->creq);
	if (rc)
		goto out_release;
	bfs_sha256_hex(w->creq.data, w->creq.len, hash);
	rc = bfs_buf_addf(&w->sts, OSS4_ALGO "\n%s\n%.8s/%s/oss/aliyun_v4_request\n%s", ossdate,
			  ossdate, cred->region, hash);
	if (!rc)
		rc = bfs_sigv4_derive_key("aliyun_v4", cred->secret_key, ossdate, cred->region,
					  "oss", "aliyun_v4_request", key);
	if (rc)
		goto out_release;
	bfs_hmac_sha256(key, sizeof(key), w->sts.data, w->sts.len, mac);
	bfs_hex(mac, sizeof(mac), w->sig);
	bfs_wipe(key, sizeof(key));

out_release:
	oss_list_release(&add);
	oss_list_release(&h);
	oss_list_release(&q);
	return rc;
}

static int check_ossdate(const char *d)
{
	if (!d || strlen(d) != OSS4_DATE_LEN || !oss_is_digits(d, 8) || d[8] != 'T' ||
	    !oss_is_digits(d + 9, 6) || d[15] != 'Z')
		return -EINVAL;
	return 0;
}

int bfs_oss_sign_v4(const struct bfs_oss_req *req, const struct bfs_oss_cred *cred,
		    const char *ossdate, const char *additional, struct bfs_buf *auth,
		    struct bfs_buf *creq, struct bfs_buf *sts)
{
	size_t auth_len;
	struct oss4 w;
	int rc;

	if (!auth || oss_check_req(req) || oss_check_cred(cred, 1) || check_ossdate(ossdate))
		return -EINVAL;
	bfs_buf_init(&w.creq, OSSSIG_MAX);
	bfs_buf_init(&w.sts, OSSSIG_MAX);
	bfs_buf_init(&w.names, OSSSIG_MAX);
	w.sig[0] = '\0';
	rc = v4_compute(&w, req, cred, ossdate, additional);
	if (rc)
		goto out_release;

	auth_len = auth->len;
	rc = bfs_buf_addf(auth, OSS4_ALGO " Credential=%s/%.8s/%s/oss/aliyun_v4_request,",
			  cred->access_key, ossdate, cred->region);
	if (!rc && w.names.len)
		rc = bfs_buf_addf(auth, "AdditionalHeaders=%s,", bfs_buf_str(&w.names));
	if (!rc)
		rc = bfs_buf_addf(auth, "Signature=%s", w.sig);
	rc = bfs_sig_finish(rc, auth, auth_len, creq, &w.creq, sts, &w.sts);

out_release:
	bfs_buf_release(&w.names);
	bfs_buf_release(&w.sts);
	bfs_buf_release(&w.creq);
	bfs_wipe(w.sig, sizeof(w.sig));
	return rc;
}
