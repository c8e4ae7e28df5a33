/**
 * Loads the optional native module `@vaultmark/watermark-native` under Node.js only: no static
 * import of any Node built-in, so bundles for browsers never see it. Everything that can go wrong
 * (not Node, not installed, not built for this platform, an incompatible build) becomes a
 * `reason` instead of an exception.
 */

/** The subset of the native module's surface the watermark package uses. */
export interface NativeBinding {
  nativeVersion(): string;
  setThreads(threads: number): number;
  threadCount(): number;
  deriveLayout(
    secret: Uint8Array,
    version: number,
    payloadBits: number,
    codedLength: number,
    syncBands: number,
    syncSign: Int8Array,
    dataBit: Int32Array,
    dataSign: Int8Array,
    whitening: Uint8Array,
  ): void;
  NativeFrameEmbedder: new (
    sampleRate: number,
    fftSize: number,
    lo: Int32Array,
    hi: Int32Array,
    signs: Int8Array,
    delta: number,
  ) => {
    processChannels(firstFrame: number, channels: Float32Array[]): number;
  };
  NativeBandAnalyzer: new (
    windowLength: number,
    hop: number,
    fftSize: number,
    firstBin: number,
    binCount: number,
  ) => NativeBandAnalyzerInstance;
  NativeSyncCorrelator: new (syncSign: Int8Array) => NativeSyncCorrelatorInstance;
  NativeViterbi: new (
    constraint: number,
    generators: Uint32Array,
  ) => { decode(soft: Float64Array, out: Uint8Array): void };
}

/** Instance of the native sync correlator. */
export interface NativeSyncCorrelatorInstance {
  best(folded: Float32Array, out: Float64Array): void;
}

/** Instance of the native band analyzer. */
export interface NativeBandAnalyzerInstance {
  rows(length: number): number;
  spectrogram(signal: Float32Array, power: Float32Array, firstRow: number): number;
  fold(
    spectrogram: number,
    signal: Float32Array,
    power: Float32Array,
    rows: number,
    grid: Float64Array,
    lo: Int32Array,
    hi: Int32Array,
    exact: boolean,
    folded: Float32Array,
  ): void;
  coarse(
    spectrogram: number,
    power: Float32Array,
    rows: number,
    grids: Float64Array,
    maps: Int32Array,
    sync: NativeSyncCorrelatorInstance,
    out: Float64Array,
  ): void;
  release(): void;
}

/** Outcome of {@link loadNativeBinding}. */
export type NativeLoad = { binding: NativeBinding } | { reason: string };

/** Package name of the native module. */
export const NATIVE_PACKAGE = '@vaultmark/watermark-native';

const REQUIRED = [
  'nativeVersion',
  'setThreads',
  'threadCount',
  'deriveLayout',
  'NativeFrameEmbedder',
  'NativeBandAnalyzer',
  'NativeSyncCorrelator',
  'NativeViterbi',
] as const;

interface NodeProcess {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}

/** Tries to load the native module; never throws. */
export function loadNativeBinding(): NativeLoad {
  const proc = (globalThis as { process?: NodeProcess }).process;
  if (!proc?.versions?.node || typeof proc.getBuiltinModule !== 'function') {
    return { reason: 'not running under Node.js' };
  }
  try {
    const mod = proc.getBuiltinModule('node:module') as typeof import('node:module');
    const binding = mod.createRequire(import.meta.url)(NATIVE_PACKAGE) as Partial<NativeBinding>;
    const missing = REQUIRED.filter((name) => typeof binding[name] !== 'function');
    if (missing.length > 0) {
      return {
        reason: `${NATIVE_PACKAGE} is an incompatible build (missing ${missing.join(', ')})`,
      };
    }
    return { binding: binding as NativeBinding };
  } catch (error) {
    if ((error as { code?: string } | null)?.code === 'MODULE_NOT_FOUND') {
      return { reason: `${NATIVE_PACKAGE} is not installed or not built for this platform` };
    }
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { reason: `${NATIVE_PACKAGE} could not be loaded: ${message}` };
  }
}
