import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAiffHeader } from './aiff-read.js';
import type { SampleFormat } from './audio.js';
import { openAudioSink } from './audio-sink.js';
import { openAudioStream } from './decode-file.js';
import { AudioDecodeError } from './errors.js';
import { nativePcm, useNativePcm } from './native-pcm.js';
import { decodeFrames, encodeFrames, type SampleLayout } from './sample-codec.js';
import { parseWavHeader } from './wav-header.js';
import { collectStream } from './wav-stream.js';

const dir = mkdtempSync(join(tmpdir(), 'vaultmark-audio-layer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string) => join(dir, name);

/** sox writes the fixtures and ffmpeg decodes the references: two independent implementations. */
const sox = (...args: string[]) => execFileSync('sox', args);
function ffmpegFloats(path: string, channels: number): Float32Array[] {
  const raw = execFileSync(
    'ffmpeg',
    ['-v', 'error', '-i', path, '-f', 'f32le', '-c:a', 'pcm_f32le', 'pipe:1'],
    { maxBuffer: 1 << 28 },
  );
  const all = new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
  const frames = all.length / channels;
  return Array.from({ length: channels }, (_, c) =>
    Float32Array.from({ length: frames }, (_, i) => all[i * channels + c]!),
  );
}
async function readAll(path: string) {
  const stream = await openAudioStream(path, { chunkFrames: 1000 });
  return { stream, channels: await collectStream(stream) };
}

/** A 0.3 s two-tone signal by sox, in each sample format sox writes (WAV and AIFF). */
const soxFormats: Array<{ name: string; args: string[]; format: SampleFormat; channels: number }> =
  [
    { name: 'u8.wav', args: ['-e', 'unsigned', '-b', '8'], format: pcm(8), channels: 2 },
    { name: 's16.wav', args: ['-e', 'signed', '-b', '16'], format: pcm(16), channels: 2 },
    // 24-bit and 3 channels: sox writes WAVE_FORMAT_EXTENSIBLE.
    { name: 's24.wav', args: ['-e', 'signed', '-b', '24'], format: pcm(24), channels: 3 },
    { name: 's32.wav', args: ['-e', 'signed', '-b', '32'], format: pcm(32), channels: 2 },
    { name: 'f32.wav', args: ['-e', 'floating-point', '-b', '32'], format: flt(32), channels: 1 },
    { name: 'f64.wav', args: ['-e', 'floating-point', '-b', '64'], format: flt(64), channels: 2 },
    { name: 's16.aiff', args: ['-e', 'signed', '-b', '16'], format: pcm(16), channels: 2 },
    { name: 's24.aiff', args: ['-e', 'signed', '-b', '24'], format: pcm(24), channels: 1 },
    { name: 's8.aiff', args: ['-e', 'signed', '-b', '8'], format: pcm(8), channels: 2 },
  ];
function pcm(bitsPerSample: number): SampleFormat {
  return { encoding: 'pcm', bitsPerSample };
}
function flt(bitsPerSample: number): SampleFormat {
  return { encoding: 'float', bitsPerSample };
}
function soxFile(f: (typeof soxFormats)[number]): string {
  const path = at(f.name);
  sox(
    ...['-n', '-r', '44100', '-c', String(f.channels), ...f.args, path],
    ...['synth', '0.3', 'sine', '440', 'sine', '1250', 'gain', '-3'],
  );
  return path;
}

describe('the audio layer against independent references', () => {
  for (const f of soxFormats) {
    it(`reads sox's ${f.name} as ffmpeg decodes it`, async () => {
      const path = soxFile(f);
      const { stream, channels } = await readAll(path);
      expect(stream.format).toEqual(f.format);
      expect(stream.container).toBe(f.name.endsWith('.wav') ? 'wav' : 'aiff');
      expect(stream.totalFrames).toBe(13_230);
      const reference = ffmpegFloats(path, f.channels);
      expect(channels.length).toBe(f.channels);
      let worst = 0;
      for (let c = 0; c < f.channels; c++) {
        expect(channels[c]!.length).toBe(reference[c]!.length);
        for (let i = 0; i < channels[c]!.length; i++)
          worst = Math.max(worst, Math.abs(channels[c]![i]! - reference[c]![i]!));
      }
      // Exact up to 24 bits; 32-bit integers keep float32's precision (ffmpeg rounds alike).
      expect(worst).toBeLessThanOrEqual(f.format.bitsPerSample === 32 ? 2 ** -24 : 0);
    });
  }

  it('writes every format of up to 24 bits and 32-bit float back bit for bit (WAV, AIFF)', async () => {
    for (const f of soxFormats) {
      // 32-bit integers and 64-bit floats pass through float32 samples: not bit-exact by design.
      if (
        f.format.bitsPerSample > 24 &&
        !(f.format.encoding === 'float' && f.format.bitsPerSample === 32)
      )
        continue;
      const path = soxFile(f);
      const { stream, channels } = await readAll(path);
      const out = at(`copy-${f.name}`);
      const sink = await openAudioSink(out, {
        sampleRate: stream.sampleRate,
        channelCount: channels.length,
        format: stream.format,
      });
      // Odd pieces, to cross the sink's buffer boundaries at arbitrary frames.
      for (let i = 0; i < channels[0]!.length; i += 4097)
        await sink.write(channels.map((ch) => ch.subarray(i, i + 4097)));
      await sink.close();
      expect(dataOf(readFileSync(out)), f.name).toEqual(dataOf(readFileSync(path)));
    }
  });

  it('writes FLAC that ffmpeg decodes to the same 16- and 24-bit samples', async () => {
    for (const f of [soxFormats[1]!, soxFormats[2]!]) {
      const { stream, channels } = await readAll(soxFile(f));
      const out = at(`${f.name}.flac`);
      const sink = await openAudioSink(out, {
        sampleRate: stream.sampleRate,
        channelCount: channels.length,
        format: stream.format,
      });
      await sink.write(channels);
      await sink.close();
      const back = ffmpegFloats(out, channels.length);
      for (let c = 0; c < channels.length; c++) expect(back[c]).toEqual(channels[c]);
    }
  });

  it('writes a WAV stream of unknown length to stdout that it reads back from stdin', async () => {
    const { stream, channels } = await readAll(soxFile(soxFormats[1]!));
    const stdout = new PassThrough();
    const parts: Buffer[] = [];
    stdout.on('data', (b: Buffer) => parts.push(b));
    const sink = await openAudioSink('-', {
      sampleRate: stream.sampleRate,
      channelCount: 2,
      stdout,
    });
    await sink.write(channels);
    await sink.close();
    const bytes = Buffer.concat(parts);
    const back = await openAudioStream('-', {
      stdin: Readable.from([
        bytes.subarray(0, 7),
        bytes.subarray(7, 70_001),
        bytes.subarray(70_001),
      ]),
    });
    expect(back.totalFrames).toBeUndefined();
    expect(await collectStream(back)).toEqual(channels);
  });

  it('reads a named pipe as a stream', async () => {
    const path = soxFile(soxFormats[1]!);
    const fifo = at('pipe.wav');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', `cat '${path}' > '${fifo}'`]);
    const { stream, channels } = await readAll(fifo);
    expect(stream.container).toBe('wav');
    expect(channels).toEqual((await readAll(path)).channels);
    writer.kill();
  });

  it('hands a WAV with megabytes of chunks before its samples to ffmpeg', async () => {
    const source = soxFile(soxFormats[1]!);
    const plain = readFileSync(source);
    const data = plain.indexOf('data');
    const junk = Buffer.alloc(8 + 3 * 1024 * 1024);
    junk.write('JUNK', 0, 'ascii');
    junk.writeUInt32LE(junk.length - 8, 4);
    const padded = Buffer.concat([plain.subarray(0, data), junk, plain.subarray(data)]);
    padded.writeUInt32LE(padded.length - 8, 4);
    writeFileSync(at('padded.wav'), padded);
    const { stream, channels } = await readAll(at('padded.wav'));
    expect(stream.container).toBeUndefined();
    // (sox dithers: every call writes new samples, so compare with the same file.)
    expect(channels).toEqual((await readAll(source)).channels);
  });

  it('reads an RF64 file that ffmpeg writes', async () => {
    const path = at('rf64.wav');
    execFileSync('ffmpeg', [
      ...['-v', 'error', '-y', '-i', soxFile(soxFormats[2]!), '-rf64', 'always'],
      ...['-c:a', 'pcm_s24le', path],
    ]);
    expect(readFileSync(path).toString('ascii', 0, 4)).toBe('RF64');
    const { stream, channels } = await readAll(path);
    expect(stream.totalFrames).toBe(13_230);
    expect(channels).toEqual(ffmpegFloats(path, 3));
  });

  it('fails a truncated file with truncated_file after the frames it holds', async () => {
    const path = soxFile(soxFormats[1]!);
    const cut = at('cut.wav');
    writeFileSync(cut, readFileSync(path).subarray(0, 30_000));
    const stream = await openAudioStream(cut, { chunkFrames: 1000 });
    let frames = 0;
    await expect(
      (async () => {
        for await (const chunk of stream.chunks) frames += chunk[0]!.length;
      })(),
    ).rejects.toMatchObject({ code: 'truncated_file' });
    expect(frames).toBe(Math.floor((30_000 - 44) / 4));
  });
});

/** The bytes of a WAV `data` or AIFF `SSND` chunk (after its offset and block size). */
function dataOf(file: Buffer): Buffer {
  const big = file.toString('ascii', 0, 4) === 'FORM';
  for (let p = 12; p + 8 <= file.length; ) {
    const id = file.toString('ascii', p, p + 4);
    const size = big ? file.readUInt32BE(p + 4) : file.readUInt32LE(p + 4);
    if (id === 'data') return file.subarray(p + 8, p + 8 + size);
    if (id === 'SSND') return file.subarray(p + 16 + file.readUInt32BE(p + 8), p + 8 + size);
    p += 8 + size + (size & 1);
  }
  throw new Error('no sample data');
}

describe('native and TypeScript sample conversion', () => {
  const layout = (encoding: 'pcm' | 'float', bitsPerSample: number): SampleLayout => ({
    encoding,
    bitsPerSample,
    littleEndian: true,
    unsigned8: true,
  });
  const layouts = [
    ...[8, 16, 24, 32].map((b) => layout('pcm', b)),
    ...[32, 64].map((b) => layout('float', b)),
  ];
  const native = nativePcm();
  it.skipIf(!native)('are bit-equal on shared vectors, both ways', () => {
    let seed = 12345;
    const rnd = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) | 0;
      return (seed >>> 0) / 2 ** 32;
    };
    for (const layout of layouts) {
      for (const nch of [1, 2, 3]) {
        const frames = 3001;
        const bytes = new Uint8Array(frames * nch * (layout.bitsPerSample >> 3));
        for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rnd() * 256);
        if (layout.encoding === 'float') {
          // Finite floats only in the input; edge values below on the way out.
          const f =
            layout.bitsPerSample === 32
              ? new Float32Array(bytes.buffer)
              : new Float64Array(bytes.buffer);
          for (let i = 0; i < f.length; i++) f[i] = (rnd() - 0.5) * 2.5;
        }
        const decode = (useNative: boolean) => {
          useNativePcm(useNative);
          const out = Array.from({ length: nch }, () => new Float32Array(frames + 5));
          decodeFrames(out, 5, new DataView(bytes.buffer), frames, layout);
          return out;
        };
        expect(decode(true)).toEqual(decode(false));
        // Encoding: half-way points, out of range, infinities and NaN included.
        const scale = 2 ** (layout.bitsPerSample - 1);
        const channels = Array.from({ length: nch }, () =>
          Float32Array.from({ length: frames }, (_, i) => {
            const k = i % 7;
            if (k === 0) return (Math.floor((rnd() - 0.5) * 200) + 0.5) / scale;
            if (k === 1) return (rnd() - 0.5) * 3;
            if (k === 2) return [Number.NaN, Number.POSITIVE_INFINITY, -1, 1, -0][i % 5]!;
            return (rnd() - 0.5) * 2;
          }),
        );
        const encode = (useNative: boolean) => {
          useNativePcm(useNative);
          const out = new Uint8Array(frames * nch * (layout.bitsPerSample >> 3));
          encodeFrames(new DataView(out.buffer), channels, 0, frames, layout, {
            kind: 'none',
            state: new Uint32Array([1]),
          });
          return out;
        };
        expect(encode(true), `${layout.encoding}${layout.bitsPerSample}×${nch}`).toEqual(
          encode(false),
        );
      }
    }
    useNativePcm(true);
  });
});

