import { WatermarkError } from './errors.js';
import { FORMAT_VERSION } from './params.js';

/** A watermark key: the secret that shapes every keyed pattern, and a human-readable name. */
export interface WatermarkKey {
  /** Name reported by the detector (e.g. a recipient or key-rotation label). */
  readonly name: string;
  /** Secret bytes (at least 16). */
  readonly secret: Uint8Array;
  /** Watermark format version the key is meant for. */
  readonly version: number;
}

const KEY_PREFIX = 'vaultmark-wm-key';
const MIN_SECRET_BYTES = 16;
const MAX_SECRET_BYTES = 64;
const DEFAULT_SECRET_BYTES = 32;
const NAME_PATTERN = /^[\x21-\x7e](?:[\x20-\x7e]{0,126}[\x21-\x7e])?$/;

/**
 * Creates a key with a fresh 256-bit secret from the platform CSPRNG (`crypto.getRandomValues`).
 */
export function generateKey(opts: { name?: string } = {}): WatermarkKey {
  const name = opts.name ?? 'default';
  checkName(name);
  const secret = new Uint8Array(DEFAULT_SECRET_BYTES);
  globalThis.crypto.getRandomValues(secret);
  return { name, secret, version: FORMAT_VERSION };
}

/**
 * Serializes a key as one line of text: `vaultmark-wm-key v1 <secret-hex> <name>`. The name may
 * contain spaces; it runs to the end of the line.
 */
export function serializeKey(key: WatermarkKey): string {
  checkName(key.name);
  checkSecret(key.secret);
  return `${KEY_PREFIX} v${key.version} ${toHex(key.secret)} ${key.name}\n`;
}

/**
 * Parses the text written by {@link serializeKey}. Surrounding whitespace and `#` comment lines are
 * ignored. Throws `WatermarkError('invalid_key')` with a message that says what is wrong.
 */
export function parseKey(text: string): WatermarkKey {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  if (lines.length !== 1) {
    throw new WatermarkError(
      'invalid_key',
      lines.length === 0 ? 'key text is empty' : 'key text must hold exactly one key line',
    );
  }
  const line = lines[0] as string;
  const match = /^(\S+) v(\d+) ([0-9a-fA-F]+) (.+)$/.exec(line);
  if (!match || match[1] !== KEY_PREFIX) {
    throw new WatermarkError(
      'invalid_key',
      `key line must read "${KEY_PREFIX} v<version> <secret-hex> <name>"`,
    );
  }
  const version = Number(match[2]);
  if (version !== FORMAT_VERSION) {
    throw new WatermarkError(
      'invalid_key',
      `key is for watermark format v${version}; this library supports v${FORMAT_VERSION}`,
    );
  }
  const hex = match[3] as string;
  if (hex.length % 2 !== 0)
    throw new WatermarkError('invalid_key', 'key secret has odd hex length');
  const secret = fromHex(hex);
  checkSecret(secret);
  const name = match[4] as string;
  checkName(name);
  return { name, secret, version };
}

function checkName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new WatermarkError(
      'invalid_key',
      'key name must be 1-128 printable ASCII characters without leading or trailing spaces',
    );
  }
}

function checkSecret(secret: Uint8Array): void {
  if (secret.length < MIN_SECRET_BYTES || secret.length > MAX_SECRET_BYTES) {
    throw new WatermarkError(
      'invalid_key',
      `key secret must be ${MIN_SECRET_BYTES}-${MAX_SECRET_BYTES} bytes, got ${secret.length}`,
    );
  }
}

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** Bytes of an even-length hex string (validated by the caller). */
export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
