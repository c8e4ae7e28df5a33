import { Readable } from 'node:stream';

/**
 * Audio ready to leave the vault, readable in byte ranges (a player's Range requests): already
 * marked for whoever asked, whatever the representation.
 */
export interface MediaSource {
  size: number;
  contentType: string;
  /** Opens a stream of bytes `start..end` (inclusive). */
  open(start: number, end: number): Readable | Promise<Readable>;
}

/** A media source over bytes held in memory (a rendered preview). */
export function bufferMedia(bytes: Buffer, contentType: string): MediaSource {
  return {
    size: bytes.length,
    contentType,
    open: (start, end) => Readable.from([bytes.subarray(start, end + 1)]),
  };
}
