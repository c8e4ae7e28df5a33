/**
 * A minimal Standard MIDI File reader for corpus labels: the tempo map, time signatures and key
 * signatures (meta events 0x51, 0x58, 0x59) of every track, with their times in seconds.
 */

export interface MidiMeta {
  /** Tempo changes: time (s) and quarter-note BPM. */
  tempos: { time: number; bpm: number }[];
  /** Time signatures: time (s), numerator, denominator. */
  meters: { time: number; num: number; den: number }[];
  /** Key signatures: time (s), fifths (sharps +, flats -), minor flag. */
  keys: { time: number; fifths: number; minor: boolean }[];
  /** Time of the last event (s). */
  duration: number;
  /** Time of the first note-on (s). */
  firstNote: number;
}

interface RawEvent {
  tick: number;
  type: number;
  data: Uint8Array;
}

function readVarLen(b: Uint8Array, pos: number): [number, number] {
  let v = 0;
  for (;;) {
    const c = b[pos++]!;
    v = (v << 7) | (c & 0x7f);
    if (!(c & 0x80)) return [v, pos];
  }
}

/** Parses the meta events of a format 0 or 1 SMF (SMPTE divisions are not supported). */
export function readMidiMeta(bytes: Uint8Array): MidiMeta {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0) !== 0x4d546864) throw new Error('not a MIDI file');
  const tracks = view.getUint16(10);
  const division = view.getUint16(12);
  if (division & 0x8000) throw new Error('SMPTE division not supported');
  const metas: RawEvent[] = [];
  let firstNoteTick = Number.POSITIVE_INFINITY;
  let lastTick = 0;
  let pos = 14;
  for (let t = 0; t < tracks && pos + 8 <= bytes.length; t++) {
    const len = view.getUint32(pos + 4);
    let p = pos + 8;
    const end = Math.min(bytes.length, p + len);
    let tick = 0;
    let status = 0;
    while (p < end) {
      let delta: number;
      [delta, p] = readVarLen(bytes, p);
      tick += delta;
      let s = bytes[p]!;
      if (s & 0x80) p++;
      else s = status; // running status
      if (s === 0xff) {
        const type = bytes[p++]!;
        let n: number;
        [n, p] = readVarLen(bytes, p);
        metas.push({ tick, type, data: bytes.subarray(p, p + n) });
        p += n;
      } else if (s === 0xf0 || s === 0xf7) {
        let n: number;
        [n, p] = readVarLen(bytes, p);
        p += n;
      } else {
        status = s;
        const hi = s & 0xf0;
        const size = hi === 0xc0 || hi === 0xd0 ? 1 : 2;
        if (hi === 0x90 && bytes[p + 1]! > 0) firstNoteTick = Math.min(firstNoteTick, tick);
        p += size;
      }
      lastTick = Math.max(lastTick, tick);
    }
    pos = end;
  }
  metas.sort((a, b) => a.tick - b.tick);
  // Tick -> seconds through the tempo map (default 120 BPM).
  const changes = metas
    .filter((m) => m.type === 0x51 && m.data.length === 3)
    .map((m) => ({ tick: m.tick, us: (m.data[0]! << 16) | (m.data[1]! << 8) | m.data[2]! }));
  const seconds = (tick: number) => {
    let t = 0;
    let prevTick = 0;
    let us = 500000;
    for (const c of changes) {
      if (c.tick >= tick) break;
      t += ((c.tick - prevTick) * us) / division / 1e6;
      prevTick = c.tick;
      us = c.us;
    }
    return t + ((tick - prevTick) * us) / division / 1e6;
  };
  return {
    tempos: changes.map((c) => ({ time: seconds(c.tick), bpm: 60e6 / c.us })),
    meters: metas
      .filter((m) => m.type === 0x58 && m.data.length >= 2)
      .map((m) => ({ time: seconds(m.tick), num: m.data[0]!, den: 2 ** m.data[1]! })),
    keys: metas
      .filter((m) => m.type === 0x59 && m.data.length === 2)
      .map((m) => ({
        time: seconds(m.tick),
        fifths: m.data[0]! > 127 ? m.data[0]! - 256 : m.data[0]!,
        minor: m.data[1] === 1,
      })),
    duration: seconds(lastTick),
    firstNote: Number.isFinite(firstNoteTick) ? seconds(firstNoteTick) : 0,
  };
}

/** The value of a piecewise-constant map (sorted by time) in force at `time`. */
export function inForce<T extends { time: number }>(map: T[], time: number): T | undefined {
  let cur: T | undefined;
  for (const e of map) {
    if (e.time <= time + 1e-6) cur = e;
    else break;
  }
  return cur;
}
