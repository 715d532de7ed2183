#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// gateway.js — a test gateway that speaks Aliyun OSS to its clients and S3 to
// a radosgw behind it, so that OSS-signed requests can be tested end to end on
// loopback.
//
//   node tests/oss/gateway.js --listen-port P --upstream http://127.0.0.1:PORT \
//       --access-key AK --secret-key SK --region cn-test \
//       --upstream-access-key AK2 --upstream-secret-key SK2 [--log FILE]
//       [--security-token TOKEN] [--port-file FILE] [--listen-host 127.0.0.1]
//       [--upstream-region us-east-1] [--max-body BYTES] [--max-skew SECONDS]
//
// Every request is read in full (at most --max-body, 256 MiB) and its
// Authorization header checked with the signing code of Aliyun's own SDK,
// ali-oss (lib/common/signUtils.js), fed the same inputs ali-oss's client
// feeds it (lib/common/utils/createRequest.js, lib/client.js):
//   "OSS ak:sig" (V1, HMAC-SHA1): buildCanonicalString(method, resource,
//       {headers, parameters}, date) + computeSignature, where resource is
//       "/" [bucket "/" [key]] with the key NOT url-encoded, parameters are the
//       query's signed sub-resources (OSS's list: acl, uploads, uploadId,
//       partNumber, delete, continuation-token, versionId, response-*, ...;
//       not prefix, marker, max-keys, list-type, ...), and date is x-oss-date
//       (what ali-oss sends) or else Date.
//   "OSS4-HMAC-SHA256 Credential=ak/yyyymmdd/region/oss/aliyun_v4_request,
//       [AdditionalHeaders=h1;h2,]Signature=hex" (V4): getCanonicalRequest
//       (method, {headers, queries}, bucket, key, additionalHeaders) with the
//       decoded key and every query parameter (an empty value counts as no
//       value, as ali-oss signs sub-resources such as "uploads"), then
//       getStringToSign / getSignatureV4 with this gateway's --region and the
//       date of x-oss-date (the credential scope must agree with both).
// A wrong access key gets 403 InvalidAccessKeyId; a wrong signature 403
// SignatureDoesNotMatch with <StringToSign> (and, for V4, <CanonicalRequest>)
// in the body, as OSS does; no or a malformed Authorization 403 AccessDenied.
// For HEAD the error XML goes, base64, into an x-oss-err header (as OSS does,
// and ali-oss reads it).
//
// The bucket is taken from the path (/bucket/key) when Host is an IP address,
// "localhost" or a single label, else from Host's first label (virtual-hosted:
// bucket.localhost:P, or bucket.oss-cn-test.aliyuncs.com, which is what
// ali-oss sends when its endpoint is an IP address).
//
// An accepted request goes on to the upstream, path style, signed with AWS
// SigV4 (region --upstream-region, service s3, the real SHA-256 of the body):
// x-oss-meta-* becomes x-amz-meta-*, x-oss-copy-source[-range|-if-*] and
// x-oss-metadata-directive / -tagging / -tagging-directive / -object-acl their
// x-amz-* twins, x-oss-forbid-overwrite: true on a PUT becomes If-None-Match: *
// (and radosgw's 412 then OSS's 409 FileAlreadyExists); x-oss-security-token
// (checked against --security-token), x-oss-date, x-oss-content-sha256 and
// every other x-oss-* header are dropped, as are Authorization and Date.  The
// answer comes back with status and body as they are; x-amz-meta-* becomes
// x-oss-meta-*, x-amz-request-id x-oss-request-id, other x-amz-* x-oss-*;
// ETag, Content-*, Last-Modified, Cache-Control, Accept-Ranges, Expires stay;
// for CopyObject and UploadPartCopy the <ETag> of S3's XML answer is also
// given as an ETag header, as OSS does (ali-oss's uploadPartCopy needs it).
//
// One log line per request: "METHOD URL -> STATUS (v1|v4|denied)".
// Only ali-oss (from tests/oss/node_modules) and node's built-ins are used.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const net = require('net');
const path = require('path');
const { createRequire } = require('module');

const ossRequire = createRequire(path.join(__dirname, 'package.json'));
let signUtils;
try {
  signUtils = ossRequire('ali-oss/lib/common/signUtils');
} catch (err) {
  process.stderr.write(`gateway.js: cannot load ali-oss from ${__dirname}/node_modules ` +
    `(run "npm ci" in ${__dirname}): ${err.message}\n`);
  process.exit(2);
}

