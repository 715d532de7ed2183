#!/usr/bin/env node
// SPDX-License-Identifier: MIT
//
// gen-vectors.js - make tests/unit/osssig_vectors.h, the table that
// tests/unit/test_osssig.c checks src/sign/osssig.c against.
//
// The oracle is Aliyun's own SDK, npm ali-oss (the exact version is pinned
// in package-lock.json and written into the header): each request below is
// signed with the functions of its lib/common/signUtils.js, V1
// (buildCanonicalString, computeSignature, authorization) and V4
// (getCanonicalRequest, getStringToSign, getSignatureV4, authorizationV4),
// called the way ali-oss's own createRequest() calls them: V1 signs only
// the sub-resources an operation passes as `subres` (its other query
// parameters are left out), V4 signs every query parameter, with `subres`
// values '' turned into bare names.  Times and credentials are fixed and
// nothing touches the network, so the output is the same on every run:
//
//   (cd tests/oss && npm ci) && node tests/oss/gen-vectors.js > tests/unit/osssig_vectors.h
//
// No code of ali-oss is copied anywhere; it is only run.
'use strict';

const path = require('path');
const sign = require('ali-oss/lib/common/signUtils');
const aliPkg = require('ali-oss/package.json');

const AK = 'LTAI5tBucketfsExampleKey';
const SK = 'BucketfsExampleSecret/With+Base64=Chars0';
const REGION = 'cn-hangzhou';
const V1_DATE = 'Wed, 28 Dec 2022 10:27:41 GMT';
const V4_DATE = '20231203T121212Z';
const BUCKET = 'examplebucket';
const UNSIGNED = 'UNSIGNED-PAYLOAD';
const TOKEN =
  'CAIS8gF1q6Ft5B2yfSjIr5bNLu/+h+hW0baJMkX3tTFnRmkf2q3DjDz2IHxKeHhoBeAd' +
  'sv8wnGlU7f4alqx4T55IQ1Dxa8Z0Ojp0GqIGTqfLPWbrgRNB+RhBt4JK5rqGKvaxm+Ey' +
  '0vlOxQfUrJB16R7phKsQ==';

// Aliyun OSS API documentation, "Add a signature to the header"
// (help.aliyun.com/document_detail/31951.html), section "Example
// signature": these inputs, and the signature the page states.
const DOC = {
  ak: '44CF9590006BF252F707',
  sk: 'OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV',
  date: 'Thu, 17 Nov 2005 18:49:58 GMT',
  sig: '26NBxoKdsyly4EDv6inkoDft/yA=',
};

