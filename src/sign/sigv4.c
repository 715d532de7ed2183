/* SPDX-License-Identifier: MIT */
/*
 * sigv4.c - AWS Signature Version 4 (see sigv4.h).
 *
 * Signing is four steps, each a small function over a struct sigv4 that
 * holds the intermediate strings: the canonical query and headers, then the
 * canonical request, then the string to sign, then the HMAC chain that
 * derives the signing key from the secret and signs.  bfs_sigv4_sign() and
 * bfs_sigv4_presign() differ only in what they add to the request before
 * those steps and in what they hand back after.
 *
 * Every intermediate string lives in a bounded buffer (SIGV4_MAX); the
 * secret and the derived keys live in memory that is wiped before it is
 * freed or goes out of scope.  Nothing is logged.  Pure computation: no
 * clock, no globals, thread-safe.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bucketfs/crypto.h"
#include "bucketfs/sigv4.h"
#include "bucketfs/uri.h"

#define SIGV4_MAX (256 * 1024) /* cap on each string built while signing */
#define SIGV4_ALGO "AWS4-HMAC-SHA256"
#define SIGV4_AMZDATE_LEN 16	 /* YYYYMMDDTHHMMSSZ */
#define SIGV4_EXPIRES_MAX 604800 /* seven days, the most S3 accepts */

struct sigv4 {
	struct bfs_buf query;	    /* canonical query string */
	struct bfs_buf headers;	    /* canonical headers, each "name:value\n" */
	struct bfs_buf signed_hdrs; /* "host;x-amz-date" */
	struct bfs_buf scope;	    /* "20150830/us-east-1/service/aws4_request" */
	struct bfs_buf creq;	    /* canonical request */
	struct bfs_buf sts;	    /* string to sign */
	char sig[BFS_SHA256_HEX_LEN + 1];
};

/* One query parameter or header while it is being sorted. */
struct sigv4_ent {
	size_t name_off, value_off; /* into the scratch buffer, until it stops moving */
	const char *name, *value;   /* NUL-terminated, after that */
	size_t idx;		    /* position in the request, to keep sorting stable */
};

static void sigv4_init(struct sigv4 *w)
{
	bfs_buf_init(&w->query, SIGV4_MAX);
	bfs_buf_init(&w->headers, SIGV4_MAX);
	bfs_buf_init(&w->signed_hdrs, SIGV4_MAX);
	bfs_buf_init(&w->scope, SIGV4_MAX);
	bfs_buf_init(&w->creq, SIGV4_MAX);
	bfs_buf_init(&w->sts, SIGV4_MAX);
	w->sig[0] = '\0';
}

static void sigv4_release(struct sigv4 *w)
{
	bfs_buf_release(&w->sts);
	bfs_buf_release(&w->creq);
	bfs_buf_release(&w->scope);
	bfs_buf_release(&w->signed_hdrs);
	bfs_buf_release(&w->headers);
	bfs_buf_release(&w->query);
	bfs_wipe(w->sig, sizeof(w->sig));
}

/* A non-empty string without spaces or control characters (nor c, if c). */
static int is_word(const char *s, char c)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f || (c && *s == c))
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

static int check_amzdate(const char *d)
{
	if (!d || strlen(d) != SIGV4_AMZDATE_LEN || !is_digits(d, 8) || d[8] != 'T' ||
	    !is_digits(d + 9, 6) || d[15] != 'Z')
		return -EINVAL;
	return 0;
}

static int check_cred(const struct bfs_sigv4_cred *cred)
{
	if (!cred || !is_word(cred->access_key, '/') || !cred->secret_key || !*cred->secret_key ||
	    !is_word(cred->region, '/') || !is_word(cred->service, '/'))
		return -EINVAL;
	return 0;
}

static int check_req(const struct bfs_sigv4_req *req)
{
	if (!req || !is_word(req->method, 0) || !is_word(req->canonical_uri, 0) ||
	    !is_word(req->payload_hash, 0) || (req->nquery && !req->query) || !req->nheaders ||
	    !req->headers)
		return -EINVAL;
	return 0;
}

