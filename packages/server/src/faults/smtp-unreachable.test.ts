/**
 * The SMTP server unreachable: sign-up codes and share links are accepted and kept (a spool in the
 * data directory), and delivered once, in order, when the mail server answers again.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, FakeSmtp } from '../../test/fake-smtp.js';
import { tone } from '../../test/tone.js';
import {
  Browserless,
  engines,
  eventually,
  startTestServer,
  type TestServer,
} from '../../test/vault-server.js';

// PostgreSQL when the suite has it (as deployments with SMTP do), else the embedded database.
const engine = engines.at(-1)!;

describe(`SMTP unreachable (${engine})`, () => {
  const smtp = new FakeSmtp();
  let port: number;
  let t: TestServer;

  beforeAll(async () => {
    port = await closedPort();
    t = await startTestServer(engine, { env: { SMTP_URL: `smtp://127.0.0.1:${port}` } });
  });
  afterAll(async () => {
    await t?.stop();
    await smtp.close();
  });

  const codeIn = (email: string) => {
    const mails = smtp.to(email);
    expect(mails).toHaveLength(1);
    return /code is (\d{6})/.exec(mails[0]!.data)?.[1] as string;
  };

  it('keeps codes and share links while it is down and sends each once when it returns', async () => {
    // Sign-up while the mail server is down: accepted, the code waits in the spool.
    const owner = new Browserless(t.url);
    const asked = await owner.json('POST', '/api/auth/register', {
      email: 'down@example.com',
      password: 'correct horse battery',
      displayName: 'Down',
    });
    expect(asked.status, JSON.stringify(asked.body)).toBe(202);

    await smtp.listen(port);
    // The next mail finds the server back and takes the spooled one along, oldest first.
    const other = new Browserless(t.url);
    const second = await other.json('POST', '/api/auth/register', {
      email: 'back@example.com',
      password: 'correct horse battery',
      displayName: 'Back',
    });
    expect(second.status).toBe(202);
    expect(smtp.received.map((m) => m.to[0])).toEqual(['down@example.com', 'back@example.com']);

    // The code mailed late still signs the first user up.
    const verified = await owner.json<{ csrfToken: string }>('POST', '/api/auth/register/verify', {
      code: codeIn('down@example.com'),
    });
    expect(verified.status).toBe(201);
    owner.csrf = verified.body.csrfToken;

    // A share's link mails while the server is down again.
    await smtp.close();
    const form = new FormData();
    form.set(
      'file',
      new Blob([readFileSync(tone(t.dataDir, 'mail.wav', { seconds: 2 }))]),
      'M.wav',
    );
    const track = await owner.json<{ id: string }>('POST', '/api/tracks', form);
    await eventually(async () =>
      (await owner.json<{ analysisStatus: string }>('GET', `/api/tracks/${track.body.id}`)).body
        .analysisStatus === 'done'
        ? true
        : undefined,
    );
    const shared = await owner.json('POST', '/api/shares', {
      trackIds: [track.body.id],
      recipients: [
        { name: 'Ann', email: 'ann@example.com' },
        { name: 'Ben', email: 'ben@example.com' },
      ],
      notify: true,
    });
    expect(shared.status, JSON.stringify(shared.body)).toBe(201);
    await smtp.listen(port);
    const third = new Browserless(t.url);
    await third.json('POST', '/api/auth/register', {
      email: 'third@example.com',
      password: 'correct horse battery',
      displayName: 'Third',
    });
    for (const email of ['ann@example.com', 'ben@example.com', 'third@example.com']) {
      expect(smtp.to(email), email).toHaveLength(1);
    }
    expect(smtp.to('ann@example.com')[0]!.data).toMatch(/\/s\/[A-Za-z0-9_-]+/);
    // Nothing is sent twice.
    expect(smtp.to('down@example.com')).toHaveLength(1);
    expect(smtp.to('back@example.com')).toHaveLength(1);
  });
});
