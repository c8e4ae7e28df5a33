import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AnalysisError, createDspSeparator, decodeAudioFile, encodeWav } from '@vaultmark/analysis';
import {
  type Actor,
  discardSealed,
  type JobHandler,
  recordObject,
  sealObject,
  type Vault,
  withTenant,
} from '@vaultmark/vault-core';

/** One separated stem, stored as an encrypted derived object of the track's tenant. */
export interface StoredStem {
  name: string;
  objectId: string;
  sizeBytes: number;
}

/**
 * The `stems` job (run only when an owner asks for it on a track): decrypts the version, decodes
 * it, separates vocals, drums and other with the analysis package's DSP separator, and stores
 * each stem as a 16-bit WAV, encrypted under its own data key like any other object. The result
 * lists the stems' object ids.
 */
export function stemsJob(vault: Vault, tmpDir: string): JobHandler {
  return async (job, progress) => {
    const { trackId, version, requestedBy } = job.payload as {
      trackId: string;
      version: number;
      requestedBy: string;
    };
    const tenantId = job.tenantId;
    const actor: Actor = {
      userId: requestedBy,
      tenantId,
      role: 'admin' /* the vault's own job reads the master; nothing it reads leaves */,
    };
    await mkdir(tmpDir, { recursive: true, mode: 0o700 });
    const path = join(tmpDir, `stems-${randomUUID()}`);
    try {
      const { stream } = await vault.catalog.openTrackAudio(actor, trackId, version);
      await pipeline(stream, createWriteStream(path, { mode: 0o600 }));
      const audio = await decodeAudioFile(path);
      await progress(0.2);
      const stems = await createDspSeparator().separate({ audio });
      await progress(0.8);
      const stored: StoredStem[] = [];
      for (const [name, stem] of Object.entries(stems)) {
        const bytes = encodeWav(stem, { encoding: 'pcm', bitsPerSample: 16 });
        const sealed = await sealObject(vault.deps, tenantId, Readable.from([Buffer.from(bytes)]));
        try {
          const object = await withTenant(vault.deps.db, tenantId, (tx) =>
            recordObject(tx, vault.deps.clock.now(), actor, 'derived', sealed),
          );
          stored.push({ name, objectId: object.id, sizeBytes: object.sizeBytes });
        } catch (error) {
          await discardSealed(vault.deps, sealed);
          throw error;
        }
      }
      return { stems: stored };
    } catch (error) {
      if (error instanceof AnalysisError) {
        return { error: { code: error.code, message: error.message } };
      }
      throw error;
    } finally {
      await rm(path, { force: true });
    }
  };
}
