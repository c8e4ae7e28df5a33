// One track for its owner: the master with its waveform, what the analysis found (or why it
// failed), the editable details, the versions, and deleting it.
import {
  ApiError,
  api,
  currentOrganization,
  el,
  formatDate,
  formatDuration,
  say,
  upload,
} from './api.js';
import { wirePlayer } from './waveform.js';
// The review section (comments, markers, decisions) below the player.
import './track-review.js';

const root = document.getElementById('track');
const id = root?.dataset.track ?? '';
const path = `/api/tracks/${encodeURIComponent(id)}`;
const editForm = document.getElementById('track-edit');
const versionForm = document.getElementById('version-upload');
const player = document.getElementById('track-player');
const audio = new Audio();
audio.preload = 'none';
player?.append(audio);

/** The master is fetched as a blob on first play: the request carries the chosen organization. */
let loading;
function loadAudio() {
  loading ??= (async () => {
    say('Loading the audio…');
    const headers = {};
    const organization = currentOrganization();
    if (organization) headers['X-Vaultmark-Organization'] = organization;
    const response = await fetch(`${path}/audio`, { headers, credentials: 'same-origin' });
    if (!response.ok)
      throw new ApiError(response.status, 'http_error', 'the audio could not be loaded');
    audio.src = URL.createObjectURL(await response.blob());
    say('');
  })();
  return loading;
}

// The waveform exists once the analysis is done (a failed analysis has none).
let givePeaks;
const peaks = new Promise((resolve) => {
  givePeaks = resolve;
});
wirePlayer(player, audio, peaks, () => {
  if (!audio.paused) {
    audio.pause();
    return;
  }
  loadAudio()
    .then(() => audio.play())
    .catch((error) => {
      loading = undefined;
      say(error.message, 'error');
    });
});

function fact(term, value) {
  return value === '' || value === null || value === undefined
    ? []
    : [el('dt', { text: term }), el('dd', { text: String(value) })];
}

let lastError = null;

function show(track) {
  if ('analysisError' in track) lastError = track.analysisError;
  document.title = `${track.title} · Vaultmark`;
  document.getElementById('track-title').textContent = track.title;
  document.getElementById('track-artist').textContent = track.artist ?? '';
  const play = player.querySelector('button.play');
  play.dataset.name = track.title;
  play.setAttribute('aria-label', `Play ${track.title}`);
  player.querySelector('canvas').setAttribute('aria-label', `Seek in ${track.title}`);
  if (track.durationSeconds)
    player
      .querySelector('canvas')
      .setAttribute('aria-valuemax', String(Math.round(track.durationSeconds)));
  const status =
    track.analysisStatus === 'failed'
      ? `failed: ${lastError ?? 'the audio could not be read'}`
      : track.analysisStatus;
  document
    .getElementById('analysis')
    .replaceChildren(
      ...fact('Analysis', status),
      ...fact('Length', formatDuration(track.durationSeconds)),
      ...fact('Tempo', track.bpm ? `${Math.round(track.bpm)} BPM` : ''),
      ...fact('Key', track.key ? `${track.key}${track.camelot ? ` (${track.camelot})` : ''}` : ''),
      ...fact(
        'Loudness',
        track.loudnessLufs === null ? '' : `${track.loudnessLufs.toFixed(1)} LUFS`,
      ),
      ...fact('Tags', track.tags.join(', ')),
      ...fact('Original file', track.originalFileName ?? ''),
    );
  document
    .querySelector('#analysis dd')
    ?.classList.toggle('error', track.analysisStatus === 'failed');
  // Audio the vault could not read has nothing to play.
  player.hidden = track.analysisStatus === 'failed';
  editForm.elements.title.value = track.title;
  editForm.elements.artist.value = track.artist ?? '';
  editForm.elements.tags.value = track.tags.join(', ');
}

