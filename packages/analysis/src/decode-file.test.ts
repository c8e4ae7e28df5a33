import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { decodeAudioFile, openAudioStream } from './decode-file.js';
import { createWavFileWriter, encodeAudioFile } from './encode-file.js';
import { AudioDecodeError } from './errors.js';
import { readWav } from './wav-read.js';
import { collectStream } from './wav-stream.js';
import { encodeWav } from './wav-write.js';

const dir = mkdtempSync(join(tmpdir(), 'vaultmark-analysis-'));
const tone = (n: number, f: number, rate: number) =>
  new Float32Array(n).map((_, i) => 0.5 * Math.sin((2 * Math.PI * f * i) / rate));

/** ffmpeg writes the fixture: an independent encoder. */
const ffmpeg = (...args: string[]) =>
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);

describe('decodeAudioFile', () => {
  it('reads AIFF, AIFF-C (sowt, fl32) written by ffmpeg natively', async () => {
    const wav = join(dir, 'src.wav');
    const audio = { sampleRate: 22050, channels: [tone(2205, 440, 22050), tone(2205, 660, 22050)] };
    writeFileSync(wav, encodeWav(audio));
    for (const codec of ['pcm_s16be', 'pcm_s16le', 'pcm_f32be', 'pcm_s24be']) {
      // ffmpeg writes AIFF for big-endian integers and AIFF-C (sowt, fl32) otherwise.
      const out = join(dir, `${codec}.aiff`);
      ffmpeg('-i', wav, '-c:a', codec, '-f', 'aiff', out);
      const back = await decodeAudioFile(out);
      expect(back.sampleRate).toBe(22050);
      expect(back.channels[1]).toEqual(readWav(readFileSync(wav)).channels[1]);
    }
  });

  it('reads RF64 and 24-bit EXTENSIBLE files written by ffmpeg', async () => {
    const wav = join(dir, 'src24.wav');
    const audio = {
      sampleRate: 48000,
      channels: [tone(4800, 440, 48000), tone(4800, 880, 48000), tone(4800, 220, 48000)],
    };
    writeFileSync(wav, encodeWav(audio));
    const expected = readWav(readFileSync(wav)).channels;
    for (const extra of [
      ['-rf64', 'always'],
      ['-c:a', 'pcm_s24le'],
      ['-c:a', 'pcm_f64le'],
      ['-c:a', 'pcm_u8'],
    ]) {
      const out = join(dir, `x${extra.join('')}.wav`);
      ffmpeg('-i', wav, ...extra, out);
      const back = await decodeAudioFile(out);
      expect(back.channels.length).toBe(3);
      const tol = extra[1] === 'pcm_u8' ? 1 / 128 : 0;
      for (let c = 0; c < 3; c++) {
        for (let i = 0; i < 4800; i += 97) {
          expect(Math.abs(back.channels[c]![i]! - expected[c]![i]!)).toBeLessThanOrEqual(tol);
        }
      }
    }
  });

  it('decodes FLAC through ffmpeg, and the stream gives the same samples in chunks', async () => {
    const path = join(dir, 'a.flac');
    const audio = { sampleRate: 44100, channels: [tone(44100, 440, 44100)] };
    await encodeAudioFile(path, audio, { format: { encoding: 'pcm', bitsPerSample: 16 } });
    const whole = await decodeAudioFile(path);
    const expected = readWav(encodeWav(audio)).channels[0]!;
    // ffmpeg rounds float to 16-bit half-to-even, we round half up: at most 1 LSB apart.
    for (let i = 0; i < expected.length; i++) {
      expect(Math.abs(whole.channels[0]![i]! - expected[i]!)).toBeLessThanOrEqual(1 / 32768);
    }
    const stream = await openAudioStream(path, { chunkFrames: 4096 });
    expect(stream.sampleRate).toBe(44100);
    let chunks = 0;
    let total = 0;
    for await (const c of stream.chunks) {
      chunks++;
      total += c[0]!.length;
    }
    expect(total).toBe(44100);
    expect(chunks).toBe(Math.ceil(44100 / 4096));
  });

  it('reads standard input (`-`), WAV natively and other formats through ffmpeg', async () => {
    const audio = { sampleRate: 8000, channels: [tone(800, 300, 8000)] };
    const wav = encodeWav(audio);
    const s1 = await openAudioStream('-', {
      stdin: Readable.from([wav.subarray(0, 7), wav.subarray(7)]),
    });
    expect((await collectStream(s1))[0]).toEqual(readWav(wav).channels[0]);
    const flac = join(dir, 'b.flac');
    await encodeAudioFile(flac, audio);
    const s2 = await decodeAudioFile('-', { stdin: Readable.from([readFileSync(flac)]) });
    expect(s2.channels[0]).toEqual((await decodeAudioFile(flac)).channels[0]);
  });

  it('gives typed errors: empty, garbage, missing ffmpeg, time limit', async () => {
    const empty = join(dir, 'empty.mp3');
    writeFileSync(empty, new Uint8Array(0));
    await expect(decodeAudioFile(empty)).rejects.toMatchObject({ code: 'empty_file' });
    await expect(decodeAudioFile(join(dir, 'absent.wav'))).rejects.toMatchObject({
      code: 'not_found',
    });
    const junk = join(dir, 'junk.bin');
    writeFileSync(junk, new TextEncoder().encode('this is not audio at all '.repeat(40)));
    await expect(decodeAudioFile(junk)).rejects.toMatchObject({ code: 'unsupported_format' });
    const badMp3 = join(dir, 'junk.mp3');
    writeFileSync(badMp3, new TextEncoder().encode('this is not audio at all '.repeat(40)));
    await expect(decodeAudioFile(badMp3)).rejects.toBeInstanceOf(AudioDecodeError);
    const flac = join(dir, 'c.flac');
    await encodeAudioFile(flac, { sampleRate: 8000, channels: [tone(800, 300, 8000)] });
    await expect(
      decodeAudioFile(flac, { ffmpegPath: '/nonexistent/ffmpeg' }),
    ).rejects.toMatchObject({
      code: 'ffmpeg_missing',
    });
    const forever = Readable.from(
      (async function* () {
        yield readFileSync(flac).subarray(0, 100);
        await new Promise(() => {}); // a stalled pipe
      })(),
    );
    await expect(decodeAudioFile('-', { stdin: forever, timeoutMs: 300 })).rejects.toMatchObject({
      code: 'decode_timeout',
    });
  });

  it('the streaming WAV writer finalizes a header readers accept', async () => {
    const path = join(dir, 'stream.wav');
    const w = await createWavFileWriter(path, {
      sampleRate: 48000,
      channelCount: 2,
      format: { encoding: 'pcm', bitsPerSample: 24 },
    });
    const a = tone(1000, 100, 48000);
    await w.write([a, a]);
    await w.write([a.subarray(0, 10), a.subarray(0, 10)]);
    await w.close();
    const back = readWav(readFileSync(path));
    expect(back.channels[0]!.length).toBe(1010);
    // ffmpeg, an independent reader, agrees on the length.
    const probe = execFileSync('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'stream=duration_ts',
      '-of',
      'csv=p=0',
      path,
    ]);
    expect(Number(String(probe).trim())).toBe(1010);
  });
});
