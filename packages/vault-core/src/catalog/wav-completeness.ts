import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { ValidationError } from '../errors.js';

/** Header bytes looked at to find the `data` chunk; WAVs with longer headers are not checked. */
const HEADER_WINDOW = 64 * 1024;

/** Where a WAV's audio starts and how many bytes its header says it holds. */
export interface WavDataChunk {
  offset: number;
  size: number;
}

/**
 * The `data` chunk of a RIFF/WAVE header, if `head` holds it: walks the chunks after `WAVE`
 * (each `id`, 32-bit little-endian size, body padded to even length). `null` for other files,
 * headers longer than `head`, and sizes that mean "unknown" (0 or 0xFFFFFFFF, written by
 * recorders that stream), so only a file that says how long it is can be found short.
 */
export function wavDataChunk(head: Buffer): WavDataChunk | null {
  if (head.length < 12 || head.toString('latin1', 0, 4) !== 'RIFF') return null;
  if (head.toString('latin1', 8, 12) !== 'WAVE') return null;
  let at = 12;
  while (at + 8 <= head.length) {
    const id = head.toString('latin1', at, at + 4);
    const size = head.readUInt32LE(at + 4);
    if (id === 'data') {
      return size === 0 || size === 0xffffffff ? null : { offset: at + 8, size };
    }
    at += 8 + size + (size % 2);
  }
  return null;
}

/**
 * A pass-through that fails a WAV whose bytes end before its `data` chunk says its audio ends
 * (a cut-off upload or copy), with `invalid_input` and a message a person can act on. Other
 * files pass unchecked (the analysis reads them).
 */
class WavCompleteness extends Transform {
  private head: Buffer[] = [];
  private headBytes = 0;
  private total = 0;
  private chunk: WavDataChunk | null | undefined;

  override _transform(data: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.total += data.length;
    if (this.chunk === undefined) {
      this.head.push(data);
      this.headBytes += data.length;
      if (this.headBytes >= HEADER_WINDOW) this.decide();
    }
    done(null, data);
  }

  private decide(): void {
    const head = Buffer.concat(this.head).subarray(0, HEADER_WINDOW);
    this.chunk = wavDataChunk(head);
    this.head = [];
  }

  override _flush(done: TransformCallback): void {
    if (this.chunk === undefined) this.decide();
    const chunk = this.chunk;
    if (chunk && this.total < chunk.offset + chunk.size) {
      const have = Math.max(0, this.total - chunk.offset);
      const percent = Math.floor((have / chunk.size) * 100);
      done(
        new ValidationError(
          `This WAV file is cut short: its header announces ${chunk.size} bytes of audio but the file holds ${have} (${percent} %). Upload the complete file.`,
          'file',
        ),
      );
      return;
    }
    done();
  }
}

/** `body` with a check that a WAV is complete (see {@link WavCompleteness}); errors propagate. */
export function checkedAudio(body: Readable): Readable {
  const check = new WavCompleteness();
  body.on('error', (error) => check.destroy(error));
  return body.pipe(check);
}
