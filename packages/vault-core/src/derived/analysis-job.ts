import type { Readable } from 'node:stream';
import {
  AnalysisError,
  analyzeStream,
  createPeaksBuilder,
  encodePeaksJson,
  openAudioStream,
  samplesPerPixelFor,
} from '@vaultmark/analysis';
import { recordTrackAnalysis } from '../catalog/tracks.js';
import { withTenant } from '../db/transactions.js';
import type { VaultDeps } from '../deps.js';
import type { JobHandler } from '../jobs/job-queue.js';
import { readVersionForJob } from './read-version.js';

/**
 * Waveform resolution kept for the scrubber: 20 points per second (one point per 50 ms, about
 * 2,400 points for a 2-minute track), which is finer than any player's pixel width needs.
 */
const PEAKS_PER_SECOND = 20;

/**
 * The `analysis` job: decrypts the track's version and decodes it from the stream (ffmpeg reads
 * compressed formats from a pipe), computing tempo, key, loudness and waveform peaks in one
 * pass. Tempo, key and duration go to the catalog; the details and peaks to `track_analyses`.
 * Audio the decoder refuses marks the track `failed` without retries; other errors are retried
 * by the queue, and the last attempt marks it `failed`.
 */
export function analysisJob(
  deps: Pick<VaultDeps, 'db' | 'clock' | 'storage' | 'keys'>,
): JobHandler {
  return async (job, progress) => {
    const { trackId, version } = job.payload as { trackId: string; version: number };
    const tenantId = job.tenantId;
    const current = await withTenant(deps.db, tenantId, (tx) =>
      tx('tracks').where({ id: trackId }).first('current_version'),
    );
    if (!current) return { skipped: 'track deleted' };
    if (Number(current.current_version) !== version) {
      return { skipped: 'superseded by a newer version' };
    }
    await recordTrackAnalysis(deps, tenantId, trackId, { status: 'running' });
    try {
      const master = await readVersionForJob(deps, tenantId, trackId, version, 'analysis');
      if (!master) return { skipped: 'version erased' };
      await progress(0.1);
      const output = await analyze(master);
      await withTenant(deps.db, tenantId, (tx) =>
        tx('track_analyses')
          .insert({
            tenant_id: tenantId,
            track_id: trackId,
            version,
            details: JSON.stringify(output.details),
            peaks: JSON.stringify(output.peaks),
            created_at: deps.clock.now(),
          })
          .onConflict(['tenant_id', 'track_id', 'version'])
          .merge(),
      );
      await recordTrackAnalysis(deps, tenantId, trackId, {
        status: 'done',
        durationSeconds: output.durationSeconds,
        bpm: output.bpm,
        key: output.key,
      });
      return { analysed: { version } };
    } catch (error) {
      const permanent = error instanceof AnalysisError;
      if (permanent || job.attempts >= job.maxAttempts) {
        await recordTrackAnalysis(deps, tenantId, trackId, { status: 'failed' });
      }
      if (permanent) return { error: { code: error.code, message: error.message } };
      throw error;
    }
  };
}

async function analyze(master: Readable) {
  const audio = await openAudioStream('-', { stdin: master });
  const peaks = createPeaksBuilder({
    sampleRate: audio.sampleRate,
    inputChannels: audio.channelCount,
    samplesPerPixel: samplesPerPixelFor({ pixelsPerSecond: PEAKS_PER_SECOND }, audio.sampleRate),
  });
  const chunks = audio.chunks;
  const summary = await analyzeStream({
    ...audio,
    chunks: (async function* () {
      for await (const chunk of chunks) {
        peaks.push(chunk);
        yield chunk;
      }
    })(),
  });
  return {
    durationSeconds: summary.durationSeconds,
    bpm: summary.bpm,
    key: summary.key,
    details: {
      camelot: summary.camelot,
      bpmConfidence: summary.bpmConfidence,
      keyConfidence: summary.keyConfidence,
      loudnessLufs: summary.loudnessLufs,
      loudnessRangeLu: summary.loudnessRangeLu,
      truePeakDbtp: summary.truePeakDbtp,
      sampleRate: summary.sampleRate,
      channels: summary.channels,
    },
    peaks: JSON.parse(encodePeaksJson(peaks.finish(), { bits: 8 })) as Record<string, unknown>,
  };
}
