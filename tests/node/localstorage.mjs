#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// localstorage.mjs — the storage code of a Next.js app that saves AI-generated
// images with plain file calls, as such an app has it (LocalStorage below:
// mkdir -p the task's directory, writeFile the PNG, return the public URL),
// and a driver that runs it the way the app's workers do.  Node 20 built-ins
// only; no npm packages.
//
// Write: save TASKS x PER_TASK images under PUBLIC/generated/images/<taskId>/
// with WRITERS concurrent workers pulling tasks from one queue, and write a
// manifest (JSON lines {url, path, sha256, size}):
//
//   node tests/node/localstorage.mjs --public DIR --tasks 200 --per-task 4 \
//       --writers 8 --size 1048576 --manifest FILE [--run-id HEX8]
//
// Verify: read every manifest entry back through the file system, at
// PUBLIC + url (where the app's web server would find it), and check size and
// SHA-256; exits 1 on any mismatch or read error:
//
//   node tests/node/localstorage.mjs --verify FILE --public DIR [--readers 4]
//
// Each mode ends with one line "summary mode=... key=value ..." (bytes,
// seconds, MiB/s, per-call latencies) for the caller to parse; errors go to
// stderr.  Exit status: 0 all good, 1 a failed write/read/check, 2 bad usage.
//
// The images: a real 8-byte PNG signature, then pseudo-random bytes from
// AES-256-CTR keyed by SHA-256(taskId/n) (deterministic, incompressible,
// ~0.3 ms per MiB); the size is --size give or take up to 4 KiB (at most
// size/8), also derived from taskId/n.  Even-numbered images (counting over
// the whole run) go to saveImage as a Buffer, odd ones as a data: URL, as an
// app gets them from an image API either way.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

// --- the app's storage code ---------------------------------------------------
// As the app has it: the public directory of the Next.js project, images under
// public/generated/images/<taskId>/<n>.png, served at /generated/images/...
export class LocalStorage {
	constructor(publicDir) {
		this.publicDir = publicDir;
	}

	// data: a Buffer, or a string 'data:image/png;base64,...'.  Returns the
	// URL the app stores in its database.
	async saveImage(taskId, n, data) {
		let buffer = data;
		if (typeof data === 'string') {
			const base64Data = data.replace(/^data:image\/\w+;base64,/, '');
			buffer = Buffer.from(base64Data, 'base64');
		}
		const dir = path.join(this.publicDir, 'generated', 'images', String(taskId));
		await fs.promises.mkdir(dir, { recursive: true });
		const filePath = path.join(dir, `${n}.png`);
		await fs.promises.writeFile(filePath, buffer);
		return `/generated/images/${taskId}/${n}.png`;
	}
}

// --- the driver -----------------------------------------------------------------
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

// image(taskId, n, size): the deterministic bytes of image n of taskId.
export function image(taskId, n, size) {
	const key = crypto.createHash('sha256').update(`${taskId}/${n}`).digest();
	const vary = Math.min(4096, Math.floor(size / 8));
	const len = Math.max(PNG_SIGNATURE.length, size - vary + (key.readUInt32BE(0) % (2 * vary + 1)));
	const cipher = crypto.createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
	const buf = cipher.update(Buffer.alloc(len));
	PNG_SIGNATURE.copy(buf, 0);
	return buf;
}

// taskId(runId, i): uuid-like (8-4-4-4-12 hex, version 4 and variant bits
// set), unique per run: the run id, then hash bits, then the index.
export function taskId(runId, i) {
	const h = crypto.createHash('sha256').update(`${runId}:${i}`).digest('hex');
	return `${runId}-${h.slice(0, 4)}-4${h.slice(4, 7)}-8${h.slice(7, 10)}-${i.toString(16).padStart(12, '0')}`;
}

const sha256 = (buf) => crypto.createHash('sha256').update(buf).digest('hex');
const now = () => Number(process.hrtime.bigint()) / 1e9;

function percentile(sorted, p) {
	if (sorted.length === 0) return 0;
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function latencies(ms) {
	const s = [...ms].sort((a, b) => a - b);
	const f = (x) => x.toFixed(1);
	return `p50_ms=${f(percentile(s, 50))} p99_ms=${f(percentile(s, 99))} max_ms=${f(s.at(-1) ?? 0)}`;
}

function errText(e) {
	if (e && e.code) return String(e.message).startsWith(e.code) ? e.message : `${e.code}: ${e.message}`;
	if (e && e.cause) return e.message;
	return String(e && e.stack ? e.stack : e);
}

// run(count, workers, job): job(i) for i in 0..count-1, `workers` at a time,
// each worker pulling the next index from a shared queue; stops handing out
// work after the first failure.  Returns the errors.
async function run(count, workers, job) {
	let next = 0;
	const errors = [];
	const worker = async () => {
		while (errors.length === 0 && next < count) {
			const i = next++;
			try {
				await job(i);
			} catch (e) {
				errors.push({ i, e });
			}
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, workers) }, worker));
	return errors;
}

