import { runInNewContext } from 'node:vm';
import { build } from 'vite';
import { expect, it } from 'vitest';

// The package bundled for browsers (as an app's bundler would, with the browser conditions) and
// run in a bare context without Node's `process`, `require` or built-ins: the native loader must
// stay out of the way and the TypeScript path must do the work.
it('bundles for browsers without Node built-ins and runs the TypeScript path there', async () => {
  const out = await build({
    configFile: false,
    logLevel: 'silent',
    root: new URL('..', import.meta.url).pathname,
    resolve: { conditions: ['@vaultmark/source', 'browser', 'module', 'import', 'default'] },
    build: {
      write: false,
      minify: false,
      lib: { entry: 'src/index.ts', formats: ['iife'], name: 'vaultmarkWatermark' },
    },
  });
  const outputs = (Array.isArray(out) ? out : [out]) as Array<{
    output: Array<{ type: string; code?: string }>;
  }>;
  const code = outputs.flatMap((o) => o.output).find((c) => c.type === 'chunk')?.code ?? '';
  expect(code.length).toBeGreaterThan(1000);
  expect(code).not.toMatch(/require\(["']node:|from ["']node:/);
  // Browser globals the package uses; Float32Array is shared so that the test's arrays pass the
  // bundle's instanceof checks.
  const context: Record<string, unknown> = {
    Float32Array,
    TextEncoder,
    TextDecoder,
    crypto: globalThis.crypto,
    console,
  };
  runInNewContext(code, context);
  const api = context.vaultmarkWatermark as typeof import('../src/index.js');
  expect(api.activeImplementation()).toEqual({ name: 'ts', reason: 'not running under Node.js' });
  const key = api.parseKey(`vaultmark-wm-key v1 ${'ab'.repeat(32)} browser`);
  const n = 44100;
  const tone = Float32Array.from(
    { length: n },
    (_, i) => 0.3 * Math.sin(i * 0.05) + 0.01 * Math.sin(i * 1.3),
  );
  const marked = api.embed({ sampleRate: n, channels: [tone] }, { key, payload: 'a1b2c3d4' });
  expect(marked.channels[0]).not.toEqual(tone);
}, 60_000);
