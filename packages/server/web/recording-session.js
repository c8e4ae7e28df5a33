// One recording session: participants and invitations, each participant's resumable upload
// (checksummed chunks, resumed after a drop or a reload), the multitrack player and the events.
import { api, el, formatDate, say } from './api.js';
import { loadSession, Multitrack } from './multitrack.js';
import { resumableUpload } from './resumable-upload.js';

const root = document.getElementById('session');
const sessionId = root.dataset.session;
const path = `/api/recording-sessions/${sessionId}`;
const player = new Multitrack(
  document.getElementById('tracks'),
  document.getElementById('play-all'),
  document.getElementById('clock'),
);
const EVENT_NAMES = {
  invited: 'invited',
  joined: 'joined',
  upload_started: 'started an upload',
  completed: 'finished an upload',
  failed: 'had an upload fail',
};
let shownTracks = '';

async function refresh() {
  const session = await api('GET', path);
  document.getElementById('session-title').textContent = session.title;
  document.title = `${session.title} · Vaultmark`;
  document.getElementById('session-schedule').textContent = session.scheduledAt
    ? `Scheduled for ${formatDate(session.scheduledAt)}`
    : '';
  const names = new Map(session.participants.map((p) => [p.id, p.name]));
  document.getElementById('participants').replaceChildren(
    ...session.participants.map((p) =>
      el(
        'li',
        { 'data-participant': p.id },
        `${p.name} · ${p.role} · `,
        el('span', { class: 'muted', text: p.email }),
        ' ',
        p.removedAt
          ? el('span', { class: 'muted', text: '· removed' })
          : el('button', {
              type: 'button',
              class: 'secondary',
              'data-remove': p.id,
              'aria-label': `Remove ${p.name}`,
              text: 'Remove',
            }),
      ),
    ),
  );
  const select = document.querySelector('#track-upload select[name=participant]');
  const chosen = select.value;
  select.replaceChildren(
    ...session.participants
      .filter((p) => !p.removedAt)
      .map((p) => el('option', { value: p.id, text: `${p.name} (${p.role})` })),
  );
  if (chosen) select.value = chosen;
  document.getElementById('events').replaceChildren(
    ...session.events.map((e) => {
      const detail = e.detail?.reason ? ` (${String(e.detail.reason).replace(/_/g, ' ')})` : '';
      return el(
        'li',
        { 'data-kind': e.kind },
        el('span', {
          class: 'summary',
          text: `${names.get(e.participantId) ?? 'Someone'} ${EVENT_NAMES[e.kind] ?? e.kind}${detail}`,
        }),
        ' ',
        el('time', { class: 'muted', datetime: e.at, text: formatDate(e.at) }),
      );
    }),
  );
  document.getElementById('tracks-empty').hidden = session.tracks.length > 0;
  // Decode the audio again only when the set of tracks changed.
  const key = session.tracks.map((t) => t.id).join(',');
  if (key !== shownTracks) {
    shownTracks = key;
    await loadSession(player, session);
  }
}

document.getElementById('invite').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const data = new FormData(form);
  try {
    await api('POST', `${path}/participants`, {
      name: String(data.get('name')),
      email: String(data.get('email')),
      role: String(data.get('role')),
    });
    say(`Invitation sent to ${data.get('email')}.`, 'ok');
    form.reset();
    await refresh();
  } catch (error) {
    say(error.message, 'error');
  }
});

// Removing a participant revokes their invitation link at once; their tracks stay.
document.getElementById('participants').addEventListener('click', async (event) => {
  const id = event.target.closest('button[data-remove]')?.dataset.remove;
  if (!id) return;
  try {
    await api('DELETE', `${path}/participants/${id}`);
    say('Removed: their invitation link no longer works.', 'ok');
    await refresh();
  } catch (error) {
    say(error.message, 'error');
  }
});

const uploadForm = document.getElementById('track-upload');
const progress = document.getElementById('upload-progress');
const uploadState = document.getElementById('upload-state');
uploadForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(uploadForm);
  const file = data.get('file');
  if (!(file instanceof File) || file.size === 0) return say('Choose a file first.', 'error');
  const started = String(data.get('startedAt') || '');
  const button = uploadForm.querySelector('button[type=submit]');
  button.disabled = true;
  progress.hidden = false;
  delete uploadForm.dataset.resumedFrom;
  try {
    await resumableUpload(
      file,
      {
        recordingSession: sessionId,
        participant: String(data.get('participant')),
        startedAt: new Date(started || file.lastModified).toISOString(),
      },
      {
        onProgress: (fraction) => {
          progress.value = fraction;
          uploadForm.dataset.percent = String(Math.round(fraction * 100));
        },
        onState: (state, offset) => {
          uploadForm.dataset.state = state;
          const percent = Math.round((100 * offset) / file.size);
          if (state === 'resumed') uploadForm.dataset.resumedFrom = String(percent);
          const resumed = uploadForm.dataset.resumedFrom;
          if (state === 'waiting') {
            uploadState.textContent = `Connection lost at ${percent} %: retrying…`;
          } else if (resumed !== undefined) {
            uploadState.textContent = `Resumed ${file.name} at ${resumed} %: ${percent} % sent.`;
          } else {
            uploadState.textContent = `Uploading ${file.name}: ${percent} %`;
          }
        },
      },
    );
    uploadForm.dataset.state = 'done';
    uploadState.textContent = `${file.name} uploaded and checked.`;
    uploadForm.reset();
    await refresh();
  } catch (error) {
    uploadForm.dataset.state = 'failed';
    uploadState.textContent = '';
    say(`The upload failed: ${error.message}`, 'error');
    await refresh().catch(() => undefined);
  } finally {
    button.disabled = false;
    progress.hidden = true;
  }
});

document.getElementById('session-delete').addEventListener('click', async () => {
  if (
    !confirm('Delete this recording for good? Its tracks and transcripts can never be read again.')
  )
    return;
  try {
    await api('DELETE', path);
    location.assign('/recording-sessions');
  } catch (error) {
    say(error.message, 'error');
  }
});

refresh().catch((error) => say(error.message, 'error'));
