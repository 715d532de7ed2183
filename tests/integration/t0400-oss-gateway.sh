#!/bin/bash
# SPDX-License-Identifier: MIT
# t0400-oss-gateway — the OSS test gateway (tests/oss/gateway.js) in front of
# a private radosgw, driven by Aliyun's own SDK, ali-oss (tests/oss/
# node_modules), as the client.  With V1 ("OSS ak:sig") and V4
# (OSS4-HMAC-SHA256) signatures, and three ways of addressing the bucket (an
# IP endpoint: Host bucket.oss-cn-test.aliyuncs.com, path /key; path style
# /bucket/key on localhost; virtual-hosted bucket.localhost:P), ali-oss puts,
# gets (whole and a range), heads, lists (V1, V2 with continuation tokens),
# copies (metadata COPY and REPLACE), is refused an overwrite with
# x-oss-forbid-overwrite, signs extra headers (V4 AdditionalHeaders), uploads
# in parts (multipartUpload, UploadPartCopy, ListParts/ListUploads/abort),
# deletes one and many, and runs 16 requests at once; boto3 then finds the
# objects in radosgw with their bytes, Content-Type, Cache-Control and user
# metadata.  A wrong secret gets 403 SignatureDoesNotMatch (and the
# StringToSign the gateway sends back is the one the client signed), a wrong
# access key 403 InvalidAccessKeyId, a wrong V4 region, a missing or malformed
# Authorization 403, a wrong Content-MD5 400 InvalidDigest; a gateway with
# --security-token wants that STS token; garbage on the socket gets a 400 and
# the gateway lives on.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
test_timeout 120

node=$(command -v node) || fail "node not found in PATH (tests/setup-deps.sh installs nodejs)"
oss_dir=$BFS_SOURCE_DIR/tests/oss
[ -f "$oss_dir/node_modules/ali-oss/lib/common/signUtils.js" ] ||
	fail "ali-oss is not installed in $oss_dir/node_modules (run: npm ci --prefix $oss_dir)"
tmp=$(bfs_tmpdir)

rgw_start
bucket=osstest-$RANDOM
make_bucket "$bucket"

# The gateway's own keys, not radosgw's.
gw_ak=LTAI5tGw$RANDOM$RANDOM
gw_sk=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
sts_token=STS.$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')

# gw_start NAME ARG...: start gateway.js (its port in $tmp/NAME.port, its log
# $tmp/NAME.log), stopped at exit; sets GW_PORT[NAME] and GW_PID[NAME].
declare -A GW_PORT=() GW_PID=()
gw_start() {
	local name=$1 pid i
	shift
	"$node" "$oss_dir/gateway.js" --listen-port 0 --port-file "$tmp/$name.port" \
		--upstream "$RGW_ENDPOINT" --access-key "$gw_ak" --secret-key "$gw_sk" \
		--region cn-test --upstream-access-key "$RGW_ACCESS_KEY" \
		--upstream-secret-key "$RGW_SECRET_KEY" --log "$tmp/$name.log" "$@" \
		>"$tmp/$name.out" 2>&1 &
	pid=$!
	on_exit gw_stop "$name" "$pid"
	for ((i = 0; ; i++)); do
		[ ! -s "$tmp/$name.port" ] || break
		if ! kill -0 "$pid" 2>/dev/null || [ "$i" -ge 100 ]; then
			sed 's/^/# /' "$tmp/$name.out"
			fail "gateway $name (pid $pid) did not start"
		fi
		sleep 0.1
	done
	GW_PORT[$name]=$(cat "$tmp/$name.port")
	GW_PID[$name]=$pid
	echo "# gateway $name: pid $pid, http://127.0.0.1:${GW_PORT[$name]}"
}

gw_stop() {
	local name=$1 pid=$2 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	echo "# gateway $name (pid $pid) ignored SIGTERM"
	return 1
}

gw_start gw
gw_start sts --security-token "$sts_token"

