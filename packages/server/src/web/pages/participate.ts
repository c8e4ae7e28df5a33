import { html, page } from '../html.js';

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
          <label>Recording started at <input type="datetime-local" name="startedAt" step="0.001" aria-describedby="started-help" /></label>
          <p id="started-help" class="muted help">Tracks are lined up by this time; leave it empty to use the file’s own date.</p>
          <label>File <input type="file" name="file" accept="audio/*,.wav,.flac,.mp3,.m4a,.ogg,.opus,.aif,.aiff" required /></label>
          <progress id="upload-progress" max="1" value="0" hidden></progress>
          <p id="upload-state" class="muted" role="status" aria-live="polite"></p>
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
