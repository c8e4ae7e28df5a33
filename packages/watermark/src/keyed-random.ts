import { FORMAT_VERSION } from './params.js';
import { HmacSha256 } from './sha256.js';

/**
 * Purposes of keyed random streams. Each purpose gets its own stream so that, for example, the sync
 * pattern and the payload interleaving are statistically independent.
 */
export type RandomPurpose = 'sync-bands' | 'sync-signs' | 'data-order' | 'data-signs' | 'whitening';

const encoder = new TextEncoder();

/**
 * Deterministic random stream derived from a key secret, a purpose and an index (e.g. a frame
 * number): HMAC-SHA-256(secret, "vaultmark-wm/v{FORMAT_VERSION}/{purpose}/{index}/{counter}") in
 * counter mode. The bytes are indistinguishable from uniform to anyone without the secret.
 */
/**
 * The keyed HMAC of the secret used last (its pad blocks hashed once): a layout opens thousands of
 * streams of one secret. Matched by the secret's bytes, so a secret changed in place is not reused.
 */
let last: { secret: Uint8Array; mac: HmacSha256 } | undefined;

function macFor(secret: Uint8Array): HmacSha256 {
  const hit =
    last !== undefined &&
    last.secret.length === secret.length &&
    last.secret.every((b, i) => b === secret[i]);
  if (!hit || !last) last = { secret: secret.slice(), mac: new HmacSha256(secret) };
  return last.mac;
}

export class KeyedRandom {
  private readonly prefix: string;
  private readonly mac: HmacSha256;
  private buffer: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private counter = 0;

  constructor(secret: Uint8Array, purpose: RandomPurpose, index: number) {
    this.prefix = `vaultmark-wm/v${FORMAT_VERSION}/${purpose}/${index}/`;
    this.mac = macFor(secret);
  }

  /** Next uniformly distributed 32-bit unsigned integer. */
  nextUint32(): number {
    if (this.pos + 4 > this.buffer.length) {
      this.buffer = this.mac.digest(encoder.encode(this.prefix + this.counter));
      this.counter++;
      this.pos = 0;
    }
    const b = this.buffer;
    const p = this.pos;
    this.pos += 4;
    return (
      (((b[p] as number) << 24) |
        ((b[p + 1] as number) << 16) |
        ((b[p + 2] as number) << 8) |
        (b[p + 3] as number)) >>>
      0
    );
  }

  /** Uniform integer in [0, n) without modulo bias (rejection sampling). */
  nextInt(n: number): number {
    const limit = Math.floor(2 ** 32 / n) * n;
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** Uniform bit (0 or 1). */
  nextBit(): number {
    return this.nextUint32() >>> 31;
  }

  /** Fisher–Yates shuffle of `array` in place. */
  shuffle(array: Int32Array | Uint16Array | number[]): void {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const t = array[i] as number;
      array[i] = array[j] as number;
      array[j] = t;
    }
  }
}
