/**
 * Watermark benchmark: robustness (attack × clip), quality (SNR), speed (× realtime) and false
 * positives (unmarked windows, wrong keys), written as markdown + JSON to benchmarks/out/.
 *
 *   pnpm bench:watermark [--quick] [--clips=N] [--attacks=id,id] [--fp-windows=N]
 *                        [--wrong-keys=N] [--strength=S] [--no-fp] [--threads=N] [--out=NAME]
 *                        [--corpus=tuning|held-out|orchestral] [--no-collusion] [--no-audiowmark]
 *                        [--fp-log=FILE] [--fp-from-log=FILE]
 *
 * `--corpus=held-out` (rock and metal) or `--corpus=orchestral` scores a held-out set (never used
 * to choose parameters) instead of the tuning clips. The collusion suite averages and splices the copies of 2 and 3 recipients.
 *
 * The false-positive trial runs in worker threads, one per core unless --threads says otherwise.
 * `--fp-log` appends each window's outcome to FILE as it completes; `--fp-from-log` reports a
 * trial from such a file (complete or stopped part-way) instead of running one.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_STRENGTH,
  detect,
  embed,
  FORMAT_VERSION,
  type WatermarkKey,
} from '@vaultmark/watermark';
import { xorshift } from '../../packages/watermark/test/signals.js';
import { ATTACKS, mp3 } from './attacks.js';
import { type Pcm, readWav } from './audio-io.js';
import { audiowmarkVersion, runAudiowmark, runAudiowmarkCollusion } from './audiowmark.js';
import { COLLUSION_RECIPIENTS, runCollusion } from './collusion.js';
import { CORPUS, clipWav, FP_EXTRA, fullWav, HELD_OUT, ORCHESTRAL } from './corpus.js';
import { type FpWindow, readFalsePositiveLog, runFalsePositiveTrial } from './false-positives.js';

const args = new Map(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k as string, v ?? 'true'];
  }),
);
const quick = args.has('quick');
const clipCount = Number(args.get('clips') ?? (quick ? 3 : 8));
const attackFilter = args.get('attacks')?.split(',');
const fpWindows = Number(args.get('fp-windows') ?? (quick ? 20 : 2000));
const wrongKeys = Number(args.get('wrong-keys') ?? (quick ? 5 : 50));
const strength = Number(args.get('strength') ?? DEFAULT_STRENGTH);
// `--candidates=N`: a second detection of every attacked copy given N issued payloads (the
// copy's own and N − 1 decoys), as a vault's investigation does; the collusion suite then also
// searches every mix after MP3 32 kbps with the 4 recipients' payloads and N − 4 decoys.
const candidateCount = Number(args.get('candidates') ?? 0);
const CLIP_SECONDS = 45;

function keyFrom(label: string): WatermarkKey {
  const secret = new Uint8Array(
    createHash('sha256').update(`vaultmark-benchmark/${label}`).digest(),
  );
  return { name: label, secret, version: FORMAT_VERSION };
}

function snrDb(a: Pcm, b: Pcm): number {
  let sig = 0;
  let err = 0;
  a.channels.forEach((ch, c) => {
    const d = b.channels[c] as Float32Array;
    for (let i = 0; i < ch.length; i++) {
      sig += (ch[i] as number) ** 2;
      err += ((ch[i] as number) - (d[i] as number)) ** 2;
    }
  });
  return 10 * Math.log10(sig / err);
}

const seconds = (a: Pcm) => (a.channels[0] as Float32Array).length / a.sampleRate;
const key = keyFrom('recipient-1');
const corpusName = args.get('corpus') ?? 'tuning';
const corpora = { tuning: CORPUS, 'held-out': HELD_OUT, orchestral: ORCHESTRAL };
if (!(corpusName in corpora)) throw new Error(`--corpus must be one of ${Object.keys(corpora)}`);
const heldOut = corpusName !== 'tuning';
const clips = corpora[corpusName as keyof typeof corpora].slice(0, clipCount);
const attacks = ATTACKS.filter((a) =>
  attackFilter ? attackFilter.includes(a.id) : !quick || a.quick,
);

interface Trial {
  clip: string;
  attack: string;
  recovered: boolean;
  wrongPayload: boolean;
  log10Fpp: number | null;
  codedBitErrorRate: number | null;
  speed: number | null;
  detectSeconds: number;
  audioSeconds: number;
  /** The same copy searched again with the issued payloads (`--candidates`). */
  withCandidates?: {
    recovered: boolean;
    wrongPayload: boolean;
    log10Fpp: number | null;
    method: 'decoded' | 'candidate' | null;
    detectSeconds: number;
  };
}

