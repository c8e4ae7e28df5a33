import { describe, expect, it } from 'vitest';
import { activeImplementation, detect, embed } from '../src/index.js';
import {
  caseAudio,
  decision,
  loadVectors,
  pcm16Sha256,
  vectorInput,
  vectorKey,
} from './vectors.js';

// Runs on whichever implementation is active: the TypeScript path in the `watermark` project,
// the native one in `watermark-native` (native/test/equivalence.test.ts compares them directly).
const { vectors } = loadVectors();

describe(`test vectors (${activeImplementation().name} path)`, { timeout: 120_000 }, () => {
  for (const v of vectors) {
    const input = vectorInput(v);
    it(`${v.name}: the input is the committed one`, () => {
      expect(pcm16Sha256(input.channels)).toBe(v.inputSha256);
    });
    const marked = embed(input, {
      key: vectorKey(v.key),
      payload: v.payload,
      strength: v.strength,
    });
    if (activeImplementation().name === 'ts') {
      it(`${v.name}: the 16-bit embedded output is the committed one`, () => {
        expect(pcm16Sha256(marked.channels)).toBe(v.embeddedSha256);
      });
    }
    for (const c of v.cases) {
      it(`${v.name}: ${c.name} → ${c.expect.found ? c.expect.payloads.join(',') : 'nothing'}`, () => {
        const r = detect(caseAudio(c, input, marked), {
          keys: c.keys.map(vectorKey),
          payloadBits: c.payloadBits,
        });
        expect(decision(r)).toEqual(c.expect);
      });
    }
  }
});
