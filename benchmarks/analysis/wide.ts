/**
 * Wide analysis benchmark: tempo and key on the three-source corpus of corpus-wide.ts, tuning and
 * held-out halves reported apart, per source, with Essentia 2.1 (`RhythmExtractor2013`,
 * `KeyExtractor` with its default, `edma` and `temperley` profiles) and aubio (`aubio tempo`) run
 * on the same files in the same run. Writes benchmarks/out/analysis-wide.{md,json} and the wide
 * section of docs/analysis.md.
 *
 *   pnpm bench:analysis:wide [--split tuning|heldout] [--reuse-python] [--no-docs]
 *
 * `--split tuning` scores the tuning half only: use it while choosing parameters. The held-out
 * half, and the `fresh`, `final` and `last` sets (held-out sets drawn with other seeds, see
 * corpus-wide.ts), are scored by the full run, once the method is fixed. `--reuse-python` takes
 * Essentia's results for the files it has already analysed from the last run (they do not change
 * when our estimators do) and runs it on the rest, and always on the 3-minute speed track.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  computePeaks,
  estimateKey,
  estimateTempo,
  keyName,
  measureLoudness,
  readWav,
} from '@vaultmark/analysis';
import { corpusDigest, generateWideCorpus, WIDE_PACKAGES, type WideItem } from './corpus-wide.js';
import { acc1, acc2, type Key, keyScore, parseKey } from './scoring.js';
import { NO_OPENING_WEIGHTS } from './wide-weights.js';

const argv = process.argv.slice(2);
const args = new Set(argv);
const splitAt = argv.indexOf('--split');
const onlySplit = splitAt >= 0 ? argv[splitAt + 1] : undefined;
const root = new URL('../../', import.meta.url).pathname;
const outDir = join(root, 'benchmarks/out');
const dir = join(outDir, 'analysis-wide');

function tool(cmd: string, a: string[]): string {
  try {
    return execFileSync(cmd, a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    return 'unavailable';
  }
}

const t0 = performance.now();
let items = [
  ...(await generateWideCorpus({ dir })),
  ...(await generateWideCorpus({ dir, fresh: true })),
  ...(await generateWideCorpus({ dir, final: true })),
  ...(await generateWideCorpus({ dir, last: true })),
];
console.error(`corpus: ${items.length} items in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
if (onlySplit) items = items.filter((i) => i.split === onlySplit);

type System = 'ours' | 'noOpening' | 'essentia' | 'aubio' | 'edma' | 'temperley';

interface Row {
  item: WideItem;
  bpm: Partial<Record<System, number>>;
  key: Partial<Record<System, Key>>;
  seconds: Partial<Record<string, number>>;
}
const rows: Row[] = [];
for (const item of items) {
  const audio = readWav(readFileSync(item.path));
  const row: Row = { item, bpm: {}, key: {}, seconds: {} };
  if (item.bpm !== undefined) {
    let t = performance.now();
    row.bpm.ours = estimateTempo({ audio }).bpm;
    row.seconds.oursTempo = (performance.now() - t) / 1000;
    t = performance.now();
    const text = tool('aubio', ['tempo', item.path]);
    row.bpm.aubio = Number.parseFloat(text);
    row.seconds.aubioTempo = (performance.now() - t) / 1000;
  }
  if (item.key) {
    const t = performance.now();
    const k = estimateKey({ audio });
    row.key.ours = { tonic: k.tonic, mode: k.mode };
    row.seconds.oursKey = (performance.now() - t) / 1000;
    const n = estimateKey({ audio, weights: NO_OPENING_WEIGHTS });
    row.key.noOpening = { tonic: n.tonic, mode: n.mode };
  }
  rows.push(row);
}

// Speed on a 3-minute track (six corpus items end to end): tempo, key, loudness and peaks
// together, against Essentia's tempo and key alone on the same file. Median and min of 5 runs.
const long = join(outDir, 'analysis-wide-3min.wav');
const longSources = items.filter((i) => i.source === 'mma').slice(0, 6);
execFileSync('sox', [...longSources.map((i) => i.path), long]);
const longAudio = readWav(readFileSync(long));
const longSeconds = longAudio.channels[0]!.length / longAudio.sampleRate;
const allFeatures: number[] = [];
for (let k = 0; k < 5; k++) {
  const t = performance.now();
  estimateTempo({ audio: longAudio });
  estimateKey({ audio: longAudio });
  measureLoudness({ audio: longAudio });
  computePeaks({ audio: longAudio, zoom: 256 });
  allFeatures.push((performance.now() - t) / 1000);
}
allFeatures.sort((a, b) => a - b);
let essentiaLong: number | undefined;

let essentiaVersion: string | null = null;
if (!args.has('--no-python')) {
  const python = process.env.VAULTMARK_BENCH_PYTHON ?? 'python3';
  const cache = join(outDir, 'analysis-wide-python.json');
  const cached = new Map<string, Record<string, unknown>>();
  let cachedVersion: string | null = null;
  if (args.has('--reuse-python') && existsSync(cache)) {
    const parsed = JSON.parse(readFileSync(cache, 'utf8')) as {
      essentia: string | null;
      results: Record<string, unknown>[];
    };
    cachedVersion = parsed.essentia;
    for (const r of parsed.results) if (r.path !== long) cached.set(r.path as string, r);
  }
  const input = JSON.stringify([
    ...items
      .filter((i) => !cached.has(i.path))
      .map((i) => ({
        path: i.path,
        tempo: i.bpm !== undefined,
        key: !!i.key,
        key_profiles: ['edma', 'temperley'],
      })),
    { path: long, tempo: true, key: true },
  ]);
  let text: string | undefined;
  const res = spawnSync(python, [join(root, 'benchmarks/analysis/baselines.py')], {
    input,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (res.status === 0) {
    const fresh = JSON.parse(res.stdout) as {
      essentia: string | null;
      results: Record<string, unknown>[];
    };
    if (cachedVersion && fresh.essentia !== cachedVersion)
      throw new Error(`cached Essentia ${cachedVersion}, now ${fresh.essentia}: run without reuse`);
    text = JSON.stringify({ ...fresh, results: [...cached.values(), ...fresh.results] });
    mkdirSync(outDir, { recursive: true });
    writeFileSync(cache, text);
  } else console.error(`python baselines unavailable: ${res.stderr?.slice(-300) ?? res.error}`);
  if (text) {
    const parsed = JSON.parse(text) as {
      essentia: string | null;
      results: Record<string, unknown>[];
    };
    essentiaVersion = parsed.essentia;
    const byPath = new Map(parsed.results.map((r) => [r.path as string, r]));
    const lr = byPath.get(long);
    if (lr && typeof lr.essentia_tempo_s === 'number' && typeof lr.essentia_key_s === 'number')
      essentiaLong = lr.essentia_tempo_s + lr.essentia_key_s;
    for (const row of rows) {
      const r = byPath.get(row.item.path);
      if (!r) continue;
      if (typeof r.essentia_bpm === 'number') row.bpm.essentia = r.essentia_bpm;
      if (typeof r.essentia_tempo_s === 'number') row.seconds.essentiaTempo = r.essentia_tempo_s;
      if (typeof r.essentia_key_s === 'number') row.seconds.essentiaKey = r.essentia_key_s;
      for (const [system, field] of [
        ['essentia', 'essentia_key'],
        ['edma', 'essentia_key_edma'],
        ['temperley', 'essentia_key_temperley'],
      ] as const) {
        const k = r[field] as [string, string] | undefined;
        if (k) row.key[system] = parseKey(k[0], k[1]);
      }
    }
  }
}

// ---- scoring
const truthLevels = (item: WideItem) => [item.bpm!, ...(item.bpmAlt ?? [])];
const tempoOk = (est: number, item: WideItem) => truthLevels(item).some((b) => acc1(est, b));
const tempoOk2 = (est: number, item: WideItem) => truthLevels(item).some((b) => acc2(est, b));

function tempoScore(system: System, sel: Row[]) {
  const have = sel.filter((r) => r.item.bpm !== undefined);
  if (have.length === 0 || !have.some((r) => r.bpm[system] !== undefined)) return undefined;
  const ok = (f: typeof tempoOk) =>
    have.filter((r) => Number.isFinite(r.bpm[system]) && f(r.bpm[system]!, r.item)).length /
    have.length;
  return { n: have.length, acc1: ok(tempoOk), acc2: ok(tempoOk2) };
}
function keyScoreOf(system: System, sel: Row[]) {
  const have = sel.filter((r) => r.item.key);
  if (have.length === 0 || !have.some((r) => r.key[system])) return undefined;
  const s = have.reduce(
    (a, r) => a + (r.key[system] ? keyScore(r.key[system]!, r.item.key!) : 0),
    0,
  );
  return { n: have.length, weighted: s / have.length };
}
/** Metrical-level error classes of a tempo estimate. */
function tempoClass(est: number, item: WideItem): string {
  if (tempoOk(est, item)) return 'right';
  const ratio = est / item.bpm!;
  for (const [name, m] of [
    ['×2', 2],
    ['×½', 0.5],
    ['×3/2', 1.5],
    ['×2/3', 2 / 3],
    ['×3', 3],
    ['×⅓', 1 / 3],
    ['×4/3', 4 / 3],
    ['×3/4', 0.75],
    ['×4', 4],
    ['×¼', 0.25],
  ] as const) {
    if (Math.abs(ratio / m - 1) <= 0.04) return name;
  }
  return 'other';
}
function keyClass(est: Key, truth: Key): string {
  const s = keyScore(est, truth);
  return s === 1
    ? 'right'
    : s === 0.5
      ? 'fifth'
      : s === 0.3
        ? 'relative'
        : s === 0.2
          ? 'parallel'
          : 'other';
}

