/**
 * Collusion suite: copies of the same clip marked for 2 or 3 recipients (one key, different
 * payloads) are averaged or spliced, as colluders would to hide who leaked; the detector should
 * name every recipient whose share of the mix is at least 1/3, and no one else.
 */
import { createHash } from 'node:crypto';
import { type DetectResult, detect, embed, type WatermarkKey } from '@vaultmark/watermark';
import type { Pcm } from './audio-io.js';

export interface CollusionTrial {
  clip: string;
  mix: string;
  label: string;
  /** Recipients whose share of the mix is ≥ 1/3 (the ones that must be named). */
  colluders: number;
  /** Of those, how many were named. */
  named: number;
  /** Payloads reported that belong to no colluder (must be 0). */
  innocents: number;
  severalMarks: boolean;
  /** log10 false-positive probability of the weakest colluder named. */
  weakestLog10Fpp: number;
  /** 'blind': the mix as made; 'informed': squeezed (see {@link InformedPass}) and searched with the issued payloads. */
  pass: 'blind' | 'informed';
}

/**
 * A second pass over every mix: squeezed (e.g. to MP3 at 32 kbps) and searched with the issued
 * payloads, as a vault's investigation does: every recipient's, the innocent one's and decoys.
 */
export interface InformedPass {
  squeeze: (mix: Pcm) => Pcm;
  decoys: (clip: string) => string[];
}

export interface Mix {
  id: string;
  label: string;
  copies: number;
  make(copies: Pcm[]): Pcm;
}

/** Weighted average of copies. */
function average(copies: Pcm[], weights: number[]): Pcm {
  const first = copies[0] as Pcm;
  return {
    sampleRate: first.sampleRate,
    channels: first.channels.map((_, c) => {
      const out = new Float32Array((first.channels[c] as Float32Array).length);
      copies.forEach((copy, k) => {
        const ch = copy.channels[c] as Float32Array;
        const w = weights[k] as number;
        for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + w * (ch[i] as number);
      });
      return out;
    }),
  };
}

/** Copies taken in turn, `seconds` each (a splice of every colluder's copy). */
function splice(copies: Pcm[], seconds: number): Pcm {
  const first = copies[0] as Pcm;
  const len = Math.round(seconds * first.sampleRate);
  return {
    sampleRate: first.sampleRate,
    channels: first.channels.map((_, c) => {
      const out = new Float32Array((first.channels[c] as Float32Array).length);
      for (let i = 0; i < out.length; i++) {
        const copy = copies[Math.floor(i / len) % copies.length] as Pcm;
        out[i] = (copy.channels[c] as Float32Array)[i] as number;
      }
      return out;
    }),
  };
}

/** The mixes of the suite (also run on the reference tool, see audiowmark.ts). */
export const MIXES: Mix[] = [
  { id: 'avg2', label: 'average of 2', copies: 2, make: (c) => average(c, [0.5, 0.5]) },
  {
    id: 'avg2-uneven',
    label: 'average of 2, shares 2/3 and 1/3',
    copies: 2,
    make: (c) => average(c, [2 / 3, 1 / 3]),
  },
  { id: 'avg3', label: 'average of 3', copies: 3, make: (c) => average(c, [1 / 3, 1 / 3, 1 / 3]) },
  {
    id: 'splice2',
    label: 'splice of 2 (10 s each in turn)',
    copies: 2,
    make: (c) => splice(c, 10),
  },
  { id: 'splice3', label: 'splice of 3 (7 s each in turn)', copies: 3, make: (c) => splice(c, 7) },
];

/** Recipients of every clip: 0–2 take part in the mixes, recipient 3 never does. */
export const COLLUSION_RECIPIENTS = 4;

/** The payloads of a clip's recipients (128-bit hex), the same in every run and implementation. */
export function recipientPayloads(clipId: string): string[] {
  return Array.from({ length: COLLUSION_RECIPIENTS }, (_, k) =>
    createHash('sha256').update(`${clipId}/recipient-${k}`).digest('hex').slice(0, 32),
  );
}

/** Runs every mix on every clip; an innocent is a recipient whose copy was not in the mix. */
export function runCollusion(
  clips: Array<{ id: string; audio: Pcm }>,
  key: WatermarkKey,
  strength: number,
  informed?: InformedPass,
): CollusionTrial[] {
  const out: CollusionTrial[] = [];
  for (const { id, audio } of clips) {
    const payloads = recipientPayloads(id);
    // Recipient 3 never takes part: naming it would be naming an innocent.
    const copies = payloads.slice(0, 3).map((payload) => embed(audio, { key, payload, strength }));
    const issued = informed ? [...payloads, ...informed.decoys(id)] : [];
    for (const mix of MIXES) {
      const mixed = mix.make(copies.slice(0, mix.copies));
      const passes: Array<['blind' | 'informed', () => DetectResult]> = [
        ['blind', () => detect(mixed, { keys: [key] })],
      ];
      if (informed) {
        passes.push([
          'informed',
          () => detect(informed.squeeze(mixed), { keys: [key], candidatePayloads: issued }),
        ]);
      }
      for (const [pass, run] of passes) {
        const r = run();
        const inMix = payloads.slice(0, mix.copies);
        const named = r.matches.filter((m) => inMix.includes(m.payload));
        const weakest = named.reduce((w, m) => Math.max(w, m.log10FalsePositiveProbability), -1e9);
        out.push({
          clip: id,
          mix: mix.id,
          label: mix.label,
          colluders: mix.copies,
          named: new Set(named.map((m) => m.payload)).size,
          innocents: r.matches.filter((m) => !inMix.includes(m.payload)).length,
          severalMarks: r.severalMarks,
          weakestLog10Fpp: weakest,
          pass,
        });
        process.stderr.write(
          `${id} ${mix.id} ${pass}: ${named.length}/${mix.copies} named, ${r.matches.length - named.length} other\n`,
        );
      }
    }
  }
  return out;
}
