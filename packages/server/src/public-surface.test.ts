import { expect, it } from 'vitest';
import * as api from './index.js';

it('exports exactly the documented public surface', () => {
  expect(Object.keys(api).sort()).toEqual([
    'ApiRegistry',
    'CONTENT_SECURITY_POLICY',
    'ConfigError',
    'ErrorBody',
    'HttpError',
    'MemoryRateLimitStore',
    'STATUS_BY_CODE',
    'buildOpenApi',
    'contentDisposition',
    'createApp',
    'createMetrics',
    'defineRoute',
    'listen',
    'loadConfig',
    'parseRange',
    'rateLimit',
    'receiveAudioUpload',
    'sendMedia',
    'sniffAudio',
    'statusFor',
  ]);
});