async function write(o) {
	const storage = new LocalStorage(o.public);
	const runId = o['run-id'] || crypto.randomBytes(4).toString('hex');
	if (!/^[0-9a-f]{8}$/.test(runId)) usage('--run-id takes 8 hex digits');
	const tasks = int(o, 'tasks', 200);
	const perTask = int(o, 'per-task', 4);
	const writers = int(o, 'writers', 1);
	const size = int(o, 'size', 1048576);
	if (!o.manifest) usage('--manifest FILE is needed');
	const entries = new Array(tasks);
	const ms = [];
	let bytes = 0, genSeconds = 0, dataUrls = 0;
	const t0 = now();
	const errors = await run(tasks, writers, async (t) => {
		const id = taskId(runId, t);
		const done = [];
		for (let n = 0; n < perTask; n++) {
			const g0 = now();
			const buf = image(id, n, size);
			const digest = sha256(buf);
			const asUrl = (t * perTask + n) % 2 === 1;
			const data = asUrl ? `data:image/png;base64,${buf.toString('base64')}` : buf;
			const s0 = now();
			genSeconds += s0 - g0;
			let url;
			try {
				url = await storage.saveImage(id, n, data);
			} catch (e) {
				throw new Error(`saveImage(${id}, ${n}): ${errText(e)}`, { cause: e });
			}
			ms.push((now() - s0) * 1000);
			const expect = `/generated/images/${id}/${n}.png`;
			if (url !== expect) throw new Error(`saveImage returned ${url}, expected ${expect}`);
			bytes += buf.length;
			dataUrls += asUrl ? 1 : 0;
			done.push({ url, path: path.resolve(o.public, '.' + url), sha256: digest, size: buf.length });
		}
		entries[t] = done;
	});
	const seconds = now() - t0;
	const flat = entries.filter(Boolean).flat();
	fs.writeFileSync(o.manifest, flat.map((e) => JSON.stringify(e) + '\n').join(''));
	for (const { e } of errors.slice(0, 10)) console.error(`localstorage: ${errText(e)}`);
	const mibs = bytes / 1048576 / seconds;
	console.log(`summary mode=write run=${runId} count=${flat.length} tasks=${tasks} per_task=${perTask} ` +
		`writers=${writers} data_urls=${dataUrls} bytes=${bytes} seconds=${seconds.toFixed(2)} ` +
		`mib_per_s=${mibs.toFixed(1)} gen_seconds=${genSeconds.toFixed(2)} ${latencies(ms)} ` +
		`errors=${errors.length}`);
	return errors.length ? 1 : 0;
}

async function verify(o) {
	const readers = int(o, 'readers', 4);
	let lines;
	try {
		lines = fs.readFileSync(o.verify, 'utf8').split('\n').filter((l) => l.trim() !== '');
	} catch (e) {
		console.error(`localstorage: --verify ${o.verify}: ${errText(e)}`);
		return 1;
	}
	const entries = lines.map((l) => JSON.parse(l));
	const bad = [];
	const ms = [];
	let bytes = 0;
	const t0 = now();
	const errors = await run(entries.length, readers, async (i) => {
		const e = entries[i];
		const file = path.join(o.public, e.url);
		const r0 = now();
		let buf;
		try {
			buf = await fs.promises.readFile(file);
		} catch (err) {
			bad.push(`${file}: read failed: ${errText(err)}`);
			return;
		}
		ms.push((now() - r0) * 1000);
		bytes += buf.length;
		const digest = sha256(buf);
		if (buf.length !== e.size || digest !== e.sha256)
			bad.push(`${file}: ${buf.length} bytes sha256 ${digest}, expected ${e.size} bytes ${e.sha256}`);
	});
	const seconds = now() - t0;
	for (const b of bad.slice(0, 20)) console.error(`localstorage: ${b}`);
	if (bad.length > 20) console.error(`localstorage: ... and ${bad.length - 20} more`);
	for (const { e } of errors) console.error(`localstorage: ${errText(e)}`);
	console.log(`summary mode=verify count=${entries.length} readers=${readers} bytes=${bytes} ` +
		`seconds=${seconds.toFixed(2)} mib_per_s=${(bytes / 1048576 / seconds).toFixed(1)} ` +
		`${latencies(ms)} bad=${bad.length + errors.length}`);
	return bad.length || errors.length ? 1 : 0;
}

function usage(msg) {
	console.error(`localstorage: ${msg}\n` +
		'usage: localstorage.mjs --public DIR --tasks N --per-task N --writers N --size BYTES --manifest FILE [--run-id HEX8]\n' +
		'       localstorage.mjs --verify MANIFEST --public DIR [--readers N]');
	process.exit(2);
}

function int(o, name, dflt) {
	if (o[name] === undefined) return dflt;
	if (!/^[0-9]+$/.test(o[name])) usage(`--${name} takes a number, not '${o[name]}'`);
	return Number(o[name]);
}

async function main() {
	let o;
	try {
		({ values: o } = parseArgs({
			options: Object.fromEntries(['public', 'tasks', 'per-task', 'writers', 'size', 'manifest',
				'run-id', 'verify', 'readers'].map((k) => [k, { type: 'string' }])),
		}));
	} catch (e) {
		usage(e.message);
	}
	if (!o.public) usage('--public DIR is needed');
	return o.verify !== undefined ? verify(o) : write(o);
}

if (process.argv[1] && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href) {
	main().then((rc) => process.exit(rc), (e) => {
		console.error(`localstorage: ${errText(e)}`);
		process.exit(1);
	});
}
