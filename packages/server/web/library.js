// The library: tracks with analysis results and waveforms, upload with a progress bar, and
// selecting tracks to share.
import { api, el, formatDuration, say, upload } from './api.js';

const list = document.getElementById('tracks');
const search = document.getElementById('search');
const uploadForm = document.getElementById('upload');
const progress = document.getElementById('upload-progress');
const shareButton = document.getElementById('share-selected');

function drawPeaks(canvas, peaks) {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.max(1, Math.floor(canvas.clientWidth * ratio));
  canvas.height = Math.max(1, Math.floor(canvas.clientHeight * ratio));
  const ctx = canvas.getContext('2d');
  const channels = peaks.channels || 1;
  const scale = peaks.bits === 8 ? 128 : 32768;
  const points = Math.floor(peaks.data.length / (2 * channels));
  ctx.fillStyle = getComputedStyle(document.documentElement).getPropertyValue('--wave');
  for (let x = 0; x < canvas.width; x++) {
    const p = Math.floor((x * points) / canvas.width);
    const i = 2 * p * channels;
    const v = Math.max(Math.abs(peaks.data[i] ?? 0), Math.abs(peaks.data[i + 1] ?? 0)) / scale;
    const h = Math.max(1, v * canvas.height);
    ctx.fillRect(x, (canvas.height - h) / 2, 1, h);
  }
}

function row(track) {
  const canvas = el('canvas', { class: 'waveform', 'aria-hidden': 'true' });
  if (track.analysisStatus === 'done') {
    api('GET', `/api/tracks/${track.id}/peaks`)
      .then((peaks) => drawPeaks(canvas, peaks))
      .catch(() => {});
  }
  const key = track.key ? `${track.key}${track.camelot ? ` (${track.camelot})` : ''}` : '';
  return el(
    'tr',
    { 'data-track': track.id },
    el(
      'td',
      {},
      el('input', {
        type: 'checkbox',
        name: 'track',
        value: track.id,
        'aria-label': `Select ${track.title}`,
      }),
    ),
    el(
      'td',
      {},
      el('strong', { text: track.title }),
      track.artist ? el('div', { class: 'muted', text: track.artist }) : null,
      canvas,
    ),
    el('td', { text: formatDuration(track.durationSeconds) }),
    el('td', { text: track.bpm ? Math.round(track.bpm) : '' }),
    el('td', { text: key }),
    el('td', {
      class: track.analysisStatus === 'failed' ? 'error' : 'muted',
      text: track.analysisStatus,
    }),
  );
}

async function refresh() {
  const query = search?.value.trim();
  const data = await api('GET', `/api/tracks${query ? `?q=${encodeURIComponent(query)}` : ''}`);
  list.replaceChildren(...data.items.map(row));
  if (data.items.length === 0)
    list.append(
      el(
        'tr',
        {},
        el('td', { colspan: 6, class: 'muted', text: 'No tracks yet. Upload one above.' }),
      ),
    );
  if (data.items.some((t) => t.analysisStatus === 'pending' || t.analysisStatus === 'running'))
    setTimeout(refresh, 2000);
}

search?.addEventListener('input', () => refresh().catch((e) => say(e.message, 'error')));

uploadForm?.addEventListener('submit', async (event) => {
  event.preventDefault();
  const file = uploadForm.querySelector('input[type=file]').files[0];
  if (!file) return;
  const form = new FormData();
  form.set('file', file, file.name);
  progress.hidden = false;
  progress.value = 0;
  uploadForm.querySelector('button').disabled = true;
  try {
    const track = await upload('/api/tracks', form, (fraction) => {
      progress.value = fraction;
      say(`Uploading ${file.name}: ${Math.round(fraction * 100)} %`);
    });
    say(`Uploaded “${track.title}”. Analysis is running.`, 'ok');
    uploadForm.reset();
    await refresh();
  } catch (error) {
    say(error.message, 'error');
  } finally {
    progress.hidden = true;
    uploadForm.querySelector('button').disabled = false;
  }
});

shareButton?.addEventListener('click', () => {
  const ids = [...list.querySelectorAll('input[name=track]:checked')].map((box) => box.value);
  if (ids.length === 0) {
    say('Select at least one track to share.', 'error');
    return;
  }
  location.assign(`/shares/new?tracks=${ids.map(encodeURIComponent).join(',')}`);
});

refresh().catch((error) => say(error.message, 'error'));
