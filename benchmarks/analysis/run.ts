/**
 * Analysis benchmark: tempo (MIREX Accuracy1/2) and key (MIREX weighted score) on a corpus generated
 * from first principles (see corpus.ts), against aubio (Debian aubio-tools) and, where they import,
 * librosa and Essentia; speed in x realtime per feature; peaks checked against a naive reference.
 * Writes benchmarks/out/analysis.{md,json} and the results section of docs/analysis.md.
 *
 *   pnpm bench:analysis [--quick] [--no-python] [--reuse-python] [--no-docs]
 *
 * --reuse-python takes the librosa/Essentia results of the last run with the same corpus from
 * benchmarks/out (they do not change when only our estimators change); their speed figures then
 * come from that earlier run, so use it while developing, not for the committed report.
 *
 * VAULTMARK_BENCH_PYTHON names a Python with librosa/essentia installed (default `python3`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  computePeaks,
  createDspSeparator,
  estimateKey,
  estimateTempo,
  keyName,
  measureLoudness,
  readWav,
  sdr,
} from '@vaultmark/analysis';
import { type CorpusItem, generateCorpus, generateStemSongs, SOUNDFONT } from './corpus.js';
import { acc1, acc2, type Key, keyScore, parseKey } from './scoring.js';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const root = new URL('../../', import.meta.url).pathname;
const outDir = join(root, 'benchmarks/out');
const corpusDir = join(outDir, quick ? 'analysis-corpus-quick' : 'analysis-corpus');

function version(cmd: string, argv: string[]): string {
  try {
    return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      .trim()
      .split('\n')[0]!;
  } catch {
    return 'unavailable';
  }
}

if (!existsSync(SOUNDFONT)) {
  console.error(`missing ${SOUNDFONT}: apt-get install fluidsynth fluid-soundfont-gm`);
  process.exit(1);
}
const t0 = performance.now();
const items = generateCorpus({ dir: corpusDir, quick });
console.error(`corpus: ${items.length} items in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

interface Row {
  item: CorpusItem;
  ours: { bpm?: number; key?: Key; tempoS?: number; keyS?: number; chroma?: Key; chromaS?: number };
  aubio?: { bpm: number; s: number };
  librosa?: { bpm: number; s: number };
  essentia?: { bpm?: number; key?: Key; tempoS?: number; keyS?: number };
}

const rows: Row[] = [];
let audioSeconds = 0;
const speed = { tempo: 0, key: 0, chroma: 0, loudness: 0, peaks: 0, stems: 0 };
const speedAudio = { tempo: 0, key: 0, chroma: 0, loudness: 0, peaks: 0, stems: 0 };
let peaksExact = 0;
let peaksChecked = 0;

function naivePeaks(x: Float32Array, zoom: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < x.length; i += zoom) {
    let lo = 32767;
    let hi = -32768;
    for (let j = i; j < Math.min(x.length, i + zoom); j++) {
      const v = Math.max(-32768, Math.min(32767, Math.round(x[j]! * 32768)));
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    out.push(lo, hi);
  }
  return out;
}

for (const item of items) {
  const audio = readWav(readFileSync(item.path));
  const seconds = audio.channels[0]!.length / audio.sampleRate;
  audioSeconds += seconds;
  const row: Row = { item, ours: {} };
  if (item.bpm !== undefined) {
    const t = performance.now();
    row.ours.bpm = estimateTempo({ audio }).bpm;
    row.ours.tempoS = (performance.now() - t) / 1000;
    speed.tempo += row.ours.tempoS;
    speedAudio.tempo += seconds;
    const a = performance.now();
    const text = version('aubio', ['tempo', item.path]);
    row.aubio = { bpm: Number.parseFloat(text), s: (performance.now() - a) / 1000 };
  }
  if (item.key) {
    const t = performance.now();
    const k = estimateKey({ audio });
    row.ours.key = { tonic: k.tonic, mode: k.mode };
    row.ours.keyS = (performance.now() - t) / 1000;
    speed.key += row.ours.keyS;
    speedAudio.key += seconds;
    const h = performance.now();
    const kc = estimateKey({ audio, profile: 'chroma' });
    row.ours.chroma = { tonic: kc.tonic, mode: kc.mode };
    row.ours.chromaS = (performance.now() - h) / 1000;
    speed.chroma += row.ours.chromaS;
    speedAudio.chroma += seconds;
  }
  let t = performance.now();
  measureLoudness({ audio });
  speed.loudness += (performance.now() - t) / 1000;
  speedAudio.loudness += seconds;
  t = performance.now();
  const mono = { sampleRate: audio.sampleRate, channels: [audio.channels[0]!] };
  const peaks = computePeaks({ audio: mono, zoom: 256 });
  speed.peaks += (performance.now() - t) / 1000;
  speedAudio.peaks += seconds;
  peaksChecked++;
  const ref = naivePeaks(audio.channels[0]!, 256);
  if (ref.length === peaks.data.length && ref.every((v, i) => v === peaks.data[i])) peaksExact++;
  rows.push(row);
}
// Stems speed on a few items (the separator is the slowest feature).
for (const item of items.filter((i) => i.kind === 'midi').slice(0, quick ? 1 : 3)) {
  const audio = readWav(readFileSync(item.path));
  const t = performance.now();
  await createDspSeparator().separate({ audio });
  speed.stems += (performance.now() - t) / 1000;
  speedAudio.stems += audio.channels[0]!.length / audio.sampleRate;
}

// Stems: SDR on mixtures of separately rendered MIDI stems, against doing nothing.
const stemItems = generateStemSongs(join(outDir, 'analysis-stems'), quick ? 1 : 4);
const stemSdr: Record<string, { ours: number[]; mix: number[] }> = {};
for (const item of stemItems) {
  const refs = Object.entries(item.stems).map(
    ([name, path]) => [name, readWav(readFileSync(path))] as const,
  );
  const n = Math.min(...refs.map(([, a]) => a.channels[0]!.length));
  const mix = [0, 1].map((c) => {
    const x = new Float32Array(n);
    for (const [, a] of refs) for (let i = 0; i < n; i++) x[i] = x[i]! + a.channels[c]![i]!;
    return x;
  });
  const stems = await createDspSeparator().separate({
    audio: { sampleRate: 44100, channels: mix },
  });
  for (const [name, ref] of refs) {
    stemSdr[name] ??= { ours: [], mix: [] };
    const entry = stemSdr[name]!;
    for (let c = 0; c < 2; c++) {
      entry.ours.push(sdr(ref.channels[c]!.subarray(0, n), stems[name]!.channels[c]!));
      entry.mix.push(sdr(ref.channels[c]!.subarray(0, n), mix[c]!));
    }
  }
}

// Python baselines, side by side on the same files.
let pyInfo: { librosa: string | null; essentia: string | null } = { librosa: null, essentia: null };
if (!args.has('--no-python')) {
  const python = process.env.VAULTMARK_BENCH_PYTHON ?? 'python3';
  const input = JSON.stringify(
    items.map((i) => ({ path: i.path, tempo: i.bpm !== undefined, key: !!i.key })),
  );
  const cache = join(outDir, `analysis-python${quick ? '-quick' : ''}.json`);
  const res =
    args.has('--reuse-python') && existsSync(cache)
      ? { status: 0, stdout: readFileSync(cache, 'utf8'), stderr: '', error: undefined }
      : spawnSync(python, [join(root, 'benchmarks/analysis/baselines.py')], {
          input,
          encoding: 'utf8',
          maxBuffer: 1 << 26,
        });
  if (res.status === 0) {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(cache, res.stdout);
    const parsed = JSON.parse(res.stdout) as {
      librosa: string | null;
      essentia: string | null;
      results: Record<string, unknown>[];
    };
    pyInfo = parsed;
    parsed.results.forEach((r, i) => {
      const row = rows[i]!;
      if (typeof r.librosa_bpm === 'number')
        row.librosa = { bpm: r.librosa_bpm, s: r.librosa_s as number };
      if (r.essentia_bpm !== undefined || r.essentia_key !== undefined) {
        const k = r.essentia_key as [string, string] | undefined;
        row.essentia = {
          bpm: r.essentia_bpm as number | undefined,
          key: k ? parseKey(k[0], k[1]) : undefined,
          tempoS: r.essentia_tempo_s as number | undefined,
          keyS: r.essentia_key_s as number | undefined,
        };
      }
    });
  } else {
    console.error(`python baselines unavailable: ${res.stderr?.slice(-300) ?? res.error}`);
  }
}

// ---- scoring
type System = 'ours' | 'aubio' | 'librosa' | 'essentia';
const kinds = ['click', 'midi', 'all'] as const;
function tempoScores(system: System, kind: (typeof kinds)[number]) {
  const sel = rows.filter(
    (r) => r.item.bpm !== undefined && (kind === 'all' || r.item.kind === kind),
  );
  const est = (r: Row) =>
    system === 'ours' ? r.ours.bpm : system === 'essentia' ? r.essentia?.bpm : r[system]?.bpm;
  const have = sel.filter((r) => est(r) !== undefined && Number.isFinite(est(r)));
  if (have.length === 0) return undefined;
  const a1 =
    sel.filter((r) => est(r) !== undefined && acc1(est(r)!, r.item.bpm!)).length / sel.length;
  const a2 =
    sel.filter((r) => est(r) !== undefined && acc2(est(r)!, r.item.bpm!)).length / sel.length;
  return { n: sel.length, acc1: a1, acc2: a2 };
}
function keyScores(system: 'ours' | 'chroma' | 'essentia', kind: 'chords' | 'midi' | 'all') {
  const sel = rows.filter((r) => r.item.key && (kind === 'all' || r.item.kind === kind));
  const est = (r: Row) =>
    system === 'ours' ? r.ours.key : system === 'chroma' ? r.ours.chroma : r.essentia?.key;
  if (!sel.some((r) => est(r))) return undefined;
  const total = sel.reduce((s, r) => s + (est(r) ? keyScore(est(r)!, r.item.key!) : 0), 0);
  const exact = sel.filter((r) => est(r) && keyScore(est(r)!, r.item.key!) === 1).length;
  return { n: sel.length, weighted: total / sel.length, exact: exact / sel.length };
}

const pct = (x: number | undefined) => (x === undefined ? 'n/a' : x.toFixed(3));
const lines: string[] = [];
lines.push(
  `Corpus: ${items.length} items, ${(audioSeconds / 60).toFixed(1)} min of audio (${quick ? 'quick' : 'full'} run), generated by \`benchmarks/analysis/corpus.ts\`: ${items.filter((i) => i.kind === 'click').length} click tracks, ${items.filter((i) => i.kind === 'chords').length} additive chord progressions, ${items.filter((i) => i.kind === 'midi').length} MIDI songs rendered with fluidsynth + FluidR3_GM (Debian \`fluidsynth\`, \`fluid-soundfont-gm\`).`,
);
lines.push('');
lines.push(
  `Baselines: aubio \`${version('aubio', ['--version'])}\` (Debian aubio-tools, \`aubio tempo\`), librosa ${pyInfo.librosa ?? 'unavailable'} (\`feature.tempo\`), Essentia ${pyInfo.essentia ?? 'unavailable'} (\`RhythmExtractor2013(multifeature)\`, \`KeyExtractor\`), all on the same files in the same run.`,
);
lines.push('');
lines.push('### Tempo (MIREX, ±4 %)');
lines.push('');
lines.push('| system | click Acc1 | click Acc2 | MIDI Acc1 | MIDI Acc2 | all Acc1 | all Acc2 |');
lines.push('|---|---|---|---|---|---|---|');
const systems: System[] = ['ours', 'aubio', 'librosa', 'essentia'];
for (const s of systems) {
  const c = tempoScores(s, 'click');
  const m = tempoScores(s, 'midi');
  const a = tempoScores(s, 'all');
  if (!a) continue;
  lines.push(
    `| ${s === 'ours' ? '**vaultmark**' : s} | ${pct(c?.acc1)} | ${pct(c?.acc2)} | ${pct(m?.acc1)} | ${pct(m?.acc2)} | ${pct(a.acc1)} | ${pct(a.acc2)} |`,
  );
}
lines.push('');
lines.push('### Key (MIREX weighted: exact 1, fifth 0.5, relative 0.3, parallel 0.2)');
lines.push('');
lines.push('| system | chords weighted | MIDI weighted | all weighted | all exact |');
lines.push('|---|---|---|---|---|');
const keyLabel = {
  ours: '**vaultmark** (default)',
  chroma: "vaultmark `profile: 'chroma'`",
  essentia: 'essentia',
};
for (const s of ['ours', 'chroma', 'essentia'] as const) {
  const a = keyScores(s, 'all');
  if (!a) continue;
  lines.push(
    `| ${keyLabel[s]} | ${pct(keyScores(s, 'chords')?.weighted)} | ${pct(keyScores(s, 'midi')?.weighted)} | ${pct(a.weighted)} | ${pct(a.exact)} |`,
  );
}
lines.push('');
lines.push('aubio and librosa have no key estimator; they appear in the tempo table only.');
lines.push('');
lines.push('### Speed (× realtime, one core, decoding excluded)');
lines.push('');
const xrt = (f: keyof typeof speed) =>
  speed[f] > 0 ? (speedAudio[f] / speed[f]).toFixed(0) : 'n/a';
const sumOf = (f: (r: Row) => number | undefined) => rows.reduce((s, r) => s + (f(r) ?? 0), 0);
const audioOf = (f: (r: Row) => number | undefined) =>
  rows.reduce((s, r) => s + (f(r) !== undefined ? r.item.seconds : 0), 0);
const ratio = (f: (r: Row) => number | undefined) => {
  const t = sumOf(f);
  return t > 0 ? (audioOf(f) / t).toFixed(0) : 'n/a';
};
lines.push('| feature | vaultmark | aubio | librosa | essentia |');
lines.push('|---|---|---|---|---|');
lines.push(
  `| tempo | ${xrt('tempo')} | ${ratio((r) => r.aubio?.s)} (incl. decode + process start) | ${ratio((r) => r.librosa?.s)} | ${ratio((r) => r.essentia?.tempoS)} |`,
);
lines.push(`| key | ${xrt('key')} | – | – | ${ratio((r) => r.essentia?.keyS)} |`);
lines.push(`| key, \`profile: 'chroma'\` | ${xrt('chroma')} | – | – | – |`);
lines.push(`| loudness (I, LRA, true peak) | ${xrt('loudness')} | – | – | – |`);
lines.push(`| peaks (zoom 256) | ${xrt('peaks')} | – | – | – |`);
lines.push(`| stems (DSP separator) | ${xrt('stems')} | – | – | – |`);
lines.push('');
lines.push('### Stems (SDR, dB, mean over songs and channels)');
lines.push('');
lines.push(
  `${stemItems.length} songs whose melody (a lead instrument standing in for a voice, centred), drums (centred) and accompaniment (chords left, bass right) were rendered separately with fluidsynth and summed. "do nothing" uses the mixture itself as every stem's estimate.`,
);
lines.push('');
lines.push('| stem | DSP separator | do nothing | gain |');
lines.push('|---|---|---|---|');
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
for (const [name, v] of Object.entries(stemSdr)) {
  const gain = mean(v.ours) - mean(v.mix);
  lines.push(
    `| ${name} | ${mean(v.ours).toFixed(1)} | ${mean(v.mix).toFixed(1)} | ${gain.toFixed(1)} |`,
  );
}
lines.push('');
lines.push(
  `Peaks: ${peaksExact} of ${peaksChecked} files identical, point for point, to a naive reference computation (round to 16-bit, min/max per block of 256 samples).`,
);
lines.push('');
lines.push('<details><summary>Per-item results</summary>');
lines.push('');
lines.push('| item | truth | vaultmark | aubio | librosa | essentia |');
lines.push('|---|---|---|---|---|---|');
for (const r of rows) {
  const truth = [
    r.item.bpm ? `${r.item.bpm} BPM` : '',
    r.item.key ? keyName(r.item.key.tonic, r.item.key.mode) : '',
  ]
    .filter(Boolean)
    .join(', ');
  const chroma =
    r.ours.chroma &&
    (r.ours.chroma.tonic !== r.ours.key?.tonic || r.ours.chroma.mode !== r.ours.key.mode)
      ? `${keyName(r.ours.chroma.tonic, r.ours.chroma.mode)} (chroma)`
      : undefined;
  const ours = [
    r.ours.bpm?.toFixed(1),
    r.ours.key ? keyName(r.ours.key.tonic, r.ours.key.mode) : undefined,
    chroma,
  ]
    .filter(Boolean)
    .join(', ');
  const ess = [
    r.essentia?.bpm?.toFixed(1),
    r.essentia?.key ? keyName(r.essentia.key.tonic, r.essentia.key.mode) : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  lines.push(
    `| ${r.item.id} | ${truth} | ${ours} | ${r.aubio?.bpm.toFixed(1) ?? ''} | ${r.librosa?.bpm.toFixed(1) ?? ''} | ${ess} |`,
  );
}
lines.push('');
lines.push('</details>');
const report = lines.join('\n');
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'analysis.md'), `${report}\n`);
writeFileSync(
  join(outDir, 'analysis.json'),
  JSON.stringify({ quick, speed, speedAudio, peaksExact, peaksChecked, stemSdr, rows }, null, 2),
);
if (!args.has('--no-docs')) {
  const doc = join(root, 'docs/analysis.md');
  const text = readFileSync(doc, 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a >= 0 && b > a) {
    writeFileSync(doc, `${text.slice(0, a + start.length)}\n${report}\n${text.slice(b)}`);
  }
}
console.log(report);