// --- options ------------------------------------------------------------------
const USAGE = 'usage: node gateway.js --listen-port P --upstream http://HOST:PORT ' +
  '--access-key AK --secret-key SK --region REGION --upstream-access-key AK2 ' +
  '--upstream-secret-key SK2 [--log FILE] [--security-token T] [--port-file FILE] ' +
  '[--listen-host H] [--upstream-region R] [--max-body BYTES] [--max-skew SECONDS]';

function parseArgs(argv) {
  const known = ['listen-port', 'listen-host', 'upstream', 'access-key', 'secret-key', 'region',
    'upstream-access-key', 'upstream-secret-key', 'upstream-region', 'log', 'security-token',
    'port-file', 'max-body', 'max-skew'];
  const o = {};
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let v;
    if (a === '-h' || a === '--help') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    if (!a.startsWith('--')) throw new Error(`unexpected argument "${a}"`);
    a = a.slice(2);
    const eq = a.indexOf('=');
    if (eq >= 0) {
      v = a.slice(eq + 1);
      a = a.slice(0, eq);
    } else {
      if (i + 1 >= argv.length) throw new Error(`--${a} needs a value`);
      v = argv[++i];
    }
    if (!known.includes(a)) throw new Error(`unknown option --${a}`);
    o[a] = v;
  }
  for (const k of ['listen-port', 'upstream', 'access-key', 'secret-key', 'region',
    'upstream-access-key', 'upstream-secret-key']) {
    if (o[k] === undefined || o[k] === '') throw new Error(`--${k} is required`);
  }
  const port = Number(o['listen-port']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('bad --listen-port');
  const up = new URL(o.upstream);
  if (up.protocol !== 'http:') throw new Error('--upstream must be an http:// URL');
  const maxBody = o['max-body'] === undefined ? 256 * 1024 * 1024 : Number(o['max-body']);
  if (!Number.isInteger(maxBody) || maxBody < 0) throw new Error('bad --max-body');
  const maxSkew = o['max-skew'] === undefined ? 900 : Number(o['max-skew']);
  if (!Number.isFinite(maxSkew) || maxSkew < 0) throw new Error('bad --max-skew');
  return {
    listenPort: port,
    listenHost: o['listen-host'] || '127.0.0.1',
    upstreamHost: up.hostname.replace(/^\[|\]$/g, ''),
    upstreamPort: Number(up.port || 80),
    upstreamHostHeader: up.host,
    accessKey: o['access-key'],
    secretKey: o['secret-key'],
    region: o.region.replace(/^oss-/, ''),
    upstreamAccessKey: o['upstream-access-key'],
    upstreamSecretKey: o['upstream-secret-key'],
    upstreamRegion: o['upstream-region'] || 'us-east-1',
    securityToken: o['security-token'],
    logFile: o.log,
    portFile: o['port-file'],
    maxBody,
    maxSkew
  };
}

let opts;
try {
  opts = parseArgs(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`gateway.js: ${err.message}\n${USAGE}\n`);
  process.exit(2);
}

// --- log ----------------------------------------------------------------------
const logStream = opts.logFile ? fs.createWriteStream(opts.logFile, { flags: 'a' }) : process.stderr;
if (opts.logFile) {
  logStream.on('error', err => process.stderr.write(`gateway.js: log ${opts.logFile}: ${err.message}\n`));
}
function logLine(s) {
  // No control characters from the request in the log.
  logStream.write(`${s.replace(/[\x00-\x1f\x7f]/g, '?')}\n`);
}

