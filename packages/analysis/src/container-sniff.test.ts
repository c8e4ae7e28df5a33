import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { sniffContainer } from './container-sniff.js';

const dir = mkdtempSync(join(tmpdir(), 'vaultmark-sniff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Encodes a 0.2 s tone with the real ffmpeg and returns the file's first bytes. */
function encoded(name: string, ...args: string[]): Uint8Array {
  const path = join(dir, name);
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=0.2'],
    ...args,
    path,
  ]);
  return readFileSync(path).subarray(0, 64);
}

describe('sniffContainer', () => {
  it.each([
    ['tone.wav', 'wav', []],
    ['tone-rf64.wav', 'rf64', ['-rf64', 'always']],
    ['tone.flac', 'flac', []],
    ['tone.mp3', 'mp3', []],
    ['tone-noid3.mp3', 'mp3', ['-id3v2_version', '0', '-write_xing', '0']],
    ['tone.ogg', 'ogg', ['-c:a', 'libvorbis']],
    ['tone.opus', 'ogg', ['-c:a', 'libopus']],
    ['tone.m4a', 'mp4', ['-c:a', 'aac']],
    ['tone.aiff', 'aiff', []],
    ['tone.webm', 'webm', ['-c:a', 'libopus']],
  ] as const)('recognises %s made by ffmpeg as %s', (name, format, args) => {
    expect(sniffContainer(encoded(name, ...args))).toBe(format);
  });

  it('rejects text, images, other RIFF files and executables', () => {
    const bytes = (text: string) => new TextEncoder().encode(text);
    expect(sniffContainer(bytes('<!doctype html><html>'))).toBeUndefined();
    expect(
      sniffContainer(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)),
    ).toBeUndefined();
    expect(sniffContainer(bytes('\x7fELF\x02\x01\x01\x00'))).toBeUndefined();
    expect(sniffContainer(bytes('RIFF\x00\x00\x00\x00AVI LIST'))).toBeUndefined();
    expect(sniffContainer(new Uint8Array(0))).toBeUndefined();
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 32 }), (bytes) => {
        sniffContainer(bytes);
      }),
    );
  });
});
