// A recording session's participant without an account: the token of their invitation link is in
// the fragment; it goes in a header to the participant API and the participant upload endpoint.
import { el, formatDate, say } from './api.js';
import { resumableUpload } from './resumable-upload.js';

const LINK = 'vaultmark-participant-link';
const HEADER = 'X-Vaultmark-Participant-Token';
if (location.hash.length > 1) {
  sessionStorage.setItem(LINK, location.hash.slice(1));
  // Out of the address bar and the history: the link is kept for this tab only.
  history.replaceState(null, '', location.pathname);
}
const token = sessionStorage.getItem(LINK);
const uploadForm = document.getElementById('track-upload');
const progress = document.getElementById('upload-progress');
const uploadState = document.getElementById('upload-state');
let view;

function sizeOf(bytes) {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.ceil(bytes / 1e3)} kB`;
}

async function load() {
  if (!token) {
    say('Open the link from your invitation email.', 'error');
    return;
  }
  const response = await fetch('/api/participant-link', {
    headers: { Accept: 'application/json', [HEADER]: token },
  });
  const data = await response.json().catch(() => undefined);
  if (!response.ok) {
    say(
      response.status === 401
        ? 'This link has expired or was revoked: ask the session’s host for a new invitation.'
        : (data?.error?.message ?? `HTTP ${response.status}`),
      'error',
    );
    return;
  }
  view = data;
  document.getElementById('participant-title').textContent = view.session.title;
  document.title = `${view.session.title} · Vaultmark`;
  document.getElementById('participant-who').textContent =
    `You take part as ${view.participant.name} (${view.participant.role}).`;
  document.getElementById('participant-upload').hidden = false;
  document.getElementById('participant-tracks').hidden = false;
  const list = document.getElementById('tracks');
  list.replaceChildren(
    ...view.tracks.map((t) =>
      el(
        'li',
        {},
        `${t.originalFileName ?? 'track'} · ${sizeOf(t.sizeBytes)} · started ${formatDate(t.startedAt)}`,
      ),
    ),
  );
  document.getElementById('tracks-empty').hidden = view.tracks.length > 0;
}

uploadForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(uploadForm);
  const file = data.get('file');
  if (!(file instanceof File) || file.size === 0) return say('Choose a file first.', 'error');
  const started = String(data.get('startedAt') || '');
  const button = uploadForm.querySelector('button[type=submit]');
  button.disabled = true;
  progress.hidden = false;
  try {
    await resumableUpload(
      file,
      {
        ...view.upload.metadata,
        startedAt: new Date(started || file.lastModified).toISOString(),
      },
      {
        endpoint: view.upload.endpoint,
        headers: { [HEADER]: token },
        onProgress: (fraction) => {
          progress.value = fraction;
        },
        onState: (state, offset) => {
          uploadForm.dataset.state = state;
          const percent = Math.round((100 * offset) / file.size);
          uploadState.textContent =
            state === 'waiting'
              ? `Connection lost at ${percent} %: retrying…`
              : `Uploading ${file.name}: ${percent} %`;
        },
      },
    );
    uploadState.textContent = `${file.name} is uploaded.`;
    uploadForm.dataset.state = 'done';
    uploadForm.reset();
    await load();
  } catch (error) {
    uploadForm.dataset.state = 'failed';
    say(error.message, 'error');
  } finally {
    button.disabled = false;
    progress.hidden = true;
  }
});

load().catch((error) => say(error.message, 'error'));
