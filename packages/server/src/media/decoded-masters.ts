import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { computePeaks, decodeAudioFile, encodePeaksJson } from '@vaultmark/analysis';
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

/**
 * Decodes masters (any format the analysis package reads: WAV and AIFF natively, the rest with
 * ffmpeg) and keeps the most recently used ones in memory, up to `maxBytes` of samples, keyed by
 * the SHA-256 of the decrypted bytes. A player sends several Range requests for one track; each
 * is authorized, audited and decrypted anew, but decoded only once. Concurrent requests for the
 * same master share one decode.
 */
export class DecodedMasters {
  private readonly entries = new Map<string, Promise<DecodedMaster>>();
  private readonly sizes = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly tmpDir: string,
    private readonly maxBytes = 512 * 1024 * 1024,
  ) {}

  /** Reads the decrypted master from `stream` and returns it decoded. */
  async load(stream: Readable): Promise<DecodedMaster> {
    const bytes = await buffer(stream);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    let entry = this.entries.get(sha256);
    if (entry) {
      // Most recently used last.
      this.entries.delete(sha256);
      this.entries.set(sha256, entry);
      return entry;
    }
    entry = this.decode(sha256, bytes);
    this.entries.set(sha256, entry);
    entry.then(
      (master) => this.account(sha256, master),
      () => this.entries.delete(sha256),
    );
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
    await mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
    const path = join(this.tmpDir, `master-${randomUUID()}`);
    try {
      await writeFile(path, bytes, { mode: 0o600 });
      const audio = await decodeAudioFile(path);
      let peaks: Record<string, unknown> | undefined;
      const length = audio.channels[0]?.length ?? 0;
      return {
        sha256,
        sampleRate: audio.sampleRate,
        channels: audio.channels,
        peaks: () => {
          peaks ??= JSON.parse(
            encodePeaksJson(computePeaks({ audio, pixelsPerSecond: 20 }), { bits: 8 }),
          ) as Record<string, unknown>;
          return peaks;
        },
        source: () => ({
          sampleRate: audio.sampleRate,
          channels: audio.channels.length,
          length,
          // Copies, so nothing downstream can alter the cached samples.
          read: async (start, end) => audio.channels.map((ch) => ch.slice(start, end)),
        }),
      };
    } finally {
      await rm(path, { force: true });
    }
  }
}