function size(bytes) {
  if (!bytes) return '';
  if (bytes < 1_048_576) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

async function loadVersions() {
  const { items } = await api('GET', `${path}/versions`);
  document
    .getElementById('versions')
    .replaceChildren(
      ...items.map((v) =>
        el(
          'tr',
          {},
          el('td', { text: `v${v.version}` }),
          el('td', { text: v.originalFileName ?? '' }),
          el('td', { text: size(v.sizeBytes) }),
          el('td', { text: formatDate(v.createdAt) }),
        ),
      ),
    );
}

async function load() {
  let track;
  try {
    track = await api('GET', path);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      root.replaceChildren(
        el('h1', { text: 'Track not found' }),
        el('p', {
          text: 'It may have been deleted, or it belongs to another studio than the one chosen above.',
        }),
      );
      return;
    }
    throw error;
  }
  show(track);
  if (track.analysisStatus !== 'failed') loadStems().catch(() => {});
  else document.getElementById('h-stems').closest('section').hidden = true;
  if (track.analysisStatus === 'done')
    givePeaks(await api('GET', `${path}/peaks`).catch(() => null));
  else if (track.analysisStatus === 'failed') givePeaks(null);
  await loadVersions();
  if (track.analysisStatus === 'pending' || track.analysisStatus === 'running')
    setTimeout(() => load().catch((e) => say(e.message, 'error')), 2000);
}

editForm?.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(editForm);
  const artist = String(data.get('artist') ?? '').trim();
  try {
    const track = await api('PATCH', path, {
      title: String(data.get('title') ?? '').trim(),
      artist: artist || null,
      tags: String(data.get('tags') ?? '')
        .split(',')
        .map((tag) => tag.trim())
        .filter(Boolean),
    });
    show(track);
    say('Saved.', 'ok');
  } catch (error) {
    say(error.message, 'error');
  }
});

versionForm?.addEventListener('submit', async (event) => {
  event.preventDefault();
  const file = versionForm.elements.file.files[0];
  if (!file) return;
  const form = new FormData();
  form.set('file', file, file.name);
  const bar = document.getElementById('version-progress');
  bar.hidden = false;
  versionForm.querySelector('button').disabled = true;
  try {
    const track = await upload(`${path}/versions`, form, (fraction) => {
      bar.value = fraction;
    });
    versionForm.reset();
    loading = undefined;
    say(`Version ${track.version} uploaded. Analysis is running.`, 'ok');
    await load();
  } catch (error) {
    say(error.message, 'error');
  } finally {
    bar.hidden = true;
    versionForm.querySelector('button').disabled = false;
  }
});

/** Downloads a stem in the chosen organization (a plain link would not carry it). */
async function downloadStem(stem) {
  const headers = {};
  const organization = currentOrganization();
  if (organization) headers['X-Vaultmark-Organization'] = organization;
  const response = await fetch(stem.url, { headers, credentials: 'same-origin' });
  if (!response.ok)
    throw new ApiError(response.status, 'http_error', 'the stem could not be downloaded');
  const link = el('a', {
    href: URL.createObjectURL(await response.blob()),
    download: `${document.getElementById('track-title').textContent} - ${stem.name}.wav`,
  });
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}

const stemsButton = document.getElementById('stems-start');

function showStems(state) {
  const words = {
    none: 'Vocals, drums and the rest, separated from the current version when you ask.',
    queued: 'Separation is queued…',
    running: `Separating: ${Math.round((state.progress ?? 0) * 100)} %`,
    done: 'Separated from the current version.',
    failed: `Separation failed${state.error ? `: ${state.error}` : ''}.`,
  };
  const text = document.getElementById('stems-state');
  text.textContent = words[state.status] ?? '';
  text.className = state.status === 'failed' ? 'error' : 'muted';
  stemsButton.hidden = !(state.status === 'none' || state.status === 'failed');
  document.getElementById('stems').replaceChildren(
    ...state.stems.map((stem) =>
      el(
        'li',
        {},
        el('button', {
          type: 'button',
          class: 'secondary',
          text: `Download ${stem.name} (WAV)`,
          onclick: () => downloadStem(stem).catch((error) => say(error.message, 'error')),
        }),
      ),
    ),
  );
  if (state.status === 'queued' || state.status === 'running')
    setTimeout(() => loadStems().catch(() => {}), 1500);
}

async function loadStems() {
  showStems(await api('GET', `${path}/stems`));
}

stemsButton?.addEventListener('click', async () => {
  try {
    showStems(await api('POST', `${path}/stems`));
  } catch (error) {
    say(error.message, 'error');
  }
});

document.getElementById('track-delete')?.addEventListener('click', async () => {
  const title = document.getElementById('track-title').textContent;
  if (!confirm(`Delete “${title}” and every version of it?`)) return;
  try {
    await api('DELETE', path);
    location.assign('/library');
  } catch (error) {
    say(error.message, 'error');
  }
});

load().catch((error) => say(error.message, 'error'));
