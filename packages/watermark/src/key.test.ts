import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WatermarkError } from './errors.js';
import { generateKey, parseKey, serializeKey } from './key.js';
import { FORMAT_VERSION } from './params.js';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof WatermarkError ? e.code : 'other';
  }
  return undefined;
}

describe('keys', () => {
  it('generates 256-bit secrets, distinct every time', () => {
    const a = generateKey({ name: 'alice' });
    const b = generateKey({ name: 'alice' });
    expect(a.secret.length).toBe(32);
    expect(a.version).toBe(FORMAT_VERSION);
    expect(a.secret).not.toEqual(b.secret);
  });

  it('round-trips any valid key through text', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 64 }),
        fc.stringMatching(/^[\x21-\x7e][\x20-\x7e]{0,40}[\x21-\x7e]$/),
        (secret, name) => {
          const key = { name, secret, version: FORMAT_VERSION };
          const text = serializeKey(key);
          expect(text.split('\n').length).toBe(2);
          expect(parseKey(text)).toEqual(key);
          expect(parseKey(`# comment\n\n  ${text.trim()}  \n`)).toEqual(key);
        },
      ),
    );
  });

  it('rejects malformed key text with invalid_key', () => {
    const good = serializeKey(generateKey({ name: 'bob' }));
    const bad = [
      '',
      'hello',
      good.replace('vaultmark-wm-key', 'other-key'),
      good.replace(' v1 ', ' v9 '),
      good.replace(/ [0-9a-f]{64} /, ' abc '),
      good.replace(/ [0-9a-f]{64} /, ' 00112233 '),
      good.replace(/ [0-9a-f]{64} /, ` ${'zz'.repeat(32)} `),
      `${good}${good}`,
      good.replace(/ bob\n$/, ' \n'),
    ];
    for (const text of bad) expect(code(() => parseKey(text))).toBe('invalid_key');
    fc.assert(
      fc.property(fc.string(), (text) => {
        const c = code(() => parseKey(text));
        expect(c === undefined || c === 'invalid_key').toBe(true);
      }),
    );
  });

  it('refuses names that cannot be written on one line', () => {
    expect(code(() => generateKey({ name: 'a\nb' }))).toBe('invalid_key');
    expect(code(() => generateKey({ name: '' }))).toBe('invalid_key');
  });
});
