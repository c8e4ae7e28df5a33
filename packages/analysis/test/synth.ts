/** Test signal factories from first principles (known tempo, known key). */

/** A click track: 1 kHz decaying bursts on every beat, accented bar starts, `seconds` long. */
export function clickTrack(bpm: number, seconds: number, sampleRate: number): Float32Array {
  const x = new Float32Array(Math.round(seconds * sampleRate));
  const period = 60 / bpm;
  for (let k = 0; k * period < seconds; k++) {
    const start = Math.round(k * period * sampleRate);
    const amp = k % 4 === 0 ? 0.8 : 0.5;
    for (let i = 0; i < sampleRate * 0.05 && start + i < x.length; i++) {
      x[start + i] =
        x[start + i]! +
        amp * Math.sin((2 * Math.PI * 1000 * i) / sampleRate) * Math.exp(-i / (sampleRate * 0.01));
    }
  }
  return x;
}

const freq = (midi: number) => 440 * 2 ** ((midi - 69) / 12);

/**
 * A I-IV-V-I (major) or i-iv-V-i (harmonic minor) progression of additive-synthesis chords with a
 * bass line, two seconds per chord, tonic pitch class `tonic` (0 = C).
 */
export function chordProgression(
  tonic: number,
  mode: 'major' | 'minor',
  seconds: number,
  sampleRate: number,
): Float32Array {
  const x = new Float32Array(Math.round(seconds * sampleRate));
  const third = mode === 'major' ? 4 : 3;
  const chords = [
    [0, third, 7],
    [5, mode === 'major' ? 9 : 8, 12],
    [7, 11, 14],
    [0, third, 7],
  ];
  const len = 2 * sampleRate;
  for (let c = 0; c * len < x.length; c++) {
    const chord = chords[c % 4]!;
    const notes = [...chord.map((p) => 48 + tonic + p), 36 + tonic + chord[0]!];
    for (const midi of notes) {
      const f = freq(midi);
      for (let i = 0; i < len && c * len + i < x.length; i++) {
        const t = i / sampleRate;
        let v = 0;
        for (let h = 1; h <= 4; h++) v += Math.sin(2 * Math.PI * f * h * t) / h;
        x[c * len + i] = x[c * len + i]! + 0.08 * v * Math.exp(-0.7 * t);
      }
    }
  }
  return x;
}

/**
 * A sequence of tones, each a list of MIDI note numbers sounding together for `noteSeconds`, with
 * `harmonics` partials of amplitude 1/h (a sawtooth-like timbre) and a decaying envelope. `cents`
 * detunes everything from A4 = 440 Hz.
 */
export function noteSequence(
  notes: readonly (readonly number[])[],
  options: { noteSeconds: number; sampleRate: number; harmonics?: number; cents?: number },
): Float32Array {
  const { noteSeconds, sampleRate } = options;
  const harmonics = options.harmonics ?? 6;
  const ratio = 2 ** ((options.cents ?? 0) / 1200);
  const len = Math.round(noteSeconds * sampleRate);
  const x = new Float32Array(len * notes.length);
  notes.forEach((chord, n) => {
    for (const midi of chord) {
      const f = freq(midi) * ratio;
      for (let i = 0; i < len; i++) {
        const t = i / sampleRate;
        let v = 0;
        for (let h = 1; h <= harmonics && f * h < sampleRate / 2; h++) {
          v += Math.sin(2 * Math.PI * f * h * t) / h;
        }
        x[n * len + i] = x[n * len + i]! + 0.05 * v * Math.exp(-1.5 * t);
      }
    }
  });
  return x;
}

/**
 * A rock drum pattern from first principles: kick (a 60 Hz decaying sine) on beats 1 and 3,
 * snare (decaying white noise with a 200 Hz body) on 2 and 4, closed hi-hat (short noise, first
 * differenced so it sits high) on every eighth note. The beat is `bpm`; the hats run at twice
 * that rate and the kick at half of it, so the levels around the beat are all present.
 */
export function drumPattern(bpm: number, seconds: number, sampleRate: number): Float32Array {
  const x = new Float32Array(Math.round(seconds * sampleRate));
  let seed = 12345;
  const noise = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2147483648 - 1;
  };
  const hit = (at: number, kind: 'kick' | 'snare' | 'hat') => {
    const start = Math.round(at * sampleRate);
    const len = Math.round((kind === 'hat' ? 0.04 : 0.2) * sampleRate);
    let prev = 0;
    for (let i = 0; i < len && start + i < x.length; i++) {
      const t = i / sampleRate;
      let v: number;
      if (kind === 'kick') v = 0.9 * Math.sin(2 * Math.PI * 60 * t) * Math.exp(-t / 0.08);
      else if (kind === 'snare') {
        v = (0.5 * noise() + 0.4 * Math.sin(2 * Math.PI * 200 * t)) * Math.exp(-t / 0.05);
      } else {
        const n = noise();
        v = 0.25 * (n - prev) * Math.exp(-t / 0.01);
        prev = n;
      }
      x[start + i] = x[start + i]! + v;
    }
  };
  const beat = 60 / bpm;
  for (let k = 0; k * beat < seconds; k++) {
    hit(k * beat, k % 2 === 0 ? 'kick' : 'snare');
    hit(k * beat, 'hat');
    hit((k + 0.5) * beat, 'hat');
  }
  return x;
}
