import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVaultServer, loadConfig, type VaultServer } from '@vaultmark/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../test/run.js';

const dir = mkdtempSync(join(tmpdir(), 'vaultmark-trace-'));
let server: VaultServer;
let url: string;

/** The newest code mailed to `email` (the embedded server writes mail to `<data>/outbox`). */
function mailedCode(email: string): string {
  const outbox = join(dir, 'data', 'outbox');
  const mails = readdirSync(outbox)
    .sort()
    .map((name) => readFileSync(join(outbox, name), 'utf8'))
    .filter((text) => text.includes(`To: ${email}`));
  return /code is (\d{6})/.exec(mails.at(-1) ?? '')?.[1] ?? '';
}

/** Signs up on the server (confirming the emailed code) and returns a bearer token for scripts. */
async function tokenFor(email: string): Promise<string> {
  const password = 'a long test password';
  const json = { 'Content-Type': 'application/json' };
  const asked = await fetch(`${url}/api/auth/register`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ email, password, displayName: email }),
  });
  const binding = asked.headers.getSetCookie()[0]!.split(';')[0]!;
  const registered = await fetch(`${url}/api/auth/register/verify`, {
    method: 'POST',
    headers: { ...json, Cookie: binding },
    body: JSON.stringify({ code: mailedCode(email) }),
  });
  const cookie = registered.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith('vaultmark_session='))!;
  const { csrfToken } = (await registered.json()) as { csrfToken: string };
  const issued = await fetch(`${url}/api/auth/tokens`, {
    method: 'POST',
    headers: { ...json, Cookie: cookie, 'X-CSRF-Token': csrfToken },
    body: JSON.stringify({ password }),
  });
  return ((await issued.json()) as { token: string }).token;
}

beforeAll(async () => {
  const config = loadConfig({ LOG_LEVEL: 'silent' }, { dataDir: join(dir, 'data'), port: 0 });
  server = await createVaultServer({ config, workerIdleMs: 100 });
  url = (await server.listen(0)).url;
  config.publicBaseUrl = url;
}, 60_000);
afterAll(async () => {
  await server?.close(500);
  rmSync(dir, { recursive: true, force: true });
});

describe('vaultmark trace', () => {
  it('names the recipient of a leaked copy (exit 0) and finds nothing elsewhere (exit 1)', async () => {
    const owner = await tokenFor('owner@example.com');
    const auth = { Authorization: `Bearer ${owner}` };
    // A broadband, music-like signal from the real ffmpeg: pink noise under a pulsing chord.
    const master = join(dir, 'master.wav');
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'anoisesrc=c=pink:a=0.08:d=20:seed=3',
      '-f',
      'lavfi',
      '-i',
      'sine=f=220:d=20',
      '-f',
      'lavfi',
      '-i',
      'sine=f=331:d=20',
      '-filter_complex',
      'amix=inputs=3:normalize=0,aformat=channel_layouts=stereo',
      '-c:a',
      'pcm_s16le',
      master,
    ]);
    const form = new FormData();
    form.set('file', new Blob([readFileSync(master)]), 'demo.wav');
    const track = (await (
      await fetch(`${url}/api/tracks`, { method: 'POST', headers: auth, body: form })
    ).json()) as { id: string };
    const share = (await (
      await fetch(`${url}/api/shares`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          trackIds: [track.id],
          recipients: [
            { name: 'Ann', email: 'ann@example.com' },
            { name: 'Ben', email: 'ben@example.com' },
          ],
          allowDownload: true,
        }),
      })
    ).json()) as { links: { recipientEmail: string; url: string }[] };
    const ben = share.links.find((l) => l.recipientEmail === 'ben@example.com')!;
    const leak = join(dir, 'leak.wav');
    const copy = await fetch(`${ben.url}/tracks/${track.id}/download`);
    writeFileSync(leak, Buffer.from(await copy.arrayBuffer()));

    const found = await run(['trace', '--server', url, '--token', owner, leak]);
    expect(found.stderr).toBe('');
    expect(found.code).toBe(0);
    expect(found.stdout).toMatch(/^identified: Ben <ben@example\.com>$/m);
    expect(found.stdout).toMatch(/^false-positive probability: \d\.\d\de-\d+$/m);
    expect(found.stdout).toContain(`${url}/api/investigations/`);

    const json = await run(['trace', '--server', url, '--json', leak], {
      env: { VAULTMARK_TOKEN: owner },
    });
    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout) as {
      identified: boolean;
      recipient: { email: string };
      falsePositiveProbability: number;
    };
    expect(result.recipient.email).toBe('ben@example.com');
    expect(result.falsePositiveProbability).toBeLessThan(1e-9);

    // Ann and Ben average their copies: both are named, each with their own bound.
    const ann = share.links.find((l) => l.recipientEmail === 'ann@example.com')!;
    const annCopy = join(dir, 'ann.wav');
    const annAnswer = await fetch(`${ann.url}/tracks/${track.id}/download`);
    writeFileSync(annCopy, Buffer.from(await annAnswer.arrayBuffer()));
    const mixed = join(dir, 'mixed.wav');
    execFileSync('ffmpeg', [
      ...['-v', 'error', '-y', '-i', annCopy, '-i', leak],
      ...['-filter_complex', 'amix=inputs=2:normalize=1', mixed],
    ]);
    const both = await run(['trace', '--server', url, '--token', owner, mixed]);
    expect(both.code).toBe(0);
    const lines = both.stdout.trim().split('\n');
    expect(lines[0]).toBe('identified: 2 recipients, whose copies were mixed or spliced together');
    expect(lines.slice(1, 3).sort()).toEqual([
      expect.stringMatching(
        /^- Ann <ann@example\.com>: track demo, share \S+, false-positive probability \d\.\d\de-\d+$/,
      ),
      expect.stringMatching(
        /^- Ben <ben@example\.com>: track demo, share \S+, false-positive probability /,
      ),
    ]);
    expect(lines[3]).toMatch(/^report: /);

    const stranger = await tokenFor('stranger@example.com');
    const none = await run(['trace', '--server', url, '--token', stranger, leak]);
    expect(none.code).toBe(1);
    expect(none.stdout.trim()).toBe('no match in your vault');

    const refused = await run([
      'trace',
      '--server',
      url,
      '--token',
      'vms_not-a-real-token-xx',
      leak,
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^vaultmark: unauthenticated: /);
  }, 240_000);
});
