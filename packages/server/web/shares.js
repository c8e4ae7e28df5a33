// The organization's shares: status, size and dates, each linking to its access log.
import { api, el, formatDate, say } from './api.js';

async function load() {
  const { items } = await api('GET', '/api/shares?limit=200');
  const rows = items.map((share) =>
    el(
      'tr',
      {},
      el(
        'td',
        {},
        el('a', {
          href: `/shares/${encodeURIComponent(share.id)}`,
          text: share.title ?? `Share of ${formatDate(share.createdAt)}`,
        }),
      ),
      el('td', { text: share.status }),
      el('td', { text: share.trackCount }),
      el('td', { text: share.recipientCount }),
      el('td', { text: formatDate(share.createdAt) }),
      el('td', { text: formatDate(share.expiresAt) }),
    ),
  );
  document
    .getElementById('shares')
    .replaceChildren(
      ...(rows.length
        ? rows
        : [el('tr', {}, el('td', { colspan: 6, class: 'muted', text: 'No shares yet.' }))]),
    );
}

load().catch((error) => say(error.message, 'error'));
