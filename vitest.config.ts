import { existsSync, readdirSync } from 'node:fs';
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Tests run against sources: every workspace package exports `src/index.ts` under the
// `@vaultmark/source` condition, so a stale or missing `dist/` never hides a change.
const sourceCondition = '@vaultmark/source';
process.env.TZ = 'UTC';

const packages = readdirSync(new URL('./packages', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

export default defineConfig({
  resolve: { conditions: [sourceCondition, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [sourceCondition, ...defaultServerConditions] } },
  test: {
    env: { TZ: 'UTC' },
    passWithNoTests: false,
    // Speed is measured by the benchmarks, never by tests: the limits below only catch hangs, and
    // are generous because CI machines are shared and can be heavily loaded.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      ...packages.map((name) => ({
        extends: true as const,
        test: {
          name,
          root: `packages/${name}`,
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          // The watermark suite runs on the TypeScript path here and on the native path below.
          ...(name === 'watermark' ? { env: { TZ: 'UTC', VAULTMARK_IMPL: 'ts' } } : {}),
        },
      })),
      // The native module's binding and equivalence tests, and the whole watermark suite again on
      // the native path, when the module has been built (`pnpm build:native`).
      ...(existsSync(new URL('./native/index.js', import.meta.url))
        ? [
            {
              extends: true as const,
              test: { name: 'native', root: 'native', include: ['test/**/*.test.ts'] },
            },
            {
              extends: true as const,
              test: {
                name: 'watermark-native',
                root: 'packages/watermark',
                include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
                env: { TZ: 'UTC', VAULTMARK_IMPL: 'native' },
              },
            },
          ]
        : []),
    ],
  },
});