# The client: ali-oss itself, from tests/oss/node_modules.
cat >"$tmp/client.js" <<'JS'
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const path = require('path');
const { createRequire } = require('module');

const ossRequire = createRequire(path.join(process.env.OSS_DIR, 'package.json'));
const OSS = ossRequire('ali-oss');
const urllib = ossRequire('urllib');
const signUtils = ossRequire('ali-oss/lib/common/signUtils');
const { PORT, STS_PORT, AK, SK, STS_TOKEN, BUCKET, TMP } = process.env;

function ok(msg) { console.log(`ok ${msg}`); }
function assert(cond, msg, detail) {
  if (!cond) throw new Error(`${msg}${detail === undefined ? '' : `: ${JSON.stringify(detail)}`}`);
}
const sha256 = b => crypto.createHash('sha256').update(b).digest('hex');
function xmlField(xml, tag) {
  const m = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(String(xml));
  return m && m[1].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

// Every name resolves to 127.0.0.1 (bucket.localhost is not in /etc/hosts).
const agent = new http.Agent({
  keepAlive: true,
  lookup: (host, o, cb) => (o && o.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4))
});
// ali-oss's urllib, wrapped to see the last request and answer.
let last = {};
const capture = {
  request(url, params) {
    params.agent = agent;
    last = { url, headers: Object.assign({}, params.headers) };
    return urllib.request(url, params).then(r => {
      last.status = r.status;
      last.data = r.data;
      last.resHeaders = r.headers;
      return r;
    });
  }
};

// The options for a local endpoint.  addr: 'ip' (ali-oss then sends Host
// BUCKET.oss-cn-test.aliyuncs.com and path /key), 'path' (sldEnable: path
// /BUCKET/key, Host localhost:P), 'vhost' (Host BUCKET.localhost:P).
function client(mode, addr, over = {}) {
  const port = over.port || PORT;
  const o = {
    accessKeyId: AK,
    accessKeySecret: SK,
    bucket: BUCKET,
    region: 'oss-cn-test',
    secure: false,
    authorizationV4: mode === 'v4',
    urllib: capture,
    timeout: 30000
  };
  if (addr === 'ip') o.endpoint = `http://127.0.0.1:${port}`;
  else if (addr === 'path') Object.assign(o, { endpoint: `http://localhost:${port}`, sldEnable: true });
  else o.endpoint = `http://localhost:${port}`;
  delete over.port;
  return new OSS(Object.assign(o, over));
}

async function expectError(promise, status, code, what) {
  try {
    await promise;
  } catch (err) {
    assert(err.status === status && err.code === code, `${what}: expected ${status} ${code}`,
      { status: err.status, code: err.code, message: err.message });
    return err;
  }
  throw new Error(`${what}: succeeded, expected ${status} ${code}`);
}

const bigSize = 5 * 1024 * 1024 + 100 * 1024;
const bigFile = path.join(TMP, 'big.bin');
const big = crypto.randomBytes(bigSize);
fs.writeFileSync(bigFile, big);
const partSize = 5 * 1024 * 1024;

