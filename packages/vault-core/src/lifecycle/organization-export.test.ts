import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { ownerActor, useTestDeps } from '../../test/deps.js';
import { uploadTrack } from '../catalog/tracks.js';
import { decryptOrganizationExport, exportOrganization } from './organization-export.js';

describe.each(engines)('organization export on %s', (engine) => {
  const deps = useTestDeps(engine);

  it('is an encrypted tarball that the system tar reads after decryption', async () => {
    const ann = await ownerActor(deps, 'orgx');
    const big = Buffer.alloc(200_000, 7);
    const t = await uploadTrack(deps, ann, {
      body: Readable.from([big]),
      originalFileName: 'Big Mix.WAV',
      title: 'Big',
    });
    await expect(
      exportOrganization(deps, { ...ann, role: 'admin' }, { passphrase: 'correct horse battery' }),
    ).rejects.toMatchObject({
      code: 'forbidden',
    });
    await expect(exportOrganization(deps, ann, { passphrase: 'short' })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    const encrypted = await buffer(
      await exportOrganization(deps, ann, { passphrase: 'correct horse battery' }),
    );
    expect(encrypted.includes(Buffer.from('organization.json'))).toBe(false);
    await expect(
      buffer(decryptOrganizationExport(Readable.from([encrypted]), 'wrong passphrase!')),
    ).rejects.toMatchObject({
      code: 'integrity_error',
    });
    await expect(
      buffer(
        decryptOrganizationExport(
          Readable.from([encrypted.subarray(0, encrypted.length - 40)]),
          'correct horse battery',
        ),
      ),
    ).rejects.toMatchObject({ code: 'integrity_error' });
    const tar = await buffer(
      decryptOrganizationExport(Readable.from([encrypted]), 'correct horse battery'),
    );

    // Independent reader: the system's tar.
    const dir = mkdtempSync(join(tmpdir(), 'vm-orgx-'));
    try {
      writeFileSync(join(dir, 'x.tar'), tar);
      const list = spawnSync('tar', ['-tf', 'x.tar'], { cwd: dir, encoding: 'utf8' });
      expect(list.stdout.trim().split('\n')).toEqual(['organization.json', `audio/${t.id}/v1.wav`]);
      expect(spawnSync('tar', ['-xf', 'x.tar'], { cwd: dir }).status).toBe(0);
      expect(readFileSync(join(dir, 'audio', t.id, 'v1.wav')).equals(big)).toBe(true);
      const manifest = JSON.parse(readFileSync(join(dir, 'organization.json'), 'utf8'));
      expect(manifest).toMatchObject({
        format: 'vaultmark-organization-export/1',
        tracks: [{ title: 'Big' }],
      });
      expect(JSON.stringify(manifest)).not.toMatch(/wrapped_key|password_hash|token_hash/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