static int ent_cmp(const void *a, const void *b)
{
	const struct sigv4_ent *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (!c)
		c = strcmp(x->value, y->value);
	return c;
}

static int ent_cmp_stable(const void *a, const void *b)
{
	const struct sigv4_ent *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (!c)
		c = x->idx < y->idx ? -1 : x->idx > y->idx;
	return c;
}

/* Give every entry its pointers once the scratch buffer stops moving. */
static void ents_resolve(struct sigv4_ent *e, size_t n, const struct bfs_buf *scratch)
{
	size_t i;

	for (i = 0; i < n; i++) {
		e[i].name = scratch->data + e[i].name_off;
		e[i].value = scratch->data + e[i].value_off;
	}
}

/*
 * Canonical query: name and value encoded (with '/' as %2F), sorted by
 * encoded name then encoded value, "name=value" joined by '&'.
 */
static int canonical_query(const struct bfs_kv *kv, size_t n, struct bfs_buf *out)
{
	struct bfs_buf scratch = BFS_BUF_INIT(SIGV4_MAX);
	struct sigv4_ent *e;
	const char *v;
	size_t i;
	int rc = 0;

	if (!n)
		return 0;
	e = calloc(n, sizeof(*e));
	if (!e)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (!kv[i].name) {
			rc = -EINVAL;
			goto out_free;
		}
		v = kv[i].value ? kv[i].value : "";
		e[i].name_off = scratch.len;
		rc = bfs_uri_encode(&scratch, kv[i].name, strlen(kv[i].name), 0);
		if (!rc)
			rc = bfs_buf_add(&scratch, "", 1);
		e[i].value_off = scratch.len;
		if (!rc)
			rc = bfs_uri_encode(&scratch, v, strlen(v), 0);
		if (!rc)
			rc = bfs_buf_add(&scratch, "", 1);
		if (rc)
			goto out_free;
	}
	ents_resolve(e, n, &scratch);
	qsort(e, n, sizeof(*e), ent_cmp);
	for (i = 0; i < n && !rc; i++)
		rc = bfs_buf_addf(out, "%s%s=%s", i ? "&" : "", e[i].name, e[i].value);

out_free:
	bfs_buf_release(&scratch);
	free(e);
	return rc;
}

/* An HTTP token character (RFC 9110 tchar). */
static int is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Append name lower-cased plus a NUL; -EINVAL unless it is a token. */
static int add_header_name(struct bfs_buf *b, const char *name)
{
	char c;
	int rc = 0;

	if (!name || !*name)
		return -EINVAL;
	for (; *name && !rc; name++) {
		if (!is_tchar((unsigned char)*name))
			return -EINVAL;
		c = *name >= 'A' && *name <= 'Z' ? (char)(*name - 'A' + 'a') : *name;
		rc = bfs_buf_add(b, &c, 1);
	}
	return rc ? rc : bfs_buf_add(b, "", 1);
}

/*
 * Append value trimmed, with inner runs of spaces and tabs as one space,
 * plus a NUL; -EINVAL for CR or LF, which would split the header.
 */
static int add_header_value(struct bfs_buf *b, const char *v)
{
	size_t run;
	int rc = 0;

	if (!v)
		return -EINVAL;
	while (*v == ' ' || *v == '\t')
		v++;
	while (*v && !rc) {
		run = strcspn(v, " \t\r\n");
		if (v[run] == '\r' || v[run] == '\n')
			return -EINVAL;
		rc = bfs_buf_add(b, v, run);
		v += run;
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v && !rc)
			rc = bfs_buf_add(b, " ", 1);
	}
	return rc ? rc : bfs_buf_add(b, "", 1);
}

/*
 * Canonical headers and SignedHeaders: names lower-cased, sorted; values
 * of one name joined by ',' in the order given.  host must be among them.
 */
static int canonical_headers(const struct bfs_kv *kv, size_t n, struct bfs_buf *out,
			     struct bfs_buf *names)
{
	struct bfs_buf scratch = BFS_BUF_INIT(SIGV4_MAX);
	struct sigv4_ent *e;
	int rc = 0, host = 0;
	size_t i;