// Request shapes.  subres/query follow the ali-oss method named in `op`;
// v1/v4 false leaves that signature out; v1date puts the time in a Date
// header (passed as the date argument) instead of ali-oss's x-oss-date;
// additional is V4's additionalHeaders as a caller would give it; region
// and v4date replace V4's defaults; sha256 is x-oss-content-sha256.
const SHAPES = [
  {
    name: 'list-buckets', op: 'listBuckets', method: 'GET', bucket: '', key: '',
    query: { prefix: 'photo', 'max-keys': '10' }, headers: {},
  },
  {
    name: 'list-objects-v1', op: 'list', method: 'GET', bucket: BUCKET, key: '',
    query: { prefix: 'fun/', marker: 'fun/a b.txt', 'max-keys': '100', delimiter: '/' },
    headers: {},
  },
  {
    name: 'list-v2-first-page', op: 'listV2', method: 'GET', bucket: BUCKET, key: '',
    query: { 'list-type': 2, prefix: 'dir/sub dir/', delimiter: '/', 'encoding-type': 'url',
      'max-keys': '1000' },
    headers: {},
  },
  {
    name: 'list-v2-continuation', op: 'listV2', method: 'GET', bucket: BUCKET, key: '',
    subres: { 'continuation-token': 'ChR0ZXN0L2Rpci9hK2IlYyAxLnR4dBAA/x=' },
    query: { 'list-type': 2, prefix: 'dir/', delimiter: '/', 'encoding-type': 'url',
      'max-keys': '2', 'start-after': 'dir/a' },
    headers: {},
  },
  {
    name: 'get-object-reserved-chars', op: 'get', method: 'GET', bucket: BUCKET,
    key: 'photos/2024/a b+c%d~e=f&g.jpg', headers: { Range: 'bytes=0-1023' },
  },
  {
    name: 'get-object-range-signed', op: 'get + additionalHeaders', method: 'GET', bucket: BUCKET,
    key: 'photos/2024/a b+c%d~e=f&g.jpg', v1: false,
    headers: { Range: 'bytes=0-1023', Host: 'examplebucket.oss-cn-hangzhou.aliyuncs.com' },
    additional: ['range', 'host'],
  },
  {
    name: 'get-object-additional-normalized', op: 'get + additionalHeaders', method: 'GET',
    bucket: BUCKET, key: 'a', v1: false,
    headers: { 'Content-Type': 'text/plain', Range: 'bytes=5-', Host: 'examplebucket.example',
      'X-Oss-Meta-A': '1' },
    additional: ['Range', 'HOST', 'content-type', 'x-oss-meta-a', 'host'],
  },
  {
    name: 'get-object-additional-only-defaults', op: 'get + additionalHeaders', method: 'GET',
    bucket: BUCKET, key: 'a', v1: false,
    headers: { 'Content-Type': 'text/plain', 'x-oss-meta-a': '1' },
    additional: ['content-type', 'X-OSS-META-A'],
  },
  {
    name: 'head-object-unicode', op: 'head', method: 'HEAD', bucket: BUCKET,
    key: '文档/résumé ünïcödé 😀.txt', headers: {},
  },
  {
    name: 'get-object-question-hash', op: 'get', method: 'GET', bucket: BUCKET,
    key: 'q?a=1#frag;x,y:z@w$!*\'()', headers: {}, v1date: true,
  },
  {
    name: 'get-object-response-overrides', op: 'get + subres', method: 'GET', bucket: BUCKET,
    key: 'report.pdf',
    subres: { 'response-content-disposition': 'attachment; filename="a b.pdf"',
      'response-content-type': 'application/pdf', 'response-cache-control': 'no-cache' },
    headers: {},
  },
  {
    name: 'get-object-process', op: 'get({process})', method: 'GET', bucket: BUCKET,
    key: 'img/cat.jpg', subres: { 'x-oss-process': 'image/resize,w_100/quality,q_80' },
    headers: {},
  },
  {
    name: 'get-object-version', op: 'get({versionId})', method: 'GET', bucket: BUCKET,
    key: 'doc.txt', subres: { versionId: 'CAEQNRiBgIDMh4mD0BYiIDUzNDA4OGNmZjBjYTQ0YmI4Y2I4ZmVlYzJlNGVk' },
    headers: { 'If-None-Match': '"5B3C1A2E053D763E1B002CC607C5A0FE"' },
  },
  {
    name: 'put-object-double-slash', op: 'put', method: 'PUT', bucket: BUCKET,
    key: 'dir//double//slash', headers: {
      'Content-MD5': 'eB5eJF1ptWaXm4bijSPyxw==', 'Content-Type': 'text/html',
      'x-oss-meta-author': 'foo@example.com', 'X-OSS-Meta-Mixed-Case': '  padded  value \t',
      'x-oss-storage-class': 'Standard', 'Content-Length': '10',
      'Cache-Control': 'no-cache',
    },
  },
  {
    name: 'put-object-dated', op: 'put', method: 'PUT', bucket: BUCKET, key: 'dated.txt',
    headers: { 'Content-Type': 'text/plain', 'Content-MD5': '1B2M2Y8AsgTpgAmY7PhCfg==' },
    v1date: true,
  },
  {
    name: 'put-object-content-type-spaces', op: 'put', method: 'PUT', bucket: BUCKET,
    key: 'spaces', headers: { 'Content-Type': ' text/plain ', 'x-oss-meta-e': '' },
  },
  {
    name: 'put-object-additional-disposition', op: 'put + additionalHeaders', method: 'PUT',
    bucket: BUCKET, key: 'exampleobject', v1: false,
    headers: { 'Content-Type': 'application/octet-stream',
      'Content-Disposition': 'attachment; filename=example.txt', 'Content-Length': '344606',
      'x-oss-meta-key1': 'value1' },
    additional: ['content-disposition', 'content-length'],
  },
  {
    name: 'put-object-payload-hash', op: 'put', method: 'PUT', bucket: BUCKET, key: 'hashed',
    v1: false, sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    headers: { 'Content-Type': 'text/plain' },
  },
  {
    name: 'copy-object', op: 'copy', method: 'PUT', bucket: BUCKET, key: 'dst/key name.txt',
    headers: { 'x-oss-copy-source': '/srcbucket/src%20key%2B1.txt',
      'x-oss-metadata-directive': 'REPLACE', 'x-oss-meta-color': 'blue',
      'Content-Type': 'text/plain' },
  },
  {
    name: 'copy-object-sts', op: 'copy (stsToken)', method: 'PUT', bucket: BUCKET, key: 'dst',
    headers: { 'x-oss-security-token': TOKEN, 'x-oss-copy-source': '/examplebucket/src',
      'x-oss-metadata-directive': 'COPY' },
  },
  {
    name: 'initiate-multipart', op: 'initMultipartUpload', method: 'POST', bucket: BUCKET,
    key: 'big/file.bin', subres: 'uploads',
    headers: { 'Content-Type': 'application/octet-stream', 'x-oss-meta-origin': 'bucketfs' },
  },
  {
    name: 'upload-part', op: '_uploadPart', method: 'PUT', bucket: BUCKET, key: 'big/file.bin',
    subres: { partNumber: 3, uploadId: '0004B9894A22E5B1888A1E29F8236E2D' },
    headers: { 'Content-Length': '5242880', 'Content-MD5': 'XUFAKrxLKna5cZ2REBfFkg==' },
  },
  {
    name: 'upload-part-copy', op: 'uploadPartCopy', method: 'PUT', bucket: BUCKET,
    key: 'big/copy.bin',
    subres: { partNumber: 1, uploadId: '0004B9894A22E5B1888A1E29F8236E2D' },
    headers: { 'x-oss-copy-source': '/examplebucket/big/file.bin',
      'x-oss-copy-source-range': 'bytes=0-5242879' },
  },
  {
    name: 'complete-multipart', op: 'completeMultipartUpload', method: 'POST', bucket: BUCKET,
    key: 'big/file.bin', subres: { uploadId: '0004B9894A22E5B1888A1E29F8236E2D' },
    headers: { 'Content-Type': 'application/xml', 'Content-MD5': 'q2nXJUyvkBvHQ3ZrQbAJvw==' },
  },
  {
    name: 'abort-multipart', op: 'abortMultipartUpload', method: 'DELETE', bucket: BUCKET,
    key: 'big/file.bin', subres: { uploadId: '0004B9894A22E5B1888A1E29F8236E2D' }, headers: {},
  },
  {
    name: 'list-parts', op: 'listParts', method: 'GET', bucket: BUCKET, key: 'big/file.bin',
    subres: { uploadId: '0004B9894A22E5B1888A1E29F8236E2D' },
    query: { 'max-parts': '50', 'part-number-marker': '2', 'encoding-type': 'url' },
    headers: {},
  },
  {
    name: 'list-uploads', op: 'listUploads', method: 'GET', bucket: BUCKET, key: '',
    subres: 'uploads',
    query: { prefix: 'big/', delimiter: '/', 'key-marker': 'big/a', 'upload-id-marker': 'AB12',
      'max-uploads': '20', 'encoding-type': 'url' },
    headers: {},
  },
  {
    name: 'delete-multiple', op: 'deleteMulti', method: 'POST', bucket: BUCKET, key: '',
    subres: { delete: '' },
    headers: { 'Content-Type': 'application/xml', 'Content-MD5': 'dXGCkAqnHGgYN6dUtNZOcQ==',
      'Content-Length': '151' },
  },
  {
    name: 'delete-object-tilde-star', op: 'delete', method: 'DELETE', bucket: BUCKET,
    key: '~user/*star*/plus+equals=', headers: {},
  },
  {
    name: 'get-bucket-acl', op: 'getBucketACL', method: 'GET', bucket: BUCKET, key: '',
    subres: 'acl', headers: {},
  },
  {
    name: 'put-object-acl', op: 'putACL', method: 'PUT', bucket: BUCKET, key: 'secret.txt',
    subres: { acl: '' }, headers: { 'x-oss-object-acl': 'private' },
  },
  {
    name: 'append-object', op: 'append', method: 'POST', bucket: BUCKET, key: 'log.txt',
    subres: { append: '', position: '0' }, headers: { 'Content-Type': 'text/plain' },
  },
  {
    name: 'delete-bucket', op: 'deleteBucket', method: 'DELETE', bucket: BUCKET, key: '',
    headers: {},
  },
  {
    name: 'put-object-beijing-new-year', op: 'put', method: 'PUT', bucket: 'bj-bucket',
    key: 'new year.txt', v1: false, region: 'cn-beijing', v4date: '20250101T000000Z',
    headers: { 'Content-Type': 'text/plain', 'x-oss-forbid-overwrite': 'true' },
  },
];

