import { Readable } from 'node:stream';
import {
  AnalysisError,
  collectStream,
  createDspSeparator,
  encodeWav,
  openAudioStream,
} from '@vaultmark/analysis';
import { withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import type { JobHandler } from '../jobs/job-queue.js';
import { discardSealed, recordObject, sealObject } from '../objects/object-store.js';
import type { StoredStem } from './derived-records.js';
import { readVersionForJob } from './read-version.js';

/**
 * The `stems` job (run only when someone who may change the track asks): decrypts the version,
 * decodes it from the stream, separates vocals, drums and other with the analysis package's DSP
 * separator, and stores each stem as a 16-bit WAV, encrypted under its own data key like any
 * other object. The result lists the stems' object ids. Stems leave the vault as every other
 * audio does: marked for anyone but the organization's owners.
 */
export function stemsJob(deps: Pick<VaultDeps, 'db' | 'clock' | 'storage' | 'keys'>): JobHandler {
  return async (job, progress) => {
    const { trackId, version, requestedBy } = job.payload as {
      trackId: string;
      version: number;
      requestedBy: string;
    };
    const tenantId = job.tenantId;
    try {
      const master = await readVersionForJob(deps, tenantId, trackId, version, 'stems');
      if (!master) return { skipped: 'version erased' };
      const decoded = await openAudioStream('-', { stdin: master });
      let channels: Float32Array[];
      try {
        channels = await collectStream(decoded);
      } finally {
        decoded.close();
      }
      await progress(0.2);
      const audio = { sampleRate: decoded.sampleRate, channels };
      const stems = await createDspSeparator().separate({ audio });
      await progress(0.8);
      const stored: StoredStem[] = [];
      const actor = { userId: requestedBy, tenantId, role: 'member' as const };
      for (const [name, stem] of Object.entries(stems)) {
        const bytes = encodeWav(stem, { encoding: 'pcm', bitsPerSample: 16 });
        const sealed = await sealObject(deps, tenantId, Readable.from([Buffer.from(bytes)]));
        try {
          const object = await withTenant(deps.db, tenantId, async (tx) => {
            const stored = await recordObject(tx, deps.clock.now(), actor, 'derived', sealed);
            await tx('track_stems')
              .insert({
                tenant_id: tenantId,
                track_id: trackId,
                version,
                name,
                object_id: stored.id,
                size_bytes: stored.sizeBytes,
              })
              .onConflict(['tenant_id', 'track_id', 'version', 'name'])
              .merge();
            return stored;
          });
          stored.push({ name, objectId: object.id, sizeBytes: object.sizeBytes });
        } catch (error) {
          await discardSealed(deps, sealed);
          throw error;
        }
      }
      return { stems: stored };
    } catch (error) {
      if (error instanceof AnalysisError) {
        return { error: { code: error.code, message: error.message } };
      }
      throw error;
    }
  };
}
