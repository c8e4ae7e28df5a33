/** The benchmark's fixed key and payload (never use fixed secrets outside tests and benchmarks). */
export const BENCH_KEY = {
  name: 'bench-speed',
  version: 1,
  secret: Uint8Array.from({ length: 32 }, (_, i) => (i * 73 + 41) & 0xff),
};
export const BENCH_PAYLOAD = '5eed5eed0123456789abcdef00c0ffee';
