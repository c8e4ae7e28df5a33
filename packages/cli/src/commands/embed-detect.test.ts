import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../test/run.js';

const dir = mkdtempSync(join(tmpdir(), 'vaultmark-embed-'));
const at = (name: string) => join(dir, name);
const payload = '00112233445566778899aabbccddeeff';
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 30 s of a chord over pink noise, 24-bit stereo, made by ffmpeg. */
beforeAll(async () => {
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=220:duration=30',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=277:duration=30',
    '-f',
    'lavfi',
    '-i',
    'anoisesrc=color=pink:duration=30:amplitude=0.08:seed=7',
    '-filter_complex',
    '[0][1][2]amix=inputs=3,volume=2.5',
    '-ac',
    '2',
    '-ar',
    '44100',
    '-c:a',
    'pcm_s24le',
    at('master.wav'),
  ]);
  expect((await run(['keygen', '--name', 'alice', at('alice.key')])).code).toBe(0);
  expect((await run(['keygen', '--name', 'bob', at('bob.key')])).code).toBe(0);
  const embedded = await run([
    'embed',
    '--key',
    at('alice.key'),
    at('master.wav'),
    at('marked.wav'),
    payload,
  ]);
  expect(embedded.stderr).toBe('');
  expect(embedded.code).toBe(0);
}, 60_000);

const probe = (path: string) =>
  execFileSync(
    'ffprobe',
    [
      '-v',
      'error',
      '-show_entries',
      'stream=codec_name,bits_per_raw_sample,bits_per_sample',
      '-of',
      'compact=p=0:nk=1',
      path,
    ],
    {
      encoding: 'utf8',
    },
  ).trim();

