import type { WatermarkKey } from '@vaultmark/watermark';
import { DecodedMasters, type MasterObject } from './decoded-masters.js';
import type { MediaSource } from './media-source.js';
import { encodePreview, type PreviewBitrate } from './preview-encoder.js';
import { watermarkedWav } from './watermarked-wav.js';

/** The mark one exit carries: the tenant's key and the payload its mapping records. */
export interface ExitMark {
  keyId: string;
  key: WatermarkKey;
  payload: string;
}

/**
 * Renders marked copies, in memory: decoded masters are cached (see {@link DecodedMasters}); a
 * marked WAV is rendered per byte range on demand; lossy previews are kept as bytes (least
 * recently used first out, up to `maxPreviewBytes`), so a player's seeks are byte ranges of one
 * file. Where previews come from when they are not in memory (the stored rendition, or a new
 * one) is the caller's: see `markedPreview`.
 */
export class MarkedMedia {
  readonly masters: DecodedMasters;
  private readonly previews = new Map<string, Promise<Buffer>>();
  private readonly sizes = new Map<string, number>();
  private readonly maxPreviewBytes: number;
  private previewTotal = 0;

  constructor(options: { maxMasterBytes?: number; maxPreviewBytes?: number } = {}) {
    this.masters = new DecodedMasters(options.maxMasterBytes);
    this.maxPreviewBytes = options.maxPreviewBytes ?? 256 * 1024 * 1024;
  }

  /** The marked lossless copy (16-bit WAV), readable in any byte range. */
  async wav(master: MasterObject, mark: ExitMark): Promise<MediaSource> {
    const decoded = await this.masters.load(master);
    return watermarkedWav(decoded.source(), { key: mark.key, payload: mark.payload });
  }

  /** Marks the master and encodes it to a constant-bit-rate MP3 (the whole preview). */
  async renderPreview(master: MasterObject, mark: ExitMark, kbps: PreviewBitrate): Promise<Buffer> {
    const decoded = await this.masters.load(master);
    const wav = watermarkedWav(decoded.source(), { key: mark.key, payload: mark.payload });
    return encodePreview(await wav.open(0, wav.size - 1), kbps);
  }

  /**
   * The preview `id` from memory, else from `load` (called once however many ask at the same
   * time), then kept in memory.
   */
  preview(id: string, load: () => Promise<Buffer>): Promise<Buffer> {
    let entry = this.previews.get(id);
    if (entry) {
      this.previews.delete(id);
      this.previews.set(id, entry);
      return entry;
    }
    entry = load();
    this.previews.set(id, entry);
    entry.then(
      (bytes) => this.account(id, bytes.length),
      () => this.previews.delete(id),
    );
    return entry;
  }

  /** Waveform peaks of a master (the shape of the music, no audio). */
  async peaks(master: MasterObject): Promise<Record<string, unknown>> {
    return (await this.masters.load(master)).peaks();
  }

  private account(id: string, size: number): void {
    if (!this.previews.has(id)) return;
    this.sizes.set(id, size);
    this.previewTotal += size;
    for (const key of this.previews.keys()) {
      if (this.previewTotal <= this.maxPreviewBytes || key === id) break;
      this.previewTotal -= this.sizes.get(key) ?? 0;
      this.sizes.delete(key);
      this.previews.delete(key);
    }
  }
}

const shared = new WeakMap<object, MarkedMedia>();

/** The media renderer of a set of ports: `deps.media`, else one shared per ports object. */
export function mediaOf(deps: { media?: MarkedMedia }): MarkedMedia {
  if (deps.media) return deps.media;
  let media = shared.get(deps);
  if (!media) {
    media = new MarkedMedia();
    shared.set(deps, media);
  }
  return media;
}
