import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml, html, page } from './html.js';

describe('html', () => {
  it('escapes interpolated text but not nested fragments', () => {
    const name = '<img src=x onerror=alert(1)>';
    const fragment = html`<p title="${name}">${name} ${html`<b>${'&'}</b>`}</p>`;
    expect(fragment.value).toBe(
      '<p title="&lt;img src=x onerror=alert(1)&gt;">&lt;img src=x onerror=alert(1)&gt; <b>&amp;</b></p>',
    );
  });

  it('joins arrays and drops null, undefined and false', () => {
    expect(html`${['a', html`<i>b</i>`]}${null}${undefined}${false}${0}`.value).toBe('a<i>b</i>0');
  });

  it('never lets a string break out of text or an attribute', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const escaped = escapeHtml(text);
        expect(escaped).not.toMatch(/[<>"'`]/);
        expect(escaped.replace(/&(amp|lt|gt|quot|#39|#96);/g, '')).not.toContain('&');
      }),
    );
  });

  it('renders a page with no inline script or style', () => {
    const text = page({ title: 'Tracks', body: html`<h1>Tracks</h1>`, scripts: ['library.js'] });
    expect(text).toContain('<title>Tracks · Vaultmark</title>');
    expect(text).toContain('<script type="module" src="/assets/library.js"></script>');
    expect(text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(text).not.toMatch(/\sstyle=|<style/);
  });
});