	e = calloc(n, sizeof(*e));
	if (!e)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		e[i].idx = i;
		e[i].name_off = scratch.len;
		rc = add_header_name(&scratch, kv[i].name);
		e[i].value_off = scratch.len;
		if (!rc)
			rc = add_header_value(&scratch, kv[i].value);
		if (rc)
			goto out_free;
	}
	ents_resolve(e, n, &scratch);
	qsort(e, n, sizeof(*e), ent_cmp_stable);
	for (i = 0; i < n && !rc; i++) {
		host |= !strcmp(e[i].name, "host");
		if (i && !strcmp(e[i].name, e[i - 1].name)) {
			rc = bfs_buf_addf(out, ",%s", e[i].value);
			continue;
		}
		rc = bfs_buf_addf(out, "%s%s:%s", i ? "\n" : "", e[i].name, e[i].value);
		if (!rc)
			rc = bfs_buf_addf(names, "%s%s", i ? ";" : "", e[i].name);
	}
	if (!rc)
		rc = host ? bfs_buf_add(out, "\n", 1) : -EINVAL;

out_free:
	bfs_buf_release(&scratch);
	free(e);
	return rc;
}

int bfs_sigv4_derive_key(const char *prefix, const char *secret, const char *date,
			 const char *region, const char *service, const char *terminator,
			 unsigned char key[BFS_SHA256_LEN])
{
	unsigned char k[BFS_SHA256_LEN];
	size_t plen = strlen(prefix), slen = strlen(secret);
	char *first;

	first = malloc(plen + slen);
	if (!first)
		return -ENOMEM;
	memcpy(first, prefix, plen);
	memcpy(first + plen, secret, slen);
	bfs_hmac_sha256(first, plen + slen, date, 8, k);
	bfs_wipe(first, plen + slen);
	free(first);
	bfs_hmac_sha256(k, sizeof(k), region, strlen(region), key);
	bfs_hmac_sha256(key, BFS_SHA256_LEN, service, strlen(service), k);
	bfs_hmac_sha256(k, sizeof(k), terminator, strlen(terminator), key);
	bfs_wipe(k, sizeof(k));
	return 0;
}

/* Run the four steps for req; the results are in w. */
static int sigv4_compute(struct sigv4 *w, const struct bfs_sigv4_req *req,
			 const struct bfs_sigv4_cred *cred, const char *amzdate)
{
	unsigned char key[BFS_SHA256_LEN], mac[BFS_SHA256_LEN];
	char hash[BFS_SHA256_HEX_LEN + 1];
	int rc;

	rc = check_req(req);
	if (!rc)
		rc = check_cred(cred);
	if (!rc)
		rc = check_amzdate(amzdate);
	if (!rc)
		rc = canonical_query(req->query, req->nquery, &w->query);
	if (!rc)
		rc = canonical_headers(req->headers, req->nheaders, &w->headers, &w->signed_hdrs);
	if (!rc)
		rc = bfs_buf_addf(&w->creq, "%s\n%s\n%s\n%s\n%s\n%s", req->method,
				  req->canonical_uri, bfs_buf_str(&w->query),
				  bfs_buf_str(&w->headers), bfs_buf_str(&w->signed_hdrs),
				  req->payload_hash);
	if (!rc)
		rc = bfs_buf_addf(&w->scope, "%.8s/%s/%s/aws4_request", amzdate, cred->region,
				  cred->service);
	if (rc)
		return rc;
	bfs_sha256_hex(w->creq.data, w->creq.len, hash);
	rc =
	    bfs_buf_addf(&w->sts, SIGV4_ALGO "\n%s\n%s\n%s", amzdate, bfs_buf_str(&w->scope), hash);
	if (!rc)
		rc = bfs_sigv4_derive_key("AWS4", cred->secret_key, amzdate, cred->region,
					  cred->service, "aws4_request", key);
	if (rc)
		return rc;
	bfs_hmac_sha256(key, sizeof(key), w->sts.data, w->sts.len, mac);
	bfs_hex(mac, sizeof(mac), w->sig);
	bfs_wipe(key, sizeof(key));
	return 0;
}

