import type { Readable } from 'node:stream';
import { collectStream, computePeaks, encodePeaksJson, openAudioStream } from '@vaultmark/analysis';
import type { SampleSource } from './watermarked-wav.js';

/**
 * A stored master as the media code sees it: the id of its object (objects are immutable: a new
 * version is a new object, so the id names the bytes) and a way to open its decrypted bytes,
 * called only when the decode is not already in memory.
 */
export interface MasterObject {
  objectId: string;
  open(): Promise<Readable>;
}

/** A master decoded to planar float samples, ready for per-recipient embedding. */
export interface DecodedMaster {
  objectId: string;
  sampleRate: number;
  channels: Float32Array[];
  /** Waveform peaks (audiowaveform JSON, 20 points per second, 8-bit), computed on first use. */
  peaks(): Record<string, unknown>;
  /** The samples as a {@link SampleSource} for `watermarkedWav`. */
  source(): SampleSource;
}

/** A decode nobody used for this long leaves memory (the plaintext is not kept idle). */
export const DECODED_IDLE_MS = 10 * 60_000;

/**
 * Decodes masters (any format the analysis package reads: WAV and AIFF natively, the rest with
 * ffmpeg reading from a pipe; the decrypted bytes never touch the disk) and keeps the most
 * recently used ones in memory, up to `maxBytes` of samples and {@link DECODED_IDLE_MS} idle,
 * keyed by object id. Every request is authorized and audited by its caller before it gets here,
 * so a player's seek (one Range request) costs no decryption once the master is decoded.
 * Concurrent requests for the same master share one decode.
 */
export class DecodedMasters {
  private readonly entries = new Map<string, { decoded: Promise<DecodedMaster>; usedAt: number }>();
  private readonly sizes = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly maxBytes = 512 * 1024 * 1024,
    private readonly now: () => number = Date.now,
  ) {}

  /** The decoded master, from memory or decrypted and decoded now. */
  load(master: MasterObject): Promise<DecodedMaster> {
    const now = this.now();
    this.dropIdle(now);
    const known = this.entries.get(master.objectId);
    if (known) {
      // Most recently used last.
      this.entries.delete(master.objectId);
      this.entries.set(master.objectId, { ...known, usedAt: now });
      return known.decoded;
    }
    const decoded = master.open().then((stream) => decode(master.objectId, stream));
    this.entries.set(master.objectId, { decoded, usedAt: now });
    decoded.then(
      (d) => this.account(master.objectId, d),
      () => this.forget(master.objectId),
    );
    return decoded;
  }

  /** Removes a master's decode (after crypto-erasure). */
  forget(objectId: string): void {
    this.entries.delete(objectId);
    this.total -= this.sizes.get(objectId) ?? 0;
    this.sizes.delete(objectId);
  }

  private dropIdle(now: number): void {
    for (const [id, entry] of this.entries) {
      if (now - entry.usedAt > DECODED_IDLE_MS) this.forget(id);
    }
  }

  private account(objectId: string, master: DecodedMaster): void {
    if (!this.entries.has(objectId)) return;
    const size = master.channels.reduce((sum, ch) => sum + ch.byteLength, 0);
    this.sizes.set(objectId, size);
    this.total += size;
    for (const id of this.entries.keys()) {
      if (this.total <= this.maxBytes || id === objectId) break;
      this.forget(id);
    }
  }
}

async function decode(objectId: string, bytes: Readable): Promise<DecodedMaster> {
  const stream = await openAudioStream('-', { stdin: bytes });
  let channels: Float32Array[];
  try {
    channels = await collectStream(stream);
  } finally {
    stream.close();
  }
  const length = channels[0]?.length ?? 0;
  const audio = { sampleRate: stream.sampleRate, channels };
  let peaks: Record<string, unknown> | undefined;
  return {
    objectId,
    sampleRate: audio.sampleRate,
    channels,
    peaks: () => {
      peaks ??= JSON.parse(
        encodePeaksJson(computePeaks({ audio, pixelsPerSecond: 20 }), { bits: 8 }),
      ) as Record<string, unknown>;
      return peaks;
    },
    source: () => ({
      sampleRate: audio.sampleRate,
      channels: channels.length,
      length,
      // Copies, so nothing downstream can alter the cached samples.
      read: async (start, end) => channels.map((ch) => ch.slice(start, end)),
    }),
  };
}