// --- OSS's V1 signed sub-resources (the OSS SDKs' list) --------------------------
const SUBRESOURCES = new Set([
  'acl', 'uploads', 'location', 'cors', 'logging', 'website', 'referer', 'lifecycle',
  'delete', 'append', 'tagging', 'objectMeta', 'uploadId', 'partNumber', 'security-token',
  'x-oss-security-token', 'position', 'img', 'style', 'styleName', 'replication',
  'replicationProgress', 'replicationLocation', 'cname', 'bucketInfo', 'comp', 'qos', 'live',
  'status', 'vod', 'startTime', 'endTime', 'symlink', 'x-oss-process', 'response-content-type',
  'x-oss-traffic-limit', 'response-content-language', 'response-expires',
  'response-cache-control', 'response-content-disposition', 'response-content-encoding', 'udf',
  'udfName', 'udfImage', 'udfId', 'udfImageDesc', 'udfApplication', 'udfApplicationLog',
  'restore', 'callback', 'callback-var', 'qosInfo', 'policy', 'stat', 'encryption', 'versions',
  'versioning', 'versionId', 'requestPayment', 'x-oss-request-payer', 'sequential', 'inventory',
  'inventoryId', 'continuation-token', 'asyncFetch', 'worm', 'wormId', 'wormExtend',
  'withHashContext', 'x-oss-enable-md5', 'x-oss-enable-sha1', 'x-oss-enable-sha256',
  'x-oss-hash-ctx', 'x-oss-md5-ctx', 'transferAcceleration', 'regionList', 'cloudboxes',
  'x-oss-ac-source-ip', 'x-oss-ac-subnet-mask', 'x-oss-ac-vpc-id', 'x-oss-ac-forward-allow',
  'metaQuery', 'resourceGroup', 'rtc', 'x-oss-async-process', 'responseHeader'
]);

// --- errors -----------------------------------------------------------------------
class OssError extends Error {
  constructor(status, code, message, extra) {
    super(message);
    this.status = status;
    this.code = code;
    this.extra = extra || {};
  }
}

function xmlEscape(s) {
  return String(s).replace(/[<>&'"]/g, c => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' }[c]))
    // XML 1.0 cannot carry most control characters at all.
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, c => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function newRequestId() {
  return crypto.randomBytes(12).toString('hex').toUpperCase();
}

function errorXml(e, requestId, hostId) {
  let body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n' +
    `  <Code>${xmlEscape(e.code)}</Code>\n` +
    `  <Message>${xmlEscape(e.message)}</Message>\n` +
    `  <RequestId>${requestId}</RequestId>\n` +
    `  <HostId>${xmlEscape(hostId)}</HostId>\n`;
  for (const [k, v] of Object.entries(e.extra)) {
    if (v !== undefined) body += `  <${k}>${xmlEscape(v)}</${k}>\n`;
  }
  return `${body}</Error>\n`;
}

function sendError(req, res, e, requestId) {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const xml = Buffer.from(errorXml(e, requestId, req.headers.host || 'localhost'));
  const headers = {
    'content-type': 'application/xml',
    'x-oss-request-id': requestId,
    server: 'AliyunOSS'
  };
  if (req.method === 'HEAD') {
    // OSS sends no body for HEAD; the error goes in a header (ali-oss reads it).
    headers['x-oss-err'] = xml.toString('base64');
    headers['content-length'] = '0';
    res.writeHead(e.status, headers);
    res.end();
  } else {
    headers['content-length'] = String(xml.length);
    res.writeHead(e.status, headers);
    res.end(xml);
  }
}

// --- URL parsing --------------------------------------------------------------------
function decodePart(s, isQuery) {
  if (isQuery) s = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(s);
  } catch (err) {
    throw new OssError(400, 'InvalidURI', `Could not decode "${s}" in the request URI.`);
  }
}

// [[key, value-or-null], ...] in the order received.
function parseQuery(raw) {
  const out = [];
  if (!raw) return out;
  for (const piece of raw.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    if (eq < 0) out.push([decodePart(piece, true), null]);
    else out.push([decodePart(piece.slice(0, eq), true), decodePart(piece.slice(eq + 1), true)]);
  }
  return out;
}

const BUCKET_RE = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

// -> { bucket (or ''), key (decoded, or ''), style }
function locate(req, rawPath) {
  let hostname = (req.headers.host || '').trim().toLowerCase();
  if (hostname.startsWith('[')) hostname = hostname.slice(1, hostname.indexOf(']'));
  else hostname = hostname.replace(/:\d*$/, '');
  hostname = hostname.replace(/\.$/, '');
  const pathStyle = hostname === '' || net.isIP(hostname) !== 0 || !hostname.includes('.') ||
    /^oss-[a-z0-9-]+(\.aliyuncs\.com)?$/.test(hostname);
  let bucket;
  let rawKey;
  if (pathStyle) {
    const m = /^\/([^/]*)(?:\/(.*))?$/s.exec(rawPath);
    bucket = decodePart(m[1], false);
    rawKey = m[2] || '';
  } else {
    bucket = hostname.slice(0, hostname.indexOf('.'));
    rawKey = rawPath.slice(1);
  }
  if (bucket !== '' && !BUCKET_RE.test(bucket)) {
    throw new OssError(400, 'InvalidBucketName', `The specified bucket "${bucket}" is not valid.`,
      { BucketName: bucket });
  }
  const key = decodePart(rawKey, false);
  if (bucket === '' && key !== '') {
    throw new OssError(400, 'InvalidBucketName', 'No bucket in the request.');
  }
  return { bucket, key, style: pathStyle ? 'path' : 'virtual' };
}

