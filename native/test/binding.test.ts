import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const native = createRequire(import.meta.url)('../index.js') as {
  nativeVersion(): string;
  realFft(input: Float64Array, out: Float64Array): void;
};

/** Direct DFT from the definition: the independent reference. */
function dft(input: Float64Array): Float64Array {
  const n = input.length;
  const out = new Float64Array(n + 2);
  for (let k = 0; k <= n / 2; k++) {
    for (let t = 0; t < n; t++) {
      const a = (-2 * Math.PI * k * t) / n;
      out[2 * k] += input[t]! * Math.cos(a);
      out[2 * k + 1] += input[t]! * Math.sin(a);
    }
  }
  return out;
}

describe('native binding', () => {
  it('reports the crate version', () => {
    expect(native.nativeVersion()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('computes the real FFT into a caller-owned array', () => {
    for (const n of [4, 32, 1024]) {
      const input = Float64Array.from(
        { length: n },
        (_, i) => Math.sin(i * 0.37) + ((i * 7) % 5) / 5,
      );
      const out = new Float64Array(n + 2);
      native.realFft(input, out);
      const reference = dft(input);
      for (let i = 0; i < out.length; i++) expect(out[i]).toBeCloseTo(reference[i]!, 9);
    }
  });

  it('maps bad arguments to the shared error code', () => {
    expect(() => native.realFft(new Float64Array(6), new Float64Array(8))).toThrow(
      /^invalid_option: /,
    );
  });
});

describe('native worker threads', () => {
  const threads = createRequire(import.meta.url)('../index.js') as {
    setThreads(n: number): number;
    threadCount(): number;
  };

  it('caps the worker pool (0 restores the default)', () => {
    expect(threads.setThreads(1)).toBe(1);
    expect(threads.threadCount()).toBe(1);
    expect(threads.setThreads(0)).toBeGreaterThanOrEqual(1);
  });
});
