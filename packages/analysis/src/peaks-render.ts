import { AnalysisError } from './errors.js';
import type { WaveformData } from './peaks.js';
import { encodePng } from './png.js';

/** Image options for {@link renderPeaksPng} and {@link renderPeaksSvg}. */
export interface RenderOptions {
  /** Image width in pixels; default one pixel per point (capped at 8192). */
  width?: number;
  /** Image height in pixels; default 128 per channel. */
  height?: number;
  /** `#rrggbb` or `#rrggbbaa`; defaults: waveform `#3a86ffff`, background `#ffffffff`. */
  waveformColor?: string;
  backgroundColor?: string;
}

function rgba(hex: string): [number, number, number, number] {
  const m = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(hex);
  if (!m) throw new AnalysisError('invalid_argument', `colour must be #rrggbb[aa]: ${hex}`);
  const n = Number.parseInt(m[1]!, 16);
  return [n >> 16, (n >> 8) & 0xff, n & 0xff, m[2] ? Number.parseInt(m[2], 16) : 255];
}

interface Layout {
  width: number;
  height: number;
  lane: number;
  /** Column x covers points [first(x), first(x + 1)). */
  first: (x: number) => number;
}

function layout(peaks: WaveformData, options: RenderOptions): Layout {
  const width = options.width ?? Math.min(8192, Math.max(1, peaks.length));
  const height = options.height ?? 128 * peaks.channels;
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) {
    throw new AnalysisError('invalid_argument', 'width and height must be positive integers');
  }
  return {
    width,
    height,
    lane: height / peaks.channels,
    first: (x) => Math.floor((x * peaks.length) / width),
  };
}

/** Min and max (16-bit scale) of channel `c` over the points shown in column `x`. */
function column(peaks: WaveformData, l: Layout, x: number, c: number): [number, number] | null {
  const a = l.first(x);
  const b = Math.max(a + 1, l.first(x + 1));
  if (a >= peaks.length) return null;
  let lo = 32767;
  let hi = -32768;
  for (let p = a; p < Math.min(b, peaks.length); p++) {
    const i = 2 * (p * peaks.channels + c);
    lo = Math.min(lo, peaks.data[i]!);
    hi = Math.max(hi, peaks.data[i + 1]!);
  }
  return [lo, hi];
}

/** Row of a 16-bit value within a lane (full scale fills the lane). */
const rowOf = (v: number, l: Layout, c: number) => c * l.lane + ((32768 - v) / 65536) * l.lane;

/** Renders peaks as a PNG (one lane per channel; each column spans the min..max of its points). */
export function renderPeaksPng(peaks: WaveformData, options: RenderOptions = {}): Uint8Array {
  const l = layout(peaks, options);
  const bg = rgba(options.backgroundColor ?? '#ffffffff');
  const fg = rgba(options.waveformColor ?? '#3a86ffff');
  const px = new Uint8Array(l.width * l.height * 4);
  for (let i = 0; i < px.length; i += 4) px.set(bg, i);
  for (let c = 0; c < peaks.channels; c++) {
    for (let x = 0; x < l.width; x++) {
      const mm = column(peaks, l, x, c);
      if (!mm) continue;
      const top = Math.floor(rowOf(mm[1], l, c));
      const bottom = Math.max(top, Math.ceil(rowOf(mm[0], l, c)) - 1);
      const laneEnd = Math.floor((c + 1) * l.lane) - 1;
      for (let y = Math.max(0, top); y <= Math.min(bottom, laneEnd); y++) {
        px.set(fg, (y * l.width + x) * 4);
      }
    }
  }
  return encodePng(l.width, l.height, px);
}

/** Renders peaks as an SVG document: per channel one filled outline (max edge, then min edge). */
export function renderPeaksSvg(peaks: WaveformData, options: RenderOptions = {}): string {
  const l = layout(peaks, options);
  const fg = rgba(options.waveformColor ?? '#3a86ffff');
  const bg = rgba(options.backgroundColor ?? '#ffffffff');
  const fill = (c: [number, number, number, number]) =>
    `fill="rgb(${c[0]},${c[1]},${c[2]})" fill-opacity="${(c[3] / 255).toFixed(3)}"`;
  const paths: string[] = [];
  const r = (v: number) => Math.round(v * 100) / 100;
  for (let c = 0; c < peaks.channels; c++) {
    const upper: string[] = [];
    const lower: string[] = [];
    for (let x = 0; x < l.width; x++) {
      const mm = column(peaks, l, x, c);
      if (!mm) break;
      upper.push(`${x},${r(rowOf(mm[1], l, c))} ${x + 1},${r(rowOf(mm[1], l, c))}`);
      lower.push(`${x + 1},${r(rowOf(mm[0], l, c))} ${x},${r(rowOf(mm[0], l, c))}`);
    }
    if (upper.length)
      paths.push(`<path d="M${upper.join(' L')} L${lower.reverse().join(' L')} Z" ${fill(fg)}/>`);
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${l.width}" height="${l.height}" viewBox="0 0 ${l.width} ${l.height}">`,
    `<rect width="100%" height="100%" ${fill(bg)}/>`,
    ...paths,
    '</svg>',
    '',
  ].join('\n');
}
