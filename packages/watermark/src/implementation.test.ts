import { describe, expect, it } from 'vitest';
import { WatermarkError } from './errors.js';
import { activeImplementation, selectImplementation } from './implementation.js';
import { loadNativeBinding } from './native-loader.js';

const missing = () => ({ reason: '@vaultmark/watermark-native could not be loaded: not built' });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof WatermarkError ? error.code : 'not a WatermarkError';
  }
  return undefined;
}

describe('implementation selection', () => {
  it('falls back to TypeScript and says why when the native module does not load', () => {
    const s = selectImplementation(undefined, missing);
    expect(s.backend.name).toBe('ts');
    expect(s.info).toEqual({ name: 'ts', reason: missing().reason });
  });

  it('VAULTMARK_IMPL=ts never tries the native module', () => {
    const s = selectImplementation('ts', () => {
      throw new Error('must not load');
    });
    expect(s.info).toEqual({ name: 'ts', reason: 'VAULTMARK_IMPL=ts' });
  });

  it('VAULTMARK_IMPL=native without the module is a typed error; a bad value too', () => {
    expect(codeOf(() => selectImplementation('native', missing))).toBe('native_unavailable');
    expect(codeOf(() => selectImplementation('fast', missing))).toBe('invalid_option');
  });

  it('uses the native module when it loads, and reports its version and threads', () => {
    const load = loadNativeBinding();
    if (!('binding' in load)) {
      expect(load.reason).toMatch(/watermark-native|Node/);
      return;
    }
    const s = selectImplementation(undefined, () => load);
    expect(s.backend.name).toBe('native');
    expect(s.info.nativeVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(s.info.threads).toBeGreaterThanOrEqual(1);
  });

  it('reports the active implementation of this process', () => {
    const impl = activeImplementation();
    expect(['ts', 'native']).toContain(impl.name);
    if (impl.name === 'ts') expect(impl.reason).toBeTruthy();
  });
});
