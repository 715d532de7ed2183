/* SPDX-License-Identifier: MIT */
/*
 * osssig.c - Aliyun OSS's own request signatures (see osssig.h): what V1
 * and V4 share (osssig_int.h), and V1; V4 is in osssig_v4.c.
 *
 * Both versions start the same way: the query parameters and the headers
 * go into sorted lists (struct oss_list), header names lower-cased, so each
 * step below is a walk over a sorted list.  V1 then builds its string to
 * sign (the fixed lines, the x-oss-* headers, the resource with the signed
 * sub-resources) and signs it with HMAC-SHA1; V4 builds its canonical
 * request (encoded URI and query, the signed headers, the additional header
 * names, the payload hash), the string to sign over its SHA-256, and signs
 * that with a key derived from the secret by an HMAC-SHA256 chain.
 *
 * What is signed, and how, is what Aliyun's SDK for Node.js, ali-oss
 * (lib/common/signUtils.js), does; tests/oss/gen-vectors.js runs it to make
 * the vectors of tests/unit/test_osssig.c.  Two deliberate differences are
 * described in osssig.h (query order, empty query values).
 *
 * Every intermediate string lives in a bounded buffer (OSSSIG_MAX); the
 * secret and the derived keys are wiped after use.  Nothing is logged.
 * Pure computation: no clock, no globals, thread-safe.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bucketfs/crypto.h"
#include "bucketfs/osssig.h"
#include "bucketfs/uri.h"
#include "sign/osssig_int.h"

/*
 * The query parameters V1 signs as sub-resources (by exact name); every
 * other parameter (prefix, marker, max-keys, list-type, encoding-type, ...)
 * is left out of its string to sign.  This is the list of Aliyun's
 * documentation and SDKs; ali-oss signs, per operation, a subset of it.
 */
/* clang-format off */
static const char *const v1_subresources[] = {
    "acl", "append", "asyncFetch", "bucketInfo", "callback", "callback-var", "cloudboxes",
    "cname", "comp", "continuation-token", "cors", "delete", "encryption", "endTime", "img",
    "inventory", "inventoryId", "lifecycle", "live", "location", "logging", "metaQuery",
    "objectMeta", "partNumber", "policy", "position", "qos", "qosInfo", "referer",
    "regionList", "replication", "replicationLocation", "replicationProgress",
    "requestPayment", "response-cache-control", "response-content-disposition",
    "response-content-encoding", "response-content-language", "response-content-type",
    "response-expires", "restore", "security-token", "sequential", "startTime", "stat",
    "status", "style", "styleName", "symlink", "tagging", "transferAcceleration", "udf",
    "udfApplication", "udfApplicationLog", "udfId", "udfImage", "udfImageDesc", "udfName",
    "uploadId", "uploads", "versionId", "versioning", "versions", "vod", "website",
    "withHashContext", "worm", "wormExtend", "wormId", "x-oss-ac-forward-allow",
    "x-oss-ac-source-ip", "x-oss-ac-subnet-mask", "x-oss-ac-vpc-id", "x-oss-enable-md5",
    "x-oss-enable-sha1", "x-oss-enable-sha256", "x-oss-hash-ctx", "x-oss-md5-ctx",
    "x-oss-process", "x-oss-request-payer", "x-oss-traffic-limit",
};
/* clang-format on */

/* A non-empty string without spaces, control characters or forbidden ones. */
int oss_is_word(const char *s, const char *forbidden)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f || (forbidden && strchr(forbidden, *s)))
			return 0;
	return 1;
}

/* An HTTP token character (RFC 9110 tchar). */
static int is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* A header value HTTP can carry: no control character but tab. */
static int is_field_value(const char *v)
{
	if (!v)
		return 0;
	for (; *v; v++)
		if (((unsigned char)*v < ' ' && *v != '\t') || *v == 0x7f)
			return 0;
	return 1;
}