int bfs_sig_finish(int rc, struct bfs_buf *auth, size_t auth_len, struct bfs_buf *creq,
		   const struct bfs_buf *creq_text, struct bfs_buf *sts,
		   const struct bfs_buf *sts_text)
{
	size_t creq_len = creq ? creq->len : 0, sts_len = sts ? sts->len : 0;

	if (!rc && creq)
		rc = bfs_buf_add(creq, creq_text->data, creq_text->len);
	if (!rc && sts)
		rc = bfs_buf_add(sts, sts_text->data, sts_text->len);
	if (rc) {
		bfs_buf_truncate(auth, auth_len);
		if (creq)
			bfs_buf_truncate(creq, creq_len);
		if (sts)
			bfs_buf_truncate(sts, sts_len);
	}
	return rc;
}

int bfs_sigv4_sign(const struct bfs_sigv4_req *req, const struct bfs_sigv4_cred *cred,
		   const char *amzdate, struct bfs_buf *auth, struct bfs_buf *creq,
		   struct bfs_buf *sts)
{
	size_t auth_len;
	struct sigv4 w;
	int rc;

	if (!auth)
		return -EINVAL;
	sigv4_init(&w);
	rc = sigv4_compute(&w, req, cred, amzdate);
	if (rc)
		goto out_release;

	auth_len = auth->len;
	rc = bfs_buf_addf(auth, SIGV4_ALGO " Credential=%s/%s, SignedHeaders=%s, Signature=%s",
			  cred->access_key, bfs_buf_str(&w.scope), bfs_buf_str(&w.signed_hdrs),
			  w.sig);
	rc = bfs_sig_finish(rc, auth, auth_len, creq, &w.creq, sts, &w.sts);

out_release:
	sigv4_release(&w);
	return rc;
}

int bfs_sigv4_presign(const char *canonical_uri, const char *host,
		      const struct bfs_sigv4_cred *cred, const char *session_token,
		      const char *amzdate, long expires, struct bfs_buf *out)
{
	struct bfs_buf credential = BFS_BUF_INIT(SIGV4_MAX);
	char expiry[24];
	struct bfs_kv query[6];
	struct bfs_kv header = { "host", host };
	struct bfs_sigv4_req req = {
		.method = "GET",
		.canonical_uri = canonical_uri,
		.query = query,
		.nquery = 5,
		.headers = &header,
		.nheaders = 1,
		.payload_hash = "UNSIGNED-PAYLOAD",
	};
	struct sigv4 w;
	size_t out_len;
	int rc;

	if (!out || expires < 1 || expires > SIGV4_EXPIRES_MAX || check_cred(cred) ||
	    check_amzdate(amzdate) || !is_word(host, 0) ||
	    (session_token && *session_token && !is_word(session_token, 0)))
		return -EINVAL;
	if ((size_t)snprintf(expiry, sizeof(expiry), "%ld", expires) >= sizeof(expiry))
		return -EINVAL;
	rc = bfs_buf_addf(&credential, "%s/%.8s/%s/%s/aws4_request", cred->access_key, amzdate,
			  cred->region, cred->service);
	if (rc)
		goto out_credential;
	query[0] = (struct bfs_kv){ "X-Amz-Algorithm", SIGV4_ALGO };
	query[1] = (struct bfs_kv){ "X-Amz-Credential", bfs_buf_str(&credential) };
	query[2] = (struct bfs_kv){ "X-Amz-Date", amzdate };
	query[3] = (struct bfs_kv){ "X-Amz-Expires", expiry };
	query[4] = (struct bfs_kv){ "X-Amz-SignedHeaders", "host" };
	/* A session token is a signed parameter of its own (as botocore does). */
	if (session_token && *session_token)
		query[req.nquery++] = (struct bfs_kv){ "X-Amz-Security-Token", session_token };

	sigv4_init(&w);
	rc = sigv4_compute(&w, &req, cred, amzdate);
	if (rc)
		goto out_release;
	out_len = out->len;
	rc = bfs_buf_addf(out, "%s&X-Amz-Signature=%s", bfs_buf_str(&w.query), w.sig);
	if (rc)
		bfs_buf_truncate(out, out_len);

out_release:
	sigv4_release(&w);
out_credential:
	bfs_buf_release(&credential);
	return rc;
}
