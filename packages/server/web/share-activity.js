// A share's activity for people to read: per recipient, when the link was opened, and per track
// how much was really heard (the union of the stretches played) and the downloads. Times are in
// the viewer's own time zone.
import { api, el, formatDuration } from './api.js';

const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;

function when(iso) {
  if (!iso) return '';
  return new Date(iso).toLocaleString(undefined, {
    dateStyle: 'medium',
    timeStyle: 'short',
  });
}

function heard(t) {
  if (t.listenedSeconds <= 0) return el('span', { class: 'muted', text: 'not played' });
  const of = t.durationSeconds ? ` of ${formatDuration(t.durationSeconds)}` : '';
  const percent = t.listenedFraction === null ? '' : ` (${Math.round(t.listenedFraction * 100)} %)`;
  const text = `${formatDuration(t.listenedSeconds)}${of}${percent}`;
  return [
    t.listenedFraction === null
      ? null
      : el('meter', {
          min: 0,
          max: 1,
          value: t.listenedFraction,
          'aria-label': `${t.title}: heard ${Math.round(t.listenedFraction * 100)} percent`,
        }),
    ' ',
    text,
  ];
}

function recipientBlock(r) {
  const opened = r.firstOpenedAt
    ? `First opened ${when(r.firstOpenedAt)}${r.opens > 1 ? `, last ${when(r.lastOpenedAt)} (${r.opens} times)` : ''}.`
    : 'Not opened yet.';
  return el(
    'section',
    { class: 'activity', 'data-recipient': r.recipientId, 'aria-label': r.name },
    el('h3', { text: r.name }),
    el('p', { class: 'muted opened', text: opened }),
    el(
      'table',
      {},
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', { scope: 'col', text: 'Track' }),
          el('th', { scope: 'col', text: 'Heard' }),
          el('th', { scope: 'col', text: 'Sessions' }),
          el('th', { scope: 'col', text: 'Downloads' }),
          el('th', { scope: 'col', text: 'Last played' }),
        ),
      ),
      el(
        'tbody',
        {},
        r.tracks.map((t) =>
          el(
            'tr',
            { 'data-track': t.trackId },
            el('th', { scope: 'row', text: t.title }),
            el('td', { class: 'heard' }, heard(t)),
            el('td', { text: t.sessions }),
            el('td', { class: 'downloads', text: t.downloads }),
            el('td', { text: when(t.lastPlayedAt) }),
          ),
        ),
      ),
    ),
  );
}

/** Fills `#listening` with the share's activity. */
export async function showActivity(shareId) {
  const root = document.getElementById('listening');
  if (!root) return;
  const stats = await api('GET', `/api/shares/${encodeURIComponent(shareId)}/analytics`);
  document.getElementById('listening-zone').textContent =
    `Times are in your time zone (${zone}). “Heard” counts each second once, however often it was replayed; skipped parts are not counted.`;
  root.replaceChildren(...stats.recipients.map(recipientBlock));
}
