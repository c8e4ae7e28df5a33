import { describe, expect, it } from 'vitest';
import { run } from '../../test/run.js';

describe('vaultmark demo', () => {
  it('embeds into a generated signal, finds the payload, and finds nothing without the mark', async () => {
    const result = await run(['demo', '--seconds', '12']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(6);
    const embedded = /embedded payload ([0-9a-f]{32})/.exec(result.stdout)?.[1];
    expect(embedded).toBeDefined();
    expect(lines[3]).toContain(`detected payload ${embedded}`);
    expect(lines[3]).toContain('(matches the embedded payload)');
    expect(lines[4]).toContain('nothing found, as expected');
    expect(lines[5]).toContain('nothing found, as expected');
  }, 60_000);

  it('supports shorter payloads', async () => {
    const result = await run(['demo', '--seconds', '12', '--bits', '32']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/embedded payload [0-9a-f]{8} /);
  }, 60_000);

  it('refuses payload sizes the format does not have', async () => {
    const result = await run(['demo', '--bits', '48']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^vaultmark: invalid_payload: /);
  });
});
