import { expect, it } from 'vitest';
import * as api from './index.js';

it('exports exactly the documented public surface', () => {
  expect(Object.keys(api).sort()).toEqual([
    'DEFAULT_STRENGTH',
    'FORMAT_VERSION',
    'WatermarkError',
    'activeImplementation',
    'createDetector',
    'createEmbedder',
    'detect',
    'embed',
    'embedContext',
    'generateKey',
    'parseKey',
    'serializeKey',
  ]);
});