describe('vaultmark embed and detect', () => {
  it('keeps the input sample format and finds the mark with the right key only', async () => {
    expect(probe(at('marked.wav'))).toMatch(/^pcm_s24le\|24/);
    const found = await run([
      'detect',
      '--key',
      at('bob.key'),
      '--key',
      at('alice.key'),
      '--json',
      at('marked.wav'),
    ]);
    expect(found.code).toBe(0);
    const json = JSON.parse(found.stdout);
    expect(json).toMatchObject({ found: true, durationSeconds: 30 });
    expect(json.matches).toHaveLength(1);
    expect(json.matches[0]).toMatchObject({ payload, key: 'alice' });
    expect(json.matches[0].falsePositiveProbability).toBeLessThanOrEqual(1e-9);
    expect(Object.keys(json.matches[0]).sort()).toEqual([
      'falsePositiveProbability',
      'key',
      'log10FalsePositiveProbability',
      'method',
      'offsetSeconds',
      'payload',
      'speed',
    ]);
    expect(json.severalMarks).toBe(false);
    expect(json.matches[0].log10FalsePositiveProbability).toBeLessThanOrEqual(-9);

    const wrongKey = await run(['detect', '--key', at('bob.key'), at('marked.wav')]);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stdout.trim()).toBe('no watermark found');
    const unmarked = await run(['detect', '--key', at('alice.key'), '--json', at('master.wav')]);
    expect(unmarked.code).toBe(1);
    expect(JSON.parse(unmarked.stdout)).toEqual({
      found: false,
      severalMarks: false,
      matches: [],
      durationSeconds: 30,
    });
  }, 60_000);

  it('names both payloads of two averaged copies and says the marks are several', async () => {
    const other = 'ffeeddccbbaa99887766554433221100';
    expect(
      (await run(['embed', '--key', at('alice.key'), at('master.wav'), at('other.wav'), other]))
        .code,
    ).toBe(0);
    execFileSync('ffmpeg', [
      ...['-v', 'error', '-y', '-i', at('marked.wav'), '-i', at('other.wav')],
      ...['-filter_complex', 'amix=inputs=2:normalize=1', at('mixed.wav')],
    ]);
    const text = await run(['detect', '--key', at('alice.key'), at('mixed.wav')]);
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(
      lines
        .slice(0, 2)
        .map((l) => l.slice(0, 32))
        .sort(),
    ).toEqual([payload, other]);
    expect(lines[2]).toMatch(/^several marks of one key: /);
    const json = JSON.parse(
      (await run(['detect', '--key', at('alice.key'), '--json', at('mixed.wav')])).stdout,
    );
    expect(json.severalMarks).toBe(true);
    expect(json.matches.map((m: { payload: string }) => m.payload).sort()).toEqual([
      payload,
      other,
    ]);
  }, 60_000);

  it('reads any format through ffmpeg and writes FLAC', async () => {
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-i',
      at('marked.wav'),
      '-b:a',
      '128k',
      at('leak.mp3'),
    ]);
    const mp3 = await run(['detect', '--key', at('alice.key'), at('leak.mp3')]);
    expect(mp3.code).toBe(0);
    expect(mp3.stdout).toContain(payload);
    const flac = await run([
      'embed',
      '--key',
      at('bob.key'),
      at('master.wav'),
      at('marked.flac'),
      '0badcafe',
    ]);
    expect(flac.code).toBe(0);
    expect(probe(at('marked.flac'))).toMatch(/^flac\|\d+\|24$/);
    const fromFlac = await run([
      'detect',
      '--bits',
      '32',
      '--key',
      at('bob.key'),
      at('marked.flac'),
    ]);
    expect(fromFlac.code).toBe(0);
    expect(fromFlac.stdout).toContain('0badcafe');
  }, 60_000);

  it('streams through stdin and stdout', async () => {
    const piped = await run(['detect', '--key', at('alice.key'), '-'], {
      stdin: readFileSync(at('marked.wav')),
    });
    expect(piped.code).toBe(0);
    expect(piped.stdout).toContain(payload);
  }, 60_000);

  it('matches a copy too damaged to decode against the issued payloads', async () => {
    // A weak mark (strength 8) through MP3 at 32 kbps: too little is left to decode blind.
    const weak = await run([
      'embed',
      '--strength',
      '8',
      '--key',
      at('alice.key'),
      at('master.wav'),
      at('weak.wav'),
      payload,
    ]);
    expect(weak.code).toBe(0);
    execFileSync('ffmpeg', [
      ...['-v', 'error', '-y', '-i', at('weak.wav')],
      ...['-c:a', 'libmp3lame', '-b:a', '32k', at('leak32.mp3')],
    ]);
    const decoys = Array.from({ length: 40 }, (_, i) => i.toString(16).padStart(32, 'c'));
    writeFileSync(at('issued.txt'), `# issued under alice.key\n${decoys.join('\n')}\n${payload}\n`);
    const blind = await run(['detect', '--key', at('alice.key'), at('leak32.mp3')]);
    const informed = await run([
      'detect',
      '--json',
      '--payloads',
      at('issued.txt'),
      '--key',
      at('alice.key'),
      at('leak32.mp3'),
    ]);
    expect(informed.code).toBe(0);
    const result = JSON.parse(informed.stdout);
    expect(result.matches.map((m: { payload: string }) => m.payload)).toEqual([payload]);
    expect(result.matches[0].falsePositiveProbability).toBeLessThan(1e-9);
    // Not decodable blind: found among the candidates, and the result says against how many.
    expect(blind.code).toBe(1);
    expect(result.matches[0].method).toBe('candidate');
    expect(result.matches[0].candidates).toBe(41);

    writeFileSync(at('bad-issued.txt'), `${payload}\nnot-a-payload\n`);
    const bad = await run([
      'detect',
      '--payloads',
      at('bad-issued.txt'),
      '--key',
      at('alice.key'),
      at('leak32.mp3'),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^vaultmark: invalid_payload: .*bad-issued\.txt, line 2: /);
  }, 60_000);

  it('refuses bad input without leaving anything behind', async () => {
    writeFileSync(at('truncated.wav'), readFileSync(at('master.wav')).subarray(0, 200_000));
    const truncated = await run([
      'embed',
      '--key',
      at('alice.key'),
      at('truncated.wav'),
      at('out.wav'),
      payload,
    ]);
    expect(truncated.code).toBe(2);
    expect(truncated.stderr).toMatch(/^vaultmark: truncated_file: /);
    expect(existsSync(at('out.wav'))).toBe(false);
    expect(readdirSync(dir).filter((name) => name.includes('partial'))).toEqual([]);

    const shortPayload = await run([
      'embed',
      '--key',
      at('alice.key'),
      at('master.wav'),
      at('out.wav'),
      'abcd',
    ]);
    expect(shortPayload.stderr).toMatch(/^vaultmark: invalid_payload: /);
    const mismatch = await run([
      'embed',
      '--bits',
      '64',
      '--key',
      at('alice.key'),
      at('master.wav'),
      at('out.wav'),
      payload,
    ]);
    expect(mismatch.stderr).toMatch(/^vaultmark: invalid_payload: /);
    const notHex = await run([
      'embed',
      '--key',
      at('alice.key'),
      at('master.wav'),
      at('out.wav'),
      'zz112233',
    ]);
    expect(notHex.stderr).toMatch(/^vaultmark: invalid_payload: /);

    writeFileSync(at('bad.key'), 'not a key\n');
    const badKey = await run(['detect', '--key', at('bad.key'), at('marked.wav')]);
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toMatch(/^vaultmark: invalid_key: .*bad\.key: /);

    writeFileSync(at('notes.txt'), 'hello');
    const notAudio = await run(['detect', '--key', at('alice.key'), at('notes.txt')]);
    expect(notAudio.stderr).toMatch(/^vaultmark: unsupported_format: /);
    const missing = await run(['detect', '--key', at('alice.key'), at('nothing.wav')]);
    expect(missing.stderr).toMatch(/^vaultmark: file_not_found: /);
    const noFfmpeg = await run(['detect', '--key', at('alice.key'), at('leak.mp3')], {
      env: { FFMPEG_PATH: join(dir, 'no-ffmpeg-here') },
    });
    expect(noFfmpeg.stderr).toMatch(/^vaultmark: ffmpeg_missing: /);
    expect(existsSync(at('out.wav'))).toBe(false);
  }, 60_000);
});
