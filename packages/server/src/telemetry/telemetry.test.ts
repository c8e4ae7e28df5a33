import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tone } from '../../test/tone.js';
import { Browserless, engines, startTestServer, type TestServer } from '../../test/vault-server.js';

const METRICS_TOKEN = 'operator-metrics-token';

describe.each(engines)('telemetry of a running server on %s', (engine) => {
  let t: TestServer;
  let owner: Browserless;
  let token: string;

  beforeAll(async () => {
    t = await startTestServer(engine, { worker: false, env: { METRICS_TOKEN } });
    owner = new Browserless(t.url);
    await owner.register('telemetry@example.org');
    token = (
      await owner.json<{ token: string }>('POST', '/api/auth/tokens', {
        password: 'correct horse battery',
      })
    ).body.token;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('counts a finished tus upload per organization, like a multipart one', async () => {
    const bytes = readFileSync(tone(t.dataDir, 'take.wav', { seconds: 1 }));
    const auth = { Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0' };
    const create = await fetch(`${t.url}/api/uploads`, {
      method: 'POST',
      headers: {
        ...auth,
        'Upload-Length': String(bytes.length),
        'Upload-Metadata': `filename ${Buffer.from('Take.wav').toString('base64')}`,
      },
    });
    expect(create.status).toBe(201);
    const location = new URL(create.headers.get('location') as string, t.url);
    const half = bytes.length >> 1;
    for (const [offset, piece] of [
      [0, bytes.subarray(0, half)],
      [half, bytes.subarray(half)],
    ] as const) {
      const r = await fetch(location, {
        method: 'PATCH',
        headers: {
          ...auth,
          'Upload-Offset': String(offset),
          'Content-Type': 'application/offset+octet-stream',
        },
        body: new Uint8Array(piece),
      });
      expect(r.status).toBeLessThan(300);
    }
    const metrics = await (
      await fetch(`${t.url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })
    ).text();
    const uploads = metrics
      .split('\n')
      .filter(
        (l) => l.startsWith('vaultmark_organization_events_total{') && /event="upload"/.test(l),
      );
    // One upload (the finished one), not one per chunk, under a hashed label.
    expect(uploads).toHaveLength(1);
    expect(uploads[0]).toMatch(/organization="[0-9a-f]{16}",event="upload"} 1$/);
    expect(metrics).not.toContain(owner.organizationId as string);
    // Requests to tus are measured under a route template, never the upload's id.
    expect(metrics).toContain('route="/api/uploads/:id"');
    expect(metrics).not.toContain(location.pathname);
  });

  it('keeps request logs (id, method, route, status, latency) in a file per day', async () => {
    const answer = await fetch(`${t.url}/api/tracks?secret=query`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const requestId = answer.headers.get('x-request-id');
    expect(requestId).toBeTruthy();
    const dir = join(t.dataDir, 'request-logs');
    let line: Record<string, unknown> | undefined;
    for (let i = 0; i < 50 && !line; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const files = readdirSync(dir).filter((f) => /^requests-\d{4}-\d\d-\d\d\.jsonl$/.test(f));
      const lines = files.flatMap((f) =>
        readFileSync(join(dir, f), 'utf8').trim().split('\n').filter(Boolean),
      );
      line = lines.map((l) => JSON.parse(l)).find((l) => l.requestId === requestId);
    }
    expect(line).toMatchObject({ method: 'GET', route: '/api/tracks', status: 200 });
    expect(Object.keys(line ?? {}).sort()).toEqual(
      ['at', 'latencyMs', 'method', 'requestId', 'route', 'status'].sort(),
    );
    expect(JSON.stringify(line)).not.toContain('secret');
  });
});