// createRequest(): subres as a string or array are bare names; in an
// object, '' becomes null (a bare name in V4 too).
function subresQueries(subres) {
  const q = {};
  if (typeof subres === 'string') q[subres] = null;
  else if (Array.isArray(subres)) subres.forEach(k => { q[k] = null; });
  else if (subres) Object.entries(subres).forEach(([k, v]) => { q[k] = v === '' ? null : v; });
  return q;
}

function mergedQueries(shape) {
  const q = subresQueries(shape.subres);
  Object.entries(shape.query || {}).forEach(([k, v]) => { q[k] = v; });
  return q;
}

function byteOrder(a, b) {
  const x = Buffer.from(a), y = Buffer.from(b);
  return Buffer.compare(x, y);
}

// ali-oss sorts V4 query names with localeCompare; src/sign/osssig.c sorts by
// bytes, as the server and Aliyun's other SDKs do.  They agree for every
// name here; stop rather than emit a vector on which they would not.
function checkQueryOrder(name, queries) {
  const keys = Object.keys(queries);
  const a = keys.slice().sort((x, y) => x.localeCompare(y)).join('\n');
  const b = keys.slice().sort(byteOrder).join('\n');
  if (a !== b) throw new Error(`${name}: localeCompare and byte order differ for ${keys}`);
}