describe('header parsers', () => {
  it('never throw anything but typed errors, whatever the bytes', () => {
    const wav = readFileSync(soxFile(soxFormats[2]!)).subarray(0, 200);
    const aiff = readFileSync(soxFile(soxFormats[6]!)).subarray(0, 200);
    fc.assert(
      fc.property(
        fc.constantFrom(wav, aiff),
        fc.array(fc.tuple(fc.nat(199), fc.nat(255)), { maxLength: 12 }),
        fc.nat(200),
        fc.boolean(),
        (base, edits, cut, complete) => {
          const bytes = Uint8Array.from(base.subarray(0, cut));
          for (const [i, v] of edits) if (i < bytes.length) bytes[i] = v;
          for (const parse of [parseWavHeader, parseAiffHeader]) {
            try {
              const h = parse(bytes, complete);
              if (h) {
                expect(h.channelCount).toBeGreaterThan(0);
                expect(h.blockAlign).toBe(h.channelCount * (h.layout.bitsPerSample >> 3));
              }
            } catch (error) {
              expect(error).toBeInstanceOf(AudioDecodeError);
            }
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('streaming a 60-minute file', () => {
  it('reads and writes it in bounded memory', async () => {
    // 60 minutes of 8 kHz mono 16-bit (58 MB): length is what matters to a leak.
    const rate = 8000;
    const seconds = 3600;
    const path = at('hour.wav');
    const chunk = new Float32Array(rate * 10).map((_, i) => 0.5 * Math.sin(i * 0.05));
    const sink = await openAudioSink(path, { sampleRate: rate, channelCount: 1 });
    for (let s = 0; s < seconds; s += 10) await sink.write([chunk]);
    await sink.close();
    expect(statSync(path).size).toBe(116 + seconds * rate * 2);
    const copy = at('hour-copy.wav');
    const stream = await openAudioStream(path, { reuseChunks: true });
    const out = await openAudioSink(copy, { sampleRate: rate, channelCount: 1 });
    const before = process.memoryUsage().arrayBuffers;
    let peak = 0;
    let frames = 0;
    for await (const part of stream.chunks) {
      await out.write(part);
      frames += part[0]!.length;
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
    }
    await out.close();
    expect(frames).toBe(seconds * rate);
    // Two raw read buffers, one reused chunk and two 512 KiB write buffers: a few MB, never the file.
    expect(peak).toBeLessThan(8 << 20);
    expect(statSync(copy).size).toBe(statSync(path).size);
  }, 120_000);
});