async function suite(mode, addr) {
  const c = client(mode, addr);
  const p = `${mode}-${addr}`;
  const t = `${mode}/${addr}`;
  const hello = Buffer.from(`hello from ${p}\n`);
  const weird = `${p}/dir a/naïve+(1)!*'~%.txt`;

  let r = await c.put(`${p}/hello.txt`, hello, { meta: { color: 'blue', mode: p }, headers: { 'Cache-Control': 'max-age=60' } });
  assert(r.res.status === 200, 'put', r.res.status);
  const host = last.headers.host || new URL(last.url).host;
  const urlPath = new URL(last.url).pathname;
  const want = {
    ip: [`${BUCKET}.oss-cn-test.aliyuncs.com`, `/${p}/hello.txt`],
    path: [`localhost:${PORT}`, `/${BUCKET}/${p}/hello.txt`],
    vhost: [`${BUCKET}.localhost:${PORT}`, `/${p}/hello.txt`]
  }[addr];
  assert(host === want[0] && urlPath === want[1], 'addressing', { host, urlPath, want });
  const auth = last.headers.authorization;
  assert(mode === 'v1' ? /^OSS [^:]+:/.test(auth) : auth.startsWith('OSS4-HMAC-SHA256 Credential='), 'auth kind', auth);
  ok(`${t}: put ${p}/hello.txt with meta (Host ${host}, path ${urlPath}, ${auth.split(' ')[0]})`);

  await c.put(weird, Buffer.from('weird'), { mime: 'application/x-weird' });
  ok(`${t}: put a key with space, non-ASCII, + ( ) ! * ' ~ % (wire path ${new URL(last.url).pathname})`);

  r = await c.get(`${p}/hello.txt`);
  assert(r.content.equals(hello), 'get hello', String(r.content));
  r = await c.get(weird);
  assert(String(r.content) === 'weird', 'get weird', String(r.content));
  ok(`${t}: get both back`);

  r = await c.get(`${p}/hello.txt`, { headers: { Range: 'bytes=0-4' } });
  assert(r.res.status === 206 && String(r.content) === 'hello' &&
    r.res.headers['content-range'] === `bytes 0-4/${hello.length}`, 'range get', [r.res.status, String(r.content), r.res.headers['content-range']]);
  ok(`${t}: ranged get -> 206 "hello", Content-Range ${r.res.headers['content-range']}`);

  if (mode === 'v4') {
    // Headers the client chose to sign too.  (Not Host: ali-oss checks that
    // an additional header is among the headers it has so far, and it sets
    // Host, if at all, after signing.)
    const addl = ['Range', 'If-Modified-Since'];
    r = await c.get(`${p}/hello.txt`, {
      headers: { Range: 'bytes=6-9', 'If-Modified-Since': 'Thu, 01 Jan 1970 00:00:00 GMT' },
      additionalHeaders: addl
    });
    assert(r.res.status === 206 && String(r.content) === 'from', 'additionalHeaders get', String(r.content));
    const m = /AdditionalHeaders=([^,]*),/.exec(last.headers.authorization);
    assert(m && m[1] === addl.map(x => x.toLowerCase()).sort().join(';'), 'AdditionalHeaders sent', last.headers.authorization);
    ok(`${t}: V4 with AdditionalHeaders=${m[1]} -> 206`);
  }

  await expectError(c.put(`${p}/hello.txt`, Buffer.from('not this'), { headers: { 'x-oss-forbid-overwrite': 'true' } }),
    409, 'FileAlreadyExists', 'x-oss-forbid-overwrite');
  ok(`${t}: put with x-oss-forbid-overwrite: true onto an existing key -> 409 FileAlreadyExists`);

  r = await c.head(`${p}/hello.txt`);
  const h = r.res.headers;
  assert(r.status === 200 && r.meta && r.meta.color === 'blue' && r.meta.mode === p, 'head meta', r.meta);
  assert(h['content-type'] === 'text/plain' && h['cache-control'] === 'max-age=60' &&
    Number(h['content-length']) === hello.length && /^"[0-9a-f]{32}"$/.test(h.etag) &&
    h['x-oss-request-id'] && h['last-modified'], 'head headers', h);
  ok(`${t}: head -> x-oss-meta-color blue, Content-Type text/plain, Cache-Control, ETag ${h.etag}`);

  await c.copy(`${p}/copy.txt`, `${p}/hello.txt`);
  r = await c.head(`${p}/copy.txt`);
  assert(r.meta && r.meta.color === 'blue', 'copy keeps meta', r.meta);
  await c.copy(`${p}/copy2.txt`, `${p}/hello.txt`, { meta: { color: 'red' }, headers: { 'Content-Type': 'text/x-replaced' } });
  r = await c.head(`${p}/copy2.txt`);
  assert(r.meta && r.meta.color === 'red' && !r.meta.mode && r.res.headers['content-type'] === 'text/x-replaced', 'copy REPLACE', [r.meta, r.res.headers['content-type']]);
  r = await c.get(`${p}/copy2.txt`);
  assert(r.content.equals(hello), 'copy2 bytes');
  ok(`${t}: copy (metadata COPY) and copy with REPLACE (new meta and Content-Type)`);

  r = await c.multipartUpload(`${p}/big.bin`, bigFile, { partSize, parallel: 2, meta: { kind: 'multipart' }, mime: 'application/x-big' });
  assert(r.res.status === 200, 'multipartUpload', r.res.status);
  r = await c.get(`${p}/big.bin`);
  assert(sha256(r.content) === sha256(big), 'big bytes');
  ok(`${t}: multipartUpload of ${bigSize} bytes in ${partSize}-byte parts, same bytes back`);

  let up = await c.initMultipartUpload(`${p}/partcopy.bin`, { mime: 'application/x-partcopy' });
  const src = { sourceKey: `${p}/big.bin`, sourceBucketName: BUCKET };
  const p1 = await c.uploadPartCopy(`${p}/partcopy.bin`, up.uploadId, 1, `0-${partSize - 1}`, src);
  const p2 = await c.uploadPartCopy(`${p}/partcopy.bin`, up.uploadId, 2, `${partSize}-${bigSize - 1}`, src);
  await c.completeMultipartUpload(`${p}/partcopy.bin`, up.uploadId, [{ number: 1, etag: p1.etag }, { number: 2, etag: p2.etag }]);
  r = await c.get(`${p}/partcopy.bin`);
  assert(sha256(r.content) === sha256(big), 'partcopy bytes');
  ok(`${t}: UploadPartCopy (x-oss-copy-source-range) of two parts, same bytes`);

  up = await c.initMultipartUpload(`${p}/aborted.bin`);
  await c.uploadPart(`${p}/aborted.bin`, up.uploadId, 1, bigFile, 0, 1024);
  r = await c.listParts(`${p}/aborted.bin`, up.uploadId);
  const parts = [].concat(r.parts); // (one part comes as an object, not an array)
  assert(parts.length === 1 && Number(parts[0].Size) === 1024, 'listParts', r.parts);
  r = await c.listUploads({ prefix: `${p}/` });
  assert(r.uploads.some(u => u.uploadId === up.uploadId), 'listUploads has it', r.uploads);
  await c.abortMultipartUpload(`${p}/aborted.bin`, up.uploadId);
  r = await c.listUploads({ prefix: `${p}/` });
  assert(!r.uploads.some(u => u.uploadId === up.uploadId), 'listUploads after abort', r.uploads);
  ok(`${t}: uploadPart, ListParts, ListMultipartUploads, abort`);

  r = await c.list({ prefix: `${p}/`, delimiter: '/', 'max-keys': 100 });
  let names = (r.objects || []).map(o => o.name).sort();
  const top = ['big.bin', 'copy.txt', 'copy2.txt', 'hello.txt', 'partcopy.bin'].map(n => `${p}/${n}`);
  assert(JSON.stringify(names) === JSON.stringify(top) &&
    JSON.stringify(r.prefixes) === JSON.stringify([`${p}/dir a/`]), 'list V1', [names, r.prefixes]);
  ok(`${t}: ListObjects (V1) with delimiter: ${names.length} keys and the prefix "${p}/dir a/"`);

  names = [];
  let token = null;
  let pages = 0;
  do {
    r = await c.listV2({ prefix: `${p}/`, 'max-keys': 2, 'continuation-token': token || undefined });
    names.push(...(r.objects || []).map(o => o.name));
    token = r.nextContinuationToken;
    pages++;
  } while (token && pages < 10);
  assert(JSON.stringify(names) === JSON.stringify([...top, weird].sort()) && pages === 3, 'listV2 pages', [names, pages]);
  ok(`${t}: ListObjectsV2 in ${pages} pages of 2 (continuation-token)`);

  r = await c.deleteMulti([`${p}/copy.txt`, `${p}/partcopy.bin`], { quiet: false });
  assert(r.deleted.length === 2, 'deleteMulti', r.deleted);
  await c.put(`${p}/gone.txt`, Buffer.from('bye'));
  await c.delete(`${p}/gone.txt`);
  await expectError(c.head(`${p}/gone.txt`), 404, 'NoSuchKey', 'head deleted');
  await expectError(c.get(`${p}/copy.txt`), 404, 'NoSuchKey', 'get deleted');
  ok(`${t}: DeleteObjects of 2, DeleteObject, then 404 NoSuchKey`);

  await expectError(c.put(`${p}/bad-md5`, Buffer.from('x'), { headers: { 'Content-MD5': '1B2M2Y8AsgTpgAmY7PhCfg==' } }),
    400, 'InvalidDigest', 'wrong Content-MD5');
  ok(`${t}: a wrong Content-MD5 -> 400 InvalidDigest`);

  const n = 16;
  const bodies = Array.from({ length: n }, (_, i) => crypto.randomBytes(1000 + i));
  await Promise.all(bodies.map((b, i) => c.put(`${p}/conc/${i}`, b)));
  const got = await Promise.all(bodies.map((b, i) => c.get(`${p}/conc/${i}`)));
  assert(got.every((g, i) => g.content.equals(bodies[i])), 'concurrent gets');
  await c.deleteMulti(bodies.map((b, i) => `${p}/conc/${i}`), { quiet: true });
  ok(`${t}: ${n} concurrent puts, ${n} concurrent gets, one DeleteObjects`);
}

