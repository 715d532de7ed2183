/* SPDX-License-Identifier: MIT */
/*
 * osssig.c - Aliyun OSS's own request signatures, V1 and V4 (see osssig.h).
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

#define OSSSIG_MAX (256 * 1024) /* cap on each string built while signing */
#define OSS4_ALGO "OSS4-HMAC-SHA256"
#define OSS4_DATE_LEN 16 /* YYYYMMDDTHHMMSSZ */
#define OSS_PREFIX "x-oss-"

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

/* One query parameter or header while it is being sorted. */
struct oss_ent {
	size_t name_off;   /* into the list's scratch buffer, until it stops moving */
	const char *name;  /* NUL-terminated, after that; headers lower-cased */
	const char *value; /* as given, not owned; NULL for a bare query name */
	size_t idx;	   /* position in the request, to keep sorting stable */
};

/* Query parameters or headers sorted by name (bytes). */
struct oss_list {
	struct bfs_buf scratch; /* the names */
	struct oss_ent *e;
	size_t n;
};

/* A non-empty string without spaces, control characters or forbidden ones. */
static int is_word(const char *s, const char *forbidden)
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

static int is_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* Append n bytes of s lower-cased plus a NUL; -EINVAL unless an HTTP token. */
static int add_token_lower(struct bfs_buf *b, const char *s, size_t n)
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
static int add_upper(struct bfs_buf *b, const char *s)
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
static int add_trimmed(struct bfs_buf *b, const char *v)
{
	size_t n;

	while (*v == ' ' || *v == '\t')
		v++;
	n = strlen(v);
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	return bfs_buf_add(b, v, n);
}

static int ent_cmp(const void *a, const void *b)
{
	const struct oss_ent *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (!c)
		c = x->idx < y->idx ? -1 : x->idx > y->idx;
	return c;
}

static void list_init(struct oss_list *l)
{
	bfs_buf_init(&l->scratch, OSSSIG_MAX);
	l->e = NULL;
	l->n = 0;
}

static void list_release(struct oss_list *l)
{
	bfs_buf_release(&l->scratch);
	free(l->e);
	l->e = NULL;
	l->n = 0;
}

/*
 * Sort n query parameters (headers: names lower-cased and checked, values
 * checked) into l, which list_init() set up.  Query names must be non-empty
 * and appear once.
 */
static int list_build(struct oss_list *l, const struct bfs_kv *kv, size_t n, int headers)
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
				 ? add_token_lower(&l->scratch, kv[i].name, strlen(kv[i].name))
				 : -EINVAL;
		else
			rc = bfs_buf_add(&l->scratch, kv[i].name, strlen(kv[i].name) + 1);
	}
	if (rc)
		return rc;
	for (i = 0; i < n; i++)
		l->e[i].name = l->scratch.data + l->e[i].name_off;
	qsort(l->e, n, sizeof(*l->e), ent_cmp);
	for (i = 1; i < n && !headers; i++)
		if (!strcmp(l->e[i].name, l->e[i - 1].name))
			return -EINVAL;
	return 0;
}

/* The value of header name (lower case): 0, -ENOENT, or -EINVAL if repeated. */
static int list_get(const struct oss_list *l, const char *name, const char **value)
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

/* Like list_get(), but a missing header gives "". */
static int list_get_opt(const struct oss_list *l, const char *name, const char **value)
{
	int rc = list_get(l, name, value);

	if (rc == -ENOENT) {
		*value = "";
		rc = 0;
	}
	return rc;
}

static int check_req(const struct bfs_oss_req *req)
{
	if (!req || !req->method || !*req->method || !req->bucket || !req->key ||
	    (req->nquery && !req->query) || (req->nheaders && !req->headers))
		return -EINVAL;
	if (strspn(req->method, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") !=
	    strlen(req->method))
		return -EINVAL;
	if (*req->bucket && !is_word(req->bucket, "/?#\\"))
		return -EINVAL;
	if (*req->key && (!*req->bucket || *req->key == '/'))
		return -EINVAL;
	return 0;
}

static int check_cred(const struct bfs_oss_cred *cred, int v4)
{
	if (!cred || !is_word(cred->access_key, ":/,") || !cred->secret_key || !*cred->secret_key)
		return -EINVAL;
	if (v4 && !is_word(cred->region, "/,"))
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
static int add_resource(struct bfs_buf *b, const struct bfs_oss_req *req, int encode)
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
		rc = list_get(h, "x-oss-date", &line);
	if (rc == -ENOENT)
		rc = list_get(h, "date", &line);
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

	rc = add_upper(out, req->method);
	if (!rc)
		rc = bfs_buf_addf(out, "\n%s\n%s\n%s\n", md5, type, line);
	for (i = 0; i < h->n && !rc; i++) {
		e = &h->e[i];
		if (!starts_with(e->name, OSS_PREFIX))
			continue;
		if (i && !strcmp(e->name, h->e[i - 1].name))
			return -EINVAL;
		rc = bfs_buf_addf(out, "%s:", e->name);
		if (!rc)
			rc = add_trimmed(out, e->value);
		if (!rc)
			rc = bfs_buf_add(out, "\n", 1);
	}
	if (!rc)
		rc = add_resource(out, req, 0);
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

	if (!auth || check_req(req) || check_cred(cred, 0))
		return -EINVAL;
	list_init(&q);
	list_init(&h);
	rc = list_build(&q, req->query, req->nquery, 0);
	if (!rc)
		rc = list_build(&h, req->headers, req->nheaders, 1);
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
	list_release(&h);
	list_release(&q);
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

/* What V4 signs without being asked: Content-Type, Content-MD5, x-oss-*. */
static int v4_signed_by_default(const char *name)
{
	return !strcmp(name, "content-type") || !strcmp(name, "content-md5") ||
	       starts_with(name, OSS_PREFIX);
}

/*
 * The additional headers as V4 signs them: spec split at ';', each name
 * lower-cased, those signed anyway dropped, sorted, each once.  Every name
 * must be a token (no empty ones) and name a header of h.  The result goes
 * to names ("host;range", maybe empty) and to list (set up by list_init()).
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
		rc = add_token_lower(&list->scratch, spec, (size_t)(end - spec));
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
		qsort(list->e, list->n, sizeof(*list->e), ent_cmp);
	for (i = 0; i < list->n && !rc; i++) {
		if (i && !strcmp(list->e[i].name, list->e[i - 1].name))
			continue;
		rc = list_get(h, list->e[i].name, &value);
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
			rc = add_trimmed(out, e->value);
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

	rc = list_get(h, "x-oss-date", &xdate);
	if (!rc && strcmp(xdate, ossdate))
		rc = -EINVAL;
	if (!rc)
		rc = list_get(h, "x-oss-content-sha256", payload);
	if (!rc && !is_word(*payload, NULL))
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

	rc = add_upper(out, req->method);
	if (!rc)
		rc = bfs_buf_add(out, "\n", 1);
	if (!rc)
		rc = add_resource(out, req, 1);
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

	list_init(&q);
	list_init(&h);
	list_init(&add);
	rc = list_build(&q, req->query, req->nquery, 0);
	if (!rc)
		rc = list_build(&h, req->headers, req->nheaders, 1);
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
	list_release(&add);
	list_release(&h);
	list_release(&q);
	return rc;
}

static int check_ossdate(const char *d)
{
	if (!d || strlen(d) != OSS4_DATE_LEN || !is_digits(d, 8) || d[8] != 'T' ||
	    !is_digits(d + 9, 6) || d[15] != 'Z')
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

	if (!auth || check_req(req) || check_cred(cred, 1) || check_ossdate(ossdate))
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
