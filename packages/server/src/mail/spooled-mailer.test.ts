import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Mailer, MailMessage } from '@vaultmark/vault-core';
import { afterAll, describe, expect, it } from 'vitest';
import { SpooledMailer } from './spooled-mailer.js';

const root = mkdtempSync(join(tmpdir(), 'vaultmark-spool-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const spoolDir = () => join(root, `spool-${n++}`);

/** A mail server that can be down (no connection), up, or refuse an address for good. */
class FlakyServer implements Mailer {
  up = false;
  readonly delivered: MailMessage[] = [];
  async send(m: MailMessage): Promise<void> {
    if (m.to.startsWith('bad')) {
      throw Object.assign(new Error('550 no such user'), { responseCode: 550 });
    }
    if (!this.up) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNECTION' });
    this.delivered.push(m);
  }
}

const mail = (to: string, subject = 'Hello'): MailMessage => ({ to, subject, text: `for ${to}` });

describe('SpooledMailer', () => {
  it('sends at once while the server is up and spools nothing', async () => {
    const server = new FlakyServer();
    server.up = true;
    const mailer = new SpooledMailer(server, spoolDir());
    await mailer.send(mail('a@example.com'));
    expect(server.delivered.map((m) => m.to)).toEqual(['a@example.com']);
    expect(await mailer.pending()).toBe(0);
  });

  it('keeps mail while the server is down and sends each message once, in order, when it returns', async () => {
    const server = new FlakyServer();
    const dir = spoolDir();
    const mailer = new SpooledMailer(server, dir);
    await mailer.send(mail('a@example.com', 'first'));
    await mailer.send(mail('b@example.com', 'second'));
    expect(await mailer.pending()).toBe(2);
    for (const name of readdirSync(dir)) expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
    expect(await mailer.flush()).toBe(0);
    expect(await mailer.pending()).toBe(2);

    server.up = true;
    // New mail queues behind the old and takes the whole queue along.
    await mailer.send(mail('c@example.com', 'third'));
    expect(server.delivered.map((m) => m.subject)).toEqual(['first', 'second', 'third']);
    expect(await mailer.pending()).toBe(0);
    expect(await mailer.flush()).toBe(0);
    expect(server.delivered).toHaveLength(3);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a permanently rejected address at once, and drops one found in the spool', async () => {
    const server = new FlakyServer();
    const mailer = new SpooledMailer(server, spoolDir());
    server.up = true;
    await expect(mailer.send(mail('bad@example.com'))).rejects.toThrow(/550/);
    expect(await mailer.pending()).toBe(0);
    server.up = false;
    await mailer.send(mail('ok@example.com'));
    // Spooled before the address was known to be bad: it must not block the queue behind it.
    writeFileSync(join(mailer.dir, '0000-bad.json'), JSON.stringify(mail('bad@example.com')));
    server.up = true;
    expect(await mailer.flush()).toBe(1);
    expect(server.delivered.map((m) => m.to)).toEqual(['ok@example.com']);
    expect(await mailer.pending()).toBe(0);
  });

  it('retries on its own every interval once started', async () => {
    const server = new FlakyServer();
    const mailer = new SpooledMailer(server, spoolDir());
    mailer.start(20);
    try {
      await mailer.send(mail('later@example.com'));
      expect(await mailer.pending()).toBe(1);
      server.up = true;
      await expect.poll(() => server.delivered.length, { timeout: 10_000 }).toBe(1);
      expect(await mailer.pending()).toBe(0);
    } finally {
      await mailer.stop();
    }
  });

  it('never sends a message twice from two processes sharing the spool, and takes over a dead claim', async () => {
    const server = new FlakyServer();
    const dir = spoolDir();
    // Two live processes: this one and its parent stand for the two owners of claims.
    const one = new SpooledMailer(server, dir, undefined, process.pid);
    const two = new SpooledMailer(server, dir, undefined, process.ppid);
    for (let i = 0; i < 20; i++) await one.send(mail(`r${i}@example.com`));
    // A message claimed by a process that died before sending it.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(
      join(dir, `0000-orphan.json.${dead}.sending`),
      JSON.stringify(mail('orphan@example.com')),
    );
    server.up = true;
    const [a, b] = await Promise.all([one.flush(), two.flush()]);
    expect(a + b).toBe(21);
    const recipients = server.delivered.map((m) => m.to);
    expect(new Set(recipients).size).toBe(21);
    expect(recipients).toContain('orphan@example.com');
    expect(readdirSync(dir)).toEqual([]);
  });
});
