import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type EvidenceBundle, verifyEvidence } from '@vaultmark/vault-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpeg, music } from '../test/music.js';
import { createResponseValidator } from '../test/openapi-validator.js';
import { Browserless, eventually, startTestServer, type TestServer } from '../test/vault-server.js';

interface InvestigationState {
  status: string;
  result?: {
    identified: boolean;
    inconclusive: boolean;
    recipient?: { name: string; email: string };
    falsePositiveProbability?: number;
    shareId?: string;
    trackId?: string;
    matches: { recipient: { email: string } }[];
  };
}

/**
 * The whole promise, end to end on a real server, real storage and real ffmpeg: a track shared
 * with two recipients leaks from one of them as a 30-second MP3 excerpt, and the investigation
 * names that recipient, with an honest false-positive bound, to the owner only.
 */
describe('a leaked excerpt is traced to its recipient', () => {
  let t: TestServer;
  let validate: ReturnType<typeof createResponseValidator>;
  beforeAll(async () => {
    t = await startTestServer('pglite');
    validate = createResponseValidator(t.server.openapi);
  });
  afterAll(async () => {
    await t?.stop();
  });

  async function investigate(client: Browserless, file: string) {
    const form = new FormData();
    form.set('file', new Blob([readFileSync(file)]), 'found-on-the-internet.mp3');
    const started = await client.json<{ id: string }>('POST', '/api/investigations', form);
    expect(validate('post', '/api/investigations', started.status, started.body)).toEqual([]);
    expect(started.status).toBe(202);
    const done = await eventually(async () => {
      const state = await client.json<InvestigationState>(
        'GET',
        `/api/investigations/${started.body.id}`,
      );
      expect(validate('get', '/api/investigations/{id}', state.status, state.body)).toEqual([]);
      return state.body.status === 'succeeded' || state.body.status === 'failed'
        ? state.body
        : undefined;
    }, 240_000);
    return { id: started.body.id, ...done };
  }

  it('names recipient B (not A) for the owner, and nothing for another tenant', async () => {
    const owner = new Browserless(t.url);
    await owner.register('owner@label.example', 'Label');
    const master = music(t.dataDir, 'single.wav', 40);
    const form = new FormData();
    form.set('file', new Blob([readFileSync(master)]), 'Unreleased Single.wav');
    const track = (await owner.json<{ id: string }>('POST', '/api/tracks', form)).body;

    const share = await owner.json<{
      id: string;
      links: { recipientEmail: string; url: string }[];
    }>('POST', '/api/shares', {
      trackIds: [track.id],
      recipients: [
        { name: 'Alice A&R', email: 'alice@majors.example' },
        { name: 'Bob Blogger', email: 'bob@press.example', company: 'Press' },
      ],
      allowDownload: true,
    });
    expect(share.status).toBe(201);
    const bob = share.body.links.find((l) => l.recipientEmail === 'bob@press.example')!;

    // Bob downloads his copy, encodes it to a 128 kbps MP3 and posts a 30-second excerpt.
    const copy = await fetch(`${bob.url}/tracks/${track.id}/download`);
    expect(copy.status).toBe(200);
    const wav = join(t.dataDir, 'bob.wav');
    writeFileSync(wav, Buffer.from(await copy.arrayBuffer()));
    const mp3 = join(t.dataDir, 'bob.mp3');
    ffmpeg('-i', wav, '-c:a', 'libmp3lame', '-b:a', '128k', mp3);
    const excerpt = join(t.dataDir, 'excerpt.mp3');
    ffmpeg('-ss', '6', '-t', '30', '-i', mp3, '-c:a', 'libmp3lame', '-b:a', '128k', excerpt);

    const found = await investigate(owner, excerpt);
    expect(found.status).toBe('succeeded');
    expect(found.result?.identified).toBe(true);
    expect(found.result?.recipient).toEqual({
      name: 'Bob Blogger',
      email: 'bob@press.example',
      company: 'Press',
    });
    expect(found.result?.falsePositiveProbability).toBeLessThan(1e-9);
    expect(found.result?.shareId).toBe(share.body.id);
    expect(found.result?.trackId).toBe(track.id);
    expect(found.result?.matches.map((m) => m.recipient.email)).not.toContain(
      'alice@majors.example',
    );

    const report = await owner.request('GET', `/api/investigations/${found.id}/report`);
    expect(report.status).toBe(200);
    const text = await report.text();
    expect(text).toContain('Leak investigation report');
    expect(text).toContain('Bob Blogger');
    expect(text).not.toContain('Alice');

    // The signed evidence bundle verifies offline against the published key.
    const key = await owner.json<{ publicKeyPem: string; fingerprint: string }>(
      'GET',
      '/api/evidence/signing-key',
    );
    expect(validate('get', '/api/evidence/signing-key', key.status, key.body)).toEqual([]);
    const evidence = await owner.json<EvidenceBundle>(
      'GET',
      `/api/investigations/${found.id}/evidence`,
    );
    expect(evidence.status).toBe(200);
    expect(
      validate('get', '/api/investigations/{id}/evidence', evidence.status, evidence.body),
    ).toEqual([]);
    const audio = createHash('sha256').update(readFileSync(excerpt)).digest('hex');
    expect(
      verifyEvidence(evidence.body, { publicKeyPem: key.body.publicKeyPem, audioSha256: audio }),
    ).toMatchObject({ verified: true });
    const named = evidence.body.evidence.matches[0]!;
    expect(named.subject).toMatchObject({ kind: 'recipient', email: 'bob@press.example' });
    expect(named.detection.payloadBits).toBe(128);
    for (const copy of named.served) expect(copy.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(named.accessEvents.map((e) => e.kind)).toContain('downloaded');
    const inVault = await owner.json<{ verified: boolean }>(
      'POST',
      '/api/evidence/verify',
      evidence.body,
    );
    expect(validate('post', '/api/evidence/verify', inVault.status, inVault.body)).toEqual([]);
    expect(inVault.body.verified).toBe(true);
    const pdf = await owner.request('GET', `/api/investigations/${found.id}/evidence.pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString('latin1'),
    ).toBe('%PDF-');

    // Another tenant uploading the same excerpt learns nothing, and cannot read the first result.
    const stranger = new Browserless(t.url);
    await stranger.register('someone@else.example', 'Else');
    const theirs = await investigate(stranger, excerpt);
    expect(theirs.status).toBe('succeeded');
    expect(theirs.result).toMatchObject({ identified: false, inconclusive: false, matches: [] });
    expect(JSON.stringify(theirs)).not.toContain('Bob');
    expect((await stranger.json('GET', `/api/investigations/${found.id}`)).status).toBe(404);
    expect((await stranger.request('GET', `/api/investigations/${found.id}/report`)).status).toBe(
      404,
    );
    expect((await stranger.request('GET', `/api/investigations/${found.id}/evidence`)).status).toBe(
      404,
    );
  }, 400_000);
});
