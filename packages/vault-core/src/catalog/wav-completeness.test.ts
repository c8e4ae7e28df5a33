import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { engines } from '../../test/database.js';
import { ownerActor, useTestDeps } from '../../test/deps.js';
import { failure } from '../../test/shares.js';
import { listTracks, uploadTrack } from './tracks.js';
import { wavDataChunk } from './wav-completeness.js';

/** A 16-bit mono 8 kHz WAV of `samples` samples, with a LIST chunk before `data`. */
function wav(samples: number): Buffer {
  const list = Buffer.concat([Buffer.from('LIST'), Buffer.alloc(4), Buffer.from('INFO')]);
  list.writeUInt32LE(4, 4);
  const fmt = Buffer.alloc(24);
  fmt.write('fmt ', 0, 'latin1');
  fmt.writeUInt32LE(16, 4);
  fmt.writeUInt16LE(1, 8);
  fmt.writeUInt16LE(1, 10);
  fmt.writeUInt32LE(8000, 12);
  fmt.writeUInt32LE(16000, 16);
  fmt.writeUInt16LE(2, 20);
  fmt.writeUInt16LE(16, 22);
  const data = Buffer.alloc(8 + samples * 2);
  data.write('data', 0, 'latin1');
  data.writeUInt32LE(samples * 2, 4);
  for (let i = 0; i < samples; i++)
    data.writeInt16LE(Math.round(8000 * Math.sin(i / 5)), 8 + i * 2);
  const body = Buffer.concat([Buffer.from('WAVE'), fmt, list, data]);
  const riff = Buffer.alloc(8);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(body.length, 4);
  return Buffer.concat([riff, body]);
}

/** A stream of `bytes` in small pieces, as an upload arrives. */
const pieces = (bytes: Buffer) =>
  Readable.from(
    Array.from({ length: Math.ceil(bytes.length / 1000) }, (_, i) =>
      bytes.subarray(i * 1000, (i + 1) * 1000),
    ),
  );

describe('WAV completeness', () => {
  it('finds the data chunk after other chunks, and says nothing of other files', () => {
    const full = wav(4000);
    expect(wavDataChunk(full)).toEqual({ offset: 56, size: 8000 });
    expect(wavDataChunk(Buffer.from('ID3\u0003 not a wav at all'))).toBeNull();
    const streaming = Buffer.from(full);
    streaming.writeUInt32LE(0xffffffff, 52);
    expect(wavDataChunk(streaming)).toBeNull();
  });
});

describe.each(engines)('uploading a cut-off WAV on %s', (engine) => {
  const deps = useTestDeps(engine);

  it('is refused with a clear reason and leaves no track; a complete one is accepted', async () => {
    const ann = await ownerActor(deps, 'cut-ann');
    const full = wav(4000);
    expect(
      await failure(
        uploadTrack(deps, ann, {
          body: pieces(full.subarray(0, 3000)),
          originalFileName: 'cut.wav',
        }),
      ),
    ).toEqual([
      'invalid_input',
      'This WAV file is cut short: its header announces 8000 bytes of audio but the file holds 2944 (36 %). Upload the complete file.',
    ]);
    expect(await listTracks(deps, ann)).toMatchObject({ total: 0 });
    const ok = await uploadTrack(deps, ann, { body: pieces(full), originalFileName: 'whole.wav' });
    expect(ok.title).toBe('whole');
  });
});
