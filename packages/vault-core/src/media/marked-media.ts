import type { Readable } from 'node:stream';
import type { WatermarkKey } from '@vaultmark/watermark';
import { DecodedMasters, type MasterHint } from './decoded-masters.js';
import { bufferMedia, type MediaSource } from './media-source.js';
import { encodePreview, type PreviewBitrate } from './preview-encoder.js';
import { watermarkedWav } from './watermarked-wav.js';

/** The mark one exit carries: the tenant's key and the payload its mapping records. */
export interface ExitMark {
  keyId: string;
  key: WatermarkKey;
  payload: string;
}

/**
 * Renders marked copies: decoded masters are cached (see {@link DecodedMasters}); a marked WAV
 * is rendered per byte range on demand; a lossy preview is rendered whole once per mark and
 * master and kept in memory (least recently used first out, up to `maxPreviewBytes`), so a
 * player's seeks are byte ranges of one file.
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
  async wav(master: Readable, hint: MasterHint, mark: ExitMark): Promise<MediaSource> {
    const decoded = await this.masters.load(master, hint);
    return watermarkedWav(decoded.source(), { key: mark.key, payload: mark.payload });
  }

  /** The marked lossy preview (constant-bit-rate MP3), rendered once and then served from memory. */
  async preview(
    master: Readable,
    hint: MasterHint,
    mark: ExitMark,
    kbps: PreviewBitrate,
  ): Promise<MediaSource> {
    const decoded = await this.masters.load(master, hint);
    const id = `${decoded.sha256}:${mark.keyId}:${mark.payload}:${kbps}`;
    let entry = this.previews.get(id);
    if (entry) {
      this.previews.delete(id);
      this.previews.set(id, entry);
    } else {
      const wav = watermarkedWav(decoded.source(), { key: mark.key, payload: mark.payload });
      entry = Promise.resolve(wav.open(0, wav.size - 1)).then((s) => encodePreview(s, kbps));
      this.previews.set(id, entry);
      entry.then(
        (bytes) => this.account(id, bytes.length),
        () => this.previews.delete(id),
      );
    }
    return bufferMedia(await entry, 'audio/mpeg');
  }

  /** Waveform peaks of a master (the shape of the music, no audio). */
  async peaks(master: Readable, hint: MasterHint): Promise<Record<string, unknown>> {
    return (await this.masters.load(master, hint)).peaks();
  }

  private account(id: string, size: number): void {
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
