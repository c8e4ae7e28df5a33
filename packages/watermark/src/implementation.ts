/** Which implementation runs the DSP. */
export interface ActiveImplementation {
  name: 'ts' | 'native';
  /** Why the native module is not in use. */
  reason?: string;
}

/**
 * Reports the implementation in use. Always the pure TypeScript one in this release: the native
 * module is not wired into the watermark path yet.
 */
export function activeImplementation(): ActiveImplementation {
  return {
    name: 'ts',
    reason: 'this release ships only the TypeScript implementation; no native module is loaded',
  };
}
