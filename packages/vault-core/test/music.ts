/**
 * A deterministic, music-like stereo test signal for investigation tests: a walking bass line,
 * plucked chord tones with decaying partials, and a noise-burst snare on the off-beats. Seeded
 * with a small LCG (test-only randomness, never near a watermark path).
 */
export function testMusic(seconds: number, sampleRate = 44_100, seed = 7) {
  const n = Math.round(seconds * sampleRate);
  const left = new Float32Array(n);
  const right = new Float32Array(n);
  let s = seed >>> 0;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const beat = Math.round(sampleRate * 0.5); // 120 BPM
  const scale = [0, 2, 4, 5, 7, 9, 11];
  const hz = (midi: number) => 440 * 2 ** ((midi - 69) / 12);
  for (let start = 0, step = 0; start < n; start += beat, step++) {
    const root = 48 + (scale[(step >> 2) % scale.length] as number);
    const notes = [root - 12, root + 12, root + 16, root + 19 + (rand() < 0.5 ? 0 : 5)];
    const end = Math.min(n, start + 2 * beat);
    for (const [v, midi] of notes.entries()) {
      const f = hz(midi);
      const pan = 0.3 + 0.4 * (v / notes.length);
      const amp = v === 0 ? 0.25 : 0.12 + 0.05 * rand();
      for (let h = 1; h <= 8 && f * h < sampleRate / 2 - 200; h++) {
        const w = (2 * Math.PI * f * h) / sampleRate;
        const a = amp / h;
        const decay = 1 / (sampleRate * (0.6 / h));
        for (let i = start; i < end; i++) {
          const k = i - start;
          const x = a * Math.exp(-k * decay) * Math.sin(w * k);
          left[i] = (left[i] as number) + x * (1 - pan);
          right[i] = (right[i] as number) + x * pan;
        }
      }
    }
    if (step % 2 === 1) {
      for (let i = start; i < Math.min(n, start + beat / 4); i++) {
        const x = 0.15 * (rand() * 2 - 1) * Math.exp(-(i - start) / (sampleRate * 0.03));
        left[i] = (left[i] as number) + x;
        right[i] = (right[i] as number) + x;
      }
    }
  }
  let peak = 0;
  for (let i = 0; i < n; i++) {
    // A faint noise floor keeps every band above digital silence.
    const floor = 0.003 * (rand() * 2 - 1);
    left[i] = (left[i] as number) + floor;
    right[i] = (right[i] as number) + floor;
    peak = Math.max(peak, Math.abs(left[i] as number), Math.abs(right[i] as number));
  }
  const g = 0.8 / peak;
  for (let i = 0; i < n; i++) {
    left[i] = (left[i] as number) * g;
    right[i] = (right[i] as number) * g;
  }
  return { sampleRate, channels: [left, right] };
}
