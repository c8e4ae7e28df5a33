import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import * as api from '../src/index.js';

// Runs the first example of README.md verbatim, so the documented code keeps working.
it('README example: embed then detect', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const body = code.replace(/^import .*$/gm, '');
  const run = new Function(...Object.keys(api), `${body}\nreturn { result, key };`);
  const { result, key } = run(...Object.values(api));
  expect(result.found).toBe(true);
  expect(result.matches[0].payload).toBe('0123456789abcdef0123456789abcdef');
  expect(result.matches[0].keyName).toBe(key.name);
}, 30_000);
