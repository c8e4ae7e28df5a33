import { expect, it } from 'vitest';
import { attachment } from './attachment.js';

it('hands a file over as a private, uncached attachment with a safe name', () => {
  expect(attachment('vaultmark-watermark-keys.vmw', 'application/octet-stream')).toEqual({
    'Content-Type': 'application/octet-stream',
    'Content-Disposition': `attachment; filename="vaultmark-watermark-keys.vmw"; filename*=UTF-8''vaultmark-watermark-keys.vmw`,
    'Cache-Control': 'private, no-store',
  });
  const hostile = attachment('../"x"\r\n.pdf', 'application/pdf')['Content-Disposition'];
  expect(hostile).not.toMatch(/[\r\n]|\.\.\//);
  expect(hostile).toMatch(/^attachment; filename="_?_x_\.pdf"/);
});
