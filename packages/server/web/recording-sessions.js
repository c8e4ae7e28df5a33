// Recording sessions: the organization's list, and a form to create one.
import { api, el, formatDate, say } from './api.js';

const list = document.getElementById('sessions');

async function refresh() {
  const { items } = await api('GET', '/api/recording-sessions');
  list.replaceChildren(
    ...items.map((s) =>
      el(
        'li',
        {},
        el('a', { href: `/recording-sessions/${s.id}`, text: s.title }),
        s.scheduledAt
          ? el('span', { class: 'muted', text: ` · ${formatDate(s.scheduledAt)}` })
          : null,
      ),
    ),
  );
  if (items.length === 0) list.append(el('li', { class: 'muted', text: 'No session yet.' }));
}

document.getElementById('session-new').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const data = new FormData(form);
  const scheduled = String(data.get('scheduledAt') || '');
  try {
    const created = await api('POST', '/api/recording-sessions', {
      title: String(data.get('title')),
      ...(scheduled ? { scheduledAt: new Date(scheduled).toISOString() } : {}),
    });
    location.assign(`/recording-sessions/${created.id}`);
  } catch (error) {
    say(error.message, 'error');
  }
});

const transcripts = document.getElementById('transcripts');
transcripts.addEventListener('change', async () => {
  try {
    const { enabled } = await api('PUT', '/api/organization/transcripts', {
      enabled: transcripts.checked,
    });
    transcripts.checked = enabled;
    say(enabled ? 'Transcripts are on.' : 'Transcripts are off.', 'ok');
  } catch (error) {
    transcripts.checked = !transcripts.checked;
    say(error.code === 'forbidden' ? 'Only admins change this.' : error.message, 'error');
  }
});

async function loadTranscripts() {
  transcripts.checked = (await api('GET', '/api/organization/transcripts')).enabled;
  transcripts.disabled = false;
}

refresh().catch((error) => say(error.message, 'error'));
loadTranscripts().catch((error) => say(error.message, 'error'));
