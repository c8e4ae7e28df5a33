import { expect, it } from 'vitest';
import * as api from './index.js';

it('exports exactly the documented public surface', () => {
  expect(Object.keys(api).sort()).toEqual(['CliError', 'ExitCode', 'describeError', 'runCli']);
});
