/**
 * Fits the key decision's weights (KEY_WEIGHTS in packages/analysis/src/key.ts) on the tuning
 * half of the wide corpus only: softmax regression over the 24 keys of each item, on the features
 * of `keyFeatures` (template correlations, bass profile, bass-named chord shares, the opening
 * chord). Prints the weights, MIREX weighted score on the tuning half (training and 5-fold
 * cross-validated) and the same for reference weightings.
 *
 *   pnpm --filter @vaultmark/benchmarks exec tsx --conditions=@vaultmark/source \
 *     analysis/key-fit.ts [--l2 0.0001,0.001,...] [--misses]
 *
 * With several L2 weights, each is cross-validated and the rule fixed beforehand picks one: the
 * largest weight whose cross-validated score is within 0.005 of the best. KEY_ZERO=i,j sets
 * features i, j to zero (ablation; 9 is the opening chord). `--augment 7.7` adds, for every
 * tuning item, a second case cut to start that many seconds in (mid-bar, mid-chord), in the same
 * fold as its item: the fit then sees pieces that do not open on their tonic, as excerpts and
 * songs with intros do not. Scores are printed for the whole items and the cut ones apart.
 *
 * Variants tried (see docs/analysis.md): KEY_BLOCK=seconds sets the chord blocks (default 0.5);
 * KEY_EXTRA=shared adds the key-rotated z-scored profile and bass profile as 24 more features (a
 * profile learnt from the data), KEY_EXTRA=split the same per mode (48), KEY_EXTRA=chords the 24
 * rotated chord shares (a learnt chord-in-key distribution).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hpcpProfile, keyName, mixToMono, readWav } from '@vaultmark/analysis';
import { chordStats, KEY_WEIGHTS, keyFeatures } from '../../packages/analysis/src/key.js';
import { analysisFactor, decimate } from '../../packages/analysis/src/spectral.js';
import { generateWideCorpus } from './corpus-wide.js';
import { foldOf } from './folds.js';
import { type Key, keyScore } from './scoring.js';

const argv = process.argv.slice(2);
const l2At = argv.indexOf('--l2');
const l2s = l2At >= 0 ? argv[l2At + 1]!.split(',').map(Number) : [0.001];
const zeroed = new Set((process.env.KEY_ZERO ?? '').split(',').filter(Boolean).map(Number));
const root = new URL('../../', import.meta.url).pathname;
const items = (
  await generateWideCorpus({ dir: join(root, 'benchmarks/out/analysis-wide') })
).filter((i) => i.split === 'tuning' && i.key);

const augmentAt = argv.indexOf('--augment');
const augment = augmentAt >= 0 ? Number(argv[augmentAt + 1]) : 0;

interface Case {
  id: string;
  /** Index of the item (cut copies share their item's fold). */
  index: number;
  /** Seconds cut from the start (0: the whole item). */
  cut: number;
  truth: Key;
  chroma: Float64Array;
  bass: Float64Array;
  /** Features of the 24 keys, index 2 * tonic + (minor ? 1 : 0). */
  features: number[][];
  target: number;
}
const cases: Case[] = items.flatMap((item, index) =>
  (augment > 0 ? [0, augment] : [0]).map((cut) => caseOf(item, index, cut)),
);
function caseOf(item: (typeof items)[number], index: number, cut: number): Case {
  const audio = readWav(readFileSync(item.path));
  const factor = analysisFactor(audio.sampleRate);
  const mono = decimate(mixToMono(audio), factor).subarray(
    Math.round((cut * audio.sampleRate) / factor),
  );
  const { chroma, bass, blocks, bassBlocks } = hpcpProfile({
    signal: mono,
    sampleRate: audio.sampleRate / factor,
    blockSeconds: Number(process.env.KEY_BLOCK ?? 0.5),
  });
  const features: number[][] = [];
  const z = (x: Float64Array) => {
    const m = x.reduce((a, b) => a + b, 0) / 12;
    const sd = Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / 12) || 1;
    return Array.from(x, (v) => (v - m) / sd);
  };
  const zc = z(chroma);
  const chords = chordStats(blocks, bassBlocks);
  const zb = z(bass);
  const extra = (t: number, minor: boolean) => {
    if (!process.env.KEY_EXTRA) return [];
    if (process.env.KEY_EXTRA === 'chords') {
      const out: number[] = [];
      for (let i = 0; i < 12; i++)
        out.push(chords.shares[2 * ((t + i) % 12)]!, chords.shares[2 * ((t + i) % 12) + 1]!);
      return out;
    }
    const rc = Array.from({ length: 12 }, (_, i) => zc[(t + i) % 12]!);
    const rb = Array.from({ length: 12 }, (_, i) => zb[(t + i) % 12]!);
    const zero = new Array(12).fill(0);
    return process.env.KEY_EXTRA === 'shared'
      ? [...rc, ...rb]
      : minor
        ? [...zero, ...rc, ...zero, ...rb]
        : [...rc, ...zero, ...rb, ...zero];
  };
  const keyed = (t: number, mode: 'major' | 'minor') =>
    [...keyFeatures(chroma, bass, chords, t, mode), ...extra(t, mode === 'minor')].map((v, d) =>
      zeroed.has(d) ? 0 : v,
    );
  for (let t = 0; t < 12; t++) features.push(keyed(t, 'major'), keyed(t, 'minor'));
  const truth = item.key!;
  return {
    id: item.id,
    index,
    cut,
    truth,
    chroma,
    bass,
    features,
    target: 2 * truth.tonic + (truth.mode === 'minor' ? 1 : 0),
  };
}
const dims = cases[0]!.features[0]!.length;

