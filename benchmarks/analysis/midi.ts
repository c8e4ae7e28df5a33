/** A minimal Standard MIDI File (format 0) writer for the labelled corpus. */

export interface MidiNote {
  /** Start and length in ticks. */
  tick: number;
  length: number;
  channel: number;
  note: number;
  velocity: number;
}

export interface MidiSong {
  /** Ticks per quarter note. */
  division: number;
  bpm: number;
  /** Key signature: sharps (+) or flats (-), and minor flag. */
  keySignature: { fifths: number; minor: boolean };
  /** GM program per channel (channel 9 is percussion and needs none). */
  programs: Record<number, number>;
  /** Optional pan (CC 10, 0 = left, 64 = centre, 127 = right) per channel. */
  pans?: Record<number, number>;
  notes: MidiNote[];
}

function varLen(n: number): number[] {
  const bytes = [n & 0x7f];
  for (let v = n >> 7; v > 0; v >>= 7) bytes.unshift((v & 0x7f) | 0x80);
  return bytes;
}

/** Encodes a song as a format-0 SMF with tempo and key-signature meta events. */
export function encodeMidi(song: MidiSong): Uint8Array {
  const events: { tick: number; order: number; bytes: number[] }[] = [];
  const usPerQuarter = Math.round(60_000_000 / song.bpm);
  events.push({
    tick: 0,
    order: 0,
    bytes: [
      0xff,
      0x51,
      0x03,
      (usPerQuarter >> 16) & 0xff,
      (usPerQuarter >> 8) & 0xff,
      usPerQuarter & 0xff,
    ],
  });
  events.push({
    tick: 0,
    order: 0,
    bytes: [0xff, 0x59, 0x02, song.keySignature.fifths & 0xff, song.keySignature.minor ? 1 : 0],
  });
  for (const [ch, program] of Object.entries(song.programs)) {
    events.push({ tick: 0, order: 1, bytes: [0xc0 | Number(ch), program] });
  }
  for (const [ch, pan] of Object.entries(song.pans ?? {})) {
    events.push({ tick: 0, order: 1, bytes: [0xb0 | Number(ch), 10, pan] });
  }
  for (const n of song.notes) {
    events.push({ tick: n.tick, order: 3, bytes: [0x90 | n.channel, n.note, n.velocity] });
    events.push({ tick: n.tick + n.length, order: 2, bytes: [0x80 | n.channel, n.note, 0] });
  }
  events.sort((a, b) => a.tick - b.tick || a.order - b.order);
  const track: number[] = [];
  let last = 0;
  for (const e of events) {
    track.push(...varLen(e.tick - last), ...e.bytes);
    last = e.tick;
  }
  track.push(0, 0xff, 0x2f, 0x00);
  const header = [
    0x4d,
    0x54,
    0x68,
    0x64,
    0,
    0,
    0,
    6,
    0,
    0,
    0,
    1,
    song.division >> 8,
    song.division & 0xff,
  ];
  const len = track.length;
  return new Uint8Array([
    ...header,
    0x4d,
    0x54,
    0x72,
    0x6b,
    (len >>> 24) & 0xff,
    (len >>> 16) & 0xff,
    (len >>> 8) & 0xff,
    len & 0xff,
    ...track,
  ]);
}
