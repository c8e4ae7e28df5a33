import { describe, expect, it } from 'vitest';
import { checkPassphrase, passphraseKey, passphraseSalt } from './passphrase-key.js';

describe('passphrase-derived keys', () => {
  const salt = Uint8Array.from({ length: 16 }, (_, i) => i);

  it('derives what an independent scrypt derives with the documented cost', () => {
    // Python's hashlib.scrypt(NFC("Café passphrase 1"), salt=bytes(range(16)), n=2**15, r=8,
    // p=1, dklen=32): files written before this module existed still open.
    expect(passphraseKey('Café passphrase 1', salt).toString('hex')).toBe(
      'e5a65dd99ba1fcb3f6739dc722145ab575f114406740fcc64be45603855b3156',
    );
  });

  it('derives the same key from the composed and decomposed forms of a passphrase', () => {
    const composed = 'Café passphrase 1'.normalize('NFC');
    const decomposed = composed.normalize('NFD');
    expect(decomposed).not.toBe(composed);
    expect(passphraseKey(decomposed, salt)).toEqual(passphraseKey(composed, salt));
  });

  it('refuses short or missing passphrases and counts characters, not bytes', () => {
    expect(() => checkPassphrase('short')).toThrow(
      expect.objectContaining({ code: 'invalid_input', field: 'passphrase' }),
    );
    expect(() => checkPassphrase(undefined)).toThrow(/at least 12 characters/);
    expect(() => checkPassphrase('🎵🎵🎵🎵🎵🎵')).toThrow(/at least 12/);
    expect(checkPassphrase('twelve chars')).toBe('twelve chars');
  });

  it('salts each file afresh', () => {
    expect(passphraseSalt()).toHaveLength(16);
    expect(passphraseSalt()).not.toEqual(passphraseSalt());
  });
});
