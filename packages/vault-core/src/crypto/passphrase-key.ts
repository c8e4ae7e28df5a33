import { randomBytes, scryptSync } from 'node:crypto';
import { ValidationError } from '../errors.js';

/**
 * scrypt cost of passphrase-derived keys: N = 2^15, r = 8, p = 1 (32 MiB of memory per
 * derivation, the order of magnitude RFC 7914 gives for interactive use). Part of the formats of
 * the files derived from it (organization exports, watermark key escrow): a change needs a new
 * format version.
 */
export const PASSPHRASE_SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;

/** Bytes of the random salt stored at the head of a passphrase-encrypted file. */
export const PASSPHRASE_SALT_BYTES = 16;

/** Fewest characters (code points) a passphrase may have. */
export const MIN_PASSPHRASE_LENGTH = 12;

/**
 * Refuses a passphrase that is not a string of at least {@link MIN_PASSPHRASE_LENGTH} characters
 * (`invalid_input` on the `passphrase` field), before any work is done with it.
 */
export function checkPassphrase(passphrase: unknown, what = 'the passphrase'): string {
  if (typeof passphrase !== 'string' || [...passphrase].length < MIN_PASSPHRASE_LENGTH) {
    throw new ValidationError(
      `${what} needs at least ${MIN_PASSPHRASE_LENGTH} characters`,
      'passphrase',
    );
  }
  return passphrase;
}

/**
 * The 256-bit key a passphrase and salt derive (scrypt over the NFC form, so the same passphrase
 * typed on another system derives the same key).
 */
export function passphraseKey(passphrase: string, salt: Uint8Array): Buffer {
  return scryptSync(passphrase.normalize('NFC'), salt, 32, PASSPHRASE_SCRYPT);
}

/** A fresh random salt for {@link passphraseKey}. */
export function passphraseSalt(): Buffer {
  return randomBytes(PASSPHRASE_SALT_BYTES);
}
