// The library: tracks with analysis results and waveforms, upload with a progress bar, and
// selecting tracks to share.
import { api, el, formatDuration, say, upload } from './api.js';
import { columns, draw } from './waveform.js';

const list = document.getElementById('tracks');
const search = document.getElementById('search');
const uploadForm = document.getElementById('upload');
const progress = document.getElementById('upload-progress');
const shareButton = document.getElementById('share-selected');

function row(track) {
  const canvas = el('canvas', { class: 'waveform', 'aria-hidden': 'true' });
  if (track.analysisStatus === 'done') {
    api('GET', `/api/tracks/${track.id}/peaks`)
      .then((peaks) => {
        const bars = columns(peaks, 512);
        draw(canvas, bars);
        window.addEventListener('resize', () => draw(canvas, bars));
      })
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
        // Audio the vault could not read cannot be shared.
        disabled: track.analysisStatus === 'failed',
      }),
    ),
    el(
      'td',
      {},
      el(
        'a',
        { href: `/tracks/${encodeURIComponent(track.id)}`, class: 'title' },
        el('strong', { text: track.title }),
      ),
      track.artist ? el('div', { class: 'muted', text: track.artist }) : null,
      canvas,
    ),
    el('td', { text: formatDuration(track.durationSeconds), 'data-label': 'Length' }),
    el('td', { text: track.bpm ? Math.round(track.bpm) : '', 'data-label': 'BPM' }),
    el('td', { text: key, 'data-label': 'Key' }),
    el('td', {
      'data-label': 'Analysis',
      class: track.analysisStatus === 'failed' ? 'error' : 'muted',
      text: track.analysisStatus,
    }),
  );
}

async function refresh() {
  const query = search?.value.trim();
  const data = await api('GET', `/api/tracks${query ? `?q=${encodeURIComponent(query)}` : ''}`);
  // A late answer to an earlier search must not overwrite the current one.
  if ((search?.value.trim() ?? '') !== (query ?? '')) return;
  list.replaceChildren(...data.items.map(row));
  if (data.items.length === 0)
    list.append(
      el(
        'tr',
        {},
        el('td', {
          colspan: 6,
          class: 'muted',
          text: query
            ? `No tracks match “${query}”. Search looks in titles, artists, file names, keys (“A minor”, “8A”) and tags.`
            : 'No tracks yet. Upload one above.',
        }),
      ),
    );
  if (query)
    say(`${data.total} ${data.total === 1 ? 'track matches' : 'tracks match'} “${query}”.`);
  if (data.items.some((t) => t.analysisStatus === 'pending' || t.analysisStatus === 'running'))
    setTimeout(refresh, 2000);
}

search?.addEventListener('input', () => {
  if (!search.value.trim()) say('');
  refresh().catch((e) => say(e.message, 'error'));
});

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
