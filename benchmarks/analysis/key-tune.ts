/**
 * Key-estimator tuning: scores chroma and profile variants (MIREX weighted) on the tuning corpus
 * (seed 77, disjoint from the benchmark corpus of seed 2024). Parameters are chosen here, never
 * on the benchmark corpus.
 *
 *   pnpm --filter @vaultmark/benchmarks exec tsx --conditions=@vaultmark/source \
 *     analysis/key-tune.ts [--seed 77] [--songs 160] [--misses] [variant names...]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromaProfile, keyName, mixToMono, readWav } from '@vaultmark/analysis';
import { type HpcpArgs, hpcpProfile } from '../../packages/analysis/src/hpcp.js';
import {
  ALBRECHT_SHANAHAN,
  type KeyProfile,
  KRUMHANSL_KESSLER,
  rotatedCorrelation,
  TEMPERLEY,
} from '../../packages/analysis/src/key-profiles.js';
import { analysisFactor, decimate } from '../../packages/analysis/src/spectral.js';
import { generateCorpus } from './corpus.js';
import { type Key, keyScore } from './scoring.js';

const argv = process.argv.slice(2);
const seedAt = argv.indexOf('--seed');
const seed = seedAt >= 0 ? Number(argv[seedAt + 1]) : 77;
const root = new URL('../../', import.meta.url).pathname;
const dir = join(
  root,
  'benchmarks/out',
  seed === 2024 ? 'analysis-corpus' : `analysis-corpus-seed${seed}`,
);
const songsAt = argv.indexOf('--songs');
const songs = songsAt >= 0 ? Number(argv[songsAt + 1]) : 36;
const items = generateCorpus({ dir, seed, songs }).filter((i) => i.key);
const signals = items.map((item) => {
  const audio = readWav(readFileSync(item.path));
  const factor = analysisFactor(audio.sampleRate);
  return { item, signal: decimate(mixToMono(audio), factor), rate: audio.sampleRate / factor };
});

const families: Record<string, KeyProfile[]> = {
  AS: [ALBRECHT_SHANAHAN],
  KK: [KRUMHANSL_KESSLER],
  T: [TEMPERLEY],
  'AS+T': [ALBRECHT_SHANAHAN, TEMPERLEY],
  'AS+KK+T': [ALBRECHT_SHANAHAN, KRUMHANSL_KESSLER, TEMPERLEY],
};

/** Best key and the margin of the true key's score over the best other key (negative: miss). */
function pick(
  chroma: ArrayLike<number>,
  profiles: KeyProfile[],
  truth: Key,
  bass?: { chroma: ArrayLike<number>; weight: number },
) {
  let best: Key = { tonic: 0, mode: 'major' };
  let bestR = -Infinity;
  let trueR = 0;
  let otherR = -Infinity;
  for (let t = 0; t < 12; t++) {
    for (const mode of ['major', 'minor'] as const) {
      let r = 0;
      for (const p of profiles) r += rotatedCorrelation(chroma, p[mode], t) / profiles.length;
      if (bass) {
        for (const p of profiles)
          r += (bass.weight * rotatedCorrelation(bass.chroma, p[mode], t)) / profiles.length;
        r /= 1 + bass.weight;
      }
      if (r > bestR) {
        bestR = r;
        best = { tonic: t, mode };
      }
      if (t === truth.tonic && mode === truth.mode) trueR = r;
      else otherR = Math.max(otherR, r);
    }
  }
  return { key: best, margin: trueR - otherR };
}