async function denied(mode, addr) {
  const t = `${mode}/${addr}`;
  const p = `${mode}-${addr}`;
  const wrongSk = `${SK}x`;
  let c = client(mode, addr, { accessKeySecret: wrongSk });
  await expectError(c.get(`${p}/hello.txt`), 403, 'SignatureDoesNotMatch', `${t} wrong secret`);
  // The gateway's StringToSign is the client's: signed with the wrong secret
  // it gives the very signature the client sent.
  const sts = xmlField(last.data, 'StringToSign');
  const provided = xmlField(last.data, 'SignatureProvided');
  const auth = last.headers.authorization;
  assert(sts && provided && auth.includes(provided), 'error body', String(last.data));
  let again;
  if (mode === 'v1') {
    again = signUtils.computeSignature(wrongSk, sts);
  } else {
    const date = last.headers['x-oss-date'];
    again = signUtils.getSignatureV4(wrongSk, date.slice(0, 8), 'cn-test', sts);
    assert(xmlField(last.data, 'CanonicalRequest'), 'V4 error has CanonicalRequest', String(last.data));
  }
  assert(again === provided, 'StringToSign round trip', { again, provided, sts });
  ok(`${t}: wrong secret -> 403 SignatureDoesNotMatch; its StringToSign signed with that secret gives the client's signature`);

  await expectError(c.head(`${p}/hello.txt`), 403, 'SignatureDoesNotMatch', `${t} wrong secret, HEAD`);
  ok(`${t}: wrong secret, HEAD -> 403 SignatureDoesNotMatch (from x-oss-err)`);

  c = client(mode, addr, { accessKeyId: 'LTAInobodyknowsme' });
  await expectError(c.get(`${p}/hello.txt`), 403, 'InvalidAccessKeyId', `${t} wrong access key`);
  ok(`${t}: wrong access key -> 403 InvalidAccessKeyId`);

  if (mode === 'v4') {
    c = client(mode, addr, { region: 'oss-cn-elsewhere' });
    const err = await expectError(c.get(`${p}/hello.txt`), 403, 'SignatureDoesNotMatch', `${t} wrong region`);
    assert(/region/.test(err.message), 'wrong region message', err.message);
    ok(`${t}: V4 signed for region cn-elsewhere -> 403 SignatureDoesNotMatch`);
  }
}

