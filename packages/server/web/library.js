// The library: tracks with analysis results and waveforms, upload with a progress bar, and
// selecting tracks to share.
import { api, el, formatDuration, say, upload } from './api.js';
import { columns, draw } from './waveform.js';

const list = document.getElementById('tracks');
const search = document.getElementById('search');
const filters = document.getElementById('filters');
const uploadForm = document.getElementById('upload');
const uploads = document.getElementById('upload-list');
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

/** The one pending re-read while analyses run. */
let polling;

/** The search and filters as query parameters (empty ones left out). */
function criteria() {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(filters ?? undefined)) {
    const text = String(value).trim();
    if (text && !(name === 'sort' && text === 'newest')) params.set(name, text);
  }
  return params.toString();
}

async function refresh() {
  const asked = criteria();
  const query = search?.value.trim();
  const data = await api('GET', `/api/tracks${asked ? `?${asked}` : ''}`);
  // A late answer to an earlier search must not overwrite the current one.
  if (criteria() !== asked) return;
  const filtered = new URLSearchParams(asked);
  filtered.delete('sort');
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
            : filtered.size
              ? 'No tracks match these filters.'
              : 'No tracks yet. Upload one above.',
        }),
      ),
    );
  if (query)
    say(`${data.total} ${data.total === 1 ? 'track matches' : 'tracks match'} “${query}”.`);
  clearTimeout(polling);
  if (data.items.some((t) => t.analysisStatus === 'pending' || t.analysisStatus === 'running'))
    polling = setTimeout(() => refresh().catch(() => {}), 2000);
}

filters?.addEventListener('input', () => {
  if (!search.value.trim()) say('');
  refresh().catch((e) => say(e.message, 'error'));
});
filters?.addEventListener('submit', (event) => event.preventDefault());

/** Uploads files one after the other, each with its own progress bar and outcome. */
async function uploadFiles(files) {
  const todo = [...files];
  if (todo.length === 0) return;
  const button = uploadForm.querySelector('button');
  button.disabled = true;
  const rows = todo.map((file) => {
    const bar = el('progress', { max: 1, value: 0, 'aria-label': `Upload of ${file.name}` });
    const state = el('span', { class: 'muted', text: 'waiting' });
    uploads.append(el('li', {}, el('span', { class: 'name', text: file.name }), bar, state));
    return { file, bar, state };
  });
  const uploaded = [];
  let failed = 0;
  for (const [i, row] of rows.entries()) {
    row.state.textContent = 'uploading';
    const form = new FormData();
    form.set('file', row.file, row.file.name);
    try {
      const track = await upload('/api/tracks', form, (fraction) => {
        row.bar.value = fraction;
        say(
          `Uploading ${row.file.name} (${i + 1} of ${rows.length}): ${Math.round(fraction * 100)} %`,
        );
      });
      row.bar.value = 1;
      row.state.textContent = 'uploaded';
      row.state.className = 'ok';
      uploaded.push(track);
    } catch (error) {
      row.state.textContent = error.message;
      row.state.className = 'error';
      failed++;
    }
  }
  const what = uploaded.length === 1 ? `“${uploaded[0].title}”` : `${uploaded.length} files`;
  const problems = failed ? ` ${failed} could not be uploaded (see the list).` : '';
  say(
    uploaded.length
      ? `Uploaded ${what}. Analysis is running.${problems}`
      : `Nothing was uploaded.${problems}`,
    failed ? 'error' : 'ok',
  );
  uploadForm.reset();
  button.disabled = false;
  await refresh();
}

uploadForm?.addEventListener('submit', (event) => {
  event.preventDefault();
  uploadFiles(uploadForm.querySelector('input[type=file]').files).catch((error) =>
    say(error.message, 'error'),
  );
});

// Files dropped anywhere on the upload card are uploaded like chosen ones.
uploadForm?.addEventListener('dragover', (event) => {
  if (!event.dataTransfer?.types.includes('Files')) return;
  event.preventDefault();
  uploadForm.classList.add('dropping');
});
uploadForm?.addEventListener('dragleave', () => uploadForm.classList.remove('dropping'));
uploadForm?.addEventListener('drop', (event) => {
  event.preventDefault();
  uploadForm.classList.remove('dropping');
  uploadFiles(event.dataTransfer?.files ?? []).catch((error) => say(error.message, 'error'));
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
