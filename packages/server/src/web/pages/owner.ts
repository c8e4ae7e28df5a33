import { html, page, type SafeHtml } from '../html.js';

/** What every signed-in page needs. */
export interface OwnerPageContext {
  displayName: string;
  /** The session's CSRF token, read by the page scripts from a `<meta>` tag. */
  csrfToken: string;
}

const status = html`<p id="status" role="status" aria-live="polite"></p>`;

/** The frame of every signed-in page: navigation, the page's script, the CSRF token. */
export function ownerPage(
  ctx: OwnerPageContext,
  title: string,
  script: string | string[],
  body: SafeHtml,
): string {
  return page({
    title,
    scripts: ['nav.js', ...[script].flat()],
    meta: { 'vaultmark-csrf': ctx.csrfToken },
    body: html`<nav class="top" aria-label="Main">
        <a href="/library">Library</a>
        <a href="/shares">Shares</a>
        <a href="/investigations">Investigate a leak</a>
        <a href="/recording-sessions">Recording</a>
        <a href="/notifications" id="bell">Notifications<span id="unread" class="badge" hidden></span></a>
        <a href="/account">Account</a>
        <label class="inline"><span class="visually-hidden">Organization</span><select id="organization" hidden></select></label>
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
        <label id="totp-field" hidden>Authenticator or recovery code <input name="totp" autocomplete="one-time-code" maxlength="64" /></label>
        <button type="submit">Sign in</button>
      </form>
      <h2>Or sign in with a code by email</h2>
      <form id="email-code" class="stack">
        <label>Email <input type="email" name="email" autocomplete="username" required /></label>
        <label id="code-field" hidden>6-digit code <input name="code" inputmode="numeric" pattern="[0-9]{6}" autocomplete="one-time-code" /></label>
        <label id="code-totp-field" hidden>Authenticator or recovery code <input name="totp" autocomplete="one-time-code" maxlength="64" /></label>
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
        <label id="signup-code-field" hidden>Code from the email <input name="code" inputmode="numeric" pattern="[0-9]{6}" autocomplete="one-time-code" /></label>
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
      <form id="upload" class="card stack-wide">
        <label>Upload audio (WAV, FLAC, MP3, AAC, Ogg, Opus, AIFF), one file or many <input type="file" name="file" multiple accept="audio/*,.wav,.flac,.mp3,.m4a,.ogg,.opus,.aif,.aiff" required /></label>
        <p class="muted help">Or drop files on this box.</p>
        <button type="submit">Upload</button>
        <ul id="upload-list" class="uploads" aria-label="Uploads"></ul>
      </form>
      ${status}
      <form id="filters" class="toolbar" role="search">
        <label>Search <input type="search" id="search" name="q" placeholder="title, artist, tag, key (A minor, 8A)" /></label>
        <label class="narrow">Tag <input name="tag" maxlength="50" /></label>
        <label class="narrow">BPM from <input type="number" name="bpmMin" min="0" max="1000" /></label>
        <label class="narrow">to <input type="number" name="bpmMax" min="0" max="1000" /></label>
        <label class="narrow">Sort <select name="sort">
          <option value="newest">Newest first</option>
          <option value="oldest">Oldest first</option>
          <option value="title">Title</option>
          <option value="bpm">Tempo</option>
        </select></label>
      </form>
      <p><button type="button" id="share-selected">Share selected…</button></p>
      <table class="tracks">
        <thead><tr><th scope="col"><span class="visually-hidden">Select</span></th><th scope="col">Track</th><th scope="col">Length</th><th scope="col">BPM</th><th scope="col">Key</th><th scope="col">Analysis</th></tr></thead>
        <tbody id="tracks"></tbody>
      </table>`,
  );
}

/**
 * One track: player with waveform, analysis, metadata editing, versions, delete. The track is
 * read by the page script (in the organization chosen in the navigation).
 */
export function trackPage(ctx: OwnerPageContext, trackId: string): string {
  return ownerPage(
    ctx,
    'Track',
    ['track.js', 'track-art.js'],
    html`<p><a href="/library">← Library</a></p>
      <div id="track" data-track="${trackId}">
        <h1 id="track-title">Track</h1>
        <p id="track-artist" class="muted"></p>
        ${status}
        <div class="player card" id="track-player">
          <canvas class="waveform" role="slider" tabindex="0" aria-label="Seek in the track"
            aria-valuemin="0" aria-valuemax="0" aria-valuenow="0"></canvas>
          <div class="controls">
            <button type="button" class="play" data-name="" aria-label="Play">Play</button>
            <span class="time mono" aria-live="off">0:00 / 0:00</span>
          </div>
          <p class="muted help">You hear the master as stored in the vault (loaded when you first press Play).</p>
        </div>
        <dl id="analysis" class="facts"></dl>
        <section class="card" aria-labelledby="h-edit">
          <h2 id="h-edit">Details</h2>
          <form id="track-edit" class="stack">
            <label>Title <input name="title" required maxlength="300" /></label>
            <label>Artist <input name="artist" maxlength="300" /></label>
            <label>Tags <input name="tags" aria-describedby="tags-help" /></label>
            <p id="tags-help" class="muted help">Separated by commas, e.g. “demo, synthwave, vocal”.</p>
            <button type="submit">Save</button>
          </form>
        </section>
        <section class="card stack" aria-labelledby="h-art">
          <h2 id="h-art">Artwork and notes</h2>
          <img id="artwork" class="artwork-large" alt="" hidden />
          <form id="artwork-form" class="stack">
            <label>Artwork (PNG, JPEG or WebP, up to 5 MB) <input type="file" name="artwork" accept="image/png,image/jpeg,image/webp" required /></label>
            <p class="muted help">Recipients see it beside the track on their page.</p>
            <button type="submit">Upload artwork</button>
            <button type="button" id="artwork-remove" class="secondary" hidden>Remove artwork</button>
          </form>
          <form id="notes-form" class="stack">
            <label>Notes (lyrics, mix notes, credits; seen by your organization only) <textarea name="notes" rows="6" maxlength="5000"></textarea></label>
            <button type="submit">Save notes</button>
          </form>
        </section>
        <section class="card" aria-labelledby="h-versions">
          <h2 id="h-versions">Versions</h2>
          <table>
            <thead><tr><th scope="col">Version</th><th scope="col">File</th><th scope="col">Size</th><th scope="col">Uploaded</th></tr></thead>
            <tbody id="versions"></tbody>
          </table>
          <form id="version-upload" class="stack">
            <label>Upload a new version (a new mix) <input type="file" name="file" accept="audio/*,.wav,.flac,.mp3,.m4a,.ogg,.opus,.aif,.aiff" required /></label>
            <progress id="version-progress" max="1" value="0" hidden></progress>
            <button type="submit">Upload version</button>
          </form>
        </section>
        <section class="card" aria-labelledby="h-stems">
          <h2 id="h-stems">Stems</h2>
          <p id="stems-state" class="muted">Vocals, drums and the rest, separated from the current version when you ask.</p>
          <ul id="stems" class="links"></ul>
          <button type="button" id="stems-start" class="secondary" hidden>Separate stems</button>
        </section>
        <section class="card" aria-labelledby="h-delete">
          <h2 id="h-delete">Delete</h2>
          <p>Deleting removes every version and its stems for good; links already shared stop playing it.</p>
          <button type="button" id="track-delete" class="danger">Delete this track</button>
        </section>
      </div>`,
  );
}

/** The answer to an owner page that does not exist, in the pages' look. */
export function notFoundPage(): string {
  return page({
    title: 'Not found',
    body: html`<div class="state card" role="status">
      <h1>Page not found</h1>
      <p>There is nothing at this address. It may have been deleted, or the link is mistyped.</p>
      <p><a class="button" href="/library">Go to the library</a></p>
    </div>`,
  });
}

/** Creating a share of the selected tracks. */
export function newSharePage(ctx: OwnerPageContext): string {
  return ownerPage(
    ctx,
    'New share',
    'share-new.js',
    html`<h1>Share tracks</h1>
      <section aria-labelledby="h-chosen">
        <h2 id="h-chosen">Tracks</h2>
        <ul id="chosen-tracks" class="chosen"></ul>
      </section>
      <form id="share-form" class="stack">
        <fieldset id="share-fields" class="plain stack">
          <legend class="visually-hidden">Share settings</legend>
          <label>Title (optional) <input name="title" maxlength="300" /></label>
          <label>Note to recipients (optional) <textarea name="note" rows="3" maxlength="5000"></textarea></label>
          <div id="recipients"></div>
          <button type="button" id="add-recipient" class="secondary">Add a recipient</button>
          <label class="inline"><input type="checkbox" name="notify" checked /> Email each recipient their link</label>
          <label>Expires on <input type="date" name="expiresAt" aria-describedby="expiry-help" /></label>
          <p id="expiry-help" class="muted help"></p>
          <label>Password (optional) <input type="password" name="password" autocomplete="new-password" /></label>
          <label class="inline"><input type="checkbox" name="allowDownload" /> Allow downloads</label>
          <label class="inline"><input type="checkbox" name="allowFeedback" /> Recipients may comment and approve</label>
          <label>Maximum downloads per recipient (optional) <input type="number" name="maxDownloads" min="1" max="1000" /></label>
          <button type="submit">Create share</button>
        </fieldset>
      </form>
      ${status}
      <section id="share-result" hidden aria-labelledby="h-links">
        <h2 id="h-links" tabindex="-1">Links</h2>
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
        ${status}
        <form id="share-change" class="card stack" hidden aria-labelledby="h-change">
          <h2 id="h-change">Rules</h2>
          <p class="muted help">The links stay the same; recipients get the new rules at once.</p>
          <label>Available until <input type="date" name="expiresAt" required /></label>
          <label class="inline"><input type="checkbox" name="allowDownload" /> Allow downloads</label>
          <label class="inline"><input type="checkbox" name="allowFeedback" /> Recipients may comment and approve</label>
          <label>Maximum downloads per recipient (empty: no limit) <input type="number" name="maxDownloads" min="1" max="1000" /></label>
          <button type="submit">Save the rules</button>
        </form>
        <p><button type="button" id="revoke" class="danger" hidden>Revoke every link</button></p>
        <h2>Recipients</h2>
        <table>
          <thead><tr><th scope="col">Recipient</th><th scope="col">Plays</th><th scope="col">Downloads</th><th scope="col">Last access</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody id="recipients"></tbody>
        </table>
        <p id="new-link" hidden>New link (shown only now; the old one no longer works): <input class="mono" readonly aria-label="New link" /></p>
        <form id="recipient-add" class="card stack" hidden aria-labelledby="h-add-recipient">
          <h3 id="h-add-recipient">Add a recipient</h3>
          <label>Name <input name="name" required maxlength="200" autocomplete="off" /></label>
          <label>Email <input type="email" name="email" required autocomplete="off" /></label>
          <label class="inline"><input type="checkbox" name="notify" checked /> Email them their link</label>
          <button type="submit">Add recipient</button>
        </form>
        <ul id="added-links" class="links" aria-label="New recipients’ links"></ul>
        <h2 id="h-tracks">Tracks</h2>
        <ul id="share-tracks" class="stack" aria-labelledby="h-tracks"></ul>
        <form id="track-add" class="toolbar" hidden>
          <label>Add a track from the library <select name="trackId" required></select></label>
          <button type="submit">Add track</button>
        </form>
        <h2 id="h-listening">Listening</h2>
        <p id="listening-zone" class="muted help"></p>
        <div id="listening" aria-labelledby="h-listening"></div>
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
      <p>Upload audio you found (an MP3 rip, an excerpt, a re-encoded upload). The vault searches it for the watermarks of your shares and names the recipient whose copy it is, or every recipient whose copy went into a mix.</p>
      <form id="investigate" class="card stack">
        <label>Found audio <input type="file" name="file" required /></label>
        <progress id="investigation-progress" max="1" value="0" hidden></progress>
        <button type="submit">Investigate</button>
      </form>
      ${status}
      <section id="outcome" class="card" hidden>
        <h2></h2>
        <p></p>
        <ul id="outcome-matches" hidden></ul>
        <a href="#" class="button">Open the printable report</a>
      </section>
      <h2>Past investigations</h2>
      <table>
        <thead><tr><th scope="col">Submitted</th><th scope="col">File</th><th scope="col">Outcome</th><th scope="col"><span class="visually-hidden">Report</span></th></tr></thead>
        <tbody id="past"></tbody>
      </table>`,
  );
}

/** The member's notifications, newest first, each linking to what it is about. */
export function notificationsPage(ctx: OwnerPageContext): string {
  return ownerPage(
    ctx,
    'Notifications',
    'notifications.js',
    html`<h1>Notifications</h1>
      <p class="muted">Recipients opening, playing and downloading your shares, and wrong share passwords. Choose what you hear about, and how, on your <a href="/account#h-notify">account page</a>.</p>
      <div class="toolbar">
        <label class="inline"><input type="checkbox" id="unread-only" /> Unread only</label>
        <button type="button" id="read-all">Mark all as read</button>
      </div>
      ${status}
      <ol id="feed" class="feed" aria-label="Notifications"></ol>
      <p><button type="button" id="older" hidden>Show older</button></p>`,
  );
}

/** The organization's shares, newest first, each linking to its access log. */
export function sharesPage(ctx: OwnerPageContext): string {
  return ownerPage(
    ctx,
    'Shares',
    'shares.js',
    html`<h1>Shares</h1>
      <p class="muted">To share tracks, select them in the <a href="/library">library</a>.</p>
      ${status}
      <table>
        <thead><tr><th scope="col">Share</th><th scope="col">Status</th><th scope="col">Tracks</th><th scope="col">Recipients</th><th scope="col">Created</th><th scope="col">Expires</th></tr></thead>
        <tbody id="shares"></tbody>
      </table>`,
  );
}

/** The account: two-factor sign-in, sessions and API tokens, export, deletion. */
export function accountPage(ctx: OwnerPageContext): string {
  return ownerPage(
    ctx,
    'Account',
    'account.js',
    html`<h1>Account</h1>
      ${status}
      <section class="card stack" aria-labelledby="h-2fa">
        <h2 id="h-2fa">Two-factor sign-in</h2>
        <p>Ask for a code from an authenticator app at every sign-in.</p>
        <p id="totp-state" class="muted">Checking whether two-factor sign-in is on…</p>
        <button type="button" id="totp-start" hidden>Set up two-factor sign-in</button>
        <div id="totp-setup" hidden>
          <p>Add this key to your authenticator app (or open the link on your phone), then enter the 6-digit code it shows.</p>
          <p><code id="totp-secret"></code></p>
          <p><a id="totp-uri" href="#">Open in an authenticator app</a></p>
          <form id="totp-confirm" class="stack">
            <label>Code <input name="code" inputmode="numeric" pattern="[0-9]{6}" autocomplete="one-time-code" required /></label>
            <button type="submit">Turn on</button>
          </form>
        </div>
        <div id="totp-codes" hidden>
          <p><strong>Recovery codes.</strong> Each works once instead of a code. Keep them somewhere safe: they are shown only now.</p>
          <ul class="mono" id="recovery-codes"></ul>
        </div>
        <form id="totp-disable" class="stack" hidden>
          <label>Password <input type="password" name="password" autocomplete="current-password" required /></label>
          <button type="submit">Turn off two-factor sign-in</button>
        </form>
      </section>
      <section class="card stack" aria-labelledby="h-notify">
        <h2 id="h-notify">Notifications</h2>
        <p>What you hear about, in the organization you are working in: by email, and in the <a href="/notifications">notifications</a> page.</p>
        <form id="notify-settings" class="stack-wide">
          <table>
            <thead><tr><th scope="col">When</th><th scope="col">Email</th><th scope="col">In the app</th></tr></thead>
            <tbody id="notify-kinds"></tbody>
          </table>
          <button type="submit">Save notification settings</button>
        </form>
      </section>
      <section class="card" aria-labelledby="h-sessions">
        <h2 id="h-sessions">Sessions and API tokens</h2>
        <table>
          <thead><tr><th scope="col">Kind</th><th scope="col">Device</th><th scope="col">Last used</th><th scope="col">Expires</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody id="sessions"></tbody>
        </table>
        <form id="token-create" class="stack">
          <h3>New API token</h3>
          <p class="muted">A token signs scripts in as you, so it needs your password (and, with two-factor sign-in, a code).</p>
          <label>Password <input type="password" name="password" autocomplete="current-password" required /></label>
          <label>Authenticator or recovery code (when two-factor sign-in is on) <input name="totp" autocomplete="one-time-code" maxlength="64" /></label>
          <button type="submit">Create an API token</button>
        </form>
        <p id="token-shown" hidden>New token (shown only now): <input class="mono" id="token-value" readonly aria-label="New API token" /></p>
      </section>
      <section class="card stack" aria-labelledby="h-studio">
        <h2 id="h-studio">Studios</h2>
        <p>A studio is a shared library: its members see its tracks, shares and investigations. Choose which one you work in at the top of the page.</p>
        <form id="studio-create" class="stack">
          <label>New studio <input name="name" required maxlength="200" /></label>
          <button type="submit">Create studio</button>
        </form>
        <h3>Invitations to you</h3>
        <ul id="invitations" class="stack"></ul>
        <h3>Members of the organization you are working in</h3>
        <table>
          <thead><tr><th scope="col">Member</th><th scope="col">Role</th><th scope="col">Joined</th></tr></thead>
          <tbody id="members"></tbody>
        </table>
        <form id="member-add" class="stack">
          <label>Email <input type="email" name="email" required /></label>
          <label>Role <select name="role"><option value="member">member</option><option value="admin">admin</option><option value="owner">owner</option></select></label>
          <p class="muted">Someone who is not a member yet is invited by email and joins once they accept.</p>
          <button type="submit">Invite, or change a member’s role</button>
        </form>
      </section>
      <section class="card stack" aria-labelledby="h-branding">
        <h2 id="h-branding">How recipients see this studio</h2>
        <p>Recipients’ pages show the studio’s name, its logo beside it and its colour on buttons (admins and owners change them).</p>
        <form id="brand-color-form" class="stack">
          <label>Accent colour <input type="color" name="brandColor" value="#4338ca" /></label>
          <p class="muted">Button text turns dark or light by itself, so it stays readable.</p>
          <button type="submit">Save colour</button>
          <button type="button" id="brand-color-reset" class="secondary">Use the default colour</button>
        </form>
        <img id="org-logo" alt="" height="48" hidden />
        <form id="logo-form" class="stack">
          <label>Logo (PNG, JPEG or WebP, up to 1 MB) <input type="file" name="logo" accept="image/png,image/jpeg,image/webp" required /></label>
          <button type="submit">Upload logo</button>
          <button type="button" id="logo-remove" class="secondary" hidden>Remove logo</button>
        </form>
      </section>
      <section class="card stack" aria-labelledby="h-password">
        <h2 id="h-password">Password</h2>
        <form id="password-change" class="stack">
          <label>Current password <input type="password" name="currentPassword" autocomplete="current-password" required /></label>
          <label>New password <input type="password" name="newPassword" autocomplete="new-password" minlength="12" required /></label>
          <button type="submit">Change password</button>
          <p class="muted">Every other browser and API token is signed out.</p>
        </form>
      </section>
            <section class="card stack" aria-labelledby="h-data">
        <h2 id="h-data">Your data</h2>
        <p><a class="button" href="/api/account/export" download>Download everything (JSON)</a></p>
        <form id="delete-account" class="stack">
          <p>Deleting the account removes it, your library, your shares and the stored audio after 30 days. Sign in again within that time to cancel.</p>
          <label>Password <input type="password" name="password" autocomplete="current-password" required /></label>
          <button type="submit" class="danger">Delete my account</button>
        </form>
      </section>`,
  );
}
