import { expect, it } from 'vitest';
import * as api from './index.js';

it('exports exactly the documented public surface', () => {
  expect(Object.keys(api).sort()).toEqual([
    'CONTENT_SECURITY_POLICY',
    'HttpError',
    'MemoryRateLimitStore',
    'STATUS_BY_CODE',
    'createApp',
    'createMetrics',
    'listen',
    'rateLimit',
    'statusFor',
  ]);
});