function v1Vector(shape) {
  const headers = Object.assign({}, shape.headers);
  let date = null;
  if (shape.v1date) headers.Date = V1_DATE;
  else headers['x-oss-date'] = V1_DATE;
  if (shape.v1date) date = V1_DATE;
  const resource = `/${shape.bucket ? `${shape.bucket}/` : ''}${shape.key}`;
  const sts = sign.buildCanonicalString(shape.method, resource,
    { headers, parameters: shape.subres }, date || undefined);
  const auth = sign.authorization(AK, SK, sts);
  return {
    name: `v1/${shape.name}`, op: shape.op, version: 1, method: shape.method,
    bucket: shape.bucket, key: shape.key, query: mergedQueries(shape), headers,
    ak: AK, sk: SK, region: null, date, additional: null, creq: null, sts, auth,
  };
}

function v4Vector(shape) {
  const headers = Object.assign({}, shape.headers);
  const date = shape.v4date || V4_DATE;
  const region = shape.region || REGION;
  headers['x-oss-date'] = date;
  headers['x-oss-content-sha256'] = shape.sha256 || UNSIGNED;
  const queries = mergedQueries(shape);
  checkQueryOrder(shape.name, queries);
  const fixed = sign.fixAdditionalHeaders(shape.additional);
  const creq = sign.getCanonicalRequest(shape.method, { headers, queries }, shape.bucket,
    shape.key, fixed);
  const sts = sign.getStringToSign(region, date, creq);
  const sig = sign.getSignatureV4(SK, date.slice(0, 8), region, sts);
  const auth = sign.authorizationV4(AK, SK, region, shape.method, { headers, queries },
    shape.bucket, shape.key, shape.additional);
  if (!auth.endsWith(`Signature=${sig}`)) throw new Error(`${shape.name}: V4 signatures differ`);
  return {
    name: `v4/${shape.name}`, op: shape.op, version: 4, method: shape.method,
    bucket: shape.bucket, key: shape.key, query: queries, headers,
    ak: AK, sk: SK, region, date,
    additional: shape.additional ? shape.additional.join(';') : null, creq, sts, auth,
  };
}