// --- header values ---------------------------------------------------------------------
// Node hands header values over as latin1 (one char per byte); ali-oss signs
// Buffer.from(string, 'utf-8'): give it the UTF-8 reading of the bytes when
// they are valid UTF-8, so that it hashes the very bytes that came in.
function utf8Value(v) {
  if (typeof v !== 'string' || !/[\x80-\xff]/.test(v)) return v;
  const bytes = Buffer.from(v, 'latin1');
  const s = bytes.toString('utf8');
  return Buffer.from(s, 'utf8').equals(bytes) ? s : v;
}

function signingHeaders(req) {
  const h = {};
  for (const [k, v] of Object.entries(req.headers)) h[k] = Array.isArray(v) ? v.map(utf8Value).join(',') : utf8Value(v);
  return h;
}

// --- OSS authentication ------------------------------------------------------------------
function safeEqual(a, b) {
  const x = Buffer.from(String(a));
  const y = Buffer.from(String(b));
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

function checkSkew(ms) {
  if (!opts.maxSkew) return;
  if (Math.abs(Date.now() - ms) > opts.maxSkew * 1000) {
    throw new OssError(403, 'RequestTimeTooSkewed',
      'The difference between the request time and the current time is too large.',
      { RequestTime: new Date(ms).toISOString(), ServerTime: new Date().toISOString(), MaxAllowedSkewMilliseconds: opts.maxSkew * 1000 });
  }
}

function checkAccessKey(ak) {
  if (ak !== opts.accessKey) {
    throw new OssError(403, 'InvalidAccessKeyId', 'The OSS Access Key Id you provided does not exist in our records.',
      { OSSAccessKeyId: ak });
  }
}

function checkSecurityToken(headers, ak) {
  const token = headers['x-oss-security-token'];
  if (opts.securityToken === undefined ? token === undefined : token === opts.securityToken) return;
  throw new OssError(403, 'InvalidAccessKeyId',
    token === undefined ? 'This access key needs a security token (x-oss-security-token).'
      : 'The security token you provided is invalid.', { OSSAccessKeyId: ak });
}

// A V1 presigned URL (OSSAccessKeyId, Expires, Signature[, security-token]
// in the query): checked as ali-oss's signatureUrl() signs it, with
// buildCanonicalString and Expires where the date goes.  -> 'v1-url'.
function authenticateUrl(req, loc, query, q) {
  const ak = q.get('OSSAccessKeyId');
  const sig = q.get('Signature');
  const expires = q.get('Expires');
  checkAccessKey(ak);
  const token = q.get('security-token');
  if (opts.securityToken === undefined ? token !== undefined : token !== opts.securityToken) {
    throw new OssError(403, 'InvalidAccessKeyId', 'The security token you provided is invalid.', { OSSAccessKeyId: ak });
  }
  if (!sig || !/^\d+$/.test(expires || '')) throw new OssError(403, 'AccessDenied', 'Signature and Expires are required.');
  if (Number(expires) * 1000 < Date.now()) {
    throw new OssError(403, 'AccessDenied', 'Request has expired.', { Expires: new Date(expires * 1000).toISOString(), ServerTime: new Date().toISOString() });
  }
  const resource = `/${loc.bucket ? `${loc.bucket}/` : ''}${loc.key}`;
  const parameters = {};
  for (const [k, v] of query) {
    if (SUBRESOURCES.has(k)) parameters[k] = v === null ? '' : v;
  }
  const stringToSign = signUtils.buildCanonicalString(req.method, resource, { headers: signingHeaders(req), parameters }, expires);
  const expected = signUtils.computeSignature(opts.secretKey, stringToSign);
  if (!safeEqual(expected, sig)) {
    throw new OssError(403, 'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      { OSSAccessKeyId: ak, SignatureProvided: sig, StringToSign: stringToSign });
  }
  return 'v1-url';
}

// -> 'v1' | 'v4'; throws OssError.
function authenticate(req, loc, query) {
  const auth = req.headers.authorization;
  const q = new Map(query);
  if ((auth === undefined || auth === '') && q.has('OSSAccessKeyId')) return authenticateUrl(req, loc, query, q);
  if (auth === undefined || auth === '') {
    throw new OssError(403, 'AccessDenied', 'You have no right to access this object because of bucket acl.');
  }
  const headers = signingHeaders(req);
  const method = req.method;
  let m = /^OSS ([^:\s]+):(\S+)$/.exec(auth);
  if (m) {
    const [, ak, sig] = m;
    checkAccessKey(ak);
    checkSecurityToken(headers, ak);
    const date = headers['x-oss-date'] || headers.date;
    if (!date) throw new OssError(403, 'AccessDenied', 'OSS authentication requires a valid Date.');
    const ms = Date.parse(date);
    if (Number.isNaN(ms)) throw new OssError(403, 'AccessDenied', `Invalid date "${date}": OSS authentication requires a valid Date.`);
    checkSkew(ms);
    // As ali-oss's client: proto._getResource + params.subres.
    const resource = `/${loc.bucket ? `${loc.bucket}/` : ''}${loc.key}`;
    const parameters = {};
    for (const [k, v] of query) {
      if (SUBRESOURCES.has(k)) parameters[k] = v === null ? '' : v;
    }
    const stringToSign = signUtils.buildCanonicalString(method, resource, { headers, parameters }, date);
    const expected = signUtils.computeSignature(opts.secretKey, stringToSign);
    if (!safeEqual(expected, sig)) {
      throw new OssError(403, 'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
        {
          OSSAccessKeyId: ak,
          SignatureProvided: sig,
          StringToSign: stringToSign,
          StringToSignBytes: Buffer.from(stringToSign, 'utf8').toString('hex').replace(/(..)(?!$)/g, '$1 ')
        });
    }
    return 'v1';
  }
  if (auth.startsWith('OSS4-HMAC-SHA256 ')) {
    const fields = {};
    for (const part of auth.slice('OSS4-HMAC-SHA256 '.length).split(',')) {
      const p = part.trim();
      const eq = p.indexOf('=');
      if (eq <= 0) throw new OssError(403, 'AccessDenied', `Malformed OSS4-HMAC-SHA256 Authorization field "${p}".`);
      fields[p.slice(0, eq)] = p.slice(eq + 1);
    }
    const { Credential: cred, Signature: sig, AdditionalHeaders: addl } = fields;
    if (!cred || !sig) throw new OssError(403, 'AccessDenied', 'OSS4-HMAC-SHA256 Authorization needs Credential and Signature.');
    const scope = cred.split('/');
    if (scope.length !== 5 || scope[3] !== 'oss' || scope[4] !== 'aliyun_v4_request' || !/^\d{8}$/.test(scope[1])) {
      throw new OssError(403, 'AccessDenied', `Malformed Credential "${cred}": want AK/yyyymmdd/region/oss/aliyun_v4_request.`);
    }
    const [ak, scopeDate, scopeRegion] = scope;
    checkAccessKey(ak);
    checkSecurityToken(headers, ak);
    const date = headers['x-oss-date'];
    const dm = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date || '');
    if (!dm) throw new OssError(403, 'AccessDenied', 'OSS4-HMAC-SHA256 needs x-oss-date as yyyymmddTHHMMSSZ.');
    checkSkew(Date.UTC(+dm[1], +dm[2] - 1, +dm[3], +dm[4], +dm[5], +dm[6]));
    const additional = addl ? addl.split(';') : [];
    // As ali-oss's client: createRequest's queries (sub-resources with value ''
    // become null; the wire cannot tell '' from no value) and params.object.
    const queries = {};
    for (const [k, v] of query) queries[k] = v === null || v === '' ? null : v;
    let canonicalRequest;
    try {
      canonicalRequest = signUtils.getCanonicalRequest(method, { headers, queries },
        loc.bucket || undefined, loc.key || undefined, additional);
    } catch (err) {
      throw new OssError(403, 'AccessDenied', `Cannot build the canonical request: ${err.message}`);
    }
    const stringToSign = signUtils.getStringToSign(opts.region, date, canonicalRequest);
    const expected = signUtils.getSignatureV4(opts.secretKey, date.slice(0, 8), opts.region, stringToSign);
    let why = '';
    if (scopeRegion !== opts.region) why = ` (the credential scope names region "${scopeRegion}", this is "${opts.region}")`;
    else if (scopeDate !== date.slice(0, 8)) why = ` (the credential scope date ${scopeDate} is not the date of x-oss-date ${date})`;
    if (why || !safeEqual(expected, sig)) {
      throw new OssError(403, 'SignatureDoesNotMatch',
        `The request signature we calculated does not match the signature you provided. Check your key and signing method.${why}`,
        {
          OSSAccessKeyId: ak,
          SignatureProvided: sig,
          StringToSign: stringToSign,
          StringToSignBytes: Buffer.from(stringToSign, 'utf8').toString('hex').replace(/(..)(?!$)/g, '$1 '),
          CanonicalRequest: canonicalRequest
        });
    }
    return 'v4';
  }
  throw new OssError(403, 'AccessDenied', 'Authorization header is not "OSS ak:signature" nor "OSS4-HMAC-SHA256 ...".');
}

// --- AWS SigV4 to the upstream ------------------------------------------------------------
function awsEncode(s, keepSlash) {
  const bytes = Buffer.from(s, 'utf8');
  let out = '';
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === '/')) out += c;
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function hmac(key, data) {
  return crypto.createHmac('sha256', key).update(data).digest();
}

