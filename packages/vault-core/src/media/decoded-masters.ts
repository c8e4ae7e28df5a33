import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { collectStream, computePeaks, encodePeaksJson, openAudioStream } from '@vaultmark/analysis';
import type { SampleSource } from './watermarked-wav.js';

/** A master decoded to planar float samples, ready for per-recipient embedding. */
export interface DecodedMaster {
  sha256: string;
  sampleRate: number;
  channels: Float32Array[];
  /** Waveform peaks (audiowaveform JSON, 20 points per second, 8-bit), computed on first use. */
  peaks(): Record<string, unknown>;
  /** The samples as a {@link SampleSource} for `watermarkedWav`. */
  source(): SampleSource;
}

/** What identifies the master behind a stream, without reading all of it. */
export interface MasterHint {
  trackId: string;
  sizeBytes: number;
  /**
   * Whether a recent decode of a master with the same track, size and first 64 KiB may be
   * reused without reading the rest (player Range requests). Downloads always read everything.
   */
  quick: boolean;
}

/** How long a quick identification stays valid after its last use. */
const QUICK_TTL_MS = 5 * 60_000;
const HEAD_BYTES = 64 * 1024;

/**
 * Decodes masters (any format the analysis package reads: WAV and AIFF natively, the rest with
 * ffmpeg reading from a pipe; the decrypted bytes never touch the disk) and keeps the most recently used ones in memory, up to `maxBytes` of samples, keyed by
 * the SHA-256 of the decrypted bytes. A player sends a Range request per seek; each is
 * authorized and audited anew, but decrypting and hashing a whole master per request would cost
 * hundreds of milliseconds, so stream requests are matched by track, size and the hash of the
 * first 64 KiB against a decode used in the last 5 minutes (a new version of identical size
 * and beginning may be heard for at most that long after it replaces the old one). Downloads
 * always read, hash and, when needed, decode the whole master. Concurrent requests for the same
 * master share one decode.
 */
export class DecodedMasters {
  private readonly entries = new Map<string, Promise<DecodedMaster>>();
  private readonly sizes = new Map<string, number>();
  private readonly quick = new Map<string, { sha256: string; usedAt: number }>();
  private total = 0;

  constructor(
    private readonly maxBytes = 512 * 1024 * 1024,
    private readonly now: () => number = Date.now,
  ) {}

  /** Reads the decrypted master from `stream` (as little as possible) and returns it decoded. */
  async load(stream: Readable, hint: MasterHint): Promise<DecodedMaster> {
    const head: Buffer[] = [];
    let headBytes = 0;
    const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    while (headBytes < HEAD_BYTES) {
      const next = await iterator.next();
      if (next.done) break;
      head.push(next.value);
      headBytes += next.value.length;
    }
    const first = Buffer.concat(head);
    const quickKey = `${hint.trackId}:${hint.sizeBytes}:${createHash('sha256')
      .update(first.subarray(0, HEAD_BYTES))
      .digest('hex')}`;
    const known = hint.quick ? this.quick.get(quickKey) : undefined;
    const cached = known && this.now() - known.usedAt < QUICK_TTL_MS && this.get(known.sha256);
    if (known && cached) {
      known.usedAt = this.now();
      stream.destroy();
      return cached;
    }
    const rest: Buffer[] = [first];
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      rest.push(next.value);
    }
    const bytes = Buffer.concat(rest);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    this.quick.set(quickKey, { sha256, usedAt: this.now() });
    if (this.quick.size > 10_000) this.quick.delete(this.quick.keys().next().value!);
    const existing = this.get(sha256);
    if (existing) return existing;
    const entry = this.decode(sha256, bytes);
    this.entries.set(sha256, entry);
    entry.then(
      (master) => this.account(sha256, master),
      () => this.entries.delete(sha256),
    );
    return entry;
  }

  /** A cached decode, marked most recently used. */
  private get(sha256: string): Promise<DecodedMaster> | undefined {
    const entry = this.entries.get(sha256);
    if (entry) {
      this.entries.delete(sha256);
      this.entries.set(sha256, entry);
    }
    return entry;
  }

  private account(sha256: string, master: DecodedMaster): void {
    const size = master.channels.reduce((sum, ch) => sum + ch.byteLength, 0);
    this.sizes.set(sha256, size);
    this.total += size;
    for (const key of this.entries.keys()) {
      if (this.total <= this.maxBytes || key === sha256) break;
      this.total -= this.sizes.get(key) ?? 0;
      this.sizes.delete(key);
      this.entries.delete(key);
    }
  }

  private async decode(sha256: string, bytes: Buffer): Promise<DecodedMaster> {
    const stream = await openAudioStream('-', { stdin: Readable.from([bytes]) });
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
      sha256,
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
}
