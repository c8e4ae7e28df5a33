/** WCAG relative luminance of `#rrggbb`. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** WCAG contrast ratio of two `#rrggbb` colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/**
 * The text colour for buttons on `background`: white when it passes WCAG AA (4.5:1), else
 * whichever of white and black contrasts more (one of them always passes).
 */
export function textOn(background: string): '#ffffff' | '#000000' {
  if (contrastRatio(background, '#ffffff') >= 4.5) return '#ffffff';
  return contrastRatio(background, '#ffffff') >= contrastRatio(background, '#000000')
    ? '#ffffff'
    : '#000000';
}

/**
 * A recipient page's stylesheet of the sharing organization's branding (a stylesheet, not inline
 * styles, under the strict CSP): the logo beside the heading; with an accent colour, filled
 * buttons take it with readable text and the header a stripe of it. Links and outlines keep the
 * default accent (their contrast against the page is known).
 */
export function brandStylesheet(color: string | null): string {
  const logo = `.share-org{display:flex;align-items:center;gap:0.75rem;flex-wrap:wrap}
.share-org h1{margin:0;flex:1 1 16rem}
.share-org img.org-logo{height:48px;width:auto;max-width:12rem;object-fit:contain}
`;
  if (!color || !/^#[0-9a-f]{6}$/.test(color)) return logo;
  return `${logo}button:not(.secondary),.button:not(.secondary){--accent:${color};--accent-fg:${textOn(color)}}
.share-head{border-top:0.4rem solid ${color};padding-top:0.75rem}
`;
}