const f3 = (x: number | undefined) => (x === undefined ? 'n/a' : x.toFixed(3));
const lines: string[] = [];
const sources = ['mma', 'gen', 'game'] as const;
const splits = onlySplit ? [onlySplit] : ['tuning', 'heldout', 'fresh', 'final', 'last'];
lines.push(
  `Wide corpus: ${items.length} items of 30 s (${splits.join(' + ')}), sha256 \`${corpusDigest(items).slice(0, 16)}\` over ids and audio, rendered by \`benchmarks/analysis/corpus-wide.ts\` from Debian packages \`${WIDE_PACKAGES}\`. Sources: ${sources.map((s) => `${s} ${items.filter((i) => i.source === s).length}`).join(', ')}; tempo-labelled ${items.filter((i) => i.bpm !== undefined).length}, key-labelled ${items.filter((i) => i.key).length}.`,
);
lines.push('');
lines.push(
  `Baselines in the same run: Essentia ${essentiaVersion ?? 'unavailable'} (\`RhythmExtractor2013(method="multifeature")\`; \`KeyExtractor\` default, \`edma\`, \`temperley\`), aubio \`${tool('aubio', ['--version']).split('\n')[0]}\` (\`aubio tempo\`).`,
);
lines.push('');
lines.push(
  '#### Tempo (Acc1: ±4 % of the felt beat or an accepted level; Acc2: also ×2, ×½, ×3, ×⅓)',
);
lines.push('');
lines.push(
  '| split | source | n | vaultmark Acc1 | essentia Acc1 | aubio Acc1 | vaultmark Acc2 | essentia Acc2 | aubio Acc2 |',
);
lines.push('|---|---|---|---|---|---|---|---|---|');
for (const split of splits) {
  for (const source of [...sources, 'all'] as const) {
    const sel = rows.filter(
      (r) => r.item.split === split && (source === 'all' || r.item.source === source),
    );
    const [o, e, a] = (['ours', 'essentia', 'aubio'] as const).map((s) => tempoScore(s, sel));
    if (!o) continue;
    const b = (x: string) => (source === 'all' ? `**${x}**` : x);
    lines.push(
      `| ${b(split)} | ${b(source)} | ${o.n} | ${b(f3(o.acc1))} | ${f3(e?.acc1)} | ${f3(a?.acc1)} | ${f3(o.acc2)} | ${f3(e?.acc2)} | ${f3(a?.acc2)} |`,
    );
  }
}
lines.push('');
lines.push('Tempo Acc1 by tempo band and meter (vaultmark / essentia / aubio):');
lines.push('');
const bandOf = (b: number) => (b > 160 ? 'fast >160' : b < 90 ? 'slow <90' : '90-160');
const groups = ['fast >160', '90-160', 'slow <90', '4/4', '4/4 swing', '3/4', '6/8', '12/8'];
lines.push(`| split | ${groups.join(' | ')} |`);
lines.push(`|---|${groups.map(() => '---').join('|')}|`);
for (const split of splits) {
  const cells = groups.map((g) => {
    const sel = rows.filter(
      (r) =>
        r.item.split === split &&
        r.item.bpm !== undefined &&
        (bandOf(r.item.bpm) === g || r.item.meter === g),
    );
    if (sel.length === 0) return '–';
    const acc = (s: System) => f3(tempoScore(s, sel)?.acc1);
    return `${acc('ours')} / ${acc('essentia')} / ${acc('aubio')} (${sel.length})`;
  });
  lines.push(`| ${split} | ${cells.join(' | ')} |`);
}
lines.push('');
lines.push('Tempo errors by kind (count of items in the splits above):');
lines.push('');
const classes = [
  'right',
  '×2',
  '×½',
  '×3/2',
  '×2/3',
  '×3',
  '×⅓',
  '×4/3',
  '×3/4',
  '×4',
  '×¼',
  'other',
];
lines.push(`| system | ${classes.join(' | ')} |`);
lines.push(`|---|${classes.map(() => '---').join('|')}|`);
for (const s of ['ours', 'essentia', 'aubio'] as const) {
  const counts = new Map<string, number>();
  for (const r of rows) {
    if (r.item.bpm === undefined || !Number.isFinite(r.bpm[s])) continue;
    const c = tempoClass(r.bpm[s]!, r.item);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  lines.push(
    `| ${s === 'ours' ? 'vaultmark' : s} | ${classes.map((c) => counts.get(c) ?? 0).join(' | ')} |`,
  );
}
lines.push('');
lines.push('#### Key (MIREX weighted: exact 1, fifth 0.5, relative 0.3, parallel 0.2)');
lines.push('');
lines.push(
  '| split | source | n | vaultmark | essentia (default) | essentia edma | essentia temperley | vaultmark without the opening chord |',
);
lines.push('|---|---|---|---|---|---|---|---|');
for (const split of splits) {
  for (const source of [...sources, 'all'] as const) {
    const sel = rows.filter(
      (r) => r.item.split === split && (source === 'all' || r.item.source === source),
    );
    const [o, e, d, t, n] = (['ours', 'essentia', 'edma', 'temperley', 'noOpening'] as const).map(
      (s) => keyScoreOf(s, sel),
    );
    if (!o) continue;
    const b = (x: string) => (source === 'all' ? `**${x}**` : x);
    lines.push(
      `| ${b(split)} | ${b(source)} | ${o.n} | ${b(f3(o.weighted))} | ${f3(e?.weighted)} | ${f3(d?.weighted)} | ${f3(t?.weighted)} | ${f3(n?.weighted)} |`,
    );
  }
}
lines.push('');
lines.push(
  'Key errors by kind (count of items in the splits above), and the modal charts alone (weighted):',
);
lines.push('');
const kclasses = ['right', 'fifth', 'relative', 'parallel', 'other'];
lines.push(`| system | ${kclasses.join(' | ')} | Dorian/Mixolydian |`);
lines.push(`|---|${kclasses.map(() => '---').join('|')}|---|`);
for (const s of ['ours', 'noOpening', 'essentia', 'edma', 'temperley'] as const) {
  const counts = new Map<string, number>();
  for (const r of rows) {
    if (!r.item.key || !r.key[s]) continue;
    const c = keyClass(r.key[s]!, r.item.key);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  const modal = keyScoreOf(
    s,
    rows.filter((r) => r.item.modal),
  );
  lines.push(
    `| ${s === 'ours' ? 'vaultmark' : s === 'noOpening' ? 'vaultmark without the opening chord' : s} | ${kclasses.map((c) => counts.get(c) ?? 0).join(' | ')} | ${f3(modal?.weighted)} |`,
  );
}
lines.push('');
const sum = (k: string) => rows.reduce((a, r) => a + (r.seconds[k] ?? 0), 0);
const audioWith = (k: string) =>
  rows.reduce((a, r) => a + (r.seconds[k] !== undefined ? r.item.seconds : 0), 0);
const xrt = (k: string) => (sum(k) > 0 ? (audioWith(k) / sum(k)).toFixed(0) : 'n/a');
lines.push(
  `Speed on this corpus (× realtime, one core, decoding excluded): vaultmark tempo ${xrt('oursTempo')}, key ${xrt('oursKey')}; Essentia tempo ${xrt('essentiaTempo')}, key ${xrt('essentiaKey')}; aubio tempo ${xrt('aubioTempo')} (including decoding and process start).`,
);
lines.push('');
const med = allFeatures[2]!;
lines.push(
  `A ${(longSeconds / 60).toFixed(1)}-minute track (six items end to end, 44.1 kHz stereo): vaultmark tempo + key + loudness + peaks ${med.toFixed(2)} s median, ${allFeatures[0]!.toFixed(2)} s min of 5 (${(longSeconds / med).toFixed(0)}× realtime); Essentia tempo + key alone ${essentiaLong?.toFixed(2) ?? 'n/a'} s (${essentiaLong ? (longSeconds / essentiaLong).toFixed(0) : 'n/a'}× realtime, one run, decoding excluded on both sides)${essentiaLong ? `: ratio ${(essentiaLong / med).toFixed(1)}×` : ''}.`,
);
lines.push('');
lines.push('<details><summary>Per-item results</summary>');
lines.push('');
lines.push('| item | split | renderer | meter | truth | vaultmark | essentia | aubio |');
lines.push('|---|---|---|---|---|---|---|---|');
const kn = (k: Key | undefined) => (k ? keyName(k.tonic, k.mode) : '');
for (const r of rows) {
  const truth = [
    r.item.bpm !== undefined ? `${truthLevels(r.item).join('/')} BPM` : '',
    r.item.key ? `${kn(r.item.key)}${r.item.modal ? ` (${r.item.modal})` : ''}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const cell = (s: System) => [r.bpm[s]?.toFixed(1), kn(r.key[s])].filter(Boolean).join(', ');
  lines.push(
    `| ${r.item.id} | ${r.item.split} | ${r.item.renderer} | ${r.item.meter ?? ''} | ${truth} | ${cell('ours')} | ${cell('essentia')} | ${cell('aubio')} |`,
  );
}
lines.push('');
lines.push('</details>');
const report = lines.join('\n');
mkdirSync(outDir, { recursive: true });
const name = onlySplit ? `analysis-wide-${onlySplit}` : 'analysis-wide';
writeFileSync(join(outDir, `${name}.md`), `${report}\n`);
writeFileSync(join(outDir, `${name}.json`), JSON.stringify(rows, null, 2));
if (!args.has('--no-docs') && !onlySplit) {
  const doc = join(root, 'docs/analysis.md');
  const text = readFileSync(doc, 'utf8');
  const start = '<!-- bench-wide:start -->';
  const end = '<!-- bench-wide:end -->';
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a >= 0 && b > a)
    writeFileSync(doc, `${text.slice(0, a + start.length)}\n${report}\n${text.slice(b)}`);
}
console.log(report.split('<details>')[0]);