function docVector() {
  const headers = {
    'Content-Md5': 'ODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM=',
    'Content-Type': 'text/html',
    Date: DOC.date,
    Host: 'oss-example.oss-cn-hangzhou.aliyuncs.com',
    'X-OSS-Meta-Author': 'foo@bar.com',
    'X-OSS-Magic': 'abracadabra',
  };
  const sts = sign.buildCanonicalString('PUT', '/oss-example/nelson', { headers }, DOC.date);
  const auth = sign.authorization(DOC.ak, DOC.sk, sts);
  if (auth !== `OSS ${DOC.ak}:${DOC.sig}`) throw new Error('ali-oss disagrees with the doc');
  return {
    name: 'v1/doc-example', op: 'Aliyun documentation, "Example signature"', version: 1,
    method: 'PUT', bucket: 'oss-example', key: 'nelson', query: {}, headers,
    ak: DOC.ak, sk: DOC.sk, region: null, date: DOC.date, additional: null, creq: null, sts,
    auth,
  };
}

// A C string literal for s (UTF-8): octal escapes for bytes outside
// printable ASCII, "\?" after '?' (no trigraphs), broken after each "\n".
function cstr(s) {
  if (s === null || s === undefined) return 'NULL';
  const bytes = Buffer.from(String(s), 'utf8');
  let out = '"';
  let prev = 0;
  for (const c of bytes) {
    if (c === 0x5c) out += '\\\\';
    else if (c === 0x22) out += '\\"';
    else if (c === 0x0a) out += '\\n"\n\t\t"';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x3f && prev === 0x3f) out += '\\?';
    else if (c < 0x20 || c >= 0x7f) out += `\\${c.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(c);
    prev = c;
  }
  out += '"';
  return out.replace(/\n\t\t""$/, '');
}

function kvs(obj) {
  const e = Object.entries(obj);
  if (!e.length) return '{{NULL, NULL}}';
  return `{\n${e.map(([k, v]) => `\t\t{${cstr(k)}, ${cstr(v === null ? null : String(v))}},`)
    .join('\n')}\n\t}`;
}

function emit(vectors) {
  const maxq = Math.max(1, ...vectors.map(v => Object.keys(v.query).length));
  const maxh = Math.max(1, ...vectors.map(v => Object.keys(v.headers).length));
  const lines = [];
  lines.push(`/* SPDX-License-Identifier: MIT */
/*
 * osssig_vectors.h - GENERATED, do not edit: Aliyun OSS V1 and V4 request
 * signatures computed by Aliyun's SDK, npm ali-oss ${aliPkg.version}
 * (lib/common/signUtils.js), for tests/unit/test_osssig.c.
 *
 * Made by tests/oss/gen-vectors.js (see tests/oss/README.md):
 *   (cd tests/oss && npm ci) && node tests/oss/gen-vectors.js > tests/unit/osssig_vectors.h
 * The same ali-oss version always gives the same file.
 *
 * Each vector is one request as bfs_oss_sign_v1() / bfs_oss_sign_v4()
 * receive it (every query parameter and every header sent) and what
 * ali-oss makes of it: the string to sign, for V4 the canonical request,
 * and the Authorization value.  "op" names the ali-oss method whose way of
 * splitting sub-resources (signed by V1) from other query parameters (not
 * signed by V1) the vector follows.  v1/doc-example is the example of
 * Aliyun's documentation, "Add a signature to the header".
 */
#ifndef BFS_OSSSIG_VECTORS_H
#define BFS_OSSSIG_VECTORS_H

#include <stddef.h>

#include "bucketfs/sigv4.h" /* struct bfs_kv */

#define OSSSIG_ALI_OSS_VERSION "${aliPkg.version}"
#define OSSSIG_VEC_MAXQ ${maxq}
#define OSSSIG_VEC_MAXH ${maxh}

struct osssig_vector {
	const char *name;
	const char *op;              /* the ali-oss call it follows */
	int version;                 /* 1 or 4 */
	const char *method, *bucket, *key;
	struct bfs_kv query[OSSSIG_VEC_MAXQ]; /* value NULL: a bare name */
	size_t nquery;
	struct bfs_kv headers[OSSSIG_VEC_MAXH];
	size_t nheaders;
	const char *access_key, *secret_key, *region;
	const char *date;            /* V1: the date argument (NULL: x-oss-date); V4: ossdate */
	const char *additional;      /* V4 additional headers as given, or NULL */
	const char *creq;            /* V4 canonical request; NULL for V1 */
	const char *sts;             /* string to sign */
	const char *auth;            /* Authorization value */
};

/* clang-format off */
static const struct osssig_vector osssig_vectors[] = {`);
  for (const v of vectors) {
    lines.push(`{
	.name = ${cstr(v.name)},
	.op = ${cstr(v.op)},
	.version = ${v.version},
	.method = ${cstr(v.method)},
	.bucket = ${cstr(v.bucket)},
	.key = ${cstr(v.key)},
	.query = ${kvs(v.query)},
	.nquery = ${Object.keys(v.query).length},
	.headers = ${kvs(v.headers)},
	.nheaders = ${Object.keys(v.headers).length},
	.access_key = ${cstr(v.ak)},
	.secret_key = ${cstr(v.sk)},
	.region = ${cstr(v.region)},
	.date = ${cstr(v.date)},
	.additional = ${cstr(v.additional)},
	.creq =${v.creq === null ? ' NULL' : `\n\t\t${cstr(v.creq)}`},
	.sts =\n\t\t${cstr(v.sts)},
	.auth = ${cstr(v.auth)},
},`);
  }
  lines.push(`};
/* clang-format on */

#define OSSSIG_NVECTORS (sizeof(osssig_vectors) / sizeof(osssig_vectors[0]))

#endif`);
  return `${lines.join('\n')}\n`;
}

