/**
 * How much the key decision rests on a piece's opening: MIREX weighted key scores of the wide
 * corpus's held-out sets with each item's audio cut to start some seconds in (mid-bar, mid-chord),
 * for the default decision and for the one refitted without the opening chord (the ablation of
 * wide.ts). A measurement, not a tuning step: nothing is chosen from it.
 *
 *   pnpm --filter @vaultmark/benchmarks exec tsx --conditions=@vaultmark/source \
 *     analysis/key-offset.ts [--offsets 0,5.3,11.1] [--split final]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { estimateKey, readWav } from '@vaultmark/analysis';
import { generateWideCorpus } from './corpus-wide.js';
import { keyScore } from './scoring.js';
import { NO_OPENING_WEIGHTS } from './wide-weights.js';

const argv = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1]! : def;
};
const offsets = opt('--offsets', '0,5.3,11.1').split(',').map(Number);
const split = opt('--split', 'final');
const dir = join(new URL('../../', import.meta.url).pathname, 'benchmarks/out/analysis-wide');
const items = [
  ...(await generateWideCorpus({ dir })),
  ...(await generateWideCorpus({ dir, fresh: true })),
  ...(await generateWideCorpus({ dir, final: true })),
  ...(await generateWideCorpus({ dir, last: true })),
].filter((i) => i.split === split && i.key);

console.log(`| audio from (s) | n | vaultmark | without the opening chord |`);
console.log('|---|---|---|---|');
for (const offset of offsets) {
  let ours = 0;
  let without = 0;
  for (const item of items) {
    const full = readWav(readFileSync(item.path));
    const from = Math.round(offset * full.sampleRate);
    const audio = {
      sampleRate: full.sampleRate,
      channels: full.channels.map((c) => c.subarray(from)),
    };
    const a = estimateKey({ audio });
    const b = estimateKey({ audio, weights: NO_OPENING_WEIGHTS });
    ours += keyScore(a, item.key!);
    without += keyScore(b, item.key!);
  }
  const n = items.length;
  console.log(`| ${offset} | ${n} | ${(ours / n).toFixed(3)} | ${(without / n).toFixed(3)} |`);
}