// headers: lowercase names -> latin1 strings (as they go on the wire).
function signV4(method, pathname, queryString, headers, payloadHash) {
  const now = new Date();
  const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  headers['x-amz-date'] = amzDate;
  headers['x-amz-content-sha256'] = payloadHash;
  const names = Object.keys(headers).filter(n => n !== 'content-length' && n !== 'authorization').sort();
  const canonicalHeaders = names.map(n => `${n}:${String(headers[n]).trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [method, pathname, queryString, canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${day}/${opts.upstreamRegion}/s3/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope,
    crypto.createHash('sha256').update(Buffer.from(canonicalRequest, 'latin1')).digest('hex')].join('\n');
  let key = hmac(`AWS4${opts.upstreamSecretKey}`, day);
  key = hmac(key, opts.upstreamRegion);
  key = hmac(key, 's3');
  key = hmac(key, 'aws4_request');
  const signature = crypto.createHmac('sha256', key).update(stringToSign).digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${opts.upstreamAccessKey}/${scope}, ` +
    `SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

// Request headers that go on as they are.
const PASS_REQUEST = new Set(['content-type', 'content-md5', 'content-encoding', 'content-disposition',
  'content-language', 'cache-control', 'expires', 'range', 'if-match', 'if-none-match',
  'if-modified-since', 'if-unmodified-since']);
// x-oss-* request headers that have an S3 twin.
const OSS_TO_AMZ = new Set(['copy-source', 'copy-source-range', 'copy-source-if-match',
  'copy-source-if-none-match', 'copy-source-if-modified-since', 'copy-source-if-unmodified-since',
  'metadata-directive', 'tagging', 'tagging-directive']);

// -> { headers, forbidOverwrite }
function upstreamHeaders(req) {
  const out = {};
  let forbidOverwrite = false;
  for (const [k, v] of Object.entries(req.headers)) {
    const value = Array.isArray(v) ? v.join(',') : v;
    if (PASS_REQUEST.has(k)) {
      out[k] = value;
    } else if (k.startsWith('x-oss-meta-')) {
      out[`x-amz-meta-${k.slice('x-oss-meta-'.length)}`] = value;
    } else if (k.startsWith('x-oss-') && OSS_TO_AMZ.has(k.slice(6))) {
      out[`x-amz-${k.slice(6)}`] = value;
    } else if (k === 'x-oss-object-acl' && value !== 'default') {
      out['x-amz-acl'] = value;
    } else if (k === 'x-oss-forbid-overwrite' && /^true$/i.test(value) && req.method === 'PUT' &&
      req.headers['x-oss-copy-source'] === undefined) {
      forbidOverwrite = true;
      out['if-none-match'] = '*';
    }
    // Everything else (Authorization, Date, Host, User-Agent, x-oss-date,
    // x-oss-content-sha256, x-oss-security-token, x-oss-storage-class, ...)
    // stays here.
  }
  return { headers: out, forbidOverwrite };
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-authenticate',
  'proxy-authorization', 'te', 'trailer', 'upgrade', 'server']);

function responseHeaders(up, requestId) {
  const out = {};
  for (const [k, v] of Object.entries(up.headers)) {
    if (HOP_BY_HOP.has(k) || k === 'x-amz-id-2' || k.startsWith('x-rgw-')) continue;
    if (k.startsWith('x-amz-meta-')) out[`x-oss-meta-${k.slice('x-amz-meta-'.length)}`] = v;
    else if (k.startsWith('x-amz-')) out[`x-oss-${k.slice('x-amz-'.length)}`] = v;
    else out[k] = v;
  }
  if (!out['x-oss-request-id']) out['x-oss-request-id'] = requestId;
  out.server = 'AliyunOSS';
  return out;
}

const upstreamAgent = new http.Agent({ keepAlive: true, maxSockets: 64, keepAliveMsecs: 1000 });

function forward(req, res, loc, query, body, requestId) {
  return new Promise(resolve => {
    const pathname = loc.bucket ? `/${loc.bucket}${loc.key !== '' ? `/${awsEncode(loc.key, true)}` : ''}` : '/';
    const pairs = query.map(([k, v]) => [awsEncode(k, false), awsEncode(v === null ? '' : v, false)]);
    pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    const queryString = pairs.map(([k, v]) => `${k}=${v}`).join('&');
    const { headers, forbidOverwrite } = upstreamHeaders(req);
    headers.host = opts.upstreamHostHeader;
    if (body.length > 0 || req.method === 'PUT' || req.method === 'POST') headers['content-length'] = String(body.length);
    signV4(req.method, pathname, queryString, headers,
      crypto.createHash('sha256').update(body).digest('hex'));

    let attempt = 0;
    const send = () => {
      attempt++;
      const upReq = http.request({
        agent: upstreamAgent,
        host: opts.upstreamHost,
        port: opts.upstreamPort,
        method: req.method,
        path: pathname + (queryString ? `?${queryString}` : ''),
        headers
      });
      upReq.on('response', up => {
        if (forbidOverwrite && up.statusCode === 412) {
          up.resume();
          sendError(req, res, new OssError(409, 'FileAlreadyExists', 'The object you specified already exists and can not be overwritten.'), requestId);
          resolve(409);
          return;
        }
        const outHeaders = responseHeaders(up, requestId);
        if (req.headers['x-oss-copy-source'] !== undefined && up.statusCode === 200 && !outHeaders.etag) {
          // CopyObject / UploadPartCopy: OSS also gives the new ETag as a
          // header (ali-oss's uploadPartCopy reads only that), S3 only in the
          // XML body: buffer the (small) body and copy it over.
          const chunks = [];
          up.on('data', d => chunks.push(d));
          up.on('error', () => {
            res.destroy();
            resolve('aborted');
          });
          up.on('end', () => {
            const data = Buffer.concat(chunks);
            const m = /<ETag>([^<]*)<\/ETag>/.exec(data.toString('utf8'));
            if (m) outHeaders.etag = m[1].replace(/&quot;/g, '"').replace(/&#34;/g, '"');
            outHeaders['content-length'] = String(data.length);
            delete outHeaders['transfer-encoding'];
            res.writeHead(up.statusCode, outHeaders);
            res.end(data);
            resolve(up.statusCode);
          });
          return;
        }
        res.writeHead(up.statusCode, outHeaders);
        up.pipe(res);
        res.on('close', () => {
          if (!up.complete) up.destroy();
        });
        up.on('error', () => {
          res.destroy();
          resolve(up.statusCode);
        });
        up.on('end', () => resolve(up.statusCode));
        up.on('close', () => resolve(up.statusCode));
      });
      upReq.setTimeout(120000, () => upReq.destroy(new Error('no answer in 120 s')));
      upReq.on('error', err => {
        // A kept-alive socket the upstream closed meanwhile: once more.
        if (upReq.reusedSocket && attempt < 3 && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) {
          send();
          return;
        }
        if (res.headersSent) {
          res.destroy();
          resolve('aborted');
          return;
        }
        sendError(req, res, new OssError(503, 'ServiceUnavailable', `The upstream ${opts.upstreamHostHeader} failed: ${err.message}`), requestId);
        resolve(503);
      });
      upReq.end(body);
    };
    send();
  });
}

// --- request handling --------------------------------------------------------------------------
function readBody(req) {
  return new Promise((resolve, reject) => {
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > opts.maxBody) {
      reject(new OssError(400, 'EntityTooLarge', `Your proposed upload exceeds this gateway's limit of ${opts.maxBody} bytes.`));
      return;
    }
    const chunks = [];
    let size = 0;
    let done = false;
    req.on('data', chunk => {
      if (done) return;
      size += chunk.length;
      if (size > opts.maxBody) {
        done = true;
        reject(new OssError(400, 'EntityTooLarge', `Your proposed upload exceeds this gateway's limit of ${opts.maxBody} bytes.`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) {
        done = true;
        resolve(Buffer.concat(chunks, size));
      }
    });
    req.on('error', err => {
      if (!done) {
        done = true;
        reject(err);
      }
    });
    req.on('aborted', () => {
      if (!done) {
        done = true;
        reject(new Error('aborted'));
      }
    });
  });
}

