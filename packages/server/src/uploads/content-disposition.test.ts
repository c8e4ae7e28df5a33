import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentDisposition } from './content-disposition.js';

describe('contentDisposition', () => {
  it('keeps ordinary names readable', () => {
    expect(contentDisposition('Demo Mix v2.wav')).toBe(
      `attachment; filename="Demo Mix v2.wav"; filename*=UTF-8''Demo%20Mix%20v2.wav`,
    );
  });

  it('neutralises hostile names', () => {
    const header = contentDisposition('../../etc/passwd"\r\nSet-Cookie: x=1;.wav');
    expect(header).not.toMatch(/[\r\n]/);
    expect(header).toContain('filename="_.._etc_passwd_Set-Cookie: x=1_.wav"');
    expect(contentDisposition('\u0000\u0001')).toContain('filename="audio"');
    expect(contentDisposition('Ünïcødé — 曲.flac')).toContain(
      "filename*=UTF-8''%C3%9Cn%C3%AFc%C3%B8d%C3%A9%20%E2%80%94%20%E6%9B%B2.flac",
    );
  });

  it('always yields one header line with a quoted ASCII fallback and no path separators', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (name) => {
        const header = contentDisposition(name);
        expect(header).not.toMatch(/\p{Cc}/u);
        const fallback = /filename="([^"]*)"/.exec(header)?.[1];
        expect(fallback).toBeDefined();
        expect(fallback).not.toMatch(/[/\\"]/);
        expect(fallback).toMatch(/^[\x20-\x7e]+$/);
        const encoded = /filename\*=UTF-8''(.*)$/.exec(header)?.[1] ?? '';
        expect(encoded).toMatch(/^[A-Za-z0-9%!._~-]*$/);
      }),
    );
  });
});
