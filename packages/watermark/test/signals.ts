/**
 * Deterministic synthetic test signals: "music-like" sums of harmonic notes with envelopes plus a
 * little noise, generated from a seed (xorshift32; test-only randomness).
 */
export function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

/** Synthetic music: `voices` overlapping harmonic note sequences, noise floor, peak 0.7. */
export function syntheticMusic(opts: {
  seconds: number;
  sampleRate?: number;
  channels?: number;
  seed?: number;
  voices?: number;
}): { sampleRate: number; channels: Float32Array[] } {
  const rate = opts.sampleRate ?? 44100;
  const n = Math.round(opts.seconds * rate);
  const nch = opts.channels ?? 2;
  const rnd = xorshift(opts.seed ?? 1);
  const mix = new Float32Array(n);
  const voices = opts.voices ?? 4;
  for (let v = 0; v < voices; v++) {
    let t = 0;
    while (t < n) {
      const dur = Math.round((0.15 + rnd() * 0.8) * rate);
      const f0 = 110 * 2 ** (Math.floor(rnd() * 36) / 12);
      const amp = 0.2 + rnd() * 0.8;
      const harmonics = 3 + Math.floor(rnd() * 6);
      const phase = rnd() * 2 * Math.PI;
      const end = Math.min(n, t + dur);
      for (let h = 1; h <= harmonics; h++) {
        const f = f0 * h;
        if (f > rate / 2 - 100) break;
        const a = amp / h ** 1.2;
        const w = (2 * Math.PI * f) / rate;
        for (let i = t; i < end; i++) {
          const k = i - t;
          const env = Math.min(1, k / (0.01 * rate)) * Math.exp(-k / (0.4 * rate));
          mix[i] = (mix[i] as number) + a * env * Math.sin(w * k + phase * h);
        }
      }
      t = end;
    }
  }
  // Noise floor (−35 dB re. the tones) so that no band is ever digitally silent.
  for (let i = 0; i < n; i++) mix[i] = (mix[i] as number) + 0.02 * (rnd() * 2 - 1);
  let peak = 0;
  for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(mix[i] as number));
  const g = 0.7 / peak;
  const channels: Float32Array[] = [];
  for (let c = 0; c < nch; c++) {
    const ch = new Float32Array(n);
    for (let i = 0; i < n; i++)
      ch[i] = (mix[i] as number) * g * (1 - 0.1 * c) + 0.01 * c * (rnd() - 0.5);
    channels.push(ch);
  }
  return { sampleRate: rate, channels };
}

/** White noise at the given RMS. */
export function whiteNoise(seconds: number, rate: number, rms: number, seed: number): Float32Array {
  const rnd = xorshift(seed);
  const out = new Float32Array(Math.round(seconds * rate));
  const a = rms * Math.sqrt(3);
  for (let i = 0; i < out.length; i++) out[i] = a * (rnd() * 2 - 1);
  return out;
}

/** SNR (dB) of `marked` against `original`, over all channels. */
export function snrDb(original: Float32Array[], marked: Float32Array[]): number {
  let sig = 0;
  let err = 0;
  for (let c = 0; c < original.length; c++) {
    const a = original[c] as Float32Array;
    const b = marked[c] as Float32Array;
    for (let i = 0; i < a.length; i++) {
      sig += (a[i] as number) ** 2;
      err += ((a[i] as number) - (b[i] as number)) ** 2;
    }
  }
  return 10 * Math.log10(sig / err);
}

/** A fixed test key (never use fixed secrets outside tests). */
export function testKey(
  name: string,
  seed: number,
): { name: string; secret: Uint8Array; version: number } {
  const rnd = xorshift(seed);
  const secret = new Uint8Array(32);
  for (let i = 0; i < 32; i++) secret[i] = Math.floor(rnd() * 256);
  return { name, secret, version: 1 };
}

/** Plays `x` `speed` times faster by linear interpolation (pitch moves with speed). */
export function changeSpeed(x: Float32Array, speed: number): Float32Array {
  const n = Math.floor((x.length - 1) / speed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const p = i * speed;
    const k = Math.floor(p);
    const f = p - k;
    out[i] = (x[k] as number) * (1 - f) + (x[k + 1] as number) * f;
  }
  return out;
}
