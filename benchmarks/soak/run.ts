/**
 * Soak run: a deployment as it is operated — `vaultmark serve --no-worker` and `vaultmark worker`
 * as separate processes on PostgreSQL (a fresh schema), on S3 (s3s-fs, when installed) or a shared
 * blob directory — under steady mixed load for a fixed time:
 *
 * - recipients stream their watermarked copy and seek (256 KiB ranges at random offsets);
 * - an owner shares and lists the catalog every 2 s, and uploads a track every 32 s;
 * - an investigation runs on a recipient's copy a third of the way in.
 *
 * Reports every operation's count, errors (must be 0), p50/p99 latency, and each process's
 * resident memory over time (must be flat: the slope over the second half is printed).
 *
 *   DATABASE_URL=postgres://... pnpm bench:soak [--seconds 600] [--recipients 8]
 *
 * Exits 1 when any operation failed. A short smoke: `--seconds 30 --recipients 2`.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '600' },
    recipients: { type: 'string', default: '8' },
    out: { type: 'string', default: join(import.meta.dirname, '..', 'out') },
  },
});
const seconds = Number(values.seconds);
const recipientCount = Number(values.recipients);
/** A request without an answer for this long counts as an error (the server hangs). */
const REQUEST_TIMEOUT_MS = 60_000;
/** Bytes a seek reads: a player's first buffer after a jump. */
const RANGE = 256 * 1024;
const databaseUrl = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
if (!databaseUrl) throw new Error('bench:soak needs DATABASE_URL (or TEST_DATABASE_URL)');

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'vaultmark-soak-'));
const children: ChildProcess[] = [];
const schema = `soak_${randomBytes(4).toString('hex')}`;
const psql = (sql: string) => execFileSync('psql', [databaseUrl, '-qc', sql], { stdio: 'ignore' });

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Starts `vaultmark <args>` from the sources; resolves once `ready` is printed. */
async function vaultmark(args: string[], env: Record<string, string>, ready: RegExp) {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@vaultmark/source',
      '--import',
      'tsx',
      join(root, 'packages/cli/src/bin.ts'),
      ...args,
    ],
    {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d;
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d;
  });
  for (let i = 0; i < 1200; i++) {
    const match = ready.exec(out);
    if (match) return { child, match, output: () => out };
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  throw new Error(`vaultmark ${args[0]} did not start:\n${out}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A music-like stereo WAV (chords, pulse, pink noise) made by ffmpeg. */
function music(name: string, length: number): Buffer {
  const path = join(dir, name);
  const chord = (f: number) => `0.12*sin(2*PI*${f}*t)*(0.6+0.4*sin(2*PI*4*t))`;
  const source = [220, 277.2, 329.6, 440].map(chord).join('+');
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `aevalsrc=${source}|${source}:s=44100:d=${length}`,
    '-f',
    'lavfi',
    '-i',
    `anoisesrc=c=pink:a=0.03:s=44100:d=${length}:seed=7`,
    '-filter_complex',
    '[1:a]aformat=channel_layouts=stereo[n];[0:a][n]amix=inputs=2:normalize=0',
    '-c:a',
    'pcm_s16le',
    path,
  ]);
  return readFileSync(path);
}

/** A client keeping the session cookie and CSRF token, like the web pages. */
class Client {
  cookie = '';
  csrf = '';
  constructor(readonly base: string) {}
  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const h: Record<string, string> = { Accept: 'application/json', ...headers };
    if (this.cookie) h.Cookie = this.cookie;
    if (this.csrf) h['X-CSRF-Token'] = this.csrf;
    let payload: BodyInit | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      h['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const response = await fetch(new URL(path, this.base), {
      method,
      headers: h,
      body: payload,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const set = response.headers.getSetCookie().map((c) => c.split(';')[0]);
    if (set.length) this.cookie = set.join('; ');
    return response;
  }
  async json<T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const response = await this.call(method, path, body);
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }
}

// --- measurements -------------------------------------------------------------------------------

const latencies = new Map<string, number[]>();
const errors = new Map<string, string[]>();
async function measure<T>(op: string, fn: () => Promise<T>): Promise<T | undefined> {
  const started = performance.now();
  try {
    const value = await fn();
    const list = latencies.get(op) ?? [];
    list.push(performance.now() - started);
    latencies.set(op, list);
    return value;
  } catch (error) {
    const list = errors.get(op) ?? [];
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const message = error instanceof Error ? error.message : String(error);
    list.push(cause ? `${message} (${cause.code ?? cause.message})` : message);
    errors.set(op, list);
    return undefined;
  }
}
function expectStatus(response: { status: number }, status: number, what: string): void {
  if (response.status !== status) throw new Error(`${what}: HTTP ${response.status}`);
}
const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;

/** Open file descriptors (sockets included) of a process: a leak shows as steady growth. */
function openFiles(pid: number | undefined): number {
  try {
    return pid ? readdirSync(`/proc/${pid}/fd`).length : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

function rssMiB(pid: number | undefined): number {
  if (!pid) return NaN;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}

/** Least-squares slope of `values` sampled every `stepSeconds`, in units per minute. */
function slopePerMinute(values: number[], stepSeconds: number): number {
  const n = values.length;
  if (n < 2) return 0;
  const xs = values.map((_, i) => i * stepSeconds);
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = values.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (values[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return (num / den) * 60;
}

// --- the deployment ----------------------------------------------------------------------------

function s3sBinary(): string | undefined {
  const candidates = [
    process.env.VAULTMARK_S3S_FS,
    ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, 's3s-fs')),
    join(process.env.CARGO_HOME ?? join(homedir(), '.cargo'), 'bin', 's3s-fs'),
  ];
  return candidates.find((p): p is string => Boolean(p && existsSync(p)));
}

try {
  psql(`CREATE SCHEMA ${schema}`);
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const data = join(dir, 'data');
  const env: Record<string, string> = {
    DATABASE_URL: url.toString(),
    VAULTMARK_KEK_FILE: join(dir, 'kek.key'),
  };
  const s3s = s3sBinary();
  let storage = 'a shared blob directory';
  if (s3s) {
    const port = await freePort();
    mkdirSync(join(dir, 's3', 'vault'), { recursive: true });
    const keys = { S3_ACCESS_KEY_ID: 'SOAKACCESS', S3_SECRET_ACCESS_KEY: 'soak-secret-0123456789' };
    children.push(
      spawn(
        s3s,
        [
          '--host',
          '127.0.0.1',
          '--port',
          String(port),
          '--access-key',
          keys.S3_ACCESS_KEY_ID,
          '--secret-key',
          keys.S3_SECRET_ACCESS_KEY,
          join(dir, 's3'),
        ],
        { stdio: 'ignore' },
      ),
    );
    Object.assign(env, { S3_BUCKET: 'vault', S3_ENDPOINT: `http://127.0.0.1:${port}`, ...keys });
    storage = 's3s-fs';
    await sleep(500);
  }
  // A fixed port: share links are made from the public address, which names it.
  const server = await vaultmark(
    ['serve', '--no-worker', '--port', String(await freePort()), '--data', data],
    env,
    /listening on (http:\/\/\S+)/,
  );
  const worker = await vaultmark(['worker', '--data', data], env, /worker \S+ running/);
  const base = server.match[1] as string;
  console.log(`soak: ${seconds} s, ${recipientCount} recipients, PostgreSQL and ${storage}`);

  // An owner with a catalog and one share for the listeners.
  const owner = new Client(base);
  const email = 'soak@example.com';
  expectStatus(
    await owner.call('POST', '/api/auth/register', {
      email,
      password: 'correct horse battery',
      displayName: 'Soak',
    }),
    202,
    'register',
  );
  let code: string | undefined;
  for (let i = 0; i < 100 && !code; i++) {
    const outbox = join(data, 'outbox');
    const mails = existsSync(outbox) ? readdirSync(outbox).filter((n) => n.endsWith('.eml')) : [];
    code = mails
      .map((n) => /code is (\d{6})/.exec(readFileSync(join(outbox, n), 'utf8'))?.[1])
      .find(Boolean);
    if (!code) await sleep(100);
  }
  const verified = await owner.json<{ csrfToken: string }>('POST', '/api/auth/register/verify', {
    code,
  });
  expectStatus(verified, 201, 'verify');
  owner.csrf = verified.body.csrfToken;

  const upload = async (name: string, wav: Buffer) => {
    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(wav)]), name);
    const created = await owner.json<{ id: string }>('POST', '/api/tracks', form);
    expectStatus(created, 201, 'upload');
    return created.body.id;
  };
  const analysed = async (id: string) => {
    for (let i = 0; i < 1200; i++) {
      const track = await owner.json<{ analysisStatus: string }>('GET', `/api/tracks/${id}`);
      if (track.body.analysisStatus === 'done') return;
      if (track.body.analysisStatus === 'failed') throw new Error('analysis failed');
      await sleep(250);
    }
    throw new Error('analysis did not finish');
  };
  const master = music('master.wav', 120);
  const trackId = await upload('Master.wav', master);
  await analysed(trackId);
  const shared = await owner.json<{ links: { url: string; recipientEmail: string }[] }>(
    'POST',
    '/api/shares',
    {
      trackIds: [trackId],
      allowDownload: true,
      recipients: Array.from({ length: recipientCount }, (_, i) => ({
        name: `Listener ${i}`,
        email: `listener${i}@example.com`,
      })),
    },
  );
  expectStatus(shared, 201, 'share');
  const links = shared.body.links;
  const small = music('small.wav', 10);

  const deadline = Date.now() + seconds * 1000;
  const memory: Array<{
    at: number;
    server: number;
    worker: number;
    serverFds: number;
    workerFds: number;
  }> = [];
  const sampler = setInterval(() => {
    memory.push({
      at: Math.round((Date.now() - (deadline - seconds * 1000)) / 1000),
      server: rssMiB(server.child.pid),
      worker: rssMiB(worker.child.pid),
      serverFds: openFiles(server.child.pid),
      workerFds: openFiles(worker.child.pid),
    });
  }, 5000);

  /** What a player does: learn the stream's size from a first range, then seek at random. */
  const listen = async (link: string) => {
    const url = `${link}/tracks/${trackId}/stream`;
    const range = (from: number, to: number) =>
      fetch(url, {
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        headers: { Range: `bytes=${from}-${to}` },
      });
    const size = await measure('stream (start)', async () => {
      const first = await range(0, RANGE - 1);
      expectStatus(first, 206, 'stream');
      await first.arrayBuffer();
      const total = Number(/\/(\d+)$/.exec(first.headers.get('content-range') ?? '')?.[1]);
      if (!(total > 0)) throw new Error('stream: no Content-Range total');
      return total;
    });
    if (!size) return;
    let seed = link.length;
    while (Date.now() < deadline) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const offset = seed % Math.max(1, size - RANGE);
      const end = Math.min(size, offset + RANGE) - 1;
      await measure('stream (seek, 256 KiB)', async () => {
        const response = await range(offset, end);
        expectStatus(response, 206, 'stream');
        const bytes = (await response.arrayBuffer()).byteLength;
        if (bytes !== end - offset + 1) throw new Error(`stream: ${bytes} bytes`);
      });
    }
  };
  // Uploads are limited to 120 an hour per client address (docs/operations.md): one every
  // 32 s stays under it however long the run; shares and listings go every 2 s.
  const work = async () => {
    let n = 0;
    let lastUpload = 0;
    let latest = trackId;
    while (Date.now() < deadline) {
      if (Date.now() - lastUpload >= 32_000) {
        lastUpload = Date.now();
        const id = await measure('upload (10 s WAV)', () => upload(`Take ${n}.wav`, small));
        if (id) latest = id;
      }
      n++;
      await measure('share (1 recipient)', async () => {
        const r = await owner.json('POST', '/api/shares', {
          trackIds: [latest],
          recipients: [{ name: 'Press', email: `press${n}@example.com` }],
        });
        expectStatus(r, 201, 'share');
      });
      await measure('list tracks', async () => {
        expectStatus(await owner.call('GET', '/api/tracks?limit=50'), 200, 'list');
      });
      await sleep(2000);
    }
  };
  const investigate = async () => {
    await sleep((seconds * 1000) / 3);
    const leaked = links[0]!;
    await measure('investigation (whole track)', async () => {
      const copy = await fetch(`${leaked.url}/tracks/${trackId}/download`, {
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      expectStatus(copy, 200, 'download');
      const form = new FormData();
      form.set('file', new Blob([await copy.arrayBuffer()]), 'found.wav');
      const started = await owner.json<{ id: string }>('POST', '/api/investigations', form);
      expectStatus(started, 202, 'investigation');
      for (;;) {
        const state = await owner.json<{
          status: string;
          result?: { identified: boolean; recipient?: { email: string } };
        }>('GET', `/api/investigations/${started.body.id}`);
        if (state.body.status === 'failed') throw new Error('investigation failed');
        if (state.body.status === 'succeeded') {
          if (state.body.result?.recipient?.email !== leaked.recipientEmail) {
            throw new Error('investigation did not name the recipient');
          }
          return;
        }
        await sleep(1000);
      }
    });
  };
  await Promise.all([...links.map((l) => listen(l.url)), work(), investigate()]);
  clearInterval(sampler);

  // --- report ----------------------------------------------------------------------------------
  const rows = [...new Set([...latencies.keys(), ...errors.keys()])].map((op) => {
    const sorted = [...(latencies.get(op) ?? [])].sort((a, b) => a - b);
    return {
      op,
      ok: sorted.length,
      errors: errors.get(op)?.length ?? 0,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
    };
  });
  const half = memory.slice(Math.floor(memory.length / 2));
  const slope = {
    server: slopePerMinute(
      half.map((m) => m.server),
      5,
    ),
    worker: slopePerMinute(
      half.map((m) => m.worker),
      5,
    ),
  };
  /** A sample's value at the start, the middle and the end of the run. */
  const pick = (value: (m: (typeof memory)[number]) => number) =>
    [memory[0], memory[Math.floor(memory.length / 2)], memory.at(-1)]
      .map((m) => (m ? value(m).toFixed(0) : '-'))
      .join(' / ');
  const lines = [
    `# Soak run: ${seconds} s, ${recipientCount} recipients, PostgreSQL and ${storage}`,
    '',
    '| operation | ok | errors | p50 ms | p99 ms |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) => `| ${r.op} | ${r.ok} | ${r.errors} | ${r.p50.toFixed(0)} | ${r.p99.toFixed(0)} |`,
    ),
    '',
    `Resident memory (MiB) at start, middle, end: server ${pick((m) => m.server)}, worker ${pick((m) => m.worker)}.`,
    `Slope over the second half: server ${slope.server.toFixed(2)} MiB/min, worker ${slope.worker.toFixed(2)} MiB/min.`,
    `Open files at start, middle, end: server ${pick((m) => m.serverFds)}, worker ${pick((m) => m.workerFds)}.`,
  ];
  for (const [op, list] of errors)
    lines.push('', `Errors of ${op}: ${[...new Set(list)].slice(0, 5).join('; ')}`);
  if (errors.size > 0) {
    console.error(`server output:\n${server.output().slice(-3000)}`);
    console.error(`worker output:\n${worker.output().slice(-3000)}`);
  }
  console.log(lines.join('\n'));
  mkdirSync(values.out, { recursive: true });
  writeFileSync(join(values.out, 'soak.md'), `${lines.join('\n')}\n`);
  writeFileSync(
    join(values.out, 'soak.json'),
    JSON.stringify({ seconds, recipients: recipientCount, storage, rows, memory, slope }, null, 2),
  );
  process.exitCode = rows.some((r) => r.errors > 0) ? 1 : 0;
} finally {
  for (const child of children.reverse()) {
    if (child.exitCode === null) child.kill('SIGTERM');
  }
  await sleep(1500);
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  try {
    psql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } catch {
    // Left for the operator.
  }
  rmSync(dir, { recursive: true, force: true });
}