function raw(method, urlPath, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: PORT, method, path: urlPath, headers }, res => {
      const chunks = [];
      res.on('data', d => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function sts() {
  let c = client('v4', 'path', { port: STS_PORT, stsToken: STS_TOKEN });
  await c.put('sts/ok.txt', Buffer.from('sts'));
  const r = await c.get('sts/ok.txt');
  assert(String(r.content) === 'sts', 'sts get');
  c = client('v1', 'ip', { port: STS_PORT, stsToken: STS_TOKEN });
  await c.delete('sts/ok.txt');
  ok('--security-token: V4 put/get and V1 delete with that x-oss-security-token');
  c = client('v1', 'path', { port: STS_PORT, stsToken: `${STS_TOKEN}x` });
  await expectError(c.get('sts/ok.txt'), 403, 'InvalidAccessKeyId', 'wrong sts token');
  c = client('v4', 'path', { port: STS_PORT });
  await expectError(c.get('sts/ok.txt'), 403, 'InvalidAccessKeyId', 'no sts token');
  c = client('v4', 'path', { stsToken: STS_TOKEN });
  await expectError(c.get('sts/ok.txt'), 403, 'InvalidAccessKeyId', 'sts token where none is set');
  ok('--security-token: a wrong one, none, or one where none is set -> 403 InvalidAccessKeyId');
}

(async () => {
  const origWarn = console.warn;
  console.warn = () => {}; // ali-oss's advice to refresh STS tokens
  for (const mode of ['v1', 'v4']) {
    for (const addr of ['ip', 'path', 'vhost']) await suite(mode, addr);
  }
  for (const mode of ['v1', 'v4']) {
    for (const addr of ['ip', 'path']) await denied(mode, addr);
  }
  let r = await raw('GET', `/${BUCKET}/v1-ip/hello.txt`, {});
  assert(r.status === 403 && xmlField(r.body, 'Code') === 'AccessDenied', 'anonymous', r);
  r = await raw('GET', `/${BUCKET}/v1-ip/hello.txt`, { Authorization: 'OSS nocolon', 'x-oss-date': new Date().toUTCString() });
  assert(r.status === 403 && xmlField(r.body, 'Code') === 'AccessDenied', 'malformed V1', r);
  r = await raw('GET', `/${BUCKET}/v1-ip/hello.txt`, { Authorization: 'OSS4-HMAC-SHA256 Credential=x', 'x-oss-date': '20250101T000000Z' });
  assert(r.status === 403 && xmlField(r.body, 'Code') === 'AccessDenied', 'malformed V4', r);
  r = await raw('GET', '/%zz/key', {});
  assert(r.status === 400, 'bad URI', r);
  ok('no Authorization, "OSS nocolon", a malformed OSS4 header -> 403 AccessDenied; a bad %-escape -> 400');
  await sts();
  console.warn = origWarn;
})().catch(err => {
  console.log(`FAILED ${err && err.stack ? err.stack : err}`);
  if (last.url) console.log(`last request: ${last.url} -> ${last.status} ${last.data ? String(last.data).slice(0, 2000) : ''}`);
  process.exit(1);
});
JS

rc=0
OSS_DIR=$oss_dir PORT=${GW_PORT[gw]} STS_PORT=${GW_PORT[sts]} AK=$gw_ak SK=$gw_sk \
	STS_TOKEN=$sts_token BUCKET=$bucket TMP=$tmp \
	"$node" "$tmp/client.js" >"$tmp/client.out" 2>&1 || rc=$?
while IFS= read -r line; do
	case $line in
	"ok "*) ok "ali-oss ${line#ok }" ;;
	*) echo "# $line" ;;
	esac
