import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPayloadList } from './payload-list.js';

const dir = mkdtempSync(join(tmpdir(), 'vaultmark-payloads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
/** Writes `text` to a new file and returns its path. */
const fileWith = (text: string) => {
  const path = join(dir, `list-${files++}.txt`);
  writeFileSync(path, text);
  return path;
};

const hexDigit = fc.constantFrom(...'0123456789abcdefABCDEF');
const payload = (bits: number) =>
  fc.array(hexDigit, { minLength: bits / 4, maxLength: bits / 4 }).map((d) => d.join(''));
/** A line that holds no payload: blank, spaces, or a comment. */
const filler = fc.constantFrom('', '   ', '# issued under studio.key', '\t# note');

describe('loadPayloadList', () => {
  it('reads every payload in order, in lower case, around blank lines, comments and CRLF', async () => {
    const list = fc.constantFrom(32, 64, 128).chain((bits) =>
      fc.record({
        bits: fc.constant(bits),
        lines: fc.array(
          fc.oneof(
            payload(bits).map((p) => ({ p })),
            filler,
          ),
        ),
        last: payload(bits),
        crlf: fc.boolean(),
      }),
    );
    await fc.assert(
      fc.asyncProperty(list, async ({ bits, lines, last, crlf }) => {
        const all = [...lines, { p: last }];
        const text = all
          .map((l) => (typeof l === 'object' ? `  ${l.p} # a trailing note` : l))
          .join(crlf ? '\r\n' : '\n');
        const expected = all.flatMap((l) => (typeof l === 'object' ? [l.p.toLowerCase()] : []));
        expect(await loadPayloadList(fileWith(text), bits)).toEqual(expected);
      }),
      { numRuns: 50 },
    );
  });

  it('names the line of a payload of the wrong size or with a character that is not hex', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: 5 }),
        fc.oneof(
          payload(128).map((p) => p.slice(1)),
          payload(128).map((p) => `${p}0`),
          payload(128).map((p) => `${p.slice(0, 31)}g`),
        ),
        async (before, bad) => {
          const text = [...Array.from({ length: before }, () => 'ab'.repeat(16)), bad].join('\n');
          await expect(loadPayloadList(fileWith(text), 128)).rejects.toMatchObject({
            code: 'invalid_payload',
            message: expect.stringContaining(`, line ${before + 1}: expected 32 hex digits`),
          });
        },
      ),
      { numRuns: 50 },
    );
  });

  it('refuses a file without payloads', async () => {
    await expect(loadPayloadList(fileWith('# nothing yet\n\n'), 128)).rejects.toMatchObject({
      code: 'invalid_payload',
      message: expect.stringContaining('no payloads in the file'),
    });
  });
});
