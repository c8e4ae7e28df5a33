/**
 * Fits the metrical-level weights of the tempo estimator (LEVEL_WEIGHTS in
 * packages/analysis/src/tempo-levels.ts) on the tuning half of the wide corpus only: softmax
 * regression over each item's candidate periods, the candidate within 4 % of the labelled beat
 * (or an accepted level) being the target. Prints the weights, training and 5-fold
 * cross-validated Acc1 on the tuning half, and the same for reference weightings.
 *
 *   pnpm --filter @vaultmark/benchmarks exec tsx --conditions=@vaultmark/source \
 *     analysis/tempo-tune.ts [--min 50] [--max 220] [--l2 0.0003]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mixToMono, readWav } from '@vaultmark/analysis';
import { onsetBands } from '../../packages/analysis/src/onset.js';
import { analysisFactor, decimate } from '../../packages/analysis/src/spectral.js';
import { autocorrelate } from '../../packages/analysis/src/tempo.js';
import {
  candidateScore,
  crossCorrelate,
  LEVEL_WEIGHTS,
  maxLagFor,
  type TempoCandidate,
  tempoCandidates,
} from '../../packages/analysis/src/tempo-levels.js';
import { generateWideCorpus } from './corpus-wide.js';
import { foldOf } from './folds.js';
import { acc1 } from './scoring.js';

const argv = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const minBpm = opt('--min', 50);
const maxBpm = opt('--max', 220);
const l2 = opt('--l2', 0.0003);
const root = new URL('../../', import.meta.url).pathname;
const items = (
  await generateWideCorpus({ dir: join(root, 'benchmarks/out/analysis-wide') })
).filter((i) => i.split === 'tuning' && i.bpm !== undefined);
if (items.some((i) => i.split !== 'tuning')) throw new Error('tuning half only');

interface Case {
  id: string;
  candidates: TempoCandidate[];
  /** Index of the right candidate, -1 when none is. */
  target: number;
  ok: (bpm: number) => boolean;
}
const cases: Case[] = items.map((item) => {
  const audio = readWav(readFileSync(item.path));
  const factor = analysisFactor(audio.sampleRate);
  const rate = audio.sampleRate / factor;
  const mono = decimate(mixToMono(audio), factor);
  const env = onsetBands({ signal: mono, sampleRate: rate, frameSize: 1024, hop: 256 });
  const acf = new Float64Array(maxLagFor(env.frameRate, minBpm) + 1);
  autocorrelate(acf, env.values, Math.min(acf.length - 1, env.values.length - 1));
  const backbeat = new Float64Array(Math.ceil((60 * env.frameRate) / minBpm) + 2);
  crossCorrelate(backbeat, env.low, env.mid, backbeat.length - 1);
  const candidates = tempoCandidates(acf, env.frameRate, minBpm, maxBpm, backbeat);
  const levels = [item.bpm!, ...(item.bpmAlt ?? [])];
  const ok = (bpm: number) => levels.some((b) => acc1(bpm, b));
  return { id: item.id, candidates, target: candidates.findIndex((c) => ok(c.bpm)), ok };
});
const dims = cases[0]!.candidates[0]!.features.length;
// Feature ablation: --mask 7,8 zeroes those feature columns before fitting and scoring.
const maskAt = argv.indexOf('--mask');
if (maskAt >= 0) {
  const off = argv[maskAt + 1]!.split(',').map(Number);
  for (const c of cases) for (const k of c.candidates) for (const d of off) k.features[d] = 0;
  console.log(`features ${off.join(',')} zeroed`);
}

function pick(c: Case, w: readonly number[]): TempoCandidate {
  let best = c.candidates[0]!;
  let bs = Number.NEGATIVE_INFINITY;
  for (const cand of c.candidates) {
    const s = candidateScore(cand, w);
    if (s > bs) {
      bs = s;
      best = cand;
    }
  }
  return best;
}
const accuracy = (set: Case[], w: readonly number[]) =>
  set.filter((c) => c.ok(pick(c, w).bpm)).length / set.length;

/** Softmax regression by full-batch gradient descent (deterministic, zero start). */
function fit(set: Case[]): number[] {
  const w = new Array<number>(dims).fill(0);
  const train = set.filter((c) => c.target >= 0);
  for (let it = 0; it < 3000; it++) {
    const grad = new Array<number>(dims).fill(0);
    for (const c of train) {
      const scores = c.candidates.map((k) => candidateScore(k, w));
      const m = Math.max(...scores);
      const e = scores.map((s) => Math.exp(s - m));
      const z = e.reduce((a, b) => a + b, 0);
      c.candidates.forEach((k, j) => {
        const p = e[j]! / z - (j === c.target ? 1 : 0);
        for (let d = 0; d < dims; d++) grad[d] = grad[d]! + p * k.features[d]!;
      });
    }
    for (let d = 0; d < dims; d++) w[d] = w[d]! - 0.5 * (grad[d]! / train.length + l2 * w[d]!);
  }
  return w;
}

const folds = 5;
let cvRight = 0;
for (let f = 0; f < folds; f++) {
  const test = cases.filter((c, i) => foldOf(c.id, i, folds) === f);
  const w = fit(cases.filter((c, i) => foldOf(c.id, i, folds) !== f));
  cvRight += test.filter((c) => c.ok(pick(c, w).bpm)).length;
}
const w = fit(cases);
const fmt = (xs: readonly number[]) => `[${xs.map((x) => x.toFixed(3)).join(', ')}]`;
console.log(`tuning items with a tempo label: ${cases.length}, range ${minBpm}-${maxBpm} BPM`);
console.log(
  `a right candidate among the ${cases[0]!.candidates.length}: ${(cases.filter((c) => c.target >= 0).length / cases.length).toFixed(3)}`,
);
console.log(
  `salience alone [1, 0, ...]: Acc1 ${accuracy(cases, [1, 0, 0, 0, 0, 0, 0, 0]).toFixed(3)}`,
);
console.log(
  `salience + previous prior (115 BPM, 1 octave): Acc1 ${accuracy(cases, [1, -Math.log2(115 / 120), -0.5, 0, 0, 0, 0, 0]).toFixed(3)}`,
);
console.log(
  `current LEVEL_WEIGHTS ${fmt(LEVEL_WEIGHTS)}: Acc1 ${accuracy(cases, LEVEL_WEIGHTS).toFixed(3)}`,
);
console.log(
  `fitted ${fmt(w)}: training Acc1 ${accuracy(cases, w).toFixed(3)}, 5-fold CV Acc1 ${(cvRight / cases.length).toFixed(3)}`,
);
if (argv.includes('--misses')) {
  for (const c of cases) {
    const got = pick(c, w).bpm;
    if (!c.ok(got))
      console.log(
        `  ${c.id}: ${got.toFixed(1)} (candidates ${c.candidates.map((k) => k.bpm.toFixed(0)).join(' ')})`,
      );
    if (!c.ok(got) && argv.includes('--features')) {
      for (const k of c.candidates.slice(0, 3))
        console.log(
          `    ${k.bpm.toFixed(1)} ${fmt(k.features)} score ${candidateScore(k, w).toFixed(2)}`,
        );
    }
  }
}
