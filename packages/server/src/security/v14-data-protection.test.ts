/**
 * ASVS 5.0 V14 — Data Protection: audio is never on disk in plaintext, not even for the seconds
 * an upload is in flight, and not after a crash. The crash cases run the real `vaultmark serve`
 * process, kill it with SIGKILL in the middle of uploads and of a share creation, and start it
 * again on the same data directory: no spool or partial file is left, nothing half-created is
 * listed, the audit chain verifies. A data-directory lock left by a dead owner is taken over.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Agent,
  bearerOf,
  buildWorld,
  enableTotp,
  filesUnder,
  fillPath,
  noiseWav,
  Outbox,
  paramValue,
  plaintextFiles,
  preparedDataDir,
  prepareServers,
  signIn,
  signUp,
  uniqueEmail,
  uploadTrack,
  type World,
} from '../../test/adversary.js';
import { engines, eventually, startTestServer } from '../../test/vault-server.js';

const servers = await prepareServers();
const root = fileURLToPath(new URL('../../../../', import.meta.url));

/** An upload whose body is sent in two halves, so a test can look at the disk in between. */
interface SlowUpload {
  /** Sends the rest; resolves with the answer's status (or 0 when the server went away). */
  finish(): Promise<number>;
  /** The answer's status, once there is one. */
  answer: Promise<number>;
}

