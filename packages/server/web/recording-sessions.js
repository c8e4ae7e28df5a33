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

refresh().catch((error) => say(error.message, 'error'));
