/**
 * Signal-to-noise ratio of a marked signal against its original, in dB, over all channels:
 * 10·log10(Σ original² / Σ (marked − original)²).
 */
export function snrDb(original: Float32Array[], marked: Float32Array[]): number {
  let signal = 0;
  let noise = 0;
  original.forEach((channel, c) => {
    const other = marked[c]!;
    for (let i = 0; i < channel.length; i++) {
      const x = channel[i]!;
      const d = (other[i] ?? 0) - x;
      signal += x * x;
      noise += d * d;
    }
  });
  return noise === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10(signal / noise);
}