int oss_is_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int oss_starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* Append n bytes of s lower-cased plus a NUL; -EINVAL unless an HTTP token. */
int oss_add_token_lower(struct bfs_buf *b, const char *s, size_t n)
{
	size_t start = b->len, i;
	char c;
	int rc = 0;

	if (!n)
		return -EINVAL;
	for (i = 0; i < n && !rc; i++) {
		if (!is_tchar((unsigned char)s[i]))
			rc = -EINVAL;
		c = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
		if (!rc)
			rc = bfs_buf_add(b, &c, 1);
	}
	if (!rc)
		rc = bfs_buf_add(b, "", 1);
	if (rc)
		bfs_buf_truncate(b, start);
	return rc;
}

/* Append s upper-cased (the HTTP method). */
int oss_add_upper(struct bfs_buf *b, const char *s)
{
	char c;
	int rc = 0;

	for (; *s && !rc; s++) {
		c = *s >= 'a' && *s <= 'z' ? (char)(*s - 'a' + 'A') : *s;
		rc = bfs_buf_add(b, &c, 1);
	}
	return rc;
}

/* Append v without leading and trailing spaces and tabs. */
int oss_add_trimmed(struct bfs_buf *b, const char *v)
{
	size_t n;

	while (*v == ' ' || *v == '\t')
		v++;
	n = strlen(v);
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	return bfs_buf_add(b, v, n);
}

int oss_ent_cmp(const void *a, const void *b)
{
	const struct oss_ent *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (!c)
		c = x->idx < y->idx ? -1 : x->idx > y->idx;
	return c;
}

void oss_list_init(struct oss_list *l)
{
	bfs_buf_init(&l->scratch, OSSSIG_MAX);
	l->e = NULL;
	l->n = 0;
}

void oss_list_release(struct oss_list *l)
{
	bfs_buf_release(&l->scratch);
	free(l->e);
	l->e = NULL;
	l->n = 0;
}

/*
 * Sort n query parameters (headers: names lower-cased and checked, values
 * checked) into l, which oss_list_init() set up.  Query names must be non-empty
 * and appear once.
 */
int oss_list_build(struct oss_list *l, const struct bfs_kv *kv, size_t n, int headers)
{
	size_t i;
	int rc = 0;

	if (!n)
		return 0;
	l->e = calloc(n, sizeof(*l->e));
	if (!l->e)
		return -ENOMEM;
	l->n = n;
	for (i = 0; i < n && !rc; i++) {
		l->e[i].idx = i;
		l->e[i].name_off = l->scratch.len;
		l->e[i].value = kv[i].value;
		if (!kv[i].name || !*kv[i].name)
			rc = -EINVAL;
		else if (headers)
			rc = is_field_value(kv[i].value)
				 ? oss_add_token_lower(&l->scratch, kv[i].name, strlen(kv[i].name))
				 : -EINVAL;
		else
			rc = bfs_buf_add(&l->scratch, kv[i].name, strlen(kv[i].name) + 1);
	}
	if (rc)
		return rc;
	for (i = 0; i < n; i++)
		l->e[i].name = l->scratch.data + l->e[i].name_off;
	qsort(l->e, n, sizeof(*l->e), oss_ent_cmp);
	for (i = 1; i < n && !headers; i++)
		if (!strcmp(l->e[i].name, l->e[i - 1].name))
			return -EINVAL;
	return 0;
}

int oss_lists_build(const struct bfs_oss_req *req, struct oss_list *q, struct oss_list *h)
{
	int rc;

	oss_list_init(q);
	oss_list_init(h);
	rc = oss_list_build(q, req->query, req->nquery, 0);
	return rc ? rc : oss_list_build(h, req->headers, req->nheaders, 1);
}

/* The value of header name (lower case): 0, -ENOENT, or -EINVAL if repeated. */
int oss_list_get(const struct oss_list *l, const char *name, const char **value)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (strcmp(l->e[i].name, name))
			continue;
		if (i + 1 < l->n && !strcmp(l->e[i + 1].name, name))
			return -EINVAL;
		*value = l->e[i].value;
		return 0;
	}
	return -ENOENT;
}

