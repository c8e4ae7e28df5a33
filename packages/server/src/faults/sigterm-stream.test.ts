/**
 * `vaultmark serve` stopped with SIGTERM while it streams audio: what a rolling restart does. The
 * server stops accepting connections at once; a listener that keeps reading gets the whole file,
 * intact; a listener that stalls is cut off when the grace period (10 s) ends, and the process
 * then exits cleanly.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { type CliProcess, killHard, startCli } from '../../test/cli-process.js';
import { tone } from '../../test/tone.js';
import { Browserless } from '../../test/vault-server.js';

const GRACE_MS = 10_000;
const dir = mkdtempSync(join(tmpdir(), 'vaultmark-sigterm-'));
let served: CliProcess | undefined;
afterAll(async () => {
  if (served) await killHard(served);
  rmSync(dir, { recursive: true, force: true });
});

/** A download held open by the client: paused until `resume()`, then read to the end. */
function openDownload(url: string, cookie: string) {
  return new Promise<{
    response: IncomingMessage;
    received(): number;
    resume(): Promise<{ complete: boolean; sha256: string; bytes: number }>;
  }>((resolve, reject) => {
    get(url, { headers: { Cookie: cookie } }, (response) => {
      const hash = createHash('sha256');
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
      });
      const ended = new Promise<{ complete: boolean; sha256: string; bytes: number }>((done) => {
        const finish = () =>
          done({ complete: response.complete, sha256: hash.digest('hex'), bytes });
        response.once('end', finish);
        response.once('close', () => {
          if (!response.readableEnded) finish();
        });
        response.once('error', () => {});
      });
      // Read one chunk, then hold the rest back: the stream is in flight at the server.
      response.once('data', () => response.pause());
      resolve({
        response,
        received: () => bytes,
        resume: () => {
          response.resume();
          return ended;
        },
      });
    }).on('error', reject);
  });
}

it('lets a stream in flight finish and cuts a stalled one at the grace period', async () => {
  const data = join(dir, 'data');
  // No worker: the upload's analysis would only add CPU load to what is measured.
  served = startCli(['serve', '--no-worker', '--port', '0', '--data', data]);
  const base = (await served.printed(/listening on (http:\/\/\S+)/))[1] as string;
  const owner = new Browserless(base, join(data, 'outbox'));
  await owner.register('term@example.com', 'Term');
  // About 21 MB: far more than the socket buffers hold, so the stream is really in flight.
  const wav = readFileSync(tone(dir, 'long.wav', { seconds: 120, args: ['-ac', '2'] }));
  const form = new FormData();
  form.set('file', new Blob([wav]), 'Long.wav');
  const uploaded = await owner.json<{ id: string }>('POST', '/api/tracks', form);
  expect(uploaded.status).toBe(201);
  const cookie = [...owner.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const audio = `${base}/api/tracks/${uploaded.body.id}/audio`;
  const listening = await openDownload(audio, cookie);
  const stalled = await openDownload(audio, cookie);
  expect(listening.response.statusCode).toBe(200);
  expect(listening.received()).toBeLessThan(wav.length);

  const stopping = Date.now();
  served.child.kill('SIGTERM');
  await served.printed(/SIGTERM: finishing requests in flight/);
  // No new connections once stopping.
  await expect(fetch(`${base}/healthz`)).rejects.toThrow();

  const finished = await listening.resume();
  expect(finished).toEqual({
    complete: true,
    sha256: createHash('sha256').update(wav).digest('hex'),
    bytes: wav.length,
  });
  expect(Date.now() - stopping).toBeLessThan(GRACE_MS);

  // The stalled listener holds the server until the grace period ends, then is cut off.
  const exited = await served.exited;
  const stoppedAfter = Date.now() - stopping;
  expect(exited.code, served.output()).toBe(0);
  expect(stoppedAfter).toBeGreaterThanOrEqual(GRACE_MS - 500);
  expect(stoppedAfter).toBeLessThan(GRACE_MS + 15_000);
  const cut = await stalled.resume();
  expect(cut.complete).toBe(false);
  expect(cut.bytes).toBeLessThan(wav.length);
}, 120_000);