done <"$tmp/client.out"
if [ "$rc" -ne 0 ]; then
	bfs_log_tail "$tmp/gw.log" 15
	sed 's/^/# gateway: /' "$tmp/gw.out"
	fail "the ali-oss client exited $rc"
fi

# What radosgw holds, seen with boto3 and radosgw's own keys.
boto3_py "$bucket" "$tmp/big.bin" <<'PY' >"$tmp/boto3.out" 2>&1 || { sed 's/^/# /' "$tmp/boto3.out"; fail "boto3 check of radosgw"; }
import hashlib
bucket, big = sys.argv[1], open(sys.argv[2], "rb").read()
keys = []
for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
    keys += [o["Key"] for o in page.get("Contents", [])]
for mode in ("v1", "v4"):
    for addr in ("ip", "path", "vhost"):
        p = mode + "-" + addr
        weird = p + "/dir a/naïve+(1)!*'~%.txt"
        want = sorted([p + "/big.bin", p + "/copy2.txt", p + "/hello.txt", weird])
        got = sorted(k for k in keys if k.startswith(p + "/"))
        assert got == want, (p, got, want)
        h = s3.head_object(Bucket=bucket, Key=p + "/hello.txt")
        assert h["ContentType"] == "text/plain", h
        assert h["CacheControl"] == "max-age=60", h
        assert h["Metadata"] == {"color": "blue", "mode": p}, h["Metadata"]
        body = s3.get_object(Bucket=bucket, Key=p + "/hello.txt")["Body"].read()
        assert body == ("hello from %s\n" % p).encode(), body
        h = s3.head_object(Bucket=bucket, Key=weird)
        assert h["ContentType"] == "application/x-weird", h
        h = s3.head_object(Bucket=bucket, Key=p + "/copy2.txt")
        assert h["ContentType"] == "text/x-replaced" and h["Metadata"] == {"color": "red"}, h
        h = s3.head_object(Bucket=bucket, Key=p + "/big.bin")
        assert h["ContentType"] == "application/x-big" and h["Metadata"] == {"kind": "multipart"}, h
        assert h["ETag"].endswith('-2"'), h["ETag"]
        body = s3.get_object(Bucket=bucket, Key=p + "/big.bin")["Body"].read()
        assert hashlib.sha256(body).digest() == hashlib.sha256(big).digest()
