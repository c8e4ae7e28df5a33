// The notifications page: the member's feed, newest first, marked read when opened or all at once.
import { api, el, formatDate, say } from './api.js';
import { showUnread } from './nav.js';

const feed = document.getElementById('feed');
const older = document.getElementById('older');
const unreadOnly = document.getElementById('unread-only');
let nextBefore = null;

/** Where an entry leads: the track or the share it is about, else nowhere. */
function addressOf(subject) {
  if (subject.shareId) return `/shares/${encodeURIComponent(subject.shareId)}`;
  if (subject.trackId) return `/tracks/${encodeURIComponent(subject.trackId)}`;
  return undefined;
}

async function markRead(ids) {
  const { unread } = await api('POST', '/api/notifications/read', ids ? { ids } : { all: true });
  showUnread(unread);
  return unread;
}

function entry(n) {
  const href = addressOf(n.subject);
  const summary = href
    ? el('a', {
        class: 'summary',
        href,
        text: n.summary,
        onclick: (event) => {
          if (n.readAt || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) {
            return;
          }
          // Marked read before leaving, so the mark is not lost with the page.
          event.preventDefault();
          markRead([n.id])
            .catch(() => {})
            .finally(() => location.assign(href));
        },
      })
    : el('span', { class: 'summary', text: n.summary });
  return el(
    'li',
    { class: n.readAt ? 'read' : 'unread', 'data-notification': n.id },
    summary,
    el('time', { class: 'muted', datetime: n.createdAt, text: formatDate(n.createdAt) }),
    n.readAt ? null : el('span', { class: 'visually-hidden', text: '(unread)' }),
  );
}

async function load(append = false) {
  const params = new URLSearchParams({ limit: '30' });
  if (unreadOnly.checked) params.set('unread', 'true');
  if (append && nextBefore) params.set('before', nextBefore);
  try {
    const page = await api('GET', `/api/notifications?${params}`);
    const items = page.items.map(entry);
    if (append) feed.append(...items);
    else feed.replaceChildren(...items);
    nextBefore = page.nextBefore;
    older.hidden = !nextBefore;
    showUnread(page.unread);
    if (!append && page.items.length === 0) {
      say(unreadOnly.checked ? 'Nothing unread.' : 'No notifications yet.');
    } else say('');
  } catch (error) {
    say(error.message, 'error');
  }
}

document.getElementById('read-all').addEventListener('click', async () => {
  try {
    await markRead();
    say('Everything is marked as read.', 'ok');
    await load();
  } catch (error) {
    say(error.message, 'error');
  }
});
unreadOnly.addEventListener('change', () => load());
older.addEventListener('click', () => load(true));
load();