/* Like oss_list_get(), but a missing header gives "". */
static int list_get_opt(const struct oss_list *l, const char *name, const char **value)
{
	int rc = oss_list_get(l, name, value);

	if (rc == -ENOENT) {
		*value = "";
		rc = 0;
	}
	return rc;
}

int oss_check_req(const struct bfs_oss_req *req)
{
	if (!req || !req->method || !*req->method || !req->bucket || !req->key ||
	    (req->nquery && !req->query) || (req->nheaders && !req->headers))
		return -EINVAL;
	if (strspn(req->method, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") !=
	    strlen(req->method))
		return -EINVAL;
	if (*req->bucket && !oss_is_word(req->bucket, "/?#\\"))
		return -EINVAL;
	if (*req->key && (!*req->bucket || *req->key == '/'))
		return -EINVAL;
	return 0;
}

int oss_check_cred(const struct bfs_oss_cred *cred, int v4)
{
	if (!cred || !oss_is_word(cred->access_key, ":/,") || !cred->secret_key ||
	    !*cred->secret_key)
		return -EINVAL;
	if (v4 && !oss_is_word(cred->region, "/,"))
		return -EINVAL;
	return 0;
}

static int is_v1_subresource(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(v1_subresources) / sizeof(v1_subresources[0]); i++)
		if (!strcmp(name, v1_subresources[i]))
			return 1;
	return 0;
}

/* "/bucket/key" as given, or "/bucket/", or "/". */
int oss_add_resource(struct bfs_buf *b, const struct bfs_oss_req *req, int encode)
{
	int rc = bfs_buf_add(b, "/", 1);

	if (!rc && *req->bucket)
		rc = bfs_buf_addf(b, "%s/", req->bucket);
	if (!rc && encode)
		rc = bfs_uri_encode(b, req->key, strlen(req->key), 1);
	else if (!rc)
		rc = bfs_buf_adds(b, req->key);
	return rc;
}

/*
 * V1 StringToSign: VERB, Content-MD5, Content-Type (both as given) and the
 * date (x-oss-date, else Date, else the argument), one per line; the
 * x-oss-* headers "name:value\n", values trimmed; the resource, its key
 * not encoded, and "?a&b=v" for the sub-resources among the query
 * parameters, their values not encoded either.
 */
static int v1_string_to_sign(const struct bfs_oss_req *req, const struct oss_list *q,
			     const struct oss_list *h, const char *date, struct bfs_buf *out)
{
	const char *md5, *type, *line;
	const struct oss_ent *e;
	char sep = '?';
	size_t i;
	int rc;

	rc = list_get_opt(h, "content-md5", &md5);
	if (!rc)
		rc = list_get_opt(h, "content-type", &type);
	if (!rc)
		rc = oss_list_get(h, "x-oss-date", &line);
	if (rc == -ENOENT)
		rc = oss_list_get(h, "date", &line);
	if (rc == -ENOENT) { /* no header: the date argument is the line */
		if (!date || !*date || !is_field_value(date))
			return -EINVAL;
		line = date;
		rc = 0;
	} else if (!rc && date && strcmp(date, line)) {
		rc = -EINVAL;
	}
	if (rc)
		return rc;

	rc = oss_add_upper(out, req->method);
	if (!rc)
		rc = bfs_buf_addf(out, "\n%s\n%s\n%s\n", md5, type, line);
	for (i = 0; i < h->n && !rc; i++) {
		e = &h->e[i];
		if (!oss_starts_with(e->name, OSS_PREFIX))
			continue;
		if (i && !strcmp(e->name, h->e[i - 1].name))
			return -EINVAL;
		rc = bfs_buf_addf(out, "%s:", e->name);
		if (!rc)
			rc = oss_add_trimmed(out, e->value);
		if (!rc)
			rc = bfs_buf_add(out, "\n", 1);
	}
	if (!rc)
		rc = oss_add_resource(out, req, 0);
	for (i = 0; i < q->n && !rc; i++) {
		e = &q->e[i];
		if (!is_v1_subresource(e->name))
			continue;
		rc = bfs_buf_addf(out, "%c%s", sep, e->name);
		if (!rc && e->value && *e->value)
			rc = bfs_buf_addf(out, "=%s", e->value);
		sep = '&';
	}
	return rc;
}