assert not [k for k in keys if not k.startswith(("v1-", "v4-"))], keys
assert not s3.list_multipart_uploads(Bucket=bucket).get("Uploads"), "uploads left"
print("%d keys checked" % len(keys))
PY
ok "radosgw (boto3) holds exactly the expected $(cat "$tmp/boto3.out"): bytes, Content-Type, Cache-Control, x-amz-meta-*, 2-part ETag, no upload left"

# The log: one line per request, of each kind.
log=$tmp/gw.log
for kind in v1 v4 denied; do
	n=$(grep -c " -> [0-9]* ($kind)\$" "$log") || true
	[ "$n" -gt 0 ] || fail "no ($kind) line in the gateway log"
done
grep -q "^PUT /v1-ip/hello.txt -> 200 (v1)\$" "$log" || fail "no virtual-hosted V1 PUT line in the log"
grep -q "^PUT /$bucket/v4-path/hello.txt -> 200 (v4)\$" "$log" || fail "no path-style V4 PUT line in the log"
grep -q "^GET /v1-ip/hello.txt -> 403 (denied)\$" "$log" || fail "no denied GET line in the log"
ok "gateway log: $(wc -l <"$log") lines like \"$(grep -m1 ' (v4)$' "$log")\""

# Garbage on the socket: a 400, and the gateway answers the next request.
exec {sock}<>"/dev/tcp/127.0.0.1/${GW_PORT[gw]}"
printf 'THIS IS NOT HTTP\r\n\r\n' >&"$sock"
IFS= read -r -t 5 reply <&"$sock" || true
exec {sock}>&-
[[ $reply == "HTTP/1.1 400 "* ]] || fail "garbage got '${reply%$'\r'}', not a 400"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${GW_PORT[gw]}/$bucket/") || true
assert_eq "$code" 403 "garbage on the socket -> 400; the gateway still answers (anonymous GET -> 403)"
kill -0 "${GW_PID[gw]}" || fail "the gateway died"
if grep -q 'uncaught' "$tmp/gw.out"; then
	fail "the gateway had an uncaught exception: $(grep -m1 uncaught "$tmp/gw.out")"
fi
ok "gateway pid ${GW_PID[gw]} alive, no uncaught exception"