/** `bins`: every STFT bin to its pitch class (`chromaProfile`); the rest: `hpcpProfile` options. */
/** `bass`: a second profile of the band 55 Hz-`maxHz` whose correlation adds with `weight`. */
type Variant = 'bins' | (Partial<HpcpArgs> & { bass?: { maxHz: number; weight: number } });
const variants: Record<string, Variant> = {
  bins: 'bins',
  // First round: peaks without harmonic weighting.
  'peaks, magnitude': { floorDb: 60, harmonics: 1, power: 1 },
  'peaks, magnitude²': { floorDb: 60, harmonics: 1, power: 2 },
  'peaks, √magnitude': { floorDb: 60, harmonics: 1 },
  '+ harmonics 2': { floorDb: 60, harmonics: 2 },
  '+ harmonics 4': { floorDb: 60, harmonics: 4 },
  '+ whitening': { floorDb: 60, harmonics: 1, whiten: true },
  '+ whitening, harmonics 4': { floorDb: 60, whiten: true, harmonics: 4 },
  '+ kernel 4/3 semitone': { floorDb: 60, harmonics: 1, kernelSemitones: 4 / 3 },
  '+ kernel 2/3 semitone': { floorDb: 60, harmonics: 1, kernelSemitones: 2 / 3 },
  '+ no tuning estimate': { floorDb: 60, harmonics: 1, tuning: false },
  '+ peak floor -40 dB': { harmonics: 1 },
  '+ band 100 Hz-5 kHz': { floorDb: 60, harmonics: 1, minHz: 100, maxHz: 5000 },
  // Second round, from the best of the first.
  'floor -40 dB + harmonics 4 (default)': {},
  'floor -40 dB + kernel 2/3': { harmonics: 1, kernelSemitones: 2 / 3 },
  'floor -30 dB': { floorDb: 30, harmonics: 1 },
  'floor -40 dB + harmonics 3': { harmonics: 3 },
  'floor -40 dB + harmonics 4, decay 0.8': { harmonicDecay: 0.8 },
  // Third round, from the default.
  'default + bass < 200 Hz, weight 0.25': { bass: { maxHz: 200, weight: 0.25 } },
  'default + bass < 200 Hz, weight 0.5': { bass: { maxHz: 200, weight: 0.5 } },
};
const only = argv.filter(
  (a, i) => !a.startsWith('--') && argv[i - 1] !== '--seed' && argv[i - 1] !== '--songs',
);

console.log(
  `seed ${seed}: ${items.length} key items; weighted score (items with margin < 0.05, mean margin)`,
);
console.log(`| variant | ${Object.keys(families).join(' | ')} | s |`);
for (const [name, v] of Object.entries(variants)) {
  if (only.length && !only.includes(name)) continue;
  const t = performance.now();
  const chromas = signals.map(({ signal, rate }) =>
    v === 'bins'
      ? chromaProfile({ signal, sampleRate: rate })
      : hpcpProfile({ signal, sampleRate: rate, ...v }).chroma,
  );
  const basses = signals.map(({ signal, rate }) =>
    v !== 'bins' && v.bass
      ? {
          chroma: hpcpProfile({ signal, sampleRate: rate, ...v, maxHz: v.bass.maxHz }).chroma,
          weight: v.bass.weight,
        }
      : undefined,
  );
  const s = (performance.now() - t) / 1000;
  const cells: string[] = [];
  const misses: string[] = [];
  for (const [fam, profiles] of Object.entries(families)) {
    let total = 0;
    let low = 0;
    let sumMargin = 0;
    chromas.forEach((c, i) => {
      const truth = signals[i]!.item.key!;
      const { key: k, margin } = pick(c, profiles, truth, basses[i]);
      const score = keyScore(k, truth);
      total += score;
      if (margin < 0.05) low++;
      sumMargin += margin;
      if (score < 1 && fam === 'AS')
        misses.push(`${signals[i]!.item.id}→${keyName(k.tonic, k.mode)}`);
    });
    cells.push(
      `${(total / items.length).toFixed(3)} (${low}, ${(sumMargin / items.length).toFixed(3)})`,
    );
  }
  console.log(`| ${name} | ${cells.join(' | ')} | ${s.toFixed(1)} |`);
  if (argv.includes('--misses')) console.log(`   AS misses: ${misses.join(', ')}`);
}
