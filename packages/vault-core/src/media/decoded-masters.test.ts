import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { tone } from '../../test/tone.js';
import { DECODED_IDLE_MS, DecodedMasters, type MasterObject } from './decoded-masters.js';

const dir = mkdtempSync(join(tmpdir(), 'vaultmark-masters-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const a = readFileSync(tone(dir, 'a.wav', { seconds: 3, hz: 440 }));
const b = readFileSync(tone(dir, 'b.wav', { seconds: 3, hz: 660 }));

/** A stored master whose openings are counted. */
function stored(objectId: string, bytes: Buffer): MasterObject & { opened: () => number } {
  let opened = 0;
  return {
    objectId,
    open: async () => {
      opened++;
      return Readable.from([bytes]);
    },
    opened: () => opened,
  };
}

describe('DecodedMasters', () => {
  it('decodes a master once, concurrent and later requests included', async () => {
    const masters = new DecodedMasters();
    const master = stored('obj-a', a);
    const [one, two] = await Promise.all([masters.load(master), masters.load(master)]);
    expect(one).toBe(two);
    expect(await masters.load(master)).toBe(one);
    expect(master.opened()).toBe(1);
    expect(one.sampleRate).toBe(44_100);
    expect(one.objectId).toBe('obj-a');
  });

  it('keeps at most maxBytes of samples, dropping the least recently used', async () => {
    const masters = new DecodedMasters(3 * 44_100 * 4 + 10);
    const first = stored('obj-a', a);
    const one = await masters.load(first);
    await masters.load(stored('obj-b', b));
    // `a` was evicted: loading it again decrypts and decodes anew.
    const reloaded = await masters.load(first);
    expect(reloaded).not.toBe(one);
    expect(first.opened()).toBe(2);
  });

  it('lets an idle decode go, and forgets a failed one', async () => {
    let now = 0;
    const masters = new DecodedMasters(512 * 1024 * 1024, () => now);
    const master = stored('obj-a', a);
    await masters.load(master);
    now += DECODED_IDLE_MS + 1;
    await masters.load(master);
    expect(master.opened()).toBe(2);
    const broken = stored('obj-x', Buffer.from('not audio at all, not even close'));
    await expect(masters.load(broken)).rejects.toMatchObject({ name: 'AudioDecodeError' });
    await expect(masters.load(broken)).rejects.toBeDefined();
    expect(broken.opened()).toBe(2);
  });
});
