import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { expect, it } from 'vitest';
import { tone } from '../test/tone.js';
import { Browserless, startTestServer } from '../test/vault-server.js';

it('finishes an upload in flight when shutting down, and refuses new connections', async () => {
  const t = await startTestServer('pglite');
  const owner = new Browserless(t.url);
  await owner.register('slow@example.com', 'Slow');
  const wav = readFileSync(tone(t.dataDir, 'long.wav', { seconds: 4 }));
  const boundary = 'vaultmark-test-boundary';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.wav"\r\nContent-Type: audio/wav\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const body = Buffer.concat([head, wav, tail]);
  const cookie = [...owner.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(`${t.url}/api/tracks`, {
      method: 'POST',
      headers: {
        Cookie: cookie,
        'X-CSRF-Token': owner.csrf!,
        'Content-Type': `multipart/form-data; boundary=${boundary}`,
        'Content-Length': body.length,
      },
    });
    req.on('response', (response) => {
      let text = '';
      response.on('data', (chunk) => {
        text += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    // Half the body now, the rest after the shutdown has begun.
    req.write(body.subarray(0, body.length >> 1));
    setTimeout(() => req.end(body.subarray(body.length >> 1)), 500);
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  const stopping = t.server.close(10_000);
  await new Promise((resolve) => setTimeout(resolve, 100));
  await expect(fetch(`${t.url}/healthz`)).rejects.toThrow();
  const finished = await answer;
  expect(finished.status).toBe(201);
  expect(JSON.parse(finished.body)).toMatchObject({ title: 'slow', status: 'pending' });
  await stopping;
  await t.stop();
});
