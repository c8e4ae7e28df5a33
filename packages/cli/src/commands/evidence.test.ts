import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav } from '@vaultmark/analysis';
import { evidencePdf, openVault, type Vault } from '@vaultmark/vault-core';
import { vaultDeps, withTenant } from '@vaultmark/vault-core/testing';
import { embed, generateKey, serializeKey } from '@vaultmark/watermark';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../test/run.js';
import { demoSignal } from '../demo-signal.js';

const dir = mkdtempSync(join(tmpdir(), 'vaultmark-evidence-'));
const file = (name: string) => join(dir, name);
let vault: Vault | undefined;

/**
 * A real vault (embedded database) signs the bundle of a finished investigation of a marked
 * file; the command then checks it with nothing but the files, as a third party would.
 */
beforeAll(async () => {
  vault = await openVault({ dataDir: file('vault') });
  const reg = await vault.accounts.register({
    email: 'owner@label.example',
    password: 'a long enough password',
    displayName: 'Owner',
  });
  const actor = await vault.accounts.resolveActor(reg.userId, reg.organizationId);
  // The organization's exported watermark key (its name is its id) and a copy it marked.
  const key = generateKey({ name: randomUUID() });
  const payload = '00112233445566778899aabbccddeeff';
  const marked = embed(demoSignal({ seconds: 10, sampleRate: 44_100 }), { key, payload });
  const wav = Buffer.from(encodeWav(marked));
  writeFileSync(file('leak.wav'), wav);
  writeFileSync(
    file('other.wav'),
    Buffer.from(encodeWav(demoSignal({ seconds: 3, sampleRate: 8000 }))),
  );
  writeFileSync(file('watermark.key'), serializeKey(key));
  const id = randomUUID();
  await withTenant(vaultDeps(vault).db, actor.tenantId, (tx) =>
    tx('investigations').insert({
      id,
      tenant_id: actor.tenantId,
      created_by: actor.userId,
      file_name: 'leak.wav',
      size_bytes: wav.length,
      file_sha256: createHash('sha256').update(wav).digest('hex'),
      status: 'done',
      // As the investigation job stores it: one recipient named, found in the whole file.
      result: JSON.stringify({
        ...{ identified: true, inconclusive: false, durationSeconds: 10, formatVersion: 1 },
        ...{ thresholdProbability: 1e-9, keysSearched: 1, completedAt: new Date() },
        matches: [
          {
            ...{ payload, keyId: key.name, offsetSeconds: 0, speed: 1, accessHistory: [] },
            ...{ falsePositiveProbability: 1e-20, log10FalsePositiveProbability: -20 },
            ...{ trackId: randomUUID(), trackTitle: 'Unreleased', shareId: randomUUID() },
            ...{ subject: 'recipient', sharedAt: new Date() },
            recipient: { id: randomUUID(), name: 'Sam', email: 'sam@example.org', company: null },
          },
        ],
      }),
      created_at: new Date(),
      completed_at: new Date(),
    }),
  );
  const bundle = await vault.investigations.evidence(actor, {
    investigationId: id,
    softwareVersion: '0.1.0',
  });
  const text = JSON.stringify(bundle, null, 2);
  writeFileSync(file('bundle.json'), text);
  writeFileSync(file('tampered.json'), text.replace('sam@example.org', 'sam@example.orh'));
  writeFileSync(file('bundle.pdf'), await evidencePdf(bundle));
  writeFileSync(file('org.pem'), (await vault.investigations.signingKey(actor)).publicKeyPem);
  const foreign = generateKeyPairSync('ed25519').publicKey;
  writeFileSync(file('foreign.pem'), String(foreign.export({ format: 'pem', type: 'spki' })));
  writeFileSync(file('not-a-key.pem'), 'hello');
}, 60_000);

afterAll(async () => {
  await vault?.close();
  rmSync(dir, { recursive: true, force: true });
});

const verify = (...args: string[]) => run(['evidence', 'verify', ...args], { cwd: dir });
/** `verify --json`: the exit code and the parsed report. */
async function verifyJson(...args: string[]) {
  const r = await verify(...args, '--json');
  expect(r.stderr).toBe('');
  return { code: r.code, out: JSON.parse(r.stdout) };
}

describe('vaultmark evidence verify', () => {
  it('verifies a bundle with the embedded or the published key, and the found file (exit 0)', async () => {
    const plain = await verify('bundle.json');
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toContain('names recipient Sam <sam@example.org>');
    expect(plain.stdout.trim().split('\n').at(-1)).toBe('verified');

    const fromPdf = await verify('bundle.pdf', '--public-key', 'org.pem');
    expect(fromPdf.code, fromPdf.stderr).toBe(0);
    const { code, out } = await verifyJson(
      ...['bundle.json', '--public-key', 'org.pem', '--audio', 'leak.wav'],
    );
    expect(code).toBe(0);
    expect(out.verified).toBe(true);
    expect(out.checks.map((c: { name: string }) => c.name)).toEqual([
      'format',
      'public_key',
      'signature',
      'audit_anchor',
      'audio_sha256',
    ]);
    expect(out.notes[0]).toContain('hash only');
  });

  it('re-runs detection with the exported watermark key', async () => {
    const { code, out } = await verifyJson(
      ...['bundle.json', '--audio', 'leak.wav', '--key', 'watermark.key'],
    );
    expect(code).toBe(0);
    expect(out.checks.at(-1)).toMatchObject({ name: 'redetection', ok: true });
  }, 60_000);

  it('does not verify a changed byte, another file or another key (exit 1)', async () => {
    const tampered = await verifyJson('tampered.json');
    expect(tampered.code).toBe(1);
    expect(tampered.out.checks.filter((c: { ok: boolean }) => !c.ok)).toEqual([
      expect.objectContaining({ name: 'signature' }),
      expect.objectContaining({ name: 'audit_anchor', detail: expect.stringContaining('content') }),
    ]);
    const other = await verify('bundle.json', '--audio', 'other.wav');
    expect(other.code).toBe(1);
    expect(other.stdout).toContain('FAIL  audio_sha256');
    const foreign = await verify('bundle.json', '--public-key', 'foreign.pem');
    expect(foreign.code).toBe(1);
    expect(foreign.stdout).toContain('signed by another key');
    const notJson = await verify('not-a-key.pem');
    expect(notJson.code).toBe(1);
    expect(readFileSync(file('bundle.json'), 'utf8')).toContain('vaultmark-evidence/v1');
  });

  it('reports errors (exit 2)', async () => {
    const missing = await verify('missing.json');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('file_not_found');
    const badKey = await verify('bundle.json', '--public-key', 'not-a-key.pem');
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toContain('invalid_public_key');
    const noAudio = await verify('bundle.json', '--key', 'watermark.key');
    expect(noAudio.code).toBe(2);
  });
});