function decide(c: Case, w: readonly number[]): Key {
  let best = 0;
  let bs = Number.NEGATIVE_INFINITY;
  c.features.forEach((f, j) => {
    const s = f.reduce((a, v, d) => a + v * (w[d] ?? 0), 0);
    if (s > bs) {
      bs = s;
      best = j;
    }
  });
  return { tonic: best >> 1, mode: best & 1 ? 'minor' : 'major' };
}
const score = (set: Case[], w: readonly number[]) =>
  set.reduce((a, c) => a + keyScore(decide(c, w), c.truth), 0) / set.length;

/** Softmax regression by full-batch gradient descent (deterministic, zero start). */
function fit(set: Case[], l2: number): number[] {
  const w = new Array<number>(dims).fill(0);
  for (let it = 0; it < 4000; it++) {
    const grad = new Array<number>(dims).fill(0);
    for (const c of set) {
      const s = c.features.map((f) => f.reduce((a, v, d) => a + v * w[d]!, 0));
      const m = Math.max(...s);
      const e = s.map((v) => Math.exp(v - m));
      const z = e.reduce((a, b) => a + b, 0);
      c.features.forEach((f, j) => {
        const p = e[j]! / z - (j === c.target ? 1 : 0);
        for (let d = 0; d < dims; d++) grad[d] = grad[d]! + p * f[d]!;
      });
    }
    for (let d = 0; d < dims; d++) w[d] = w[d]! - 2 * (grad[d]! / set.length + l2 * w[d]!);
  }
  return w;
}

const folds = 5;
const fmt = (xs: readonly number[]) => `[${xs.map((x) => x.toFixed(3)).join(', ')}]`;
console.log(`tuning items with a key label: ${cases.length}`);
console.log(`three-chord template alone: ${score(cases, [1]).toFixed(3)}`);
console.log(`diatonic template alone: ${score(cases, [0, 1]).toFixed(3)}`);
console.log(`current KEY_WEIGHTS ${fmt(KEY_WEIGHTS)}: ${score(cases, KEY_WEIGHTS).toFixed(3)}`);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const whole = cases.filter((c) => c.cut === 0);
const cut = cases.filter((c) => c.cut > 0);
const fits = l2s.map((l2) => {
  const cvOf = new Map<Case, number>();
  for (let f = 0; f < folds; f++) {
    const test = cases.filter((c) => foldOf(c.id, c.index, folds) === f);
    const w = fit(
      cases.filter((c) => foldOf(c.id, c.index, folds) !== f),
      l2,
    );
    for (const c of test) cvOf.set(c, keyScore(decide(c, w), c.truth));
  }
  const w = fit(cases, l2);
  const cv = mean(cases.map((c) => cvOf.get(c)!));
  const apart = augment
    ? ` (whole ${mean(whole.map((c) => cvOf.get(c)!)).toFixed(3)}, cut ${mean(cut.map((c) => cvOf.get(c)!)).toFixed(3)}; training whole ${score(whole, w).toFixed(3)}, cut ${score(cut, w).toFixed(3)})`
    : '';
  console.log(
    `L2 ${l2}: fitted ${fmt(w)}: training ${score(cases, w).toFixed(3)}, 5-fold CV ${cv.toFixed(3)}${apart}`,
  );
  return { l2, w, cv };
});
const bestCv = Math.max(...fits.map((f) => f.cv));
const chosen = fits.filter((f) => f.cv >= bestCv - 0.005).sort((a, b) => b.l2 - a.l2)[0]!;
const w = chosen.w;
if (fits.length > 1) console.log(`chosen L2 ${chosen.l2}: ${fmt(w)}`);
if (argv.includes('--misses')) {
  for (const c of cases) {
    const k = decide(c, w);
    if (k.tonic !== c.truth.tonic || k.mode !== c.truth.mode)
      console.log(
        `  ${c.id}: ${keyName(k.tonic, k.mode)} for ${keyName(c.truth.tonic, c.truth.mode)}`,
      );
  }
}