/** `count` decoy payloads (hex, 128 bits), different for every clip. */
function decoys(count: number, clip: string): string[] {
  return Array.from({ length: count }, (_, i) =>
    createHash('sha256').update(`decoy ${clip} ${i}`).digest('hex').slice(0, 32),
  );
}

const clipRows: Array<{ clip: string; snrDb: number; embedRealtime: number }> = [];
const trials: Trial[] = [];
const started = Date.now();
for (const [ci, entry] of clips.entries()) {
  const audio = readWav(clipWav(entry, entry.clipStart, CLIP_SECONDS));
  const payload = createHash('sha256').update(entry.id).digest('hex').slice(0, 32);
  const t0 = performance.now();
  const marked = embed(audio, { key, payload, strength });
  const embedSeconds = (performance.now() - t0) / 1000;
  clipRows.push({
    clip: entry.id,
    snrDb: snrDb(audio, marked),
    embedRealtime: seconds(audio) / embedSeconds,
  });
  for (const attack of attacks) {
    const rnd = xorshift(1000 * ci + attack.id.length * 7 + 1);
    const attacked = attack.apply(marked, rnd);
    const t1 = performance.now();
    const r = detect(attacked, { keys: [key] });
    const dt = (performance.now() - t1) / 1000;
    const m = r.matches.find((x) => x.payload === payload);
    trials.push({
      clip: entry.id,
      attack: attack.id,
      recovered: !!m,
      wrongPayload: r.matches.some((x) => x.payload !== payload),
      log10Fpp: m ? m.log10FalsePositiveProbability : null,
      codedBitErrorRate: m ? m.bitErrors / m.observedBits : null,
      speed: m ? m.speed : null,
      detectSeconds: dt,
      audioSeconds: seconds(attacked),
    });
    if (candidateCount > 0) {
      const t2 = performance.now();
      const rc = detect(attacked, {
        keys: [key],
        candidatePayloads: [payload, ...decoys(candidateCount - 1, entry.id)],
      });
      const dc = (performance.now() - t2) / 1000;
      const mc = rc.matches.find((x) => x.payload === payload);
      Object.assign(trials[trials.length - 1] as Trial, {
        withCandidates: {
          recovered: !!mc,
          wrongPayload: rc.matches.some((x) => x.payload !== payload),
          log10Fpp: mc ? mc.log10FalsePositiveProbability : null,
          method: mc ? mc.method : null,
          detectSeconds: dc,
        },
      });
    }
    process.stderr.write(`${entry.id} ${attack.id}: ${m ? 'ok' : 'MISS'} (${dt.toFixed(1)} s)\n`);
  }
}

// False positives: unmarked 30-s windows of every track, one key, relaxed threshold (p ≤ 1) so that
// every CRC-valid decode is reported; then wrong keys on marked clips.
let calibration: number[] = [];
let fp: FpWindow[] = [];
let fpSeconds = 0;
let fpThreads = 1;
if (args.has('fp-from-log')) {
  // The report of a trial run earlier (perhaps stopped part-way) from its log.
  ({ fp, calibration } = readFalsePositiveLog(args.get('fp-from-log') as string));
} else if (!args.has('no-fp') && fpWindows > 0) {
  const tracks = [...CORPUS, ...FP_EXTRA].map((e) => {
    const wav = fullWav(e);
    return { id: e.id, wav, seconds: seconds(readWav(wav)) };
  });
  const trial = await runFalsePositiveTrial({
    tracks,
    count: fpWindows,
    key,
    ...(args.has('threads') ? { threads: Number(args.get('threads')) } : {}),
    ...(args.has('fp-log') ? { log: args.get('fp-log') as string } : {}),
    ...(candidateCount > 0 ? { candidates: decoys(candidateCount, 'false-positive trial') } : {}),
  });
  ({ fp, calibration } = trial);
  fpSeconds = trial.seconds;
  fpThreads = trial.threads;
}
const wrong: Array<{ clip: string; keys: number; matches: number }> = [];
if (!args.has('no-fp') && wrongKeys > 0) {
  const keys = Array.from({ length: wrongKeys }, (_, i) => keyFrom(`wrong-${i}`));
  for (const entry of clips) {
    const audio = readWav(clipWav(entry, entry.clipStart, CLIP_SECONDS));
    const payload = createHash('sha256').update(entry.id).digest('hex').slice(0, 32);
    const marked = embed(audio, { key, payload, strength });
    const r = detect(marked, { keys, maxFalsePositiveProbability: 1 });
    wrong.push({ clip: entry.id, keys: wrongKeys, matches: r.matches.length });
  }
}