/** Starts a multipart upload of `payload` and sends its first half. */
function slowMultipart(agent: Agent, payload: Buffer, fileName: string): SlowUpload {
  const boundary = `----vaultmark${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: audio/wav\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const req = request(new URL('/api/tracks', agent.base), {
    method: 'POST',
    headers: {
      Cookie: [...agent.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      'X-CSRF-Token': agent.csrf!,
      'Content-Type': `multipart/form-data; boundary=${boundary}`,
      'Content-Length': head.length + payload.length + tail.length,
    },
  });
  const answer = new Promise<number>((resolve) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.on('error', () => resolve(0));
  });
  const half = Math.floor(payload.length / 2);
  req.write(head);
  req.write(payload.subarray(0, half));
  return {
    answer,
    finish() {
      req.end(Buffer.concat([payload.subarray(half), tail]));
      return answer;
    },
  };
}

/** Creates a tus upload of `payload` and sends its first half; returns its path. */
async function partialTus(bearer: Agent, payload: Buffer): Promise<string> {
  const created = await bearer.send('POST', '/api/uploads', {
    headers: {
      'Tus-Resumable': '1.0.0',
      'Upload-Length': String(payload.length),
      'Upload-Metadata': `filename ${Buffer.from('Partial Take.wav').toString('base64')}`,
    },
  });
  expect(created.status, created.text).toBe(201);
  const path = new URL(created.headers.get('location')!, bearer.base).pathname;
  const half = Math.floor(payload.length / 2);
  const patched = await bearer.send('PATCH', path, {
    headers: {
      'Tus-Resumable': '1.0.0',
      'Upload-Offset': '0',
      'Content-Type': 'application/offset+octet-stream',
    },
    body: payload.subarray(0, half),
  });
  expect(patched.status, patched.text).toBe(204);
  return path;
}

/** Waits until `dir` holds a file of at least `bytes` (the spool of an upload in flight). */
async function spooled(dir: string, bytes: number): Promise<void> {
  const { statSync } = await import('node:fs');
  await eventually(async () =>
    filesUnder(dir).some((f) => statSync(join(dir, f)).size >= bytes) ? true : undefined,
  );
}

describe.each(engines)('V14 data protection on %s', (engine) => {
  let w: World;
  beforeAll(async () => {
    w = await buildWorld(engine, await servers.take(engine));
  });
  afterAll(async () => {
    await w?.t.stop();
  });

  describe('uploads in flight', () => {
    const payload = noiseWav(30, 1234);
    let upload: SlowUpload;
    let tusPath: string;
    let inFlight: { tmp: string[]; uploads: string[] };
    beforeAll(async () => {
      const agent = w.attacker.agent;
      upload = slowMultipart(agent, payload, 'In Flight.wav');
      tusPath = await partialTus(await bearerOf(agent), payload);
      await spooled(join(w.t.dataDir, 'tmp'), payload.length / 4);
      inFlight = {
        tmp: plaintextFiles(join(w.t.dataDir, 'tmp'), payload),
        uploads: plaintextFiles(join(w.t.dataDir, 'uploads'), payload),
      };
    });

    it('a multipart upload is not spooled in plaintext while it streams in', () => {
      expect(inFlight.tmp).toEqual([]);
    });

    it('an unfinished resumable upload is not kept in plaintext', () => {
      expect(inFlight.uploads).toEqual([]);
      expect(tusPath).toMatch(/^\/api\/uploads\//);
    });

    it('a finished upload leaves no plaintext anywhere in the data directory', async () => {
      expect(await upload.finish()).toBe(201);
      expect(plaintextFiles(w.t.dataDir, payload, { skip: ['db'], magic: false })).toEqual([]);
      expect(plaintextFiles(join(w.t.dataDir, 'uploads'), payload)).toEqual([]);
    });
  });

  it('the plaintext detector finds a plaintext copy (so its silence means something)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vaultmark-detector-'));
    const payload = noiseWav(2, 4321);
    writeFileSync(join(dir, 'copy'), payload.subarray(5000, 40_000));
    writeFileSync(join(dir, 'header'), Buffer.concat([randomBytes(100), payload.subarray(0, 12)]));
    writeFileSync(join(dir, 'ciphertext'), randomBytes(100_000));
    expect(
      plaintextFiles(dir, payload)
        .map((f) => f.slice(dir.length + 1))
        .sort(),
    ).toEqual(['copy', 'header']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the account export holds no credential: no password hash, TOTP secret, recovery or session token', async () => {
    const user = await w.newcomer('exported');
    const factor = await enableTotp(user);
    const exported = await user.send('GET', '/api/account/export');
    expect(exported.status).toBe(200);
    expect(exported.text).not.toMatch(/\$argon2|password_hash|passwordHash/);
    expect(exported.text).not.toContain(factor.secret);
    for (const code of factor.recoveryCodes) expect(exported.text).not.toContain(code);
    expect(exported.text).not.toContain(user.session!);
    expect(exported.headers.get('cache-control')).toMatch(/no-store/);
  });

  it('no signed-in GET of the API answers with a credential', async () => {
    const v = w.victim;
    for (const op of w.operations.filter((o) => o.auth === 'user' && o.method === 'GET')) {
      const path = fillPath(op.path, (p) => paramValue(v.fx, op.path, p));
      const answer = await v.agent.send('GET', path);
      expect(answer.text, op.key).not.toMatch(/\$argon2|password_?hash|token_?hash|totp_?secret/i);
      expect(answer.text, op.key).not.toContain(v.agent.session!);
    }
  });

  it('stored audio is ciphertext: no upload of the world is readable on disk', () => {
    // The fixtures' tracks were uploaded as noise of known seeds (test/adversary.ts).
    for (const seed of ['victim', 'attacker'].map((l) => l.length * 31 + 5)) {
      const original = noiseWav(1.5, seed);
      expect(plaintextFiles(w.t.dataDir, original, { skip: ['db'], magic: false })).toEqual([]);
    }
  });
});

// The lock guards the embedded database only: one run, whatever the engines. The cases share one
// data directory (a restart reopens its database quickly), each leaving a different kind of owner
// in the lock file.
describe('V14 the data-directory lock (embedded database)', () => {
  let dir: string;
  let lockFile: string;
  const startAndStop = async () => {
    const server = await startTestServer('pglite', { dataDir: dir, worker: false });
    await server.stop();
  };
  beforeAll(async () => {
    dir = await preparedDataDir();
    lockFile = join(dir, 'vaultmark.pid');
    await startAndStop();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is taken over from a dead owner that left its pid behind', async () => {
    writeFileSync(lockFile, '999999999\n');
    await startAndStop();
  });

  it('is taken over when the pid in it now belongs to another process', async () => {
    const other = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      writeFileSync(lockFile, `${other.pid}\n`);
      await startAndStop();
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('is taken over when the pid in it is a zombie', async () => {
    // `sh` starts a short-lived child, then becomes `sleep`, which never reaps it.
    const parent = spawn('sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 60'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const zombie = await new Promise<string>((resolve) =>
        parent.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      writeFileSync(lockFile, `${zombie}\n`);
      await startAndStop();
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('still refuses a second server while the owner is alive', async () => {
    rmSync(lockFile, { force: true });
    const first = await startTestServer('pglite', { dataDir: dir, worker: false });
    try {
      await expect(startTestServer('pglite', { dataDir: dir, worker: false })).rejects.toThrow(
        /in use/,
      );
    } finally {
      await first.stop();
    }
  });
});

/** `vaultmark serve` as a real process on a data directory. */
class Served {
  url = '';
  private constructor(
    readonly child: ChildProcess,
    readonly output: { out: string; err: string },
  ) {}

  static async start(dataDir: string): Promise<Served> {
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent', TZ: 'UTC' };
    for (const name of ['DATABASE_URL', 'PORT', 'VAULTMARK_DATA', 'METRICS_TOKEN', 'SMTP_URL']) {
      delete env[name];
    }
    // The sources, through tsx and the workspace's source condition: what is tested is the tree.
    const child = spawn(
      process.execPath,
      [
        '--conditions=@vaultmark/source',
        '--import',
        'tsx',
        join(root, 'packages/cli/src/bin.ts'),
        'serve',
        '--port',
        '0',
        '--data',
        dataDir,
      ],
      { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const output = { out: '', err: '' };
    child.stdout!.on('data', (d: Buffer) => {
      output.out += d;
    });
    child.stderr!.on('data', (d: Buffer) => {
      output.err += d;
    });
    const served = new Served(child, output);
    served.url = await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`serve exited: ${output.err}`);
      return /listening on (http:\/\/\S+)/.exec(output.out)?.[1];
    }, 90_000);
    return served;
  }

  /** SIGKILL, and wait until the process is gone. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await gone;
  }
}

describe('V14 crash recovery of vaultmark serve (embedded, kill -9)', () => {
  let parent: string;
  let dataDir: string;
  const multipartPayload = noiseWav(40, 777);
  const tusPayload = noiseWav(20, 778);
  let served: Served | undefined;
  let user: Agent;
  const seen: Record<string, string[]> = {};

  beforeAll(async () => {
    // A data directory as a first start leaves it: the process reopens its database.
    parent = mkdtempSync(join(tmpdir(), 'vaultmark-crash-'));
    dataDir = await preparedDataDir(parent);
    served = await Served.start(dataDir);
    const outbox = new Outbox(join(dataDir, 'outbox'));
    user = await signUp(new Agent(served.url), outbox, uniqueEmail('crash'));
    const slow = slowMultipart(user, multipartPayload, 'Killed Upload.wav');
    await partialTus(await bearerOf(user), tusPayload);
    await spooled(join(dataDir, 'tmp'), multipartPayload.length / 4);
    await served.kill();
    void slow.answer;
    seen.tmpAfterKill = filesUnder(join(dataDir, 'tmp'));
    seen.plaintextAfterKill = [
      ...plaintextFiles(dataDir, multipartPayload, { skip: ['db'], magic: false }),
      ...plaintextFiles(dataDir, tusPayload, { skip: ['db'], magic: false }),
      ...plaintextFiles(join(dataDir, 'tmp'), tusPayload),
      ...plaintextFiles(join(dataDir, 'uploads'), tusPayload),
    ];
    served = await Served.start(dataDir);
    user = new Agent(served.url).withEmail(user);
    expect((await signIn(user)).status).toBe(200);
  }, 300_000);

  afterAll(async () => {
    await served?.kill();
    if (parent) rmSync(parent, { recursive: true, force: true });
  });

  it('left no plaintext of the killed uploads on disk, even before the restart', () => {
    expect(seen.plaintextAfterKill).toEqual([]);
  });

  it('restarts on the same data directory (the dead owner’s lock is taken over)', async () => {
    expect((await fetch(`${served!.url}/readyz`)).status).toBe(200);
  });

  it('was killed while the upload was spooling (the case tests what it says)', () => {
    expect(seen.tmpAfterKill!.length).toBeGreaterThan(0);
  });

  it('holds no spool files in tmp after the restart', () => {
    // Nothing was left to work on (the only upload was killed), so tmp is simply empty.
    expect(filesUnder(join(dataDir, 'tmp'))).toEqual([]);
  });

  it('holds no partial blob (.part) after the restart', () => {
    expect(filesUnder(dataDir).filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  it('holds no plaintext of the killed uploads anywhere after the restart', () => {
    expect([
      ...plaintextFiles(dataDir, multipartPayload, { skip: ['db'], magic: false }),
      ...plaintextFiles(dataDir, tusPayload, { skip: ['db'], magic: false }),
      ...plaintextFiles(join(dataDir, 'tmp'), tusPayload),
      ...plaintextFiles(join(dataDir, 'uploads'), tusPayload),
    ]).toEqual([]);
  });

  it('lists no half-created track', async () => {
    const tracks = await user.send('GET', '/api/tracks');
    expect(tracks.status).toBe(200);
    expect(tracks.body.total).toBe(0);
  });

  it('verifies the audit chain', async () => {
    const verified = await user.send('GET', '/api/audit/verify');
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ ok: true, problems: [] });
  });

  it('takes a new upload after the restart', async () => {
    const id = await uploadTrack(user, 'After Restart', 779);
    expect((await user.send('GET', `/api/tracks/${id}`)).status).toBe(200);
  });

  it('a share killed while it is created is there whole or not at all', async () => {
    const trackId = (await user.send('GET', '/api/tracks')).body.items[0].id as string;
    const recipients = Array.from({ length: 60 }, (_, i) => ({
      name: `Recipient ${i}`,
      email: `r${i}@example.com`,
    }));
    const pending = user
      .send('POST', '/api/shares', { body: { trackIds: [trackId], recipients } })
      .catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 40));
    await served!.kill();
    await pending;
    const leftBehind = filesUnder(join(dataDir, 'tmp'));
    served = await Served.start(dataDir);
    user = new Agent(served.url).withEmail(user);
    expect((await signIn(user)).status).toBe(200);
    const shares = await user.send('GET', '/api/shares');
    for (const share of shares.body.items as { recipientCount: number }[]) {
      expect(share.recipientCount).toBe(60);
    }
    const verified = await user.send('GET', '/api/audit/verify');
    expect(verified.body).toMatchObject({ ok: true, problems: [] });
    const now = new Set(filesUnder(join(dataDir, 'tmp')));
    expect(leftBehind.filter((f) => now.has(f))).toEqual([]);
    // The shared track (uploadTrack's noise of seed 779) is nowhere in plaintext either.
    expect(plaintextFiles(dataDir, noiseWav(1.5, 779), { skip: ['db'], magic: false })).toEqual([]);
  });
});
