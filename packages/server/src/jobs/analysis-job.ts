import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  AnalysisError,
  analyzeStream,
  createPeaksBuilder,
  encodePeaksJson,
  openAudioStream,
  samplesPerPixelFor,
} from '@vaultmark/analysis';
import type { Actor, JobHandler, Vault } from '@vaultmark/vault-core';
import type { AnalysisOutput } from '../vault/analysis-records.js';
import { trackOwnerAndVersion } from '../vault/analysis-records.js';

/**
 * Waveform resolution kept for the scrubber: 20 points per second (one point per 50 ms, about
 * 2,400 points for a 2-minute track), which is finer than any player's pixel width needs.
 */
const PEAKS_PER_SECOND = 20;

/**
 * The `analysis` job: decrypts the track's version to a private temporary file, decodes it once
 * (ffmpeg for compressed formats) and computes tempo, key, loudness and waveform peaks in the
 * same pass. Tempo, key and duration go to the catalog (`recordTrackAnalysis`); the details and
 * peaks are the job's result. Audio the decoder refuses marks the track `failed` without
 * retries; other errors are retried by the queue, and the last attempt marks it `failed`.
 */
export function analysisJob(vault: Vault, tmpDir: string): JobHandler {
  return async (job, progress) => {
    const { trackId, version } = job.payload as { trackId: string; version: number };
    const tenantId = job.tenantId;
    const track = await trackOwnerAndVersion(vault, tenantId, trackId);
    if (!track) return { skipped: 'track deleted' };
    if (track.version !== version) return { skipped: 'superseded by a newer version' };
    await vault.catalog.recordTrackAnalysis(tenantId, trackId, { status: 'running' });
    // The job reads on behalf of the uploader; the read is audited like any other.
    const actor: Actor = {
      userId: track.createdBy ?? '00000000-0000-0000-0000-000000000000',
      tenantId,
      role: 'admin' /* the vault's own job reads the master; nothing it reads leaves */,
    };
    await mkdir(tmpDir, { recursive: true, mode: 0o700 });
    const path = join(tmpDir, `analysis-${randomUUID()}`);
    try {
      const { stream } = await vault.catalog.openTrackAudio(actor, trackId, version);
      await pipeline(stream, createWriteStream(path, { mode: 0o600 }));
      await progress(0.1);
      const output = await analyzeFile(path);
      await vault.catalog.recordTrackAnalysis(tenantId, trackId, {
        status: 'done',
        durationSeconds: output.durationSeconds,
        bpm: output.bpm,
        key: output.key,
      });
      return { details: output.details, peaks: output.peaks } satisfies AnalysisOutput;
    } catch (error) {
      const permanent = error instanceof AnalysisError;
      if (permanent || job.attempts >= job.maxAttempts) {
        await vault.catalog.recordTrackAnalysis(tenantId, trackId, { status: 'failed' });
      }
      if (permanent) return { error: { code: error.code, message: error.message } };
      throw error;
    } finally {
      await rm(path, { force: true });
    }
  };
}

async function analyzeFile(path: string) {
  const audio = await openAudioStream(path);
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