const collusion = args.has('no-collusion')
  ? []
  : runCollusion(
      clips.map((e) => ({ id: e.id, audio: readWav(clipWav(e, e.clipStart, CLIP_SECONDS)) })),
      key,
      strength,
      candidateCount > 0
        ? {
            // Squeezed as the hardest leak row, then matched against the issued payloads.
            squeeze: mp3(32),
            decoys: (clip) => decoys(candidateCount - COLLUSION_RECIPIENTS, `collusion ${clip}`),
          }
        : undefined,
    );

const noAw = args.has('no-audiowmark');
const aw = noAw ? undefined : runAudiowmark(clips, attacks, CLIP_SECONDS);
const awCollusion =
  noAw || args.has('no-collusion') ? undefined : runAudiowmarkCollusion(clips, CLIP_SECONDS);
const awVersion = aw || awCollusion ? audiowmarkVersion() : undefined;

// ---- report ----
/** Largest value (a loop: spreading millions of values into Math.max overflows the stack). */
const maxOf = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
/** The median (upper middle) of log10 probabilities as a table cell, or — when there are none. */
const medianCell = (xs: number[]) => {
  const sorted = [...xs].sort((x, y) => x - y);
  return sorted.length ? (sorted[Math.floor(sorted.length / 2)] as number).toFixed(0) : '—';
};
const lines: string[] = [];
const gitRev = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD']).toString().trim();
  } catch {
    return 'unknown';
  }
})();
lines.push('# Watermark benchmark report', '');
lines.push(
  `Commit ${gitRev}, ${new Date().toISOString().slice(0, 16)} UTC, ${quick ? 'quick' : 'full'} run, ${corpusName} corpus, strength ${strength}, ${clips.length} clips of ${CLIP_SECONDS} s (44.1 kHz stereo), 128-bit payload, default threshold 1e-9, speed search on. Wall time ${((Date.now() - started) / 1000).toFixed(0)} s.`,
  '',
);
lines.push(
  '## Quality and embedding speed',
  '',
  '| clip | SNR (dB) | embed × realtime |',
  '|---|---:|---:|',
);
for (const r of clipRows)
  lines.push(`| ${r.clip} | ${r.snrDb.toFixed(1)} | ${r.embedRealtime.toFixed(0)} |`);
