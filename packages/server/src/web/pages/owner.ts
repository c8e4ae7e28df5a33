import { html, page, type SafeHtml } from '../html.js';

/** What every signed-in page needs. */
export interface OwnerPageContext {
  displayName: string;
  /** The session's CSRF token, read by the page scripts from a `<meta>` tag. */
  csrfToken: string;
}

const status = html`<p id="status" role="status" aria-live="polite"></p>`;

function ownerPage(ctx: OwnerPageContext, title: string, script: string, body: SafeHtml): string {
  return page({
    title,
    scripts: ['nav.js', script],
    meta: { 'vaultmark-csrf': ctx.csrfToken },
    body: html`<nav class="top" aria-label="Main">
        <a href="/library">Library</a>
        <a href="/investigations">Investigate a leak</a>
        <span class="muted">${ctx.displayName}</span>
        <button type="button" id="signout">Sign out</button>
      </nav>
      ${body}`,
  });
}

/** Sign-in: password (+ TOTP when required), or a code by email. */
export function signInPage(): string {
  return page({
    title: 'Sign in',
    scripts: ['auth.js'],
    body: html`<h1>Sign in</h1>
      <form id="signin" class="stack">
        <label>Email <input type="email" name="email" autocomplete="username" required autofocus /></label>
        <label>Password <input type="password" name="password" autocomplete="current-password" required /></label>
        <label id="totp-field" hidden>Authenticator code <input name="totp" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}|[A-Za-z0-9-]{8,}" /></label>
        <button type="submit">Sign in</button>
      </form>
      <h2>Or sign in with a code by email</h2>
      <form id="email-code" class="stack">
        <label>Email <input type="email" name="email" autocomplete="username" required /></label>
        <label id="code-field" hidden>6-digit code <input name="code" inputmode="numeric" pattern="[0-9]{6}" autocomplete="one-time-code" /></label>
        <button type="submit">Continue</button>
      </form>
      ${status}
      <p>No account yet? <a href="/signup">Create one</a>.</p>`,
  });
}

/** Sign-up. */
export function signUpPage(): string {
  return page({
    title: 'Create an account',
    scripts: ['auth.js'],
    body: html`<h1>Create an account</h1>
      <form id="signup" class="stack">
        <label>Name <input name="displayName" autocomplete="name" required autofocus maxlength="100" /></label>
        <label>Email <input type="email" name="email" autocomplete="username" required /></label>
        <label>Password <input type="password" name="password" autocomplete="new-password" required minlength="12" /></label>
        <p class="muted">At least 12 characters. Long passphrases are welcome.</p>
        <button type="submit">Create account</button>
      </form>
      ${status}
      <p>Already have an account? <a href="/signin">Sign in</a>.</p>`,
  });
}

/** The library: tracks with waveforms and analysis, upload, and sharing selected tracks. */
export function libraryPage(ctx: OwnerPageContext): string {
  return ownerPage(
    ctx,
    'Library',
    'library.js',
    html`<h1>Library</h1>
      <form id="upload" class="card">
        <label>Upload audio (WAV, FLAC, MP3, AAC, Ogg, Opus, AIFF) <input type="file" name="file" accept="audio/*,.wav,.flac,.mp3,.m4a,.ogg,.opus,.aif,.aiff" required /></label>
        <progress id="upload-progress" max="1" value="0" hidden></progress>
        <button type="submit">Upload</button>
      </form>
      ${status}
      <p><label>Search <input type="search" id="search" placeholder="title, artist, tag, key" /></label>
        <button type="button" id="share-selected">Share selected…</button></p>
      <table>
        <thead><tr><th scope="col"><span class="visually-hidden">Select</span></th><th scope="col">Track</th><th scope="col">Length</th><th scope="col">BPM</th><th scope="col">Key</th><th scope="col">Analysis</th></tr></thead>
        <tbody id="tracks"></tbody>
      </table>`,
  );
}

/** Creating a share of the selected tracks. */
export function newSharePage(ctx: OwnerPageContext): string {
  return ownerPage(
    ctx,
    'New share',
    'share-new.js',
    html`<h1>Share tracks</h1>
      <form id="share-form" class="stack">
        <div id="recipients"></div>
        <button type="button" id="add-recipient">Add a recipient</button>
        <label>Expires on <input type="date" name="expiresAt" /></label>
        <label>Password (optional) <input type="password" name="password" autocomplete="new-password" /></label>
        <label class="inline"><input type="checkbox" name="allowDownload" /> Allow downloads</label>
        <label>Maximum downloads per recipient (optional) <input type="number" name="maxDownloads" min="1" max="1000" /></label>
        <button type="submit">Create share</button>
      </form>
      ${status}
      <section id="share-result" hidden>
        <h2>Links</h2>
        <ul class="links"></ul>
        <p><a class="view" href="/library">See this share's access log</a></p>
      </section>`,
  );
}

/** One share and its access log. */
export function shareDetailPage(ctx: OwnerPageContext, shareId: string): string {
  return ownerPage(
    ctx,
    'Share',
    'share-view.js',
    html`<h1>Share</h1>
      <div id="share" data-share="${shareId}">
        <p id="share-state" class="muted"></p>
        <button type="button" id="revoke">Revoke every link</button>
        ${status}
        <h2>Access log</h2>
        <table>
          <thead><tr><th scope="col">Time</th><th scope="col">Recipient</th><th scope="col">Track</th><th scope="col">What</th></tr></thead>
          <tbody id="access-log"></tbody>
        </table>
      </div>`,
  );
}

/** Leak investigation: upload found audio and read the result. */
export function investigationsPage(ctx: OwnerPageContext): string {
  return ownerPage(
    ctx,
    'Investigate a leak',
    'investigate.js',
    html`<h1>Investigate a leak</h1>
      <p>Upload audio you found (an MP3 rip, an excerpt, a re-encoded upload). The vault searches it for the watermarks of your shares and names the recipient whose copy it is.</p>
      <form id="investigate" class="card stack">
        <label>Found audio <input type="file" name="file" required /></label>
        <progress id="investigation-progress" max="1" value="0" hidden></progress>
        <button type="submit">Investigate</button>
      </form>
      ${status}
      <section id="outcome" class="card" hidden>
        <h2></h2>
        <p></p>
        <a href="#" class="button">Open the printable report</a>
      </section>`,
  );
}
