// The track page's artwork (shown, replaced, removed; stored encrypted in the vault) and notes.
import { api, currentOrganization, say } from './api.js';

const root = document.getElementById('track');
const id = root?.dataset.track;
const csrf = document.querySelector('meta[name="vaultmark-csrf"]')?.content;
const image = document.getElementById('artwork');
const artForm = document.getElementById('artwork-form');
const removeButton = document.getElementById('artwork-remove');
const notesForm = document.getElementById('notes-form');
const base = `/api/tracks/${encodeURIComponent(id ?? '')}`;

/** Shows the artwork (fetched with the organization header, so a studio's track works too). */
async function showArtwork(track) {
  removeButton.hidden = !track.hasArtwork;
  if (!track.hasArtwork) {
    image.hidden = true;
    image.removeAttribute('src');
    return;
  }
  const headers = {};
  const organization = currentOrganization();
  if (organization) headers['X-Vaultmark-Organization'] = organization;
  const response = await fetch(`${base}/artwork`, { headers, credentials: 'same-origin' });
  if (!response.ok) return;
  if (image.src.startsWith('blob:')) URL.revokeObjectURL(image.src);
  image.src = URL.createObjectURL(await response.blob());
  image.alt = `Artwork of ${track.title}`;
  image.hidden = false;
}

async function load() {
  const track = await api('GET', base);
  notesForm.elements.notes.value = track.notes ?? '';
  await showArtwork(track);
}

artForm?.addEventListener('submit', async (event) => {
  event.preventDefault();
  const file = artForm.elements.artwork.files[0];
  if (!file) return;
  const headers = { 'Content-Type': file.type || 'application/octet-stream' };
  if (csrf) headers['X-CSRF-Token'] = csrf;
  const organization = currentOrganization();
  if (organization) headers['X-Vaultmark-Organization'] = organization;
  try {
    const response = await fetch(`${base}/artwork`, {
      method: 'PUT',
      headers,
      body: file,
      credentials: 'same-origin',
    });
    const data = await response.json().catch(() => undefined);
    if (!response.ok) throw new Error(data?.error?.message ?? `HTTP ${response.status}`);
    artForm.reset();
    say('Artwork saved.', 'ok');
    await load();
  } catch (error) {
    say(error.message, 'error');
  }
});

removeButton?.addEventListener('click', async () => {
  if (!confirm('Remove the artwork? Recipients no longer see it.')) return;
  try {
    await api('DELETE', `${base}/artwork`);
    say('Artwork removed.', 'ok');
    await load();
  } catch (error) {
    say(error.message, 'error');
  }
});

notesForm?.addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    await api('PATCH', base, { notes: notesForm.elements.notes.value });
    say('Notes saved.', 'ok');
  } catch (error) {
    say(error.message, 'error');
  }
});

if (id) load().catch((error) => say(error.message, 'error'));