// Presigned GET URLs, from ali-oss's own client: signatureUrl() with its
// clock (utility.timestamp) fixed, so Expires is PRESIGN_NOW + expires.
const PRESIGN_NOW = 1700000000;
const PRESIGNS = [
  { name: 'presign/plain', key: 'images/t1/0.png', expires: 3600, token: null },
  { name: 'presign/odd-key', key: 'a b/中文+x=y&z%.png', expires: 600, token: null },
  { name: 'presign/sts', key: 'images/t1/0.png', expires: 86400, token: TOKEN },
];

function presignVectors() {
  const OSS = require('ali-oss');
  const utility = require('utility');
  const realTimestamp = utility.timestamp;
  utility.timestamp = () => PRESIGN_NOW;
  try {
    return PRESIGNS.map((p) => {
      const client = new OSS({
        region: `oss-${REGION}`, bucket: BUCKET, accessKeyId: AK, accessKeySecret: SK,
        stsToken: p.token || undefined,
      });
      const url = client.signatureUrl(p.key, { expires: p.expires });
      const q = url.indexOf('?');
      return Object.assign({ url, query: url.slice(q + 1), expiresAt: PRESIGN_NOW + p.expires }, p);
    });
  } finally {
    utility.timestamp = realTimestamp;
  }
}

function emitPresigns(presigns) {
  const lines = [`
/* Presigned GET URLs from ali-oss's OSS#signatureUrl() (clock fixed): what
 * bfs_oss_presign_v1() must append is the query, the part after '?'. */
struct osssig_presign_vector {
	const char *name, *bucket, *key, *access_key, *secret_key, *token;
	long long expires_at;
	const char *url, *query;
};

/* clang-format off */
static const struct osssig_presign_vector osssig_presign_vectors[] = {`];
  for (const p of presigns) {
    lines.push(`{
	.name = ${cstr(p.name)},
	.bucket = ${cstr(BUCKET)},
	.key = ${cstr(p.key)},
	.access_key = ${cstr(AK)},
	.secret_key = ${cstr(SK)},
	.token = ${cstr(p.token)},
	.expires_at = ${p.expiresAt},
	.url =\n\t\t${cstr(p.url)},
	.query =\n\t\t${cstr(p.query)},
},`);
  }
  lines.push(`};
/* clang-format on */

#define OSSSIG_NPRESIGNS (sizeof(osssig_presign_vectors) / sizeof(osssig_presign_vectors[0]))
`);
  return lines.join('\n');
}

function main() {
  const vectors = [docVector()];
  for (const shape of SHAPES) {
    if (shape.v1 !== false) vectors.push(v1Vector(shape));
    if (shape.v4 !== false) vectors.push(v4Vector(shape));
  }
  const names = new Set(vectors.map(v => v.name));
  if (names.size !== vectors.length) throw new Error('duplicate vector names');
  const presigns = presignVectors();
  process.stdout.write(emit(vectors).replace(/#endif\n$/, `${emitPresigns(presigns)}\n#endif\n`));
  process.stderr.write(`${path.basename(__filename)}: ${vectors.length} vectors, ` +
    `${presigns.length} presigned URLs, ` +
    `ali-oss ${aliPkg.version}\n`);
}

main();
