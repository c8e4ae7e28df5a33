/** A fragment of HTML that is already safe to insert as is. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Escapes text for use in HTML content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (char) => ESCAPES[char]!);
}

type Interpolation = SafeHtml | string | number | boolean | null | undefined | Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/**
 * Tagged template for HTML: every interpolated value is escaped unless it is `SafeHtml` (another
 * `html` fragment). Arrays are joined; `null`, `undefined` and `false` render as nothing.
 */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** The page shell: no inline scripts or styles (the CSP forbids them), no third-party resources. */
export function page(options: {
  title: string;
  body: SafeHtml;
  scripts?: string[];
  /** Extra `<meta>` data for scripts, read with `document.querySelector('meta[name=...]')`. */
  meta?: Record<string, string>;
  /** Extra stylesheets (same origin), after the app's. */
  styles?: string[];
}): string {
  const meta = Object.entries(options.meta ?? {}).map(
    ([name, content]) => html`<meta name="${name}" content="${content}" />`,
  );
  const styles = (options.styles ?? []).map(
    (href) => html`<link rel="stylesheet" href="${href}" />`,
  );
  const scripts = (options.scripts ?? []).map(
    (src) => html`<script type="module" src="/assets/${src}"></script>`,
  );
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="robots" content="noindex, nofollow" />
    ${meta}
    <title>${options.title} · Vaultmark</title>
    <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
    <link rel="stylesheet" href="/assets/app.css" />
    ${styles}
    ${scripts}
  </head>
  <body>
    <a class="skip" href="#main">Skip to content</a>
    <main id="main">${options.body}</main>
  </body>
</html>
`.value;
}