int bfs_oss_sign_v1(const struct bfs_oss_req *req, const struct bfs_oss_cred *cred,
		    const char *date, struct bfs_buf *auth, struct bfs_buf *sts)
{
	struct bfs_buf s = BFS_BUF_INIT(OSSSIG_MAX);
	struct oss_list q, h;
	unsigned char mac[BFS_SHA1_LEN];
	char sig[BFS_BASE64_LEN(BFS_SHA1_LEN) + 1];
	size_t auth_len;
	int rc;

	if (!auth || oss_check_req(req) || oss_check_cred(cred, 0))
		return -EINVAL;
	rc = oss_lists_build(req, &q, &h);
	if (!rc)
		rc = v1_string_to_sign(req, &q, &h, date, &s);
	if (rc)
		goto out_release;

	bfs_hmac_sha1(cred->secret_key, strlen(cred->secret_key), s.data, s.len, mac);
	if (bfs_base64(mac, sizeof(mac), sig, sizeof(sig)) < 0) {
		rc = -EINVAL; /* cannot happen: sig holds the encoding of 20 bytes */
		goto out_release;
	}
	auth_len = auth->len;
	rc = bfs_buf_addf(auth, "OSS %s:%s", cred->access_key, sig);
	rc = bfs_sig_finish(rc, auth, auth_len, NULL, NULL, sts, &s);

out_release:
	oss_list_release(&h);
	oss_list_release(&q);
	bfs_buf_release(&s);
	return rc;
}

int bfs_oss_presign_v1(const char *bucket, const char *key, const struct bfs_oss_cred *cred,
		       const char *session_token, long long expires_at, struct bfs_buf *out)
{
	struct bfs_buf auth = BFS_BUF_INIT(OSSSIG_MAX);
	struct bfs_kv token = { "security-token", session_token };
	struct bfs_oss_req req = { "GET", bucket, key, &token, 0, NULL, 0 };
	char expires[24];
	const char *sig;
	size_t out_len = out ? out->len : 0;
	int rc;

	if (!out || !bucket || !*bucket || expires_at < 1)
		return -EINVAL;
	if (session_token && *session_token)
		req.nquery = 1;
	snprintf(expires, sizeof(expires), "%lld", expires_at);
	/* The string to sign is a request's, with Expires where Date goes. */
	rc = bfs_oss_sign_v1(&req, cred, expires, &auth, NULL);
	if (rc)
		goto out;
	sig = strchr(bfs_buf_str(&auth), ':') + 1; /* "OSS ak:sig" */
	rc = bfs_buf_adds(out, "OSSAccessKeyId=");
	if (!rc)
		rc = bfs_uri_encode(out, cred->access_key, strlen(cred->access_key), 0);
	if (!rc)
		rc = bfs_buf_addf(out, "&Expires=%s&Signature=", expires);
	if (!rc)
		rc = bfs_uri_encode(out, sig, strlen(sig), 0);
	if (!rc && req.nquery) {
		rc = bfs_buf_adds(out, "&security-token=");
		if (!rc)
			rc = bfs_uri_encode(out, session_token, strlen(session_token), 0);
	}
	if (rc)
		bfs_buf_truncate(out, out_len);
out:
	if (auth.data)
		bfs_wipe(auth.data, auth.len);
	bfs_buf_release(&auth);
	return rc;
}
