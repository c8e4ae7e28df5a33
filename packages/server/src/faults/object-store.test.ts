/**
 * The S3-compatible object store stopped and restarted under a running `vaultmark serve`: s3s-fs,
 * which verifies request signatures like a real store. While it is down `/readyz` names `storage`,
 * an upload fails with an error and leaves no track behind; once it is back, readiness returns,
 * uploads work and what was stored before is intact. The server runs as a process (the AWS SDK
 * is loaded the way it is in production, not through the test runner's module conditions).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { type CliProcess, killHard, startCli } from '../../test/cli-process.js';
import { closedPort } from '../../test/fake-smtp.js';
import { tone } from '../../test/tone.js';
import { Browserless, eventually } from '../../test/vault-server.js';

/** The s3s-fs binary: `VAULTMARK_S3S_FS`, `s3s-fs` on PATH, or cargo's bin directory. */
function s3sBinary(): string | undefined {
  const candidates = [
    process.env.VAULTMARK_S3S_FS,
    ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, 's3s-fs')),
    join(process.env.CARGO_HOME ?? join(homedir(), '.cargo'), 'bin', 's3s-fs'),
  ];
  return candidates.find((path): path is string => Boolean(path && existsSync(path)));
}

const binary = s3sBinary();
const dir = mkdtempSync(join(tmpdir(), 'vaultmark-s3-fault-'));
const credentials = {
  S3_ACCESS_KEY_ID: 'VMFAULTACCESS',
  S3_SECRET_ACCESS_KEY: 'vm-fault-secret-0123',
};
let store: ChildProcess | undefined;
let served: CliProcess | undefined;
afterAll(async () => {
  if (served) await killHard(served);
  await stopStore();
  rmSync(dir, { recursive: true, force: true });
});

async function startStore(port: number): Promise<void> {
  store = spawn(
    binary as string,
    [
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--access-key',
      credentials.S3_ACCESS_KEY_ID,
      '--secret-key',
      credentials.S3_SECRET_ACCESS_KEY,
      join(dir, 'store'),
    ],
    { stdio: 'ignore' },
  );
  await eventually(
    () =>
      fetch(`http://127.0.0.1:${port}/`).then(
        () => true,
        () => undefined,
      ),
    30_000,
  );
}

async function stopStore(): Promise<void> {
  const child = store;
  store = undefined;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
}

// CI installs s3s-fs (scripts/setup-system.sh); elsewhere the case runs when it is installed.
it.skipIf(!binary && !process.env.CI)(
  'reports the store down, refuses uploads cleanly, and recovers when it is back',
  async () => {
    expect(binary, 's3s-fs is not installed: cargo install s3s-fs --features binary').toBeDefined();
    mkdirSync(join(dir, 'store', 'vault'), { recursive: true });
    const port = await closedPort();
    await startStore(port);
    const data = join(dir, 'data');
    served = startCli(['serve', '--port', '0', '--data', data], {
      S3_BUCKET: 'vault',
      S3_ENDPOINT: `http://127.0.0.1:${port}`,
      ...credentials,
    });
    const base = (await served.printed(/listening on (http:\/\/\S+)/))[1] as string;
    const owner = new Browserless(base, join(data, 'outbox'));
    await owner.register('store@example.com', 'Store');
    const wav = readFileSync(tone(dir, 'take.wav', { seconds: 2 }));
    const upload = (name: string) => {
      const form = new FormData();
      form.set('file', new Blob([wav]), name);
      return owner.json<{ id: string; error?: { code: string } }>('POST', '/api/tracks', form);
    };
    const titles = async () =>
      (await owner.json<{ items: { title: string }[] }>('GET', '/api/tracks')).body.items
        .map((t) => t.title)
        .sort();
    const first = await upload('Before.wav');
    expect(first.status).toBe(201);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    await stopStore();
    const readiness = await fetch(`${base}/readyz`);
    expect(readiness.status).toBe(503);
    expect(await readiness.json()).toEqual({ status: 'not_ready', failing: ['storage'] });
    const refused = await upload('During.wav');
    expect(refused.status).toBeGreaterThanOrEqual(500);
    expect(refused.body.error?.code).toMatch(/^[a-z_]+$/);
    // No half-written track: the blob is stored before the row, and the row never came.
    expect(await titles()).toEqual(['Before']);

    await startStore(port);
    await eventually(async () =>
      (await fetch(`${base}/readyz`)).status === 200 ? true : undefined,
    );
    expect((await upload('After.wav')).status).toBe(201);
    expect(await titles()).toEqual(['After', 'Before']);
    // What was stored before the outage reads back intact.
    const audio = await owner.request('GET', `/api/tracks/${first.body.id}/audio`);
    expect(audio.status).toBe(200);
    const bytes = Buffer.from(await audio.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(
      createHash('sha256').update(wav).digest('hex'),
    );
  },
  120_000,
);