function checkDigests(req, body, mode) {
  const md5 = req.headers['content-md5'];
  if (md5 !== undefined && md5 !== crypto.createHash('md5').update(body).digest('base64')) {
    throw new OssError(400, 'InvalidDigest', 'The Content-MD5 you specified did not match what we received.');
  }
  const sha = req.headers['x-oss-content-sha256'];
  if (mode === 'v4' && sha !== undefined && sha !== 'UNSIGNED-PAYLOAD' &&
      sha.toLowerCase() !== crypto.createHash('sha256').update(body).digest('hex')) {
    throw new OssError(400, 'InvalidDigest', 'The x-oss-content-sha256 you specified did not match what we received.');
  }
}

async function handle(req, res) {
  const requestId = newRequestId();
  const url = req.url || '';
  let mode = 'denied';
  let status;
  try {
    if (!url.startsWith('/')) throw new OssError(400, 'InvalidURI', 'The request URI must start with "/".');
    const qi = url.indexOf('?');
    const rawPath = qi < 0 ? url : url.slice(0, qi);
    const rawQuery = qi < 0 ? '' : url.slice(qi + 1);
    let body;
    try {
      body = await readBody(req);
    } catch (err) {
      if (err instanceof OssError) {
        res.setHeader('connection', 'close');
        res.on('finish', () => req.destroy());
        throw err;
      }
      status = 'aborted';
      return;
    }
    const loc = locate(req, rawPath);
    let query = parseQuery(rawQuery);
    mode = authenticate(req, loc, query);
    // a presigned URL's own parameters are not the upstream's business
    if (mode === 'v1-url') query = query.filter(([k]) => !['OSSAccessKeyId', 'Expires', 'Signature', 'security-token'].includes(k));
    checkDigests(req, body, mode);
    status = await forward(req, res, loc, query, body, requestId);
  } catch (err) {
    const e = err instanceof OssError ? err
      : new OssError(500, 'InternalError', `gateway.js: ${err && err.stack ? err.stack : err}`);
    if (!(err instanceof OssError)) process.stderr.write(`gateway.js: ${req.method} ${url}: ${e.message}\n`);
    sendError(req, res, e, requestId);
    status = e.status;
  } finally {
    logLine(`${req.method} ${url} -> ${status} (${mode})`);
  }
}

