import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import * as api from './index.js';

it('exports exactly the documented public surface', () => {
  expect(Object.keys(api).sort()).toEqual([
    'ApiRegistry',
    'CONTENT_SECURITY_POLICY',
    'ConfigError',
    'CsrfTokens',
    'DatabaseRateLimitStore',
    'ErrorBody',
    'HttpError',
    'MemoryRateLimitStore',
    'STATUS_BY_CODE',
    'SafeHtml',
    'authenticate',
    'buildOpenApi',
    'callerOf',
    'clearSessionCookie',
    'contentDisposition',
    'createApp',
    'createMetrics',
    'createVaultServer',
    'createVaultWorker',
    'defineRoute',
    'escapeHtml',
    'formatProbability',
    'html',
    'investigationReportPage',
    'listen',
    'loadConfig',
    'migrateDatabase',
    'openConfiguredVault',
    'page',
    'parseRange',
    'rateLimit',
    'readSessionCookie',
    'receiveAudioUpload',
    'requireCaller',
    'sendDownload',
    'sendMedia',
    'sessionCookieName',
    'setSessionCookie',
    'sharePage',
    'sharePasswordPage',
    'shareUnavailablePage',
    'startWorker',
    'statusFor',
    'tusUploads',
  ]);
});

it('reaches vault-core through its root only: the testing entry point stays in tests', () => {
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name)) {
        if (/@vaultmark\/vault-core\/|vault-core\/src\//.test(readFileSync(path, 'utf8'))) {
          offenders.push(path);
        }
      }
    }
  };
  walk(fileURLToPath(new URL('.', import.meta.url)));
  expect(offenders).toEqual([]);
});
