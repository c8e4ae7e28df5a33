import { html, page } from '../html.js';
import { trackUploadFields } from './recording.js';

/**
 * A recording session's participant without an account, `/participate#<token>`: the token of
 * their invitation link stays in the fragment (never sent in a URL); the page shows their session
 * and their own tracks, and uploads theirs (resumable, each chunk checksummed).
 */
export function participatePage(): string {
  return page({
    title: 'Your recording session',
    scripts: ['participate.js'],
    body: html`<h1 id="participant-title">Your recording session</h1>
      <p id="participant-who" class="lead"></p>
      <p id="status" role="status" aria-live="polite"></p>
      <section class="card" aria-labelledby="h-upload" id="participant-upload" hidden>
        <h2 id="h-upload">Upload your track</h2>
        <form id="track-upload" class="stack">
          ${trackUploadFields}
          <button type="submit">Upload</button>
        </form>
        <p class="muted">Uploads go in chunks, each checked with a SHA-256 checksum. If the connection drops, the upload waits and carries on; after a reload, open your link again, choose the same file and it resumes where it stopped.</p>
      </section>
      <section class="card" aria-labelledby="h-mine" id="participant-tracks" hidden>
        <h2 id="h-mine">Your uploads</h2>
        <ul id="tracks" class="links"></ul>
        <p id="tracks-empty" class="muted">Nothing uploaded yet.</p>
      </section>
      <p class="muted">This page works with the link from your invitation email only; every use of it is logged. You see your own uploads, not the other participants’.</p>`,
  });
}
