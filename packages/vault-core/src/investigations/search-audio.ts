import { Transform } from 'node:stream';
import { openAudioStream } from '@vaultmark/analysis';
import { createDetector, type DetectResult, type WatermarkKey } from '@vaultmark/watermark';
import type { VaultDeps } from '../deps.js';
import { decryptObjectRow } from '../objects/object-store.js';

/** Matches are reported at or below this false-positive bound (the watermark SDK's default). */
export const INVESTIGATION_THRESHOLD = 1e-9;

/** Shortest audio the detector can search (s), its `MIN_DETECT_SECONDS`. */
export const MIN_SECONDS = 2;

/**
 * Spliced copies: one search of the whole file finds the strongest mark of each key, so when
 * two recipients' copies of one track (same key, different payloads) are cut together, the
 * weaker one can hide behind the stronger. Once the whole-file search found a mark, the file is
 * searched again in windows of SEGMENT_SECONDS every SEGMENT_HOP_SECONDS, and every payload any
 * window decodes is reported. Each reported bound is multiplied by the number of searches run
 * (Bonferroni), so it stays a bound on the whole investigation.
 */
export const SEGMENT_SECONDS = 20;
/** Hop between segment windows (s). */
export const SEGMENT_HOP_SECONDS = 10;

/** One detected mark. */
export type Found = DetectResult['matches'][number];

/** What the search of one file found. */
export interface Scan {
  whole: DetectResult | null;
  matches: Found[];
  durationSeconds: number;
}

/** Decrypts and decodes the stored file, handing each chunk and the bytes read so far to `visit`. */
async function decodeStored(
  deps: Pick<VaultDeps, 'storage' | 'keys'>,
  // biome-ignore lint/suspicious/noExplicitAny: database row
  object: any,
  visit: (
    rate: number,
    channels: number,
    chunk: Float32Array[],
    bytesRead: number,
  ) => Promise<void>,
): Promise<void> {
  let read = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _e, cb) {
      read += chunk.length;
      cb(null, chunk);
    },
  });
  const plain = await decryptObjectRow(deps, object);
  plain.on('error', (e) => counter.destroy(e));
  try {
    const audio = await openAudioStream('-', { stdin: plain.pipe(counter) });
    try {
      for await (const chunk of audio.chunks) {
        await visit(audio.sampleRate, audio.channelCount, chunk, read);
      }
    } finally {
      audio.close();
    }
  } finally {
    plain.destroy();
  }
}

/**
 * Searches a stored file for the given keys: the whole file first (with the speed search), then,
 * if a mark was found, in overlapping windows for further payloads (spliced copies). Returns the
 * whole-file result (for its statistics), every payload found with its corrected bound, and the
 * duration. Decoding errors propagate (`AnalysisError`, `WatermarkError`).
 */
export async function searchAudio(
  deps: Pick<VaultDeps, 'storage' | 'keys'>,
  // biome-ignore lint/suspicious/noExplicitAny: database row
  object: any,
  keys: WatermarkKey[],
  sizeBytes: number,
  progress: (fraction: number) => Promise<void>,
  issued: Readonly<Record<string, readonly string[]>> = {},
): Promise<Scan> {
  const size = Math.max(1, sizeBytes);
  let reported = 0;
  const report = async (fraction: number) => {
    if (fraction - reported >= 0.05) {
      reported = fraction;
      await progress(fraction);
    }
  };
  // Copies too damaged to decode are matched against the payloads issued under each key.
  const options = {
    keys,
    payloadBits: 128,
    maxFalsePositiveProbability: INVESTIGATION_THRESHOLD,
    candidatePayloads: issued,
  };
  // Pass 1: the whole file, with the speed search.
  let whole: ReturnType<typeof createDetector> | null = null;
  let samples = 0;
  let rate = 0;
  await decodeStored(deps, object, async (sampleRate, channels, chunk, read) => {
    rate = sampleRate;
    whole ??= createDetector({ ...options, sampleRate, channels });
    samples += chunk[0]?.length ?? 0;
    whole.push(chunk);
    await report((0.6 * read) / size);
  });
  const durationSeconds = rate ? samples / rate : 0;
  // The detector refuses inputs under its minimum length: that is answered plainly instead.
  if (!whole || durationSeconds < MIN_SECONDS) return { whole: null, matches: [], durationSeconds };
  const first = (whole as ReturnType<typeof createDetector>).finish();
  const segLen = Math.round(SEGMENT_SECONDS * rate);
  const hop = Math.round(SEGMENT_HOP_SECONDS * rate);
  const all = first.matches.map((m) => ({ m, start: 0 }));
  let searches = 1;
  if (first.matches.length > 0 && samples > segLen) {
    // Pass 2: windows; the speed search only if the whole file was found scaled.
    const searchSpeed = first.matches.some((m) => m.scaling !== 'none');
    const open: Array<{ start: number; detector: ReturnType<typeof createDetector> }> = [];
    let next = 0;
    let pos = 0;
    const close = (w: (typeof open)[number]) => {
      for (const m of w.detector.finish().matches) all.push({ m, start: w.start });
      searches++;
    };
    await decodeStored(deps, object, async (sampleRate, channels, chunk, read) => {
      const n = chunk[0]?.length ?? 0;
      // A window starts only if at least half a window of audio follows it.
      while (next < pos + n && (next === 0 || next + segLen / 2 <= samples)) {
        open.push({
          start: next,
          detector: createDetector({ ...options, sampleRate, channels, searchSpeed }),
        });
        next += hop;
      }
      for (const w of open) {
        const from = Math.max(w.start, pos) - pos;
        const to = Math.min(w.start + segLen, pos + n) - pos;
        if (to > from) w.detector.push(chunk.map((c) => c.subarray(from, to)));
      }
      pos += n;
      while (open.length > 0 && (open[0] as (typeof open)[number]).start + segLen <= pos) {
        close(open.shift() as (typeof open)[number]);
      }
      await report(0.6 + (0.35 * read) / size);
    });
    for (const w of open) {
      if (Math.min(segLen, pos - w.start) >= MIN_SECONDS * rate) close(w);
    }
  }
  // One match per key and payload: the strongest, its offset in the whole file, its bound
  // corrected for the number of searches.
  const best = new Map<string, Found>();
  const correction = Math.log10(searches);
  for (const { m, start } of all) {
    const log10 = m.log10FalsePositiveProbability + correction;
    if (log10 > Math.log10(INVESTIGATION_THRESHOLD)) continue;
    const id = `${m.keyName}/${m.payload}`;
    const prev = best.get(id);
    if (!prev || log10 < prev.log10FalsePositiveProbability) {
      best.set(id, {
        ...m,
        offsetSeconds: m.offsetSeconds + start / rate,
        log10FalsePositiveProbability: log10,
        falsePositiveProbability: Math.min(1, 10 ** log10),
      });
    }
  }
  const matches = [...best.values()].sort(
    (a, b) => a.log10FalsePositiveProbability - b.log10FalsePositiveProbability,
  );
  return { whole: first, matches, durationSeconds };
}