const server = http.createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => {
  handle(req, res).catch(err => {
    process.stderr.write(`gateway.js: ${err && err.stack ? err.stack : err}\n`);
    if (!res.headersSent) {
      res.writeHead(500, { 'content-length': '0' });
      res.end();
    } else {
      res.destroy();
    }
  });
});
server.keepAliveTimeout = 10000;
server.on('clientError', (err, socket) => {
  logLine('- - -> 400 (denied)');
  process.stderr.write(`gateway.js: unparsable request: ${err.code || err.message}\n`);
  if (socket.writable && !socket.destroyed) {
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  } else {
    socket.destroy();
  }
});
server.on('error', err => {
  process.stderr.write(`gateway.js: cannot listen on ${opts.listenHost}:${opts.listenPort}: ${err.message}\n`);
  process.exit(1);
});
process.on('uncaughtException', err => {
  // Never die on one bad request; say what happened.
  process.stderr.write(`gateway.js: uncaught: ${err && err.stack ? err.stack : err}\n`);
});

server.listen(opts.listenPort, opts.listenHost, () => {
  const { port } = server.address();
  if (opts.portFile) {
    const tmp = `${opts.portFile}.tmp${process.pid}`;
    fs.writeFileSync(tmp, `${port}\n`);
    fs.renameSync(tmp, opts.portFile);
  }
  process.stdout.write(`gateway.js: OSS on http://${opts.listenHost}:${port} -> S3 ${opts.upstreamHostHeader} (pid ${process.pid})\n`);
});

function shutdown() {
  server.close();
  upstreamAgent.destroy();
  if (opts.logFile) logStream.end(() => process.exit(0));
  else process.exit(0);
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
