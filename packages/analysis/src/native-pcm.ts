/**
 * The optional native sample conversion (`pcmDecode`/`pcmEncode` of `@vaultmark/watermark-native`),
 * loaded on first use under Node.js only. Bit-equal to the TypeScript loops of
 * `sample-codec.ts` (shared vectors in `sample-codec.test.ts`); `VAULTMARK_IMPL=ts` turns it off.
 * Anything that goes wrong while loading leaves the TypeScript path in place.
 */

/** The two conversion functions of the native module. */
export interface NativePcm {
  pcmDecode(
    bytes: Uint8Array,
    bits: number,
    float: boolean,
    channels: Float32Array[],
    offset: number,
    frames: number,
  ): void;
  pcmEncode(
    channels: readonly Float32Array[],
    start: number,
    frames: number,
    bits: number,
    float: boolean,
    out: Uint8Array,
  ): void;
}

interface NodeProcess {
  versions?: { node?: string };
  env?: Record<string, string | undefined>;
  getBuiltinModule?: (id: string) => unknown;
}

let loaded: NativePcm | null | undefined;

/** The native conversions, or `null` when they are unavailable or turned off. */
export function nativePcm(): NativePcm | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  const proc = (globalThis as { process?: NodeProcess }).process;
  if (!proc?.versions?.node || typeof proc.getBuiltinModule !== 'function') return loaded;
  if (proc.env?.VAULTMARK_IMPL === 'ts') return loaded;
  try {
    const mod = proc.getBuiltinModule('node:module') as typeof import('node:module');
    const binding = mod.createRequire(import.meta.url)(
      '@vaultmark/watermark-native',
    ) as Partial<NativePcm>;
    if (typeof binding.pcmDecode === 'function' && typeof binding.pcmEncode === 'function') {
      loaded = binding as NativePcm;
    }
  } catch {
    // not installed or not built for this platform: the TypeScript loops do the work
  }
  return loaded;
}

/** Forces the TypeScript loops (`false`) or the automatic choice (`true`); for tests. */
export function useNativePcm(enabled: boolean): void {
  loaded = enabled ? undefined : null;
}
