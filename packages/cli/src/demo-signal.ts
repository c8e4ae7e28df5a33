/**
 * A short, music-like test signal built from first principles: a I–V–vi–IV chord progression of
 * harmonic tones with note envelopes, a kick and hi-hat pattern, and a little noise. Deterministic
 * (seeded), so every demo run embeds into the same audio.
 */
export function demoSignal(options: { seconds: number; sampleRate: number; seed?: number }): {
  sampleRate: number;
  channels: Float32Array[];
} {
  const { seconds, sampleRate } = options;
  const length = Math.round(seconds * sampleRate);
  const left = new Float32Array(length);
  const right = new Float32Array(length);
  let state = (options.seed ?? 1) >>> 0 || 1;
  const noise = () => {
    // xorshift32: deterministic noise for the demo signal only (never used for watermarking).
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) / 4294967296) * 2 - 1;
  };
  const bpm = 120;
  const beat = (60 / bpm) * sampleRate;
  // C major, G major, A minor, F major: MIDI note numbers of each chord.
  const chords = [
    [60, 64, 67],
    [55, 59, 62],
    [57, 60, 64],
    [53, 57, 60],
  ];
  const hz = (note: number) => 440 * 2 ** ((note - 69) / 12);
  for (let i = 0; i < length; i++) {
    const t = i / sampleRate;
    const beatIndex = Math.floor(i / beat);
    const inBeat = (i - beatIndex * beat) / sampleRate;
    const chord = chords[Math.floor(beatIndex / 4) % chords.length] ?? chords[0]!;
    let pad = 0;
    for (const note of chord) {
      const f = hz(note);
      for (let h = 1; h <= 6; h++) pad += Math.sin(2 * Math.PI * f * h * t) / (h * h);
    }
    pad *= 0.08 * (0.6 + 0.4 * Math.exp(-3 * inBeat));
    const bass = 0.2 * Math.sin(2 * Math.PI * hz(chord[0]! - 24) * t) * Math.exp(-2 * inBeat);
    const kick =
      beatIndex % 2 === 0
        ? 0.5 *
          Math.sin(2 * Math.PI * (50 + 90 * Math.exp(-30 * inBeat)) * inBeat) *
          Math.exp(-12 * inBeat)
        : 0;
    const hatPhase = (i % (beat / 2)) / sampleRate;
    const hat = 0.05 * noise() * Math.exp(-60 * hatPhase);
    const air = 0.01 * noise();
    left[i] = pad * 1.1 + bass + kick + hat * 0.7 + air;
    right[i] = pad * 0.9 + bass + kick + hat * 1.3 + air;
  }
  return { sampleRate, channels: [left, right] };
}
