import type { DspBackend } from './backend.js';
import { WatermarkError } from './errors.js';
import { nativeBackend } from './native-backend.js';
import { loadNativeBinding, type NativeLoad } from './native-loader.js';
import { tsBackend } from './ts-backend.js';

/** Which implementation runs the DSP. */
export interface ActiveImplementation {
  name: 'ts' | 'native';
  /** Why the native module is not in use (set when `name` is `'ts'`). */
  reason?: string;
  /** Version of the native module (set when `name` is `'native'`). */
  nativeVersion?: string;
  /** Worker threads of the native parallel loops (`VAULTMARK_THREADS` caps them). */
  threads?: number;
}

/** A chosen backend and its description. */
export interface Selection {
  backend: DspBackend;
  info: ActiveImplementation;
}

let selection: Selection | undefined;
let override: DspBackend | undefined;

function environment(name: string): string | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const value = proc?.env?.[name]?.trim();
  return value ? value : undefined;
}

/**
 * Picks the implementation for a `VAULTMARK_IMPL` value (undefined = automatic) given a way to
 * load the native module (internal; exported for tests).
 */
export function selectImplementation(
  forced: string | undefined,
  load: () => NativeLoad,
): Selection {
  if (forced !== undefined && forced !== 'ts' && forced !== 'native') {
    throw new WatermarkError(
      'invalid_option',
      `VAULTMARK_IMPL must be "ts" or "native", got "${forced}"`,
    );
  }
  if (forced === 'ts') {
    return { backend: tsBackend, info: { name: 'ts', reason: 'VAULTMARK_IMPL=ts' } };
  }
  const loaded = load();
  if ('binding' in loaded) {
    const { binding } = loaded;
    return {
      backend: nativeBackend(binding),
      info: {
        name: 'native',
        nativeVersion: binding.nativeVersion(),
        threads: binding.threadCount(),
      },
    };
  }
  if (forced === 'native') {
    throw new WatermarkError(
      'native_unavailable',
      `VAULTMARK_IMPL=native, but the native module is not available: ${loaded.reason}`,
    );
  }
  return { backend: tsBackend, info: { name: 'ts', reason: loaded.reason } };
}

function selected(): Selection {
  selection ??= selectImplementation(environment('VAULTMARK_IMPL'), loadNativeBinding);
  return selection;
}

/**
 * Reports the implementation in use: `native` (the Rust N-API module) when it loads under Node.js,
 * else `ts` with the reason. `VAULTMARK_IMPL=ts|native` forces one; forcing `native` when it
 * cannot load throws `WatermarkError('native_unavailable')` here and in every embed or detect call.
 */
export function activeImplementation(): ActiveImplementation {
  return { ...selected().info };
}

/** The backend every embed and detect call of this process uses (internal). */
export function activeBackend(): DspBackend {
  return override ?? selected().backend;
}

/**
 * Both backends, for equivalence tests (internal): the native one is undefined when the module
 * does not load.
 */
export function availableBackends(): { ts: DspBackend; native?: DspBackend } {
  const load = loadNativeBinding();
  return 'binding' in load
    ? { ts: tsBackend, native: nativeBackend(load.binding) }
    : { ts: tsBackend };
}

/** Runs `fn` with `backend` in place of the active one (internal, synchronous callers only). */
export function withBackend<T>(backend: DspBackend, fn: () => T): T {
  const previous = override;
  override = backend;
  try {
    return fn();
  } finally {
    override = previous;
  }
}