lines.push(
  `| **mean** | **${mean(clipRows.map((r) => r.snrDb)).toFixed(2)}** | ${mean(clipRows.map((r) => r.embedRealtime)).toFixed(0)} |`,
  '',
);
lines.push('## Robustness (exact 128-bit payload recovered)', '');
lines.push(
  `| attack | group | recovered | mean coded-bit error rate | median log10 p(false positive) | detect × realtime |${aw ? ' audiowmark |' : ''}`,
);
lines.push(`|---|---|---:|---:|---:|---:|${aw ? '---:|' : ''}`);
for (const a of attacks) {
  const ts = trials.filter((t) => t.attack === a.id);
  const ok = ts.filter((t) => t.recovered);
  const med = medianCell(ok.map((t) => t.log10Fpp as number));
  const ber = ok.length ? mean(ok.map((t) => t.codedBitErrorRate as number)).toFixed(3) : '—';
  const rt = mean(ts.map((t) => t.audioSeconds / t.detectSeconds)).toFixed(1);
  const wrongP = ts.some((t) => t.wrongPayload) ? ' (WRONG PAYLOAD REPORTED)' : '';
  const awCell = aw ? ` ${aw[a.id] ?? '—'} |` : '';
  lines.push(
    `| ${a.label} | ${a.group} | ${ok.length}/${ts.length}${wrongP} | ${ber} | ${med} | ${rt} |${awCell}`,
  );
}
lines.push('');
if (candidateCount > 0) {
  lines.push(
    `## With the issued payloads (${candidateCount} candidates per copy: its own and ${candidateCount - 1} decoys)`,
    '',
    '| attack | recovered | by decoding / by candidate | wrong payload reported | median log10 p | detect × realtime |',
    '|---|---:|---:|---:|---:|---:|',
  );
  for (const a of attacks) {
    const ts = trials.filter((t) => t.attack === a.id && t.withCandidates);
    const ok = ts.filter((t) => t.withCandidates?.recovered);
    const byCandidate = ok.filter((t) => t.withCandidates?.method === 'candidate').length;
    const med = medianCell(ok.map((t) => t.withCandidates?.log10Fpp as number));
    const wrongCount = ts.filter((t) => t.withCandidates?.wrongPayload).length;
    const rt = mean(ts.map((t) => t.audioSeconds / (t.withCandidates?.detectSeconds ?? 1))).toFixed(
      1,
    );
    lines.push(
      `| ${a.label} | ${ok.length}/${ts.length} | ${ok.length - byCandidate} / ${byCandidate} | ${wrongCount} | ${med} | ${rt} |`,
    );
  }
  lines.push('');
}
if (!aw) {
  lines.push(
    'audiowmark: not run (no binary at $AUDIOWMARK or on PATH, or --no-audiowmark), so no side-by-side column.',
    '',
  );
} else lines.push(`Side by side: ${awVersion}, its defaults, same clips and attacks.`, '');
const failures = trials.filter((t) => !t.recovered).map((t) => `${t.clip}/${t.attack}`);
lines.push(`Failing inputs (clip/attack): ${failures.length ? failures.join(', ') : 'none'}.`, '');
if (collusion.length) {
  lines.push(
    '## Collusion (one key, every recipient a different payload)',
    '',
    `| mix | all colluders named | at least one named | innocent named | "several marks" | median log10 p of the weakest named |${awCollusion ? ' audiowmark: all named | at least one | innocent |' : ''}`,
    `|---|---:|---:|---:|---:|---:|${awCollusion ? '---:|---:|---:|' : ''}`,
  );
  /** The cells every collusion row has: all colluders named, at least one, innocents named. */
  const namedCells = (cs: Array<{ named: number; colluders: number; innocents: number }>) =>
    `${cs.filter((c) => c.named === c.colluders).length}/${cs.length} | ${cs.filter((c) => c.named > 0).length}/${cs.length} | ${cs.reduce((n, c) => n + c.innocents, 0)} |`;
  /** The cells of one mix's row: {@link namedCells}, then several marks and the median. */
  const collusionCells = (cs: typeof collusion): string => {
    const med = medianCell(cs.filter((c) => c.named > 0).map((c) => c.weakestLog10Fpp));
    return `${namedCells(cs)} ${cs.filter((c) => c.severalMarks).length}/${cs.length} | ${med} |`;
  };
  const blind = collusion.filter((c) => c.pass === 'blind');
  for (const mix of [...new Set(blind.map((c) => c.mix))]) {
    const cs = blind.filter((c) => c.mix === mix);
    const as = awCollusion?.filter((c) => c.mix === mix) ?? [];
    const awCells = awCollusion ? ` ${namedCells(as)}` : '';
    lines.push(`| ${cs[0]!.label} | ${collusionCells(cs)}${awCells}`);
  }
  lines.push('');
  const informed = collusion.filter((c) => c.pass === 'informed');
  if (informed.length) {
    lines.push(
      `### The same mixes after MP3 32 kbps, with the issued payloads (${candidateCount}: the ${COLLUSION_RECIPIENTS} recipients' and ${candidateCount - COLLUSION_RECIPIENTS} decoys)`,
      '',
      '| mix | all colluders named | at least one named | innocent named | "several marks" | median log10 p of the weakest named |',
      '|---|---:|---:|---:|---:|---:|',
    );
    for (const mix of [...new Set(informed.map((c) => c.mix))]) {
      const cs = informed.filter((c) => c.mix === mix);
      lines.push(`| ${cs[0]!.label} | ${collusionCells(cs)}`);
    }
    lines.push('');
  }
}
if (fp.length) {
  lines.push('## False positives', '');
  const relaxed = fp.reduce((s, w) => s + w.relaxedMatches, 0);
  const strict = fp.reduce((s, w) => s + w.strictMatches, 0);
  lines.push(
    `Unmarked 30-s windows: ${fp.length} (from ${new Set(fp.map((w) => w.track)).size} tracks; ${fpSeconds > 0 ? `${fpSeconds.toFixed(0)} s wall time on ${fpThreads} thread${fpThreads === 1 ? '' : 's'}` : 'read from the trial log'}). Matches at the default threshold 1e-9: **${strict}**. CRC-valid decodes reported at the relaxed threshold p ≤ 1: ${relaxed}.`,
    '',
  );
  const scored = fp.filter((w) => w.candidateLog10P !== undefined && w.candidateLog10P !== null);
  if (scored.length) {
    lines.push(
      `Informed detection on the same windows, given ${candidateCount} issued payloads that are all decoys: every window's best candidate match is reported at p ≤ 1, so its bound can be checked against how often it is reached (a valid bound is never reached more often than it says).`,
      '',
      '| bound p ≤ | windows reaching it | expected at most |',
      '|---:|---:|---:|',
    );
    for (const k of [1, 2, 3, 9]) {
      const n = scored.filter((w) => (w.candidateLog10P as number) <= -k).length;
      lines.push(
        `| 1e-${k} | ${n} of ${scored.length} | ${(scored.length * 10 ** -k).toFixed(k > 3 ? 6 : 1)} |`,
      );
    }
    lines.push(
      '',
      `Smallest bound over all windows: 1e${Math.min(...scored.map((w) => w.candidateLog10P as number)).toFixed(2)}.`,
      '',
    );
  }
  lines.push(
    'Empirical check of the sync statistic against its bound (fraction of windows whose best coarse sync z reaches x, versus the union bound H·exp(−x²/2) with H the number of hypotheses scored):',
    '',
  );
  lines.push('| x | windows with best z ≥ x | bound |', '|---:|---:|---:|');
  const H = mean(fp.map((w) => w.hypotheses));
  for (const x of [4, 4.5, 5, 5.5, 6, 6.5]) {
    const frac = fp.filter((w) => w.bestSyncZ >= x).length / fp.length;
    lines.push(
      `| ${x} | ${frac.toFixed(4)} | ${Math.min(1, H * Math.exp((-x * x) / 2)).toExponential(2)} |`,
    );
  }
  lines.push(
    '',
    `Largest best-z over all windows: ${maxOf(fp.map((w) => w.bestSyncZ)).toFixed(2)}; mean hypotheses per window ${H.toExponential(2)}.`,
    '',
  );
}
if (calibration.length) {
  lines.push(
    `Single-hypothesis calibration: exact sync z of every block phase at one fixed grid, ${calibration.length} values from the unmarked windows (null hypothesis). Tail fractions against the Hoeffding bound exp(−x²/2) used in the false-positive bound, and the standard normal tail for reference:`,
    '',
    '| x | fraction z ≥ x | Hoeffding bound | normal tail |',
    '|---:|---:|---:|---:|',
  );
  const normalTail = (x: number) => 0.5 * erfc(x / Math.SQRT2);
  for (const x of [1, 2, 3, 3.5, 4, 4.5]) {
    const frac = calibration.filter((z) => z >= x).length / calibration.length;
    lines.push(
      `| ${x} | ${frac.toExponential(2)} | ${Math.exp((-x * x) / 2).toExponential(2)} | ${normalTail(x).toExponential(2)} |`,
    );
  }
  const m = mean(calibration);
  const sd = Math.sqrt(mean(calibration.map((z) => (z - m) ** 2)));
  lines.push(
    '',
    `Mean ${m.toFixed(3)}, standard deviation ${sd.toFixed(3)}, maximum ${maxOf(calibration).toFixed(2)}.`,
    '',
  );
}
if (wrong.length) {
  lines.push(
    `Wrong keys: ${wrong.length} marked clips × ${wrongKeys} wrong keys, relaxed threshold p ≤ 1: ${wrong.reduce((s, w) => s + w.matches, 0)} matches.`,
    '',
  );
}
/** Complementary error function (Numerical Recipes erfcc, relative error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t *
                              (-1.13520398 +
                                t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

const outDir = new URL('../out/', import.meta.url).pathname;
mkdirSync(outDir, { recursive: true });
const name = args.get('out') ?? 'watermark-report';
writeFileSync(join(outDir, `${name}.md`), `${lines.join('\n')}\n`);
writeFileSync(
  join(outDir, `${name}.json`),
  JSON.stringify(
    {
      quick,
      heldOut,
      corpus: corpusName,
      strength,
      clipRows,
      trials,
      collusion,
      fp,
      wrong,
      audiowmark: aw,
      audiowmarkCollusion: awCollusion,
      audiowmarkVersion: awVersion,
    },
    null,
    1,
  ),
);
process.stdout.write(`${lines.join('\n')}\n`);
