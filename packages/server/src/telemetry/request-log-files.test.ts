import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { RequestLogFiles } from './request-log-files.js';

const entry = (at: string) => ({
  at: new Date(at),
  requestId: `r-${at}`,
  method: 'GET',
  route: '/api/tracks',
  status: 200,
  latencyMs: 1.5,
});

it('writes one file per UTC day and deletes a day once all of it is older than 30 days', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'request-logs-'));
  let now = new Date('2026-03-31T12:00:00Z');
  const log = new RequestLogFiles(dir, { now: () => now });
  log.record(entry('2026-03-01T23:59:59Z'));
  log.record(entry('2026-03-02T00:00:01Z'));
  await log.close();
  writeFileSync(join(dir, 'unrelated.txt'), 'kept');
  expect(readdirSync(dir).sort()).toEqual([
    'requests-2026-03-01.jsonl',
    'requests-2026-03-02.jsonl',
    'unrelated.txt',
  ]);
  expect(JSON.parse(readFileSync(join(dir, 'requests-2026-03-01.jsonl'), 'utf8'))).toEqual({
    at: '2026-03-01T23:59:59.000Z',
    requestId: 'r-2026-03-01T23:59:59Z',
    method: 'GET',
    route: '/api/tracks',
    status: 200,
    latencyMs: 1.5,
  });
  // 30 days after 2026-03-01 12:00: that day still holds lines younger than 30 days.
  expect(log.purge()).toEqual([]);
  now = new Date('2026-04-01T00:00:00Z');
  // Every line of 2026-03-01 is now 30 days old or more; 2026-03-02 is not yet.
  expect(log.purge()).toEqual(['requests-2026-03-01.jsonl']);
  expect(existsSync(join(dir, 'requests-2026-03-02.jsonl'))).toBe(true);
  expect(existsSync(join(dir, 'unrelated.txt'))).toBe(true);
});
