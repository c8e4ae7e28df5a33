import { html } from '../html.js';
import { type OwnerPageContext, ownerPage } from './owner.js';

const status = html`<p id="status" role="status" aria-live="polite"></p>`;

/**
 * A track upload's fields (when the recording started, the file, progress and state), shared by
 * the members' session page and the participant page; both scripts read them by these names.
 */
export const trackUploadFields = html`<label>Recording started at <input type="datetime-local" name="startedAt" step="0.001" aria-describedby="started-help" /></label>
  <p id="started-help" class="muted help">Tracks are lined up by this time; leave it empty to use the file’s own date.</p>
  <label>File <input type="file" name="file" accept="audio/*,.wav,.flac,.mp3,.m4a,.ogg,.opus,.aif,.aiff" required /></label>
  <progress id="upload-progress" max="1" value="0" hidden></progress>
  <p id="upload-state" class="muted" role="status" aria-live="polite"></p>`;

/** The organization's recording sessions, and a form to create one. */
export function recordingSessionsPage(ctx: OwnerPageContext): string {
  return ownerPage(
    ctx,
    'Recording sessions',
    'recording-sessions.js',
    html`<h1>Recording sessions</h1>
      <p class="lead">Each participant records their own track and uploads it here; the session lines the tracks up by when each recording started.</p>
      <section class="card" aria-labelledby="h-new">
        <h2 id="h-new">New session</h2>
        <form id="session-new" class="stack">
          <label>Title <input name="title" required maxlength="300" /></label>
          <label>Scheduled for (optional) <input type="datetime-local" name="scheduledAt" /></label>
          <button type="submit">Create session</button>
        </form>
      </section>
      ${status}
      <section class="card" aria-labelledby="h-transcripts">
        <h2 id="h-transcripts">Transcripts</h2>
        <p>Off by default. When an admin turns them on (and the server has a transcription engine), each finished track is transcribed on this server, with no audio leaving it; transcripts are stored encrypted with their session and erased with it.</p>
        <label class="inline"><input type="checkbox" id="transcripts" disabled /> Transcribe this organization’s session tracks</label>
      </section>
      <section class="card" aria-labelledby="h-sessions">
        <h2 id="h-sessions">Sessions</h2>
        <ul id="sessions" class="links"></ul>
      </section>`,
  );
}

/**
 * One session: participants (invite by email), a resumable upload per participant (chunks with
 * SHA-256 checksums, resumed after a dropped connection or a reload), the multitrack player with
 * each track's waveform and solo/mute, the session's events, and deletion.
 */
export function recordingSessionPage(ctx: OwnerPageContext, sessionId: string): string {
  return ownerPage(
    ctx,
    'Recording session',
    'recording-session.js',
    html`<p><a href="/recording-sessions">← Recording sessions</a></p>
      <div id="session" data-session="${sessionId}">
        <h1 id="session-title">Recording session</h1>
        <p id="session-schedule" class="muted"></p>
        ${status}
        <section class="card" aria-labelledby="h-tracks">
          <h2 id="h-tracks">Tracks</h2>
          <div class="controls">
            <button type="button" id="play-all" disabled>Play all</button>
            <span id="clock" class="time mono" aria-live="off">0:00</span>
          </div>
          <ol id="tracks" class="multitrack"></ol>
          <p id="tracks-empty" class="muted">No track yet: each participant uploads theirs below.</p>
        </section>
        <section class="card" aria-labelledby="h-upload">
          <h2 id="h-upload">Upload a track</h2>
          <form id="track-upload" class="stack">
            <label>Participant <select name="participant" required></select></label>
            ${trackUploadFields}
            <button type="submit">Upload</button>
          </form>
          <p class="muted">Uploads go in chunks, each checked with a SHA-256 checksum. If the connection drops, the upload waits and carries on; after a reload, choose the same file again and it resumes where it stopped.</p>
        </section>
        <section class="card" aria-labelledby="h-people">
          <h2 id="h-people">Participants</h2>
          <ul id="participants" class="links"></ul>
          <form id="invite" class="stack">
            <label>Name <input name="name" required maxlength="200" autocomplete="off" /></label>
            <label>Email <input type="email" name="email" required autocomplete="off" /></label>
            <label>Role <select name="role"><option value="host">Host</option><option value="guest" selected>Guest</option><option value="engineer">Engineer</option></select></label>
            <button type="submit">Invite by email</button>
          </form>
        </section>
        <section class="card" aria-labelledby="h-events">
          <h2 id="h-events">Events</h2>
          <ol id="events" class="feed"></ol>
        </section>
        <section class="card" aria-labelledby="h-delete">
          <h2 id="h-delete">Delete</h2>
          <p>Deleting erases the session’s key: its tracks, transcripts and the library tracks they became can never be read again.</p>
          <button type="button" id="session-delete" class="danger">Delete this recording</button>
        </section>
      </div>`,
  );
}
