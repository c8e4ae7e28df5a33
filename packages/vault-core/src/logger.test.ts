import { describe, expect, it } from 'vitest';
import { NotFoundError } from './errors.js';
import { describeError, jsonLinesLogger } from './logger.js';

describe('the default logger', () => {
  it('writes one JSON object per line with time, level, event and fields', () => {
    const lines: string[] = [];
    const logger = jsonLinesLogger(
      { write: (line: string) => lines.push(line) },
      () => new Date('2026-04-01T00:00:00Z'),
    );
    logger.warn('share.preview_failed', { tenantId: 't1', kbps: 128 });
    logger.error('x.y');
    expect(lines).toEqual([
      '{"time":"2026-04-01T00:00:00.000Z","level":"warn","event":"share.preview_failed","tenantId":"t1","kbps":128}\n',
      '{"time":"2026-04-01T00:00:00.000Z","level":"error","event":"x.y"}\n',
    ]);
  });

  it('keeps of an error its name, code and message, never its stack or cause', () => {
    const error = new NotFoundError('track');
    error.cause = new Error('postgres://user:secret@db/vault');
    const described = describeError(error);
    expect(described).toEqual({ name: 'NotFoundError', code: 'not_found', message: error.message });
    expect(JSON.stringify(described)).not.toContain('secret');
    expect(describeError('plain')).toEqual({ name: 'string', message: 'plain' });
  });
});
